"""The command line: options → a library call → a report → a renderer.

What is here and nowhere else: Click's options and their one-line mistakes, and
Ctrl-C (the progress bar: :mod:`bpcli.terminal`; the writing of output:
:mod:`bpcli.stdout`).  Every number comes from the library (:mod:`bpcli.analysis`), every
table and document from :mod:`bpcli.render`.  A command that needs more than a report
(train, graph, report, mark, quiz, export) is in a module of its own, imported when it
runs or --help lists it (COMMANDS): `bpcli forward` imports none of them.
"""
from __future__ import annotations

import os
import sys
from typing import Any

import click

from . import analysis, api, nets
from .errors import BpcliError
from .lazy import Table
from .options import (Command, UserError, capped, common, finite_eta, load_net,
                      sample_option)
from .stdout import WRITE_ERRORS, emit, quiet_stdout, warn, write_pieces
from .version import __version__

# command → the module that defines it (a function of the command's name)
COMMANDS = {"train": "bpcli.training", "graph": "bpcli.pictures", "report": "bpcli.pictures",
            "mark": "bpcli.practice", "quiz": "bpcli.practice", "export": "bpcli.outputs"}


class InternalError(click.ClickException):
    """An error of bpcli's own, not the user's: one line saying so, exit status 70."""

    exit_code = 70

    def format_message(self) -> str:
        return (f"internal error, a bug in bpcli (please report it): {self.message}; "
                "BPCLI_DEBUG=1 shows the traceback")


class _Group(click.Group):
    """Expressions and explanations are trees walked recursively: give them room (a sum of
    a few thousand terms), and turn the rare net deeper than that into one clear line.
    Mistakes in the options are one line too, and so is every mistake the library finds."""

    command_class = Command

    def invoke(self, ctx: click.Context) -> Any:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
        try:
            # One command, then the process ends: the cycle collector is held off for all
            # of it, not only while a net is read and built.  A big net's million objects
            # hold no cycles, yet each collection after a pause walked them again (a 10⁵-node
            # chain: ≈0.4 s of its forward); no command makes garbage cycles per step or per
            # sample (tests/cli/test_cli.py), so nothing piles up meanwhile.
            with nets.collector_paused():
                return super().invoke(ctx)
        except RecursionError:
            raise UserError("the network is nested too deeply for bpcli (an expression of "
                            "thousands of terms, or a chain of thousands of nodes); split "
                            "long expressions into named nodes") from None
        except click.UsageError as e:
            raise _one_line(e) from None
        except BpcliError as e:
            raise UserError(e.cli_text(), e.exit_code) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # `bpcli … | head`: the reader has what it wanted
            import signal  # here, not above: the rare case pays for it

            quiet_stdout()
            ctx.exit(128 + signal.SIGPIPE if hasattr(signal, "SIGPIPE") else 1)
        except MemoryError:
            raise UserError("this network needs more memory than the machine has; make it "
                            "smaller (see README, Limits)") from None
        except Exception as e:  # a bug of ours: say so, in one line, never as the user's mistake
            if isinstance(e, OSError) and e.errno in WRITE_ERRORS:
                quiet_stdout()  # stdout on a full disk or a terminal gone; the last flush
                raise UserError(f"cannot write the output: {e.strerror}") from None  # too
            if os.environ.get("BPCLI_DEBUG"):
                raise
            raise InternalError(capped(f"{type(e).__name__}: {e}".splitlines()[0])) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:  # --help and --version write outside invoke: a full disk under them too
            return super().main(*args, **kwargs)
        except OSError as e:
            if e.errno not in WRITE_ERRORS:
                raise
            quiet_stdout()
            click.echo(f"Error: cannot write the output: {e.strerror}", err=True)
            sys.exit(2)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:  # a bare `bpcli`: the help, and success
            click.echo(ctx.get_help())
            ctx.exit(0)
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




@click.group(cls=_Group, commands=Table(COMMANDS),
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="bpcli")
def main() -> None:
    """bpcli — a backpropagation calculator: every value, every ∂E, every step.

    NET is a network file in YAML; without one, bpcli uses the embedded seed net,
    the seed note's 2-2-2 sigmoid net (`bpcli init` writes it out to start from).

    \b
      bpcli forward                  values of every node, then E
      bpcli grad --wrt w1            ∂E/∂w1 path by path, as the note writes it
      bpcli train --eta 0.5 --steps 100
    """


@main.command()
@common
@sample_option
@click.option("--unit", multiple=True, metavar="NAME[i,…]",
              help="Break one unit of a conv2d or dense layer down instead: the window it "
                   "sees, every x·w and the bias ('conv1[0,1,1]'; repeatable).")
