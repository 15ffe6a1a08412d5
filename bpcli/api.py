"""bpcli as a library: what the command line does, as functions a notebook can call.

    import bpcli
    net = bpcli.load("configs/xor.yaml")          # or bpcli.loads(text), bpcli.default()
    r = bpcli.run(net)                             # every value and ∂E, by name
    report = bpcli.grad(net, wrt="w1", sample=2)   # the chain rule at sample 2
    bpcli.show(report)                             # the tables `bpcli grad` prints
    result = bpcli.train(net, eta=2, steps=2000)   # history, accuracy, the trained net
    bpcli.save(result, "trained.yaml")

The command line calls these same functions.  Every mistake, in a file or in a call, is a
:class:`BpcliError` with a one-line message (the command line prints the same line with
its options spelt as options); never a bare TypeError.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import TYPE_CHECKING, Callable, Iterable

from . import analysis, nets, render
from .errors import UsageError
from .lazy import attribute
from .nets import Net

if TYPE_CHECKING:
    from .analysis import (Chain, CheckReport, ElementChain, ForwardReport, GradReport,
                           MarkReport, Quiz, SampleChain, StepReport, TensorGrad, TrainResult,
                           VectorGrads)

__all__ = ["Chain", "CheckReport", "ElementChain", "ForwardReport", "GradReport", "MarkReport",
           "Quiz", "Run", "answer", "mark", "picture", "quiz", "random_net",
           "SampleChain", "StepReport", "TensorGrad", "TrainResult", "VectorGrads", "check",
           "default", "document", "explain", "forward", "grad", "load", "loads", "run", "save",
           "show", "step", "train"]
# the report types, each read from its module of bpcli.analysis when first used
LAZY = dict.fromkeys(["Chain", "CheckReport", "ElementChain", "ForwardReport", "GradReport",
                      "MarkReport", "Quiz", "SampleChain", "StepReport", "TensorGrad",
                      "TrainResult", "VectorGrads"], "bpcli.analysis")
REPORTS = ("ForwardReport", "GradReport", "TrainResult", "CheckReport", "StepReport", "MarkReport")


def __getattr__(name: str) -> object:
    return attribute(__name__, LAZY, name)


def load(path: str | os.PathLike) -> Net:
    """Read and check a network file (equations or layers); "-" reads standard input."""
    return nets.load(_path(path))


def loads(text: str, path: str = "<string>") -> Net:
    """Check a network written as YAML text; ``path`` names it in messages."""
    return nets.loads(_text(text, "text"), _text(path, "path"))


def default() -> Net:
    """The seed note's 2-2-2 sigmoid net, bpcli's default."""
    return nets.load_default()


@dataclass
class Run:
    """One forward and backward pass: E, and every value and ∂E by name, as the tables show
    them (a layer net given one sample has no batch axis)."""

    loss: float
    values: dict
    grads: dict
    warnings: list[str] = field(default_factory=list)


def run(net: Net) -> Run:
    """Run ``net`` forward and backward."""
    net = _net(net)
    trace, warnings = analysis.traced(net.build())
    names = [name for name, _, _ in net.leaves()] + net.node_names()
    return Run(float(trace.loss), {n: net.as_seen(n, trace.value(n)) for n in names},
               {n: net.as_seen(n, trace.grad(n)) for n in names}, warnings)


def forward(net: Net, sample: int | None = None, unit: str | Iterable[str] = (),
            where: str | None = None) -> ForwardReport:
    """What `bpcli forward` shows: every value, then E (``sample``: the one of a batch or
    data set the tables show); with ``unit`` (a layer's element such as 'conv1[0,1,1]', or
    several), each unit broken down: its window, every x·w and the bias."""
    net = _net(net)
    sample = net.samples.check(_count(sample, "sample", allow_none=True))
    units = _names(unit, "unit")
    trace, warnings = analysis.traced(net.build(), backward=False)
    report = analysis.forward_report(net, trace, warnings, sample)
    where = where or ("the default net" if net.path == "<default>" else net.path)
    report.units = [analysis.unit_breakdown(net, trace, u, where) for u in units]
    return report


def grad(net: Net, wrt: str | Iterable[str] = (), sample: int | None = None,
         where: str | None = None) -> GradReport:
    """What `bpcli grad` shows: every ∂E, and with ``wrt`` (a name, or several) the chain
    rule for each; ``sample``: the sample of a batch or data set to show, and whose chain
    rule a data set writes out.  ``where`` names the net in messages (default: its file)."""
    net = _net(net)
    graph = net.build()
    sample = net.samples.check(_count(sample, "sample", allow_none=True))
    if where is None:
        where = "the default net" if net.path == "<default>" else net.path
    targets = [net.resolve(spec, where) for spec in _names(wrt)]
    trace, warnings = analysis.traced(graph)
    return analysis.grad_report(net, trace, targets, sample, warnings)


def explain(net: Net, wrt: str | Iterable[str], sample: int | None = None
            ) -> object | list[object]:
    """The explanation of ∂E/∂``wrt`` (a name: paths of an equation net, a layer net's tensor
    or element such as 'conv1.weight[0,0,1,1]'); a list for a list of names (a name given
    twice is explained once; a net with vectors gives one VectorGrads for all of them).
    ``bpcli.show(bpcli.grad(net, wrt))`` prints the same as tables."""
    report = grad(net, wrt, sample)
    return report.explanations[0] if isinstance(wrt, str) else report.explanations


def train(net: Net, eta: float | None = None, steps: int | None = None,
          epochs: int | None = None, batch_size: int | None = None, shuffle: bool | None = None,
          seed: int | None = None, momentum: float | None = None,
          progress: Callable[[int, float], None] | None = None,
          stop: Callable[[], bool] | None = None) -> TrainResult:
    """Gradient descent, as `bpcli train`: the result holds E at every step (``history``),
    the final E, the accuracy of a classification set, and the trained network (``net``).
    A setting left None comes from the net file's `train:` section, else eta 0.5, 100
    steps, the whole data set a batch, shuffled, seed 0, no momentum.
    ``progress(k, E)`` is called after each step; ``stop()`` returning True ends the run."""
    net = _net(net)
    analysis.require_params(net, "train")
    settings = analysis.resolve_settings(net, eta=eta, steps=steps, epochs=epochs,
                                         batch_size=batch_size, shuffle=shuffle, seed=seed,
                                         momentum=momentum)
    eta, steps, epochs, batch_size, shuffle, seed, momentum = (settings[k] for k in (
        "eta", "steps", "epochs", "batch_size", "shuffle", "seed", "momentum"))
    if not 0 <= _number(momentum, "momentum") < 1:
        raise UsageError("momentum", momentum, "must be a number in [0, 1)")
    if steps is not None and epochs is not None:
        raise UsageError(None, None, "give steps or epochs, not both")
    if not isinstance(shuffle, bool):
        raise UsageError("shuffle", shuffle, "must be True or False")
    return analysis.train.train(net, _number(eta, "eta"),
                                _count(steps, "steps", allow_none=True),
                                _count(epochs, "epochs", allow_none=True),
                                _count(batch_size, "batch_size", allow_none=True, least=1),
                                shuffle, _count(seed, "seed"), float(momentum), progress, stop)


def step(net: Net, eta: float | None = None, momentum: float | None = None,
         wrt: str | None = None) -> StepReport:
    """One update written out, as `bpcli step`: per param w, ∂E/∂w, η·∂E/∂w and w′, and E
    before and after (``wrt``: one tensor param's every element). eta and momentum left None
    come from the net file's `train:` section, else 0.5 and 0."""
    net = _net(net)
    analysis.require_params(net, "step")
    settings = analysis.resolve_settings(net, eta=eta, momentum=momentum)
    if not 0 <= _number(settings["momentum"], "momentum") < 1:
        raise UsageError("momentum", momentum, "must be a number in [0, 1)")
    return analysis.one_step(net, _number(settings["eta"], "eta"), float(settings["momentum"]),
                             None if wrt is None else _text(wrt, "wrt"))


def mark(net: Net, work: str | os.PathLike, tol: float | None = None,
         sample: int | None = None, text: str | None = None) -> MarkReport:
    """A learner's derivation marked, as `bpcli mark`: the WORK file at ``work`` (or its
    ``text``, ``work`` then naming it) number by number — right, right given your earlier
    numbers, or wrong with the slip it matches — and the first wrong step written out.
    ``tol``: one absolute tolerance instead of each number's own rounding; ``sample``: the
    sample of a data set whose derivation it is."""
    net = _net(net)
    if tol is not None and _number(tol, "tol") <= 0:
        raise UsageError("tol", tol, "must be a number > 0")
    net = _at_sample(net, sample)
    analysis.world_for(net)  # a data set's derivation is one sample's: say so first
    shapes = analysis.shapes(net)
    work = _path(work)
    parsed = (analysis.reads_work(_text(text, "text"), net, shapes, work) if text is not None
              else analysis.read_work(work, net, shapes))
    return analysis.mark(net, parsed, None if tol is None else float(tol))


def quiz(net: Net, ask: str | None = None, count: int = 5, seed: int = 0,
         eta: float | None = None, sample: int | None = None) -> Quiz:
    """Questions about ``net``, as `bpcli quiz` asks them: ``ask`` one of "value", "factor",
    "grad", "update" (None: any), drawn with ``seed``; ``eta`` for updates (default: the
    net's train: section, else 0.5).  Mark an answer with :func:`answer`."""
    net = _net(net)
    if ask is not None and ask not in analysis.quiz.KINDS:
        raise UsageError("ask", ask, "must be one of " + ", ".join(analysis.quiz.KINDS))
    net = _at_sample(net, sample)
    eta = _number(analysis.resolve_settings(net, eta=eta)["eta"], "eta")
    return analysis.make_quiz(net, ask, _count(count, "count", least=1), _count(seed, "seed"), eta)


def answer(quiz: Quiz, number: int, text: str) -> MarkReport | None:
    """The answer ``text`` to question ``number`` (from 1) of ``quiz``, marked as `bpcli
    mark` marks a number; None when the text is not a number."""
    if not isinstance(quiz, analysis.Quiz):
        raise UsageError(None, None, "expected a quiz (from bpcli.quiz)")
    if not 1 <= _count(number, "number", least=1) <= len(quiz.questions):
        raise UsageError("number", number, f"the quiz has questions 1..{len(quiz.questions)}")
    return analysis.answer(quiz, quiz.questions[number - 1], _text(text, "text"))


def random_net(seed: int = 0) -> Net:
    """A fresh small sigmoid net (2-2-2 or 2-3-1, numbers with two decimals) from ``seed``."""
    return analysis.random_net(_count(seed, "seed"))


def picture(net: Net, wrt: str | None = None) -> "analysis.picture.Picture":
    """The computation as `bpcli graph` draws it: a box per name (or layer), an edge per use
    with its local factor; ``wrt``: the paths from E down to that name, highlighted."""
    net = _net(net)
    return analysis.picture.picture(net, None if wrt is None else _text(wrt, "wrt"),
                                    "the default net" if net.path == "<default>" else net.path)


MIN_EPS = 1e-10  # the smallest step of check's central differences that measures anything


def check(net: Net, eps: float = 1e-6, tol: float = 1e-5, max_elements: int = 20) -> CheckReport:
    """Every param's gradient against central differences, as `bpcli check`."""
    net = _net(net)
    analysis.require_params(net, "check")
    for name, v in (("eps", eps), ("tol", tol)):
        if _number(v, name) <= 0:
            raise UsageError(name, v, "must be a number > 0")
    if eps < MIN_EPS:  # the round-off floor (1e-15·max(1, |E|)/eps) would pass anything
        raise UsageError("eps", eps, f"is below {MIN_EPS:g}, where central differences in "
                                     "float64 measure only round-off; use 1e-8 to 1e-4")
    return analysis.check.check(net, float(eps), float(tol),
                                _count(max_elements, "max_elements", least=1))


def save(what: Net | TrainResult, path: str | os.PathLike) -> None:
    """Write a network as a file that loads back to the same network, whole or not at all;
    a training result is saved as its trained net, with a header saying how it was trained."""
    path = _path(path)
    if isinstance(what, analysis.TrainResult):
        analysis.save_trained(what, path, what.source)
    else:
        analysis.save.save(_net(what), path)


def show(report: object, precision: int = 6, width: int | None = None,
         every: int | None = None) -> None:
    """Print a report's tables, as the command that made it would (``every``: train's rows
    every so many steps)."""
    from rich.console import Console  # Rich only where tables are printed

    console = Console(width=_count(width, "width", allow_none=True, least=20), highlight=False)
    precision = _count(precision, "precision")
    if precision > 15:
        raise UsageError("precision", precision, "must be at most 15")
    console.print(render.renderable(_report(report), precision, console.width,
                             _count(every, "every", allow_none=True, least=1)))


def document(report: object) -> dict:
    """A report as the JSON document of the command that made it."""
    return render.document(_report(report))


# ------------------------------------------------------------------ checking the arguments

def _report(report):
    if not isinstance(report, tuple(getattr(analysis, name) for name in REPORTS)):
        raise UsageError(None, None, "expected a report (from bpcli.forward, grad, train or "
                                     f"check), not {type(report).__name__}; an explanation "
                                     "shows with bpcli.show(bpcli.grad(net, wrt=...))")
    return report


def _net(net) -> Net:
    if not isinstance(net, Net):
        raise UsageError(None, None, f"expected a network (from bpcli.load, bpcli.loads or "
                                     f"bpcli.default), not {type(net).__name__}")
    return net


def _at_sample(net: Net, sample) -> Net:
    """The net on sample ``sample`` of its data set or batch alone, named so (the net
    itself when no sample is asked for, or when it has one)."""
    k = net.samples.check(_count(sample, "sample", allow_none=True))
    if k is None:
        return net
    one = net.at_sample(k)
    one.name = f"{net.title}, sample {k}"
    return one


def _text(v, what) -> str:
    if not isinstance(v, str):
        raise UsageError(what, v, "must be text")
    return v


def _path(v) -> str:
    if not isinstance(v, (str, os.PathLike)):
        raise UsageError("path", v, "must be a path (text or a pathlib.Path)")
    return os.fspath(v)


def _names(wrt, what="wrt") -> list[str]:
    names = [wrt] if isinstance(wrt, str) else wrt
    try:
        names = list(names)
    except TypeError:
        raise UsageError(what, wrt, "must be a name, or a list of names") from None
    for name in names:
        if not isinstance(name, str):
            raise UsageError(what, name, "must be a name (text), such as 'w1'")
    return list(dict.fromkeys(names))


def _number(v, what) -> float:
    if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v):
        raise UsageError(what, v, "must be a finite number")
    return float(v)


def _count(v, what, allow_none=False, least=0):
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or not isinstance(v, Integral) or v < least:
        raise UsageError(what, v, f"must be a whole number ≥ {least}")
    return int(v)
