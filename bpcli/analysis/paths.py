"""The chain rule along named paths, for nets written as equations.

The backward pass (:mod:`bpcli.engine.graph`) never enumerates paths: it is dynamic
programming.  This module shows the learner the sum that the DP computed, the way the
seed note writes it: for every path E → … → w, each local factor ∂a/∂b with its
symbolic form and value, the path's product, and the sum over paths.

The factors are derived and evaluated here from the expressions themselves (the ops'
symbolic ``local`` rules), not taken from the backward pass, so ``sum over paths ==
backward value`` is a real cross-check.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..engine import LOSS, Graph, Trace, derivative, evaluate
from ..errors import UsageError
from ..nets import Net
from ..symbolic import names, to_text
from .dp import DPView, dp_view
from .tracing import close, verdict

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
    """∂E/∂wrt as the sum over every path of named nodes from E down to ``wrt``."""

    wrt: str
    kind: str  # param, input, target, node, loss
    backward: float  # ∂E/∂wrt from the backward pass
    total: float  # Σ over all paths of the product of symbolic factors
    count: int  # how many paths there are
    paths: tuple[Path, ...]  # the first MAX_PATHS of them
    verdict: str  # the sum against the backward pass: equal, not equal, not finite
    dp: DPView | None = None  # what the backward pass computed, step by step (None for E)

    @property
    def agrees(self) -> bool:
        return close(self.total, self.backward) and (self.dp is None or self.dp.agrees)


def chain(net: Net, trace: Trace, wrt: str, max_paths: int = MAX_PATHS) -> Chain:
    """The chain-rule breakdown of ∂E/∂wrt over every path of named nodes (``trace``: a
    run of ``net``'s graph)."""
    _check_paths_apply(net, trace, wrt)
    exprs = net.expressions
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

    dp = None
    if wrt != LOSS:
        walk(LOSS, [LOSS], [], 1.0)
        s, count = total(LOSS)
        order = [LOSS] + list(reversed(net.node_names())) + [n for n, _, _ in net.leaves()]
        dp = dp_view(order, deps, factor, trace, wrt) if count else None
    else:
        paths.append(Path((LOSS,), (), 1.0))
        s, count = 1.0, 1
    backward = float(trace.grad(wrt))
    agrees = close(s, backward) and (dp is None or dp.agrees)
    return Chain(wrt, trace.graph.kind[wrt], backward, s, count, tuple(paths),
                 verdict(agrees, s, backward), dp)


def _check_paths_apply(net, trace, wrt):
    """Paths of numbers need a net of equations whose values are numbers."""
    if net.expressions is None:
        raise UsageError("wrt", wrt, "paths of named nodes are for nets written as equations; "
                                     "in a layer net ask for a tensor or one element of it")
    if wrt not in trace.graph.index:
        raise UsageError("wrt", wrt, f"no such name in {net.title}")
    if wrt != LOSS and any(np.ndim(v) for v in trace.vals):
        raise UsageError("wrt", wrt, "on a data set the paths are one sample's: explain it "
                                     "at a sample" if net.samples.several else
                                     "this net has vectors: a path's factors would be "
                                     "Jacobians, not numbers")


# ------------------------------------------------------------------ data sets
# With a data set, E is the mean over the samples of the loss at each sample, E_k.
# The paths are those of one sample's net (E_k's own chain rule); how E_k's share
# enters ∂E/∂name comes from one more backward pass in which every leaf holds one
# value per sample, so that every name's ∂E arrives per sample.


@dataclass(frozen=True)
class SampleChain:
    """∂E/∂name on a data set: sample k's chain rule, then how each sample's share adds up."""

    at_sample: Chain  # the paths at sample k: ∂E_k/∂name
    sample: int
    samples: int
    shared: bool  # one value for every sample (a param): its ∂E sums over the samples
    per_sample: np.ndarray  # ∂E_j/∂name at every sample j (E_j's, without the 1/N)
    combined: float  # from the shares: (1/N)·Σ_j ∂E_j/∂name, or (1/N)·∂E_k/∂name
    backward: float  # the backward pass's ∂E/∂name (shared), or its value at sample k
    verdict: str

    @property
    def agrees(self) -> bool:
        one = self.at_sample
        return (one.agrees and close(one.total, self.per_sample[self.sample])
                and close(self.combined, self.backward))


class SampleRuns:
    """The extra runs a data set's explanations read, each made once per command: every
    value repeated per sample (each sample's share of ∂E), and sample k alone.  ``graph``:
    the net's graph, already built."""

    def __init__(self, net, graph: Graph):
        self.net, self.graph = net, graph
        self._wide = None
        self._alone = {}

    @property
    def wide(self) -> Trace:
        """A run in which params and every other value shared by the samples are repeated
        per sample: ∂E/∂name then holds each sample's share."""
        if self._wide is None:
            n = self.net.samples.count
            vals = self.graph.initial_values()
            for i, node in enumerate(self.graph.nodes):
                if node.op is None and np.ndim(vals[i]) == 0:
                    vals[i] = np.full(n, vals[i])
            with np.errstate(all="ignore"):  # a nan is reported where the ordinary run meets it
                self._wide = self.graph.run(vals)
        return self._wide

    def alone(self, k):
        """(the net on sample k alone, its run)."""
        if k not in self._alone:
            one = self.net.at_sample(k)
            with np.errstate(all="ignore"):
                self._alone[k] = one, one.build().run()
        return self._alone[k]


def sample_chain(runs: SampleRuns, trace: Trace, wrt: str, k: int) -> SampleChain:
    """∂E/∂wrt in a net with a data set: sample k's chain rule, and every sample's share
    (``trace``: the ordinary run of the whole set)."""
    n = runs.net.samples.count
    c = chain(*runs.alone(k), wrt)
    shared = np.ndim(trace.value(wrt)) == 0
    g = trace.grad(wrt)
    per = np.asarray(runs.wide.grad(wrt), dtype=float) * n
    combined = per.mean() if shared else per[k] / n
    backward = float(g) if shared else float(np.asarray(g)[k])
    agrees = c.agrees and close(c.total, per[k]) and close(combined, backward)
    return SampleChain(c, k, n, shared, per, combined, backward,
                       verdict(agrees, per, backward))
