"""The learner's commands: `mark` (a derivation of one's own, marked step by step) and
`quiz` (questions to answer at the terminal, or a worksheet)."""
from __future__ import annotations

import inspect

import click

from . import api
from .options import UserError, format_option, load_net, precision_option
from .terminal import emit, warn

WORK_HELP = """\
WORK is a YAML file of your own numbers, any of:

\b
  values:  {H1: 0.15, fH1: 0.5374, O1: 0.4680}       # forward values
  grads:   {fO1: 0.6049, O1: 0.1432, w1: 0.0042}     # ∂E/∂name
  factors: {"fO1/O1": 0.2368, "O1/fH1": 0.40}        # local ∂a/∂b
  update:  {eta: 0.5, w3: 0.3615}                    # params after one step

In a layer net, name elements ('conv1.weight[0,0,1,1]': 0.12) or give whole grids."""


def _work_help(f):
    """The help's WORK paragraph, before NET's."""
    f.__doc__ = inspect.cleandoc(f.__doc__).replace("NET is the network", WORK_HELP + "\n\nNET is the network")
    return f


@click.command()
@click.argument("files", nargs=-1, metavar="[NET] WORK")
@format_option
@precision_option
@click.option("--tol", type=click.FloatRange(min=0, min_open=True), default=None, metavar="T",
              help="One absolute tolerance for every number (default: each number's own "
                   "rounding, widened by what it inherits).")
@click.option("--sample", type=click.IntRange(min=0), default=None, metavar="K",
              help="For a data set: the derivation is sample K's (the net on that sample alone).")
@click.pass_context
@_work_help
def mark(ctx: click.Context, files: tuple[str, ...], fmt: str, precision: int,
         tol: float | None, sample: int | None) -> None:
    """Mark your own derivation number by number, as a teacher marks homework.

    Each number is right (within the rounding you wrote it with), right given your
    earlier numbers (the step done right on a wrong number from before), or wrong;
    a wrong number is checked against the usual slips (the sign, one path of two,
    f for f′, a factor left out, + in the update, the mean-pool share), and the first
    wrong step is written out with its formula and the values it should use.
    Exit status 0 when all is right, 1 when something is not.

    NET is the network (default: the embedded seed net); - reads it from standard input.

    \b
    Example:
      bpcli mark configs/seed-work.yaml
      bpcli mark configs/conv-pool.yaml my-work.yaml --format json
    """
    if len(files) not in (1, 2):
        raise UserError("give WORK, or NET then WORK: bpcli mark [NET] WORK.yaml"
                        + (f" (got {len(files)} files)" if files else ""))
    net, work = (None, files[0]) if len(files) == 1 else files
    report = api.mark(load_net(net), work, tol, sample)
    for w in report.warnings:
        warn(w)
    emit(fmt, report, precision)
    if not report.all_right:
        ctx.exit(1)


