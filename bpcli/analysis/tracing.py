"""Running a net once, saying when a number came out not finite, and how two computations
of one number compare."""
from __future__ import annotations

import math

import numpy as np

from ..engine import Graph, Trace
from ..nets import collector_paused


def traced(graph: Graph, backward: bool = True) -> tuple[Trace, list[str]]:
    """A run of ``graph``, forward (and backward), made quietly; the warnings say which
    value, or else which ∂E, is the first that is nan or inf."""
    with np.errstate(all="ignore"), collector_paused():  # (a run makes no cycles)
        trace = graph.run(backward=backward)
    return trace, nonfinite_warnings(trace)


def nonfinite_warnings(trace: Trace) -> list[str]:
    """One warning naming the first value that is not finite, in evaluation order (where a
    nan starts, the rest follow); else the first such ∂E, in backward order."""
    graph = trace.graph
    names = list(graph.index)
    bad = _first_nonfinite(names, (trace.vals[graph.index[n]] for n in names))
    if bad:
        return [f"{bad[0]} = {bad[1]}, the first value that is not finite (those using it "
                "follow): check log or sqrt of values ≤ 0, and division by 0"]
    if trace.grads is None:
        return []
    bad = _first_nonfinite(names[::-1], (trace.grad(n) for n in names[::-1]))
    return [gradient_warning(*bad)] if bad else []


def gradient_warning(name: str, grad) -> str:
    """What `grad`, `check` and `train` say of the first gradient that is not finite."""
    g = np.asarray(grad)
    value = float(g[~np.isfinite(g)].flat[0]) if not np.all(np.isfinite(g)) else float(g.flat[0])
    return (f"∂E/∂{name} = {value}, the first gradient that is not finite: a local derivative "
            "is undefined there (sqrt or log at 0, a power of 0)")


def _first_nonfinite(names, values):
    for name, v in zip(names, values):
        if isinstance(v, float):  # a number (np.float64 too): no array made for it
            if math.isfinite(v):
                continue
            return name, float(v)
        v = np.asarray(v)
        if not np.all(np.isfinite(v)):
            return name, float(v[~np.isfinite(v)].flat[0])  # the first bad one, not v's first
    return None


def close(a, b) -> bool:
    """Do two computations of one number agree (to 1e-9 relative, 1e-12 absolute)?"""
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def verdict(agrees: bool, *values) -> str:
    """A check's outcome: "equal", "not equal", or "not finite" when a value compared is
    nan or inf (then nothing can be said)."""
    if not all(np.all(np.isfinite(v)) for v in values):
        return "not finite"
    return "equal" if agrees else "not equal"
