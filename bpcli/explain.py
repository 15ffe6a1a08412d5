"""Chain-rule breakdowns read off a Trace: the paths from E down to one name.

The backward pass (graph.py) never enumerates paths: it is dynamic programming.
This module shows the learner the sum that the DP computed, the way the seed note
writes it: for every path E → … → w, each local factor ∂a/∂b with its symbolic
form and value, the path's product, and the sum over paths.

The factors are derived and evaluated here from the expressions themselves (the
ops' symbolic ``local`` rules), not taken from the backward pass, so
``sum over paths == backward value`` is a real cross-check.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .expr import derivative, evaluate, names, to_text
from .graph import LOSS, Trace

MAX_PATHS = 64  # paths listed one by one; the sum always covers all of them


@dataclass(frozen=True)
class Factor:
    of: str  # ∂of/∂wrt
    wrt: str
    symbol: str
    value: float


@dataclass(frozen=True)
class Path:
    nodes: tuple[str, ...]  # E, …, wrt
    factors: tuple[Factor, ...]
    product: float


@dataclass(frozen=True)
class Chain:
    wrt: str
    kind: str
    backward: float  # ∂E/∂wrt from the backward pass
    total: float  # Σ over all paths of the product of symbolic factors
    count: int  # how many paths there are
    paths: tuple[Path, ...]  # the first MAX_PATHS of them

    @property
    def agrees(self) -> bool:
        return bool(np.isclose(self.total, self.backward, rtol=1e-9, atol=1e-12))


def chain(net, trace: Trace, wrt: str, max_paths: int = MAX_PATHS) -> Chain:
    """The chain-rule breakdown of ∂E/∂wrt over every path of named nodes."""
    exprs = {name: e for name, (_, e) in net.nodes.items()}
    exprs[LOSS] = net.loss[1]
    env = {name: trace.vals[i] for name, i in trace.graph.index.items()}

    @lru_cache(maxsize=None)
    def factor(of, by):
        sym = derivative(exprs[of], by, out_name=of)
        return Factor(of, by, to_text(sym), float(evaluate(sym, env)))

    @lru_cache(maxsize=None)
    def reaches(name):
        return name == wrt or (name in exprs and any(reaches(d) for d in names(exprs[name])))

    def deps(name):
        return [d for d in names(exprs[name]) if reaches(d)] if name in exprs else []

    @lru_cache(maxsize=None)
    def total(name):  # Σ over paths name → … → wrt of the product: the same DP, symbolically
        if name == wrt:
            return 1.0, 1
        s, n = 0.0, 0
        for d in deps(name):
            t, c = total(d)
            s += factor(name, d).value * t
            n += c
        return s, n

    paths = []

    def walk(name, trail, factors, product):
        if len(paths) >= max_paths:
            return
        if name == wrt:
            paths.append(Path(tuple(trail), tuple(factors), product))
            return
        for d in deps(name):
            f = factor(name, d)
            walk(d, trail + [d], factors + [f], product * f.value)

    if wrt != LOSS:
        walk(LOSS, [LOSS], [], 1.0)
        s, count = total(LOSS)
    else:
        paths.append(Path((LOSS,), (), 1.0))
        s, count = 1.0, 1
    return Chain(wrt, trace.graph.kind[wrt], float(trace.grad(wrt)), s, count, tuple(paths))
