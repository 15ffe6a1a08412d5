"""bpcli as a library: what the command line does, as functions a notebook can call.

    import bpcli
    net = bpcli.load("configs/xor.yaml")          # or bpcli.loads(text), bpcli.default()
    r = bpcli.run(net)                             # every value and ∂E, by name
    report = bpcli.grad(net, wrt="w1", sample=2)   # the chain rule at sample 2
    bpcli.show(report)                             # the tables `bpcli grad` prints
    result = bpcli.train(net, eta=2, steps=2000)   # history, accuracy, the trained net
    bpcli.save(result.net, "trained.yaml")

Every mistake, in a file or in a call, is a :class:`BpcliError` with the one-line
message the command line would print; never a bare TypeError.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Iterable

from rich.console import Console

from . import analysis, nets
from .analysis import (Chain, CheckReport, ElementChain, ForwardReport, GradReport, SampleChain,
                       TensorGrad, TrainResult, VectorGrads)
from .errors import UsageError
from .nets import Net
from .render import document, renderable

__all__ = ["Run", "check", "default", "document", "explain", "forward", "grad", "load", "loads",
           "run", "save", "show", "train"]


def load(path: str) -> Net:
    """Read and check a network file (equations or layers)."""
    return nets.load(_text(path, "path"))


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
    trace, warnings = analysis.run(net.build())
    names = [name for name, _, _ in net.leaves()] + net.node_names()
    return Run(float(trace.loss), {n: net.show(n, trace.value(n)) for n in names},
               {n: net.show(n, trace.grad(n)) for n in names}, warnings)


def forward(net: Net) -> ForwardReport:
    """What `bpcli forward` shows: every value, then E."""
    net = _net(net)
    trace, warnings = analysis.run(net.build(), backward=False)
    return analysis.forward_report(net, trace, warnings)


def grad(net: Net, wrt: str | Iterable[str] = (), sample: int | None = None) -> GradReport:
    """What `bpcli grad` shows: every ∂E, and with ``wrt`` (a name, or several) the chain
    rule for each; ``sample``: the sample of a data set whose chain rule is written out."""
    net = _net(net)
    sample = net.samples.check(_count(sample, "sample", allow_none=True))
    where = "the default net" if net.path == "<default>" else net.path
    targets = [net.resolve(spec, where) for spec in _names(wrt)]
    trace, warnings = analysis.run(net.build())
    return analysis.grad_report(net, trace, targets, sample, warnings)


def explain(net: Net, wrt: str | Iterable[str], sample: int | None = None
            ) -> Chain | SampleChain | VectorGrads | TensorGrad | ElementChain | list:
    """The explanation of ∂E/∂``wrt`` (a name: paths of an equation net, a layer net's tensor
    or element such as 'conv1.weight[0,0,1,1]'); a list for a list of names."""
    report = grad(net, wrt, sample)
    return report.explanations[0] if isinstance(wrt, str) else report.explanations


def train(net: Net, eta: float = 0.5, steps: int | None = None, epochs: int | None = None,
          batch_size: int | None = None, shuffle: bool = True, seed: int = 0,
          momentum: float = 0.0) -> TrainResult:
    """Gradient descent, as `bpcli train`: the result holds E at every step (``history``),
    the final E, the accuracy of a classification set, and the trained network (``net``)."""
    net = _net(net)
    analysis.require_params(net, "train")
    if not isinstance(eta, Real) or not math.isfinite(eta):
        raise UsageError("eta", eta, "must be a finite number")
    if not isinstance(momentum, Real) or not 0 <= momentum < 1:
        raise UsageError("momentum", momentum, "must be a number in [0, 1)")
    if steps is not None and epochs is not None:
        raise UsageError(None, None, "give steps or epochs, not both")
    return analysis.train(net, float(eta), _count(steps, "steps", allow_none=True),
                          _count(epochs, "epochs", allow_none=True),
                          _count(batch_size, "batch_size", allow_none=True, least=1),
                          bool(shuffle), _count(seed, "seed"), float(momentum))


def check(net: Net, eps: float = 1e-6, tol: float = 1e-5, max_elements: int = 20) -> CheckReport:
    """Every param's gradient against central differences, as `bpcli check`."""
    net = _net(net)
    analysis.require_params(net, "check")
    for name, v in (("eps", eps), ("tol", tol)):
        if not isinstance(v, Real) or not v > 0:
            raise UsageError(name, v, "must be a number > 0")
    return analysis.check(net, float(eps), float(tol), _count(max_elements, "max_elements", least=1))


def save(net: Net, path: str) -> None:
    """Write ``net`` as a network file that loads back to the same net (atomically)."""
    analysis.save(_net(net), _text(path, "path"))


def show(report: ForwardReport | GradReport | TrainResult | CheckReport, precision: int = 6,
         width: int | None = None) -> None:
    """Print a report's tables, as the command that made it would."""
    console = Console(width=width, highlight=False)
    console.print(renderable(report, _count(precision, "precision"), console.width))


# ------------------------------------------------------------------ checking the arguments

def _net(net) -> Net:
    if not isinstance(net, Net):
        raise UsageError(None, None, f"expected a network (from bpcli.load, bpcli.loads or "
                                     f"bpcli.default), not {type(net).__name__}")
    return net


def _text(v, what) -> str:
    if not isinstance(v, str):
        raise UsageError(what, v, "must be text")
    return v


def _names(wrt) -> list[str]:
    names = [wrt] if isinstance(wrt, str) else wrt
    try:
        names = list(names)
    except TypeError:
        raise UsageError("wrt", wrt, "must be a name, or a list of names") from None
    for name in names:
        if not isinstance(name, str):
            raise UsageError("wrt", name, "must be a name (text), such as 'w1'")
    return list(dict.fromkeys(names))


def _count(v, what, allow_none=False, least=0):
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or not isinstance(v, Integral) or v < least:
        raise UsageError(what, v, f"must be a whole number ≥ {least}")
    return int(v)
