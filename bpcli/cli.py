"""The command line: parse options, call the library, hand the results to render."""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import signal
import sys
import tempfile
import time

import click
import numpy as np
from rich.console import Console, Group
from rich.text import Text
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

from . import __version__, explain, netfile, render
from .layers import LayerNetwork
from .netfile import NetError
from .suggest import did_you_mean
from .data import relocate
from .train import plan_steps
from .train import train as run_training


class UserError(click.ClickException):
    """A mistake of the user's: one line on stderr, exit status 2, no traceback."""

    exit_code = 2


class _Command(click.Command):
    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as e:
            e.ctx = e.ctx or ctx  # some parser errors come without it: name the command
            raise


class _Group(click.Group):
    """Expressions and explanations are trees walked recursively: give them room (a sum of
    a few thousand terms), and turn the rare net deeper than that into one clear line.
    Mistakes in the options are one line too."""

    command_class = _Command

    def invoke(self, ctx):
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
        try:
            return super().invoke(ctx)
        except RecursionError:
            raise UserError("the network is nested too deeply for bpcli (an expression of "
                            "thousands of terms, or a chain of thousands of nodes); split "
                            "long expressions into named nodes") from None
        except click.UsageError as e:
            raise _one_line(e) from None

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise  # a bare `bpcli`: the help, as Click prints it
        except click.UsageError as e:
            raise _one_line(e) from None


def _one_line(e: click.UsageError) -> UserError:
    """A mistake in the options as one line, like every other mistake (Click would
    print the usage and a hint on lines of their own)."""
    where = "bpcli" if e.ctx is None or e.ctx.parent is None else f"bpcli {e.ctx.info_name}"
    message = e.format_message().strip()
    if message.endswith("?"):  # "No such command 'fowrard'. Did you mean 'forward'?"
        return UserError(f"{message} See {where} --help")
    return UserError(f"{message.rstrip('.')}; see {where} --help")


def _load(path, needs_params=None):
    try:
        network = netfile.load(path) if path else netfile.load_default()
    except NetError as e:
        raise UserError(str(e)) from None
    if needs_params and not network.params:
        fix = ("add a layer with weights (dense or conv2d)" if isinstance(network, LayerNetwork)
               else "give some under params:")
        raise UserError(f"{'<stdin>' if path == '-' else path}: the network has no params, so "
                        f"there is nothing to {needs_params}; {fix}")
    return network


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _warn(message):
    click.echo(f"warning: {message}", err=True)


def _first_nonfinite(names, values):
    for name, v in zip(names, values):
        v = np.asarray(v)
        if not np.all(np.isfinite(v)):
            return name, float(v[~np.isfinite(v)].flat[0])  # the first bad one, not v's first
    return None


def _run(graph):
    """Run forward and backward quietly; say once on stderr if a value or ∂E is nan or inf."""
    with np.errstate(all="ignore"):
        trace = graph.run()
    names = list(graph.index)  # evaluation order: the first bad value is the origin
    bad = _first_nonfinite(names, (trace.vals[graph.index[n]] for n in names))
    if bad:
        _warn(f"{bad[0]} = {bad[1]}, the first value that is not finite (those using it follow): "
              "check log or sqrt of values ≤ 0, and division by 0")
    else:  # backward order for gradients
        bad = _first_nonfinite(names[::-1], (trace.grad(n) for n in names[::-1]))
        if bad:
            _warn(f"∂E/∂{bad[0]} = {bad[1]}, the first gradient that is not finite: a local "
                  "derivative is undefined there (sqrt or log at 0, a power of 0)")
    return trace


def _write(path, text):
    try:
        netfile.write_atomic(path, text)
    except OSError as e:
        raise UserError(f"cannot write {path}: {e.strerror or e}") from None


def _finite_eta(ctx, param, value):
    if not np.isfinite(value):
        raise click.BadParameter("must be a finite number")
    return value


def _console():
    """Stdout's console.  In a pipe Rich would assume 80 columns: unless COLUMNS says
    otherwise, let tables keep their natural width there (a pager or file has room)."""
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(highlight=False, width=400)
    return console


def _emit(fmt, table, doc):
    if fmt == "json":
        click.echo(json.dumps(doc(), indent=2, ensure_ascii=False))
        return
    console = _console()
    if console.is_terminal:
        console.print(table(console.width))
        return
    # Plain text: without the padding Rich adds to fill each table's width.
    with console.capture() as captured:
        console.print(table(console.width))
    click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


net_argument = click.argument("net", required=False, metavar="[NET]")
format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="Rich tables for people, or JSON (stdout only, full float64 precision).")
precision_option = click.option(
    "--precision", type=click.IntRange(0, 15), default=6, show_default=True, metavar="N",
    help="Decimals shown in tables (JSON always has full precision).")


