"""Each report as a Rich renderable: the tables people read.  Formatting only."""
from __future__ import annotations

from functools import singledispatch

from rich.console import Group, RenderableType
from rich.text import Text

from ..analysis import (Chain, CheckReport, ElementChain, ForwardReport, GradReport, SampleChain,
                        TensorGrad, TrainResult, VectorGrads)
from . import grids, rows, training


@singledispatch
def renderable(report: object, precision: int, width: int, sample: int | None = None,
               every: int | None = None) -> RenderableType:
    """The tables of a report, ``width`` columns wide; ``sample``: the sample of a batch or
    data set to show; ``every``: train's rows every so many steps."""
    raise TypeError(f"no table for {type(report).__name__}")


@renderable.register
def _(r: ForwardReport, precision, width, sample=None, every=None):
    layout = grids if r.layout == "grids" else rows
    return layout.forward(r, precision, width, sample)


@renderable.register
def _(r: GradReport, precision, width, sample=None, every=None):
    if not r.explanations:
        layout = grids if r.layout == "grids" else rows
        return layout.grad(r, precision, width, sample)
    parts = []
    for e in r.explanations:
        parts += explanation(e, r, precision, width, sample)
    if r.sign_note:
        parts.append(Text(rows.SIGN_NOTE, style="dim"))
    return Group(*parts)


@singledispatch
def explanation(e: object, report: GradReport, precision: int, width: int,
                sample: int | None) -> list[RenderableType]:
    """The parts showing one --wrt explanation."""
    raise TypeError(f"no table for {type(e).__name__}")


@explanation.register
def _(c: Chain, report, precision, width, sample):
    return [rows.chain(c, precision), Text()]


@explanation.register
def _(sc: SampleChain, report, precision, width, sample):
    return [rows.sample_chain(sc, precision), Text()]


@explanation.register
def _(v: VectorGrads, report, precision, width, sample):
    return [rows.vector_grads(v, report.title, precision)]


@explanation.register
def _(t: TensorGrad, report, precision, width, sample):
    return grids.tensor_grad(t, report.samples, precision, width, sample)


@explanation.register
def _(c: ElementChain, report, precision, width, sample):
    return [grids.element(c, precision), Text()]


@renderable.register
def _(result: TrainResult, precision, width, sample=None, every=None):
    return training.train(result, precision, width, every)


@renderable.register
def _(r: CheckReport, precision, width, sample=None, every=None):
    return training.check(r, precision)
