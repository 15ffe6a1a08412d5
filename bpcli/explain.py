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

import math
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


# ------------------------------------------------------------------ data sets
# With a data set, E is the mean over the samples of the loss at each sample, E_k.
# The paths are those of one sample's net (E_k's own chain rule); how E_k's share
# enters ∂E/∂name comes from one more backward pass in which every leaf holds one
# value per sample, so that every name's ∂E arrives per sample.


@dataclass(frozen=True)
class SampleChain:
    chain: Chain  # the paths at one sample: ∂E_k/∂name
    sample: int
    samples: int
    shared: bool  # one value for every sample (a param): its ∂E sums over the samples
    per_sample: np.ndarray  # ∂E_j/∂name at every sample j (E_j's, without the 1/N)
    backward: float  # the backward pass's ∂E/∂name (shared), or its value at sample k

    @property
    def agrees(self) -> bool:
        mine = self.per_sample.mean() if self.shared else self.per_sample[self.sample] / self.samples
        close = lambda a, b: bool(np.isclose(a, b, rtol=1e-9, atol=1e-12))  # noqa: E731
        return (self.chain.agrees and close(self.chain.total, self.per_sample[self.sample])
                and close(mine, self.backward))


def per_sample_trace(net) -> Trace:
    """A run of a net with a data set in which params and every other value shared by
    the samples are repeated per sample: ∂E/∂name then holds each sample's share."""
    n = net.samples()[0]
    graph = net.build()
    vals = graph.initial_values()
    for i, node in enumerate(graph.nodes):
        if node.op is None and np.ndim(vals[i]) == 0:
            vals[i] = np.full(n, vals[i])
    with np.errstate(all="ignore"):  # a nan is reported where the ordinary run meets it
        caches = graph.forward(vals)
        return Trace(graph, vals, graph.backward(caches))


def sample_chain(net, trace: Trace, wide: Trace, wrt: str, k: int) -> SampleChain:
    """∂E/∂wrt in a net with a data set: sample k's chain rule, and every sample's share
    (``wide``: per_sample_trace(net))."""
    n = net.samples()[0]
    one = net.at_sample(k)
    c = chain(one, one.build().run(), wrt)
    shared = np.ndim(trace.value(wrt)) == 0
    g = trace.grad(wrt)
    return SampleChain(c, k, n, shared, np.asarray(wide.grad(wrt), dtype=float) * n,
                       float(g) if shared else float(np.asarray(g)[k]))


# ------------------------------------------------------------------ layer networks
# One element of a tensor feeds some units of the next layer (or E itself).  Its ∂E
# is the sum over those units of (local factor) × ∂E/∂unit: the seed note's "find
# which units of layer L+1 each unit of layer L is connected to".  The factors here
# are read off the forward values (the weight used, the input multiplied, the 1/n
# share, the max-pool winner), not off the backward pass, so the sum is a check.

MAX_UNITS_SHOWN = 12  # rows listed in a table (largest |product| first); the sum covers all
MAX_UNITS_JSON = 1000


@dataclass(frozen=True)
class Unit:
    unit: str  # the unit fed, e.g. "conv1[0,1,2]" or "E"
    factor: float  # ∂unit/∂element
    why: str  # where the factor comes from
    grad: float  # ∂E/∂unit
    product: float


@dataclass(frozen=True)
class ElementChain:
    wrt: str  # e.g. "conv1.weight[0,0,1,1]"
    consumer: str  # the layer (or E) it feeds
    backward: float
    total: float
    units: tuple[Unit, ...]  # every unit it feeds, largest |product| first

    @property
    def count(self):
        return len(self.units)

    @property
    def agrees(self) -> bool:
        return bool(np.isclose(self.total, self.backward, rtol=1e-9, atol=1e-12))


def _label(name, idx):
    return f"{name}[{','.join(str(int(i)) for i in idx)}]" if len(idx) else name