sample_option = click.option(
    "--sample", type=click.IntRange(min=0), default=None, metavar="K",
    help="For a batch or a data set: show sample K (default: all of a small batch or data set, "
         "else sample 0); with --wrt on a data set, the chain rule at sample K.")


def _common(f):
    return net_argument(format_option(precision_option(f)))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="bpcli")
def main():
    """bpcli — a backpropagation calculator: every value, every ∂E, every step.

    NET is a network file in YAML; without one, bpcli uses the seed note's 2-2-2
    sigmoid net (`bpcli init` writes it out to start from).

    \b
      bpcli forward                  values of every node, then E
      bpcli grad --wrt w1            ∂E/∂w1 path by path, as the note writes it
      bpcli train --eta 0.5 --steps 100
    """


@main.command()
@_common
@sample_option
def forward(net, fmt, precision, sample):
    """Run NET forward: every input, param, node and E, in evaluation order.

    \b
    Example:
      bpcli forward configs/sigmoid-222.yaml --precision 4
    """
    network = _load(net)
    trace = _run(network.build())
    if isinstance(network, LayerNetwork):
        sample = _check_sample(network, sample)
        _emit(fmt, lambda width: render.forward_layers(network, trace, precision, width, sample),
              lambda: render.forward_layers_json(network, trace))
        return
    sample = _check_sample(network, sample)
    _emit(fmt, lambda width: render.forward_table(network, trace, precision, width, sample),
          lambda: render.forward_json(network, trace))


@main.command()
@_common
@click.option("--wrt", multiple=True, metavar="NAME",
              help="Break ∂E/∂NAME down path by path (repeatable; any param, input, target, "
                   "node, or E). In a layer net: input, a param or a layer, whole (conv1.weight) "
                   "or one element ('conv1.weight[0,0,1,1]', 'input[0,2,3]').")
@sample_option
def grad(net, fmt, precision, wrt, sample):
    """Run NET backward: ∂E/∂node for every node and ∂E/∂param for every param.

    With --wrt, the chain rule written out: one row per path from E down to NAME,
    each local factor with its symbolic form and value, the path's product, and the
    sum over paths, checked against the backward pass.

    \b
    Example:
      bpcli grad --wrt w1 --wrt w3
    """
    network = _load(net)
    graph = network.build()
    if isinstance(network, LayerNetwork):
        return _grad_layers(network, graph, fmt, precision, wrt, _check_sample(network, sample),
                            net)
    sample = _check_sample(network, sample)
    for name in wrt:
        if name not in graph.index:
            where = "the default net" if net is None else net
            fix = did_you_mean(name, graph.names(), "names")
            raise UserError(f"--wrt {name}: no such name in {where}; {fix}")
    trace = _run(graph)
    if wrt and network.data:
        return _grad_data_chains(network, trace, fmt, precision, wrt, sample or 0)
    if wrt and any(np.ndim(v) for v in trace.vals):
        # Path factors are numbers; with vectors they would be Jacobians: show ∂E/∂ instead.
        return _emit(fmt, lambda width: render.vector_grads(network, trace, wrt, precision),
                     lambda: {
            **render.grad_json(network, trace),
            "chain": {n: {"value": render.plain(trace.grad(n))} for n in dict.fromkeys(wrt)}})
    with np.errstate(all="ignore"):  # a factor may be nan where backward's was (see _run)
        chains = [explain.chain(network, trace, name) for name in dict.fromkeys(wrt)]

    def tables(width):
        if not chains:
            return render.grad_tables(network, trace, precision, width, sample)
        parts = []
        for c in chains:
            parts += [render.chain_table(c, precision), Text()]
        return Group(*parts, Text(render.SIGN_NOTE, style="dim"))

    _emit(fmt, tables, lambda: render.grad_json(network, trace, chains))


def _grad_data_chains(network, trace, fmt, precision, wrt, k):
    """--wrt in a net with a data set: the chain rule at sample k, then the mean."""
    with np.errstate(all="ignore"):
        wide = explain.per_sample_trace(network)
        chains = [explain.chain(network, trace, name) if name == "E"  # ∂E/∂E = 1, one path
                  else explain.sample_chain(network, trace, wide, name, k)
                  for name in dict.fromkeys(wrt)]

    def tables(width):
        parts = []
        for c in chains:
            parts += [render.sample_chain_table(c, precision) if hasattr(c, "chain")
                      else render.chain_table(c, precision), Text()]
        return Group(*parts, Text(render.SIGN_NOTE, style="dim"))

    _emit(fmt, tables, lambda: render.grad_json(network, trace, chains))


