"""What every command of the command line shares: NET and its options, loading it, and a
user's mistake as one line (exit status 2)."""
from __future__ import annotations

import inspect
import os

import click
import numpy as np

from . import analysis, api
from .io.files import Unwritable, save_target


def capped(message: str, most: int = 400) -> str:
    """One line of a readable length: a value echoed from a file (5 000 digits, a list a
    YAML alias repeats) is cut in its middle."""
    message = " ".join(str(message).split("\n"))
    return message if len(message) <= most else f"{message[:most - 100]} … {message[-90:]}"


class Command(click.Command):
    """A command whose every usage mistake names it (some of Click's parser errors come
    without their context)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as e:
            e.ctx = e.ctx or ctx  # some parser errors come without it: name the command
            raise


class UserError(click.ClickException):
    """A mistake of the user's: one line on stderr, exit status 2 (or the error's own), no
    traceback."""

    def __init__(self, message, exit_code=2):
        super().__init__(capped(message))
        self.exit_code = exit_code


def load_net(path, needs_params=None):
    if not path and os.path.exists(LOCAL_NET):  # `bpcli init` then `bpcli train`: say which
        click.echo(f"note: NET not given, so this is the embedded seed net, not ./{LOCAL_NET}; "
                   f"to use that file: bpcli {click.get_current_context().info_name} "
                   f"{LOCAL_NET}", err=True)
    network = api.load(path) if path else api.default()
    if needs_params:
        analysis.require_params(network, needs_params)
    return network


def finite_eta(ctx, param, value):
    if value is not None and not np.isfinite(value):
        raise click.BadParameter("must be a finite number")
    return value


net_argument = click.argument("net", required=False, metavar="[NET]")
format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "markdown", "latex"]),
    default="table", show_default=True,
    help="Rich tables for people, JSON (stdout only, full float64 precision), or Markdown "
         "(GitHub-flavoured, the chain rule as $$ math $$) or LaTeX (a fragment) for notes "
         "and homework.")
precision_option = click.option(
    "--precision", type=click.IntRange(0, 15), default=6, show_default=True, metavar="N",
    help="Decimals shown in tables (JSON always has full precision).")


sample_option = click.option(
    "--sample", type=click.IntRange(min=0), default=None, metavar="K",
    help="For a batch or a data set: show sample K (default: all of a small batch or data set, "
         "else sample 0); with --wrt on a data set, the chain rule at sample K.")


LOCAL_NET = "net.yaml"  # what `bpcli init` writes by default
NET_HELP = ("NET is a network file in YAML, or - for standard input. Without NET, bpcli uses "
            "the embedded seed net (the seed note's 2-2-2 sigmoid net, which `bpcli init` "
            f"writes out), even where ./{LOCAL_NET} exists.")


def common(f):
    """NET, --format and --precision; the help's second paragraph says what NET is."""
    summary, rest = inspect.cleandoc(f.__doc__).split("\n\n", 1)
    f.__doc__ = f"{summary}\n\n{NET_HELP}\n\n{rest}"
    return net_argument(format_option(precision_option(f)))


def check_output(out: str, force: bool) -> None:
    """-o FILE: a file bpcli may write (an existing one only with --force), before the work."""
    if os.path.exists(out) and not force:
        raise UserError(f"-o {out} exists; pass --force to replace it, or name another file")
    try:
        save_target(out)
    except Unwritable as e:
        raise UserError(f"-o {e}") from None


def train_settings(f):
    """train's settings as options: --eta, --steps, --epochs, --batch-size, --shuffle, --seed,
    --momentum (each None when not given: the file's train: section, else train's default)."""
    for option in reversed(_TRAIN_OPTIONS):
        f = option(f)
    return f


_TRAIN_OPTIONS = [
    click.option("--eta", type=float, default=None, metavar="ETA", callback=finite_eta,
                 help="Learning rate η (default 0.5)."),
    click.option("--steps", type=click.IntRange(min=0), default=None, metavar="N",
                 help="Gradient-descent steps (one batch each). Default: 100, or --epochs."),
    click.option("--epochs", type=click.IntRange(min=0), default=None, metavar="E",
                 help="Passes over the data set, instead of --steps."),
    click.option("--batch-size", type=click.IntRange(min=1), default=None, metavar="B",
                 help="Samples per step (default: the whole data set)."),
    click.option("--shuffle/--no-shuffle", default=None,
                 help="Shuffle the samples at each epoch (with --batch-size; default: shuffle)."),
    click.option("--seed", type=click.IntRange(min=0), default=None, metavar="S",
                 help="Seed of the shuffling (default 0): the same seed gives the same run, bit "
                      "for bit."),
    click.option("--momentum", type=click.FloatRange(0, 1, max_open=True), default=None,
                 metavar="MU", help="Momentum μ (default 0): v ← μv + ∂E/∂w, w ← w − ηv."),
]