def forward(net: str | None, fmt: str, precision: int, sample: int | None,
            unit: tuple[str, ...]) -> None:
    """Run NET forward: every input, param, node and E, in evaluation order.

    \b
    Example:
      bpcli forward configs/sigmoid-222.yaml --precision 4
      bpcli forward configs/mixed-small.yaml --unit 'conv1[0,1,1]'
    """
    report = api.forward(load_net(net), sample, unit, "the default net" if net is None else net)
    for w in report.warnings:
        warn(w)
    emit(fmt, report, precision)


@main.command()
@common
@click.option("--wrt", multiple=True, metavar="NAME",
              help="Break ∂E/∂NAME down path by path (repeatable; any param, input, target, "
                   "node, or E). In a layer net: input, a param or a layer, whole (conv1.weight) "
                   "or one element ('conv1.weight[0,0,1,1]', 'input[0,2,3]').")
@sample_option
def grad(net: str | None, fmt: str, precision: int, wrt: tuple[str, ...],
         sample: int | None) -> None:
    """Run NET backward: ∂E/∂node for every node and ∂E/∂param for every param.

    With --wrt, the chain rule written out: one row per path from E down to NAME,
    each local factor with its symbolic form and value, the path's product, and the
    sum over paths, checked against the backward pass.

    \b
    Example:
      bpcli grad --wrt w1 --wrt w3
    """
    report = api.grad(load_net(net), wrt, sample, where="the default net" if net is None else net)
    for w in report.warnings:
        warn(w)
    emit(fmt, report, precision)


@main.command()
@common
@click.option("--eps", type=click.FloatRange(min=0, min_open=True), default=1e-6, show_default=True,
              help="Step of the central differences (at least 1e-10: below it they measure "
                   "only float64 round-off).")
@click.option("--tol", type=click.FloatRange(min=0, min_open=True), default=1e-5, show_default=True,
              help="Largest relative error that passes.")
@click.option("--max-elements", type=click.IntRange(min=1), default=20, show_default=True,
              metavar="N", help="Elements checked per tensor param (seeded; its largest gradient "
                                "always among them).")
@click.pass_context
def check(ctx: click.Context, net: str | None, fmt: str, precision: int, eps: float, tol: float,
          max_elements: int) -> None:
    """Check every param's gradient against central differences.

    For each param: the analytic ∂E/∂param (the backward pass), the numeric
    (E(w + eps) − E(w − eps)) / 2eps, their absolute and relative error, and pass
    or fail; a kink (a ReLU input at 0 or a max-pool tie within ±eps) is reported as
    such, and so is a derivative undefined where the params stand (p^p at p = 0).
    Exit status 1 when any param fails or is undefined.

    \b
    Example:
      bpcli check configs/conv-pool.yaml --eps 1e-6 --tol 1e-5
    """
    network = load_net(net, needs_params="check")
    report = api.check(network, eps, tol, max_elements)
    for w in report.warnings:
        warn(w)
    emit(fmt, report, precision)
    if not report.passed:
        ctx.exit(1)


@main.command()
@common
@click.option("--eta", type=float, default=None, metavar="ETA", callback=finite_eta,
              help="Learning rate η (default: the train: section's, else 0.5).")
@click.option("--momentum", type=click.FloatRange(0, 1, max_open=True), default=None,
              metavar="MU", help="Momentum μ (default 0): from rest, v = μ·0 + ∂E/∂w.")
@click.option("--wrt", default=None, metavar="NAME",
              help="One tensor param, element by element (else tensors by norm).")
def step(net: str | None, fmt: str, precision: int, eta: float | None, momentum: float | None,
         wrt: str | None) -> None:
    """One step of gradient descent written out, as the note's section 4 does it.

    For each param: w, ∂E/∂w, η·∂E/∂w and w′ = w − η·∂E/∂w; then E before and after,
    and whether train's own first step gives the same w′.

    \b
    Example:
      bpcli step --eta 0.5
    """
    report = api.step(load_net(net, needs_params="step"), eta, momentum, wrt)
    for w in report.warnings:
        warn(w)
    emit(fmt, report, precision)


@main.command()
@click.argument("out", required=False, default="net.yaml", metavar="[OUT.yaml]")
@click.option("--force", is_flag=True, help="Overwrite OUT.yaml if it exists.")
def init(out: str, force: bool) -> None:
    """Write the seed 2-2-2 sigmoid net to OUT.yaml (default net.yaml; - for stdout) to start from.

    \b
    Example:
      bpcli init my-net.yaml && bpcli forward my-net.yaml
    """
    if out == "-":  # to standard output
        write_pieces([nets.default_text()])
        return
    if os.path.isdir(out):
        raise UserError(f"{out} is a folder; name a file, e.g. {os.path.join(out, 'net.yaml')}")
    if os.path.exists(out) and not force:
        raise UserError(f"{out} exists; pass --force to overwrite it, or name another file")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise UserError(f"{out}: folder {folder} does not exist")
    analysis.write_text(out, nets.default_text())
    click.echo(f"wrote {out}; try: bpcli forward {out}")
