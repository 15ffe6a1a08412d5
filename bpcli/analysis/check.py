"""`bpcli check`: every param's analytic gradient against central differences.

A difference at a kink — a ReLU input or a max-pool tie that the ±eps step crosses —
is reported as a kink, not as a failure of the engine: there the one-sided slopes
differ and no single derivative exists for the differences to agree with.  Where the
derivative is undefined (p^p at p = 0), the analytic value and the differences are both
not finite: that element is "undefined", neither a pass nor the engine's failure.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine import OPS
from ..nets import Net
from .tracing import nonfinite_warnings


@dataclass
class CheckReport:
    """Every param's check, and what was compared how."""

    title: str
    rows: list  # of CheckRow
    eps: float
    tol: float
    warnings: list[str] = field(default_factory=list)  # the first value or ∂E not finite

    @property
    def passed(self) -> bool:
        """Every checked element passed, or is a kink (undefined ones did not pass)."""
        return all(r.status in ("pass", "kink") for r in self.rows)

    @property
    def kinks(self) -> int:
        return sum(r.kinks for r in self.rows)


@dataclass
class CheckRow:
    name: str
    index: tuple  # the element with the largest error (() for a number)
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    status: str  # "pass", "FAIL", "kink" or "undefined"
    checked: int  # elements compared
    size: int  # elements in the param
    kinks: int  # elements whose step crossed a kink


def _decisions(graph, caches, on_path):
    """What the piecewise ops on E's backward path decided (ReLU masks, max-pool winners:
    each op's registered ``kinks`` rule), as bytes."""
    parts = []
    for i in on_path:
        kinks = OPS[graph.nodes[i].op].kinks
        if kinks is not None and caches[i] is not None:
            parts.append(kinks(caches[i]))
    return tuple(parts)


def check(net: Net, eps: float = 1e-6, tol: float = 1e-5, max_elements: int = 20,
          seed: int = 0) -> CheckReport:
    """Compare ∂E/∂param with (E(w + eps) − E(w − eps)) / 2eps, element by element.

    A param of more than ``max_elements`` values is checked at that many elements,
    drawn with ``seed`` (the same ones every run), always including its largest
    analytic gradient.  An element passes when |analytic − numeric| ≤ tol·max(|a|, |n|)
    or is round-off: ≤ 1e-15·max(1, |E|)/eps (1e-9·max(1, |E|) at eps = 1e-6).

    It is a kink, not a failure, when a ReLU or max-pool on E's backward path decides
    differently at w + eps and w − eps *and* the analytic value lies between the two
    one-sided slopes: a wrong gradient beside a kink still fails."""
    steps = _Steps(net.build(), eps, tol)
    rng = np.random.default_rng(seed)
    rows = [steps.row(name, np.asarray(value, dtype=np.float64), max_elements, rng)
            for name, value in net.params.items()]
    return CheckReport(net.title, rows, eps, tol, nonfinite_warnings(steps.trace))


class _Steps:
    """One graph, run at its own values and at each ±eps step of a param element."""

    def __init__(self, graph, eps, tol):
        self.graph, self.eps, self.tol = graph, eps, tol
        self.base = graph.initial_values()
        with np.errstate(all="ignore"):
            self.trace = graph.run(self.base)
        self.e0 = float(self.trace.loss)
        self.floor = 1e-15 * max(1.0, abs(self.e0)) / eps
        self.on_path = sorted(i for i, _, _ in graph.backward_plan)

    def row(self, name: str, value: np.ndarray, max_elements: int,
            rng: np.random.Generator) -> CheckRow:
        """The param's elements compared, the worst of them shown."""
        analytic = np.asarray(self.trace.grad(name), dtype=np.float64)
        indices = _elements(value, analytic, max_elements, rng)
        worst, kinks, failed, undefined = None, 0, False, False
        for idx in indices:
            a = float(analytic[idx])
            ok, kink, numeric, err, rel = self._compare(self.graph.index[name], value, idx, a)
            # nothing to compare: the derivative is undefined there, both ways of taking it
            # agree on that much (a nan where the differences are finite is a FAIL)
            none = not np.isfinite(a) and not np.isfinite(numeric)
            kinks += kink
            undefined |= none
            failed |= not ok and not kink and not none
            rank = (0 if ok else 1 if kink else 2 if none else 3, rel)  # the worst is shown
            if worst is None or rank > worst[0]:
                worst = (rank, idx, a, numeric, err, rel)
        _, idx, a, numeric, err, rel = worst
        status = ("FAIL" if failed else "undefined" if undefined else
                  "kink" if kinks else "pass")
        return CheckRow(name, idx, a, numeric, err, rel, status, len(indices), value.size, kinks)

    def _compare(self, slot, value, idx, a):
        """(passes, a kink, numeric, |error|, relative error) of one element."""
        losses, decisions = [], []
        for sign in (1, -1):
            vals = list(self.base)
            w = value.copy()
            w[idx] += sign * self.eps
            vals[slot] = w if w.ndim else np.float64(w)
            with np.errstate(all="ignore"):
                caches = self.graph.forward(vals)
            losses.append(float(vals[self.graph.loss]))
            decisions.append(_decisions(self.graph, caches, self.on_path))
        eps, tol, floor, e0 = self.eps, self.tol, self.floor, self.e0
        numeric = (losses[0] - losses[1]) / (2 * eps)
        err = abs(a - numeric)
        rel = err / max(abs(a), abs(numeric), 1e-300)
        ok = err <= tol * max(abs(a), abs(numeric)) or err <= floor
        right, left = (losses[0] - e0) / eps, (e0 - losses[1]) / eps  # one-sided slopes
        slack = tol * max(abs(right), abs(left)) + floor
        between = min(right, left) - slack <= a <= max(right, left) + slack
        kink = not ok and decisions[0] != decisions[1] and between
        return ok, kink, numeric, err, rel


def _elements(value, analytic, max_elements, rng) -> list[tuple]:
    """Every element of a param, or ``max_elements`` of them drawn by ``rng``, its largest
    gradient always among them."""
    indices = list(np.ndindex(value.shape))
    if len(indices) > max_elements:
        largest = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(analytic)),
                                                          value.shape))
        others = [i for i in indices if i != largest]
        picked = rng.choice(len(others), size=max_elements - 1, replace=False)
        indices = sorted({largest, *(others[k] for k in picked)})
    return indices