_ELEMENT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_]+)?)\s*(?:\[([^\]]*)\])?\s*$")


def _parse_wrt(spec, network, graph, where):
    """'conv1.weight[0,0,1,1]' → ("conv1.weight", (0, 0, 1, 1)); a bare name → (name, None)."""
    m = _ELEMENT.match(spec)
    names = [n for n in graph.names() if n not in ("target",)]
    if m and m.group(1) == "target":
        raise UserError(f"--wrt {spec}: the target is a constant of the loss; --wrt takes the "
                        "input, a param, a layer or E")
    if not m or m.group(1) not in graph.index:
        base = m.group(1) if m else spec
        fix = did_you_mean(base, names, "names")
        raise UserError(f"--wrt {spec}: no such name in {where}; {fix}")
    name, raw = m.groups()
    if raw is None:
        return name, None
    if name == "E":
        raise UserError(f"--wrt {spec}: E is one number; write --wrt E")
    shape = network.display_shape(name)
    try:
        index = tuple(int(v) for v in raw.split(","))
    except ValueError:
        raise UserError(f"--wrt {spec}: an index is whole numbers, like {name}[0,1]") from None
    if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape)):
        dims = ", ".join(f"0..{n - 1}" for n in shape)
        raise UserError(f"--wrt {spec}: {name} is {render.shape_text(shape)}; "
                        f"an element is {name}[{dims}]")
    return name, index


def _check_sample(network, sample):
    """--sample K for a batch (layer net) or a data set (equation net); None when the
    net has one sample only (K = 0 is that one)."""
    if sample is None:
        return None
    layers = isinstance(network, LayerNetwork)
    n = network.input.shape[0] if layers else network.samples()[0]
    if (layers and not network.batched) or (not layers and not network.data):
        if sample == 0:
            return None  # the one sample there is
        raise UserError(f"--sample {sample}: " + ("this network's input is one sample, not a batch"
                                                  if layers else "this network has no data set: "
                                                  "it is one sample, sample 0"))
    if sample >= n:
        raise UserError(f"--sample {sample}: the {'batch' if layers else 'data set'} has "
                        f"samples 0..{n - 1}")
    return sample


def _grad_layers(network, graph, fmt, precision, wrt, sample, net):
    where = "the default net" if net is None else net
    wanted = [_parse_wrt(spec, network, graph, where) for spec in dict.fromkeys(wrt)]
    trace = _run(graph)
    chains = []
    for name, index in wanted:
        if index is None:
            chains.append((name, trace.grad(name)))
        elif name == "E":
            chains.append(("E", trace.grad("E")))
        else:
            chains.append(explain.element_chain(network, trace, name, index))

    def tables(width):
        if not chains:
            return render.grad_layers(network, trace, precision, width, sample)
        parts = []
        for c in chains:
            if isinstance(c, tuple):
                parts += render.wrt_tensor(network, *c, precision, width, sample)
            else:
                parts += [render.element_table(c, precision), Text()]
        return Group(*parts)

    _emit(fmt, tables, lambda: render.grad_layers_json(network, trace, chains))


@main.command()
@_common
@click.option("--eta", type=float, default=0.5, show_default=True, metavar="ETA",
              callback=_finite_eta, help="Learning rate η.")
@click.option("--steps", type=click.IntRange(min=0), default=None, metavar="N",
              help="Gradient-descent steps (one batch each). Default: 100, or --epochs.")
@click.option("--epochs", type=click.IntRange(min=0), default=None, metavar="E",
              help="Passes over the data set, instead of --steps.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, metavar="B",
              help="Samples per step (default: the whole data set).")
@click.option("--shuffle/--no-shuffle", default=True, show_default=True,
              help="Shuffle the samples at each epoch (with --batch-size).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, metavar="S",
              help="Seed of the shuffling: the same seed gives the same run, bit for bit.")
@click.option("--momentum", type=click.FloatRange(0, 1, max_open=True), default=0.0,
              show_default=True, metavar="MU", help="Momentum μ: v ← μv + ∂E/∂w, w ← w − ηv.")
@click.option("--every", type=click.IntRange(min=1), default=None, metavar="K",
              help="Show E every K steps (default: about ten rows).")
@click.option("--save", "save", type=click.Path(dir_okay=False), default=None, metavar="OUT.yaml",
              help="Write the trained network to OUT.yaml (whole or not at all).")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, metavar="LOSS.png",
              help="Draw the loss curve to a picture (needs the 'plot' extra: matplotlib).")
