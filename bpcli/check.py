"""`bpcli check`: every param's analytic gradient against central differences.

A difference at a kink — a ReLU input or a max-pool tie that the ±eps step crosses —
is reported as a kink, not as a failure of the engine: there the one-sided slopes
differ and no single derivative exists for the differences to agree with.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class CheckRow:
    name: str
    index: tuple  # the element with the largest error (() for a number)
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    status: str  # "pass", "FAIL" or "kink"
    checked: int  # elements compared
    size: int  # elements in the param
    kinks: int  # elements whose step crossed a kink


def _decisions(graph, caches, on_path):
    """What the piecewise ops on E's backward path decided: ReLU masks and max-pool
    winners, as bytes."""
    parts = []
    for i in on_path:
        node = graph.nodes[i]
        if node.op in ("relu", "relu0") and caches[i] is not None:
            x = np.asarray(caches[i])
            parts.append((x >= 0 if node.op == "relu" else x > 0).tobytes())
        elif node.op == "maxpool" and caches[i] is not None:
            parts.append(np.asarray(caches[i][1]).tobytes())
    return tuple(parts)


def check(net, eps=1e-6, tol=1e-5, max_elements=20, seed=0) -> list[CheckRow]:
    """Compare ∂E/∂param with (E(w + eps) − E(w − eps)) / 2eps, element by element.

    A param of more than ``max_elements`` values is checked at that many elements,
    drawn with ``seed`` (the same ones every run), always including its largest
    analytic gradient.  An element passes when |analytic − numeric| ≤ tol·max(|a|, |n|)
    or is round-off: ≤ 1e-15·max(1, |E|)/eps (1e-9·max(1, |E|) at eps = 1e-6).

    It is a kink, not a failure, when a ReLU or max-pool on E's backward path decides
    differently at w + eps and w − eps *and* the analytic value lies between the two
    one-sided slopes: a wrong gradient beside a kink still fails."""
    graph = net.build()
    base = graph.initial_values()
    with np.errstate(all="ignore"):
        trace = graph.run(base)
    e0 = float(trace.loss)
    floor = 1e-15 * max(1.0, abs(e0)) / eps
    on_path = sorted(i for i, _, _ in graph._backward_plan)
    rng = np.random.default_rng(seed)
    rows = []
    for name, value in net.params.items():
        value = np.asarray(value, dtype=np.float64)
        analytic = np.asarray(trace.grad(name), dtype=np.float64)
        slot = graph.index[name]
        indices = list(np.ndindex(value.shape))
        if len(indices) > max_elements:
            largest = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(analytic)),
                                                              value.shape))
            others = [i for i in indices if i != largest]
            picked = rng.choice(len(others), size=max_elements - 1, replace=False)
            indices = sorted({largest, *(others[k] for k in picked)})
        worst, kinks, failed = None, 0, False
        for idx in indices:
            losses, decisions = [], []
            for sign in (1, -1):
                vals = list(base)
                w = value.copy()
                w[idx] += sign * eps
                vals[slot] = w if w.ndim else np.float64(w)
                with np.errstate(all="ignore"):
                    caches = graph.forward(vals)
                losses.append(float(vals[graph.loss]))
                decisions.append(_decisions(graph, caches, on_path))
            numeric = (losses[0] - losses[1]) / (2 * eps)
            a = float(analytic[idx])
            err = abs(a - numeric)
            rel = err / max(abs(a), abs(numeric), 1e-300)
            ok = err <= tol * max(abs(a), abs(numeric)) or err <= floor
            right, left = (losses[0] - e0) / eps, (e0 - losses[1]) / eps  # one-sided slopes
            slack = tol * max(abs(right), abs(left)) + floor
            between = min(right, left) - slack <= a <= max(right, left) + slack
            kink = not ok and decisions[0] != decisions[1] and between
            kinks += kink
            failed |= not ok and not kink
            rank = (0 if ok else 1 if kink else 2, rel)  # the worst element is the one shown
            if worst is None or rank > worst[0]:
                worst = (rank, idx, a, numeric, err, rel)
        _, idx, a, numeric, err, rel = worst
        status = "FAIL" if failed else ("kink" if kinks else "pass")
        rows.append(CheckRow(name, idx, a, numeric, err, rel, status, len(indices), value.size,
                             kinks))
    return rows
