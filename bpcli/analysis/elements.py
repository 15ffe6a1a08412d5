"""One element's ∂E in a layer net, as the sum over the units it feeds.

An element of a tensor feeds some units of the next layer (or E itself).  Its ∂E is
the sum over those units of (local factor) × ∂E/∂unit: the seed note's "find which
units of layer L+1 each unit of layer L is connected to".  Which units, and through
what factor, is each op's own ``feeds`` rule (:mod:`bpcli.engine.registry`); this module
is the driver that asks it, and checks the sum against the backward pass.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..engine import OPS, Site, Trace
from ..errors import UsageError
from ..nets import Net
from .tracing import close, verdict


@dataclass(frozen=True)
class Unit:
    unit: str  # the unit fed, e.g. "conv1[0,1,2]" or "E"
    factor: float  # ∂unit/∂element
    why: str  # where the factor comes from
    grad: float  # ∂E/∂unit
    product: float
    index: tuple = ()  # the unit's position in its layer, as the user indexes it


@dataclass(frozen=True)
class ElementChain:
    wrt: str  # e.g. "conv1.weight[0,0,1,1]"
    consumer: str  # the layer (or E) it feeds
    backward: float
    total: float
    units: tuple[Unit, ...]  # every unit it feeds, largest |product| first
    verdict: str  # the sum against the backward pass: equal, not equal, not finite
    shape: tuple = ()  # the consumer's output, as the user sees it (positions of the units)

    @property
    def count(self) -> int:
        return len(self.units)

    @property
    def agrees(self) -> bool:
        return close(self.total, self.backward)


def label(name: str, index: tuple[int, ...]) -> str:
    """'conv1[0,1,2]'; the bare name for a number."""
    return f"{name}[{','.join(str(int(i)) for i in index)}]" if len(index) else name


def element_chain(net: Net, trace: Trace, name: str, index: tuple) -> ElementChain:
    """∂E/∂name[index] as the sum over the units that element feeds (index as the user
    writes it: without the batch axis of a single sample)."""
    g = trace.graph
    wrt = label(name, index)
    if net.expressions is not None:
        raise UsageError("wrt", wrt, "element breakdowns are for layer nets; in a net written "
                                     "as equations ask for a name")
    if name not in g.index or len(g.consumers(g.index[name])) == 0:
        raise UsageError("wrt", wrt, f"no tensor of {net.title} by that name feeds a layer")

    def shown(of, idx):
        return idx[1:] if net.hidden_axis(of) else idx

    internal = (0,) + tuple(index) if net.hidden_axis(name) else tuple(index)
    me = g.index[name]
    if len(internal) != np.ndim(trace.vals[me]):
        raise UsageError("wrt", wrt, f"{name} has {np.ndim(trace.vals[me])} axes")
    consumer = g.consumers(me)[0]  # the layer that takes this tensor as an input (or E)
    node = g.nodes[consumer]
    op = OPS[node.op]
    if op.feeds is None:
        raise UsageError("wrt", wrt, f"{node.name} is computed by '{op.name}', which has no "
                                     "element rule: its ∂E cannot be broken down unit by unit")
    names = [g.nodes[j].name for j in node.inputs]
    site = Site([trace.vals[j] for j in node.inputs], trace.vals[consumer], node.attrs or {},
                lambda k, idx: label(names[k], shown(names[k], idx)))
    out_grad = np.asarray(trace.grads[consumer]) + np.zeros(np.shape(trace.vals[consumer]))
    units = []
    for idx, factor, why in op.feeds(node.inputs.index(me), internal, site):
        grad = float(out_grad[idx])
        units.append(Unit(label(node.name, shown(node.name, idx)), float(factor), why, grad,
                          float(factor) * grad, tuple(int(i) for i in shown(node.name, idx))))
    units.sort(key=lambda u: -abs(u.product))
    products = [u.product for u in units]
    # fsum adds exactly; a sum holding both infinities is nan (fsum would raise)
    total = float(math.fsum(products) if np.all(np.isfinite(products)) else np.sum(products))
    backward = float(np.asarray(trace.grad(name))[internal])
    shape = np.shape(trace.vals[consumer])
    return ElementChain(wrt, node.name, backward, total, tuple(units),
                        verdict(close(total, backward), total, backward),
                        shape[1:] if net.hidden_axis(node.name) else shape)