@click.pass_context
def train(ctx, net, fmt, precision, eta, steps, epochs, batch_size, shuffle, seed, momentum, every,
          save, plot):
    """Train NET's params by gradient descent, w ← w − η·∂E/∂w.

    Shows E at the first step, every K-th and the last (E at step k is the loss of
    that step's forward pass on its batch, before its update), a loss curve, then
    each param's change. Ctrl-C stops after the current step, shows and saves what
    was reached, and exits with status 130.

    \b
    Example:
      bpcli train configs/xor.yaml --eta 2 --steps 2000 --save trained.yaml
    """
    network = _load(net, needs_params="train")
    if steps is not None and epochs is not None:
        raise UserError("give --steps or --epochs, not both")
    if eta < 0:
        _warn(f"--eta {eta:g} is negative: every step climbs E instead of lowering it")
    for option, path in (("--save", save), ("--plot", plot)):
        if path:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
                raise UserError(f"{option} {path}: cannot write into {folder}; "
                                "name a file in an existing, writable folder")
    if plot and not plot.lower().endswith((".png", ".pdf", ".svg")):
        raise UserError(f"--plot {plot}: name a picture file ending in .png, .pdf or .svg")
    if save and not save.lower().endswith((".yaml", ".yml")):
        raise UserError(f"--save {save}: the trained network is written as YAML; name a file "
                        "ending in .yaml or .yml")
    if plot and importlib.util.find_spec("matplotlib") is None:
        raise UserError("--plot needs matplotlib, which is not installed: run pip install "
                        "matplotlib, or from bpcli's folder pip install '.[plot]'")
    n = network.samples()[0]
    if batch_size is not None and batch_size > n:
        has_data = bool(getattr(network, "data", None)) or getattr(network, "batched", False)
        _warn(f"--batch-size {batch_size} is more than the {_plural(n, 'sample')} of "
              f"{'the data set' if has_data else 'this net (it has no data set)'}: "
              f"every step takes {'it' if n == 1 else 'them all'}")
    total = plan_steps(n, batch_size, steps, epochs)[1]
    console = _console()
    interrupted = []
    # Ctrl-C sets a flag the loop reads after each step; a second Ctrl-C changes nothing,
    # so the results are always printed and saved before the exit with status 130.
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    try:
        with _progress(console, fmt, total) as progress, np.errstate(all="ignore"):
            result = run_training(network, eta, steps, epochs, batch_size, shuffle, seed,
                                  momentum, progress, lambda: bool(interrupted))
        with _sigint_held():
            _report_training(network, result, total, fmt, precision, every, save, plot, eta,
                             momentum, shuffle, seed)
    finally:
        signal.signal(signal.SIGINT, previous)
    if result.interrupted:
        ctx.exit(130)