def element_chain(net, trace, name: str, index: tuple) -> ElementChain:
    """∂E/∂name[index] as the sum over the units that element feeds (index as displayed)."""
    g = trace.graph
    internal = tuple(index) if (name in net.params or net.batched) else (0,) + tuple(index)
    # the consumer: the layer that takes this tensor as an input (or the loss)
    me = g.index[name]
    consumer = next(i for i, node in enumerate(g.nodes) if me in node.inputs)
    node = g.nodes[consumer]
    pos = node.inputs.index(me)
    ins = [trace.vals[j] for j in node.inputs]
    out_grad = np.asarray(trace.grads[consumer]) + np.zeros(np.shape(trace.vals[consumer]))
    shown = lambda idx: idx if net.batched else idx[1:]  # noqa: E731
    cname = node.name
    rows = []  # (unit index (internal), factor, why)
    op = node.op
    attrs = node.attrs or {}
    if op == "dense":
        x, w, _ = ins
        prev = g.nodes[node.inputs[0]].name
        if pos == 0:
            n, i = internal
            rows = [((n, j), w[j, i], f"{cname}.weight[{j},{i}]")
                    for j in range(w.shape[0])]
        elif pos == 1:
            j, i = internal
            rows = [((n, j), x[n, i], f"{_label(prev, shown((n, i)))}")
                    for n in range(x.shape[0])]
        else:
            (j,) = internal
            rows = [((n, j), 1.0, "1: the bias is added") for n in range(x.shape[0])]
    elif op == "conv2d":
        x, w, _ = ins
        (sh, sw), (ph, pw) = attrs["stride"], attrs["padding"]
        f_, _, kh, kw = w.shape
        oh, ow = np.shape(trace.vals[consumer])[2:]
        prev = g.nodes[node.inputs[0]].name
        if pos == 0:
            n, c, i, j = internal
            oy = np.arange(oh)
            ox = np.arange(ow)
            ky, kx = i + ph - oy * sh, j + pw - ox * sw
            oy, ky = oy[(ky >= 0) & (ky < kh)], ky[(ky >= 0) & (ky < kh)]
            ox, kx = ox[(kx >= 0) & (kx < kw)], kx[(kx >= 0) & (kx < kw)]
            rows = [((n, f, a, b), w[f, c, p, q], f"{cname}.weight[{f},{c},{p},{q}]")
                    for f in range(f_) for a, p in zip(oy, ky) for b, q in zip(ox, kx)]
        elif pos == 1:
            f, c, p, q = internal
            h, wd = x.shape[2:]
            rows = []
            for n in range(x.shape[0]):
                for a in range(oh):
                    for b in range(ow):
                        i, j = a * sh + p - ph, b * sw + q - pw
                        if 0 <= i < h and 0 <= j < wd:
                            rows.append(((n, f, a, b), x[n, c, i, j],
                                         f"{_label(prev, shown((n, c, i, j)))}"))
                        else:
                            rows.append(((n, f, a, b), 0.0, "0: it meets the zero padding"))
        else:
            (f,) = internal
            rows = [((n, f, a, b), 1.0, "1: the bias is added")
                    for n in range(x.shape[0]) for a in range(oh) for b in range(ow)]
    elif op in ("maxpool", "meanpool"):
        x = ins[0]
        (kh, kw), (sh, sw) = attrs["size"], attrs["stride"]
        n, c, i, j = internal
        oh, ow = np.shape(trace.vals[consumer])[2:]
        wins = [(a, b) for a in range(oh) if a * sh <= i < a * sh + kh
                for b in range(ow) if b * sw <= j < b * sw + kw]
        for a, b in wins:
            if op == "meanpool":
                rows.append(((n, c, a, b), 1.0 / (kh * kw), f"1/{kh * kw}: an equal share of its window"))
            else:
                window = x[n, c, a * sh:a * sh + kh, b * sw:b * sw + kw]
                wi, wj = np.unravel_index(np.argmax(window), window.shape)
                won = (a * sh + wi, b * sw + wj) == (i, j)
                prev = g.nodes[node.inputs[0]].name
                winner = _label(prev, shown((n, c, a * sh + wi, b * sw + wj)))
                if won:
                    why = "1: it won the max of its window"
                elif x[n, c, i, j] == window[wi, wj]:
                    why = f"0: a tie; {winner} came first"
                else:
                    why = f"0: {winner} won the max"
                rows.append(((n, c, a, b), 1.0 if won else 0.0, why))
    elif op in ("relu", "relu0", "sigmoid", "tanh"):
        x = ins[0]
        a = trace.vals[consumer]
        v = x[internal]
        if op == "relu":
            rows = [(internal, float(v >= 0), f"step(x), x = {v:.6g} (ReLU'(0) = 1)")]
        elif op == "relu0":
            rows = [(internal, float(v > 0), f"step(x), x = {v:.6g} (ReLU'(0) = 0)")]
        elif op == "sigmoid":
            rows = [(internal, a[internal] * (1 - a[internal]), "f(1 − f), f = the sigmoid's output")]
        else:
            rows = [(internal, 1 - a[internal] ** 2, "1 − f², f = the tanh's output")]
    elif op == "flatten":
        x = ins[0]
        flat = np.ravel_multi_index(internal[1:], x.shape[1:])
        rows = [((internal[0], flat), 1.0, f"1: it is entry {flat} of the flat vector")]
    elif op == "softmax":
        a = trace.vals[consumer]
        n, i = internal
        rows = [((n, j), a[n, j] * ((i == j) - a[n, i]),
                 "a_j(1 − a_j)" if i == j else "−a_j·a_i") for j in range(a.shape[1])]
    else:  # a loss: the unit is E
        a, y = ins
        k = internal
        count = a.shape[0]
        if op == "cross_entropy":
            f = -y[k] / a[k] / count if y[k] != 0 else 0.0
            why = f"−y/(N·a), N = {count}"
        elif op == "logits_cross_entropy":
            z = a[k[0]]
            p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
            f = (p[k[1]] * y[k[0]].sum() - y[k]) / count
            why = f"(softmax(z) − y)/N, N = {count}"
        elif op == "half_sse":
            f, why = (a[k] - y[k]) / count, f"(a − y)/N, N = {count}"
        else:
            f, why = 2 * (a[k] - y[k]) / a.size, f"2(a − y)/{a.size}"
        rows = [((), f, why)]

    units = []
    for idx, factor, why in rows:
        grad = 1.0 if cname == LOSS else float(out_grad[idx])
        label = LOSS if cname == LOSS else _label(cname, shown(idx))
        units.append(Unit(label, float(factor), why, grad, float(factor) * grad))
    units.sort(key=lambda u: -abs(u.product))
    total = float(math.fsum(u.product for u in units))
    backward = float(np.asarray(trace.grad(name))[internal])
    return ElementChain(_label(name, index), cname, backward, total, tuple(units))

