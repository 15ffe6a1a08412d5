"""`forward --unit 'conv1[0,1,1]'`: one output unit of a layer as the sum it is — the window
it sees on its input, every x·w and the bias — by the op's registered ``unit`` rule, read
off the forward values and checked against the forward pass's own value."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..engine import OPS, Site, Trace
from ..errors import UsageError
from ..nets import Net
from .elements import label
from .tracing import close, verdict


@dataclass(frozen=True)
class UnitBreakdown:
    unit: str  # 'conv1[0,1,1]'
    layer_text: str
    terms: tuple  # (x label, x, w label, w, x·w)
    bias: tuple  # (label, value)
    total: float  # Σ x·w + b
    forward: float  # the forward pass's value of the unit
    verdict: str
    window: np.ndarray | None = None  # what a conv unit sees: C×kh×kw of its input
    kernel: np.ndarray | None = None  # and its filter, C×kh×kw
    at: tuple | None = None  # the window's top-left corner on the input (may be in padding)
    input_name: str = ""


def unit_breakdown(net: Net, trace: Trace, spec: str, where: str) -> UnitBreakdown:
    """The breakdown of the unit ``spec`` names (a layer's element, as the user indexes it)."""
    layers = {layer.name: layer for layer in getattr(net, "layers", ())}
    kinds = [n for n, layer in layers.items() if OPS[layer.op].unit is not None]
    if not kinds:
        raise UsageError("unit", spec, "units are the elements of conv2d and dense layers; "
                                       f"{net.title} has none (grad --wrt NAME explains a name)")
    try:
        name, index = net.resolve(spec, where)
    except UsageError as e:
        raise UsageError("unit", spec, e.reason) from None
    op = OPS[layers[name].op] if name in layers else None
    if index is None or op is None or op.unit is None:
        dims = ",".join("0" * (len(layers[kinds[0]].shape) + net.samples.several))
        raise UsageError("unit", spec, f"a unit is one element of a conv2d or dense layer, "
                                       f"e.g. '{kinds[0]}[{dims}]' (here: {', '.join(kinds)})")
    g = trace.graph
    node = g.nodes[g.index[name]]
    names = [g.nodes[j].name for j in node.inputs]

    def shown(of, idx):
        return idx[1:] if net.hidden_axis(of) else idx

    internal = (0,) + tuple(index) if net.hidden_axis(name) else tuple(index)
    site = Site([trace.vals[j] for j in node.inputs], trace.vals[g.index[name]], node.attrs or {},
                lambda k, idx: label(names[k], shown(names[k], idx)))
    rule = op.unit(site, internal)
    terms = tuple((xl, x, wl, w, x * w) for xl, x, wl, w in rule["terms"])
    total = math.fsum([t[4] for t in terms] + [rule["bias"][1]])
    value = float(np.asarray(trace.vals[g.index[name]])[internal])
    return UnitBreakdown(label(name, index), layers[name].text, terms, rule["bias"], total, value,
                         verdict(close(total, value), total, value), rule.get("window"),
                         rule.get("kernel"), rule.get("at"), names[0])