@contextlib.contextmanager
def _sigint_held():
    """Hold Ctrl-C back until the block ends.

    Even a handler that does nothing cuts output short: a signal that lands while
    write() waits on a full pipe makes it return after what fitted (64 KB), and
    Python's text layer drops the rest without an error. Blocked, the signal waits
    and reaches the handler when the block ends. (No signal masks on Windows.)
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _report_training(network, result, total, fmt, precision, every, save, plot, eta, momentum,
                     shuffle, seed):
    bad = next((k for k, e in enumerate(result.history, 1) if not np.isfinite(e)), None)
    if bad == 1:
        _warn(f"E is {result.history[0]} at the start: the starting values"
              + (" or a sample of the data" if network.samples()[0] > 1 else "")
              + " put the loss outside its domain (log or sqrt of a value ≤ 0, a division by 0)")
    elif bad is not None or not np.isfinite(result.final_loss):
        at = f"at step {bad}" if bad else "after the last step"
        _warn(f"E became {result.history[bad - 1] if bad else result.final_loss} {at}: "
              "training diverged; try a smaller --eta")
    if result.interrupted:
        _warn(f"interrupted: stopped after step {result.steps} of {total}")
    _emit(fmt, lambda width: render.train_tables(network, result, every, precision, width),
          lambda: render.train_json(result))
    if plot:
        _write_plot(plot, result, network)
        if fmt == "table":
            click.echo(f"drew the loss curve to {plot}")
    if save:
        if not all(np.all(np.isfinite(w)) for w in result.params.values()):
            raise click.ClickException(f"--save {save}: not saved, the trained params are not "
                                       "finite; train again with a smaller --eta")
        source = " ".join(network.path.splitlines())  # a comment line stays one line
        how = f"eta = {eta:g}"
        if momentum:
            how += f", momentum = {momentum:g} (its velocity is not saved)"
        if result.batch_size < result.samples:
            how += f", batches of {result.batch_size}, " + (f"shuffled with seed {seed}"
                                                           if shuffle else "in order")
        header = (f"# Trained by bpcli {__version__}: {_plural(result.steps, 'step')} of gradient "
                  f"descent, {how}, from {source}.\n"
                  f"# E{' on the whole set' if result.samples > 1 else ''}: "
                  f"{result.final_loss!r} after training.\n")
        trained = network.with_params(result.params)
        _write(save, relocate(trained, save).to_yaml(header))
        if fmt == "table":
            click.echo(f"saved the trained network to {save}")


def _write_plot(path, result, network):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=120)
    steps = np.arange(1, len(result.history) + 1)
    ax.plot(steps, result.history, lw=1.2)
    losses = np.asarray(result.history)
    if len(losses) and np.all(losses > 0) and losses.max() / losses.min() > 100:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("E (before the step's update)")
    ax.set_title(f"{network.name or network.path}: η = {result.eta:g}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    kind = os.path.splitext(path)[1].lower().lstrip(".")  # png, pdf or svg
    fd, tmp = tempfile.mkstemp(prefix=".bpcli-", suffix="." + kind, dir=folder)
    os.close(fd)
    try:
        fig.savefig(tmp, format=kind)
        netfile.ordinary_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    finally:
        plt.close(fig)


class _progress:
    """A progress bar on a terminal, shown only once a run has taken half a second:
    the step, the loss and the rate."""

    def __init__(self, console, fmt, steps):
        self.console, self.steps = console, steps
        self.enabled = console.is_terminal and fmt == "table"
        self.bar = None
        self.start = time.perf_counter()

    def __enter__(self):
        return self if self.enabled else None

    def __call__(self, k, loss):
        if k % 50 and k != self.steps:
            return
        if self.bar is None:
            if time.perf_counter() - self.start < 0.5:
                return
            self.bar = Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("E {task.fields[loss]}"),
                                TextColumn("{task.fields[rate]} steps/s"),
                                TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                console=self.console, transient=True)
            self.task = self.bar.add_task("train", total=self.steps, loss="", rate="")
            self.bar.start()
        rate = k / max(time.perf_counter() - self.start, 1e-9)
        self.bar.update(self.task, completed=k, loss=f"{loss:.6g}", rate=f"{rate:,.0f}")

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


@main.command()
@_common
@click.option("--eps", type=click.FloatRange(min=0, min_open=True), default=1e-6, show_default=True,
              help="Step of the central differences.")
@click.option("--tol", type=click.FloatRange(min=0, min_open=True), default=1e-5, show_default=True,
              help="Largest relative error that passes.")
@click.option("--max-elements", type=click.IntRange(min=1), default=20, show_default=True,
              metavar="N", help="Elements checked per tensor param (seeded; its largest gradient "
                                "always among them).")
@click.pass_context
def check(ctx, net, fmt, precision, eps, tol, max_elements):
    """Check every param's gradient against central differences.

    For each param: the analytic ∂E/∂param (the backward pass), the numeric
    (E(w + eps) − E(w − eps)) / 2eps, their absolute and relative error, and pass
    or fail; a kink (a ReLU input at 0 or a max-pool tie within ±eps) is reported as
    such. Exit status 1 when any param fails.

    \b
    Example:
      bpcli check configs/conv-pool.yaml --eps 1e-6 --tol 1e-5
    """
    from .check import check as run_check

    network = _load(net, needs_params="check")
    rows = run_check(network, eps, tol, max_elements)
    _emit(fmt, lambda width: render.check_table(network, rows, eps, tol, precision),
          lambda: render.check_json(rows, eps, tol))
    if any(r.status == "FAIL" for r in rows):
        ctx.exit(1)


@main.command()
@click.argument("out", required=False, default="net.yaml", metavar="[OUT.yaml]")
@click.option("--force", is_flag=True, help="Overwrite OUT.yaml if it exists.")
def init(out, force):
    """Write the seed 2-2-2 sigmoid net to OUT.yaml (default net.yaml; - for stdout) to start from.

    \b
    Example:
      bpcli init my-net.yaml && bpcli forward my-net.yaml
    """
    if out == "-":  # to standard output
        click.echo(netfile.default_text(), nl=False)
        return
    if os.path.isdir(out):
        raise UserError(f"{out} is a folder; name a file, e.g. {os.path.join(out, 'net.yaml')}")
    if os.path.exists(out) and not force:
        raise UserError(f"{out} exists; pass --force to overwrite it, or name another file")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise UserError(f"{out}: folder {folder} does not exist")
    _write(out, netfile.default_text())
    click.echo(f"wrote {out}; try: bpcli forward {out}")
