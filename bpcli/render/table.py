"""Each report as a Rich renderable: the tables people read.  Formatting only."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from ..lazy import Table, lazydispatch
from . import grids, rows
from .phrases import SIGN_NOTE

if TYPE_CHECKING:  # registered by name (lazydispatch): a table imports no analysis
    from ..analysis import (Chain, CheckReport, ConvRule, ElementChain, ForwardReport, GradReport,
                            MarkReport, SampleChain, StepReport, TensorGrad, TrainResult,
                            VectorGrads)

# the tables of the commands that are not forward's or grad's, imported when first drawn
LATER = Table({"train": "bpcli.render.training", "step": "bpcli.render.training",
               "check": "bpcli.render.checks", "marked": "bpcli.render.marking"})


@lazydispatch
def renderable(report: object, precision: int, width: int,
               every: int | None = None) -> RenderableType:
    """The tables of a report, ``width`` columns wide (``every``: train's rows every so many
    steps); a report of no known kind is a TypeError, a bug of the caller's."""
    raise TypeError(f"no table for {type(report).__name__}")


@renderable.register
def _(r: ForwardReport, precision, width, every=None):
    if r.units:  # forward --unit: the units asked for, instead of every table
        return Group(*(grids.unit(u, precision, width) for u in r.units))
    layout = grids if r.layout == "grids" else rows
    return layout.forward(r, precision, width, r.sample)


@renderable.register
def _(r: GradReport, precision, width, every=None):
    if not r.explanations:
        layout = grids if r.layout == "grids" else rows
        return layout.grad(r, precision, width, r.sample)
    parts = []
    for e in r.explanations:
        parts += explanation(e, r, precision, width)
    if r.sign_note:
        parts.append(Text(SIGN_NOTE, style="dim"))
    return Group(*parts)


@lazydispatch
def explanation(e: object, report: GradReport, precision: int,
                width: int) -> list[RenderableType]:
    """The parts showing one --wrt explanation of ``report``."""
    raise TypeError(f"no table for {type(e).__name__}")


@explanation.register
def _(c: Chain, report, precision, width):
    return [rows.chain(c, precision), Text()]


@explanation.register
def _(sc: SampleChain, report, precision, width):
    return [rows.sample_chain(sc, precision), Text()]


@explanation.register
def _(v: VectorGrads, report, precision, width):
    return [rows.vector_grads(v, report.title, precision, width)]


@explanation.register
def _(t: TensorGrad, report, precision, width):
    return grids.tensor_grad(t, report.samples, precision, width, report.sample)


@explanation.register
def _(c: ConvRule, report, precision, width):
    return grids.conv_rule(c, precision, width, report.sample)


@explanation.register
def _(c: ElementChain, report, precision, width):
    return [grids.element(c, precision), Text()]


@renderable.register
def _(result: TrainResult, precision, width, every=None):
    return LATER["train"](result, precision, width, every)


@renderable.register
def _(r: CheckReport, precision, width, every=None):
    return LATER["check"](r, precision, width)


@renderable.register
def _(r: StepReport, precision, width, every=None):
    return LATER["step"](r, precision)


@renderable.register
def _(r: MarkReport, precision, width, every=None):
    return LATER["marked"](r, precision)
