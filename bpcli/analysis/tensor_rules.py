"""A conv layer's backward pass as the note writes it, whole grids at a time: ∂E/∂W = X̂ ⋆ δ̂
and ∂E/∂X = full(δ̂, rot180 W) cut back by the padding — computed by the op's registered
``rules`` from the forward values and ∂E/∂out, grid against grid, and checked against the
backward pass."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import OPS, Trace
from ..nets import Net
from .tracing import close, verdict


@dataclass(frozen=True)
class ConvRule:
    """``which``: "weight" (∂E/∂W of ``layer``) or "input" (∂E/∂X, what ``layer`` hands back
    to ``input_name``).  Grids with the batch axis first (see engine.ops.tensor_rules)."""

    layer: str
    layer_text: str
    which: str
    input_name: str  # the layer's input: a layer before it, or "input"
    weight_name: str
    grids: dict  # x_padded, delta, delta_dilated, kernel, kernel_turned
    result: np.ndarray  # by the rule: F×C×kh×kw, or N×C×H×W
    backward: np.ndarray  # the backward pass's, the same shape
    stride: tuple
    padding: tuple
    samples: int
    verdict: str


def conv_rule(net: Net, trace: Trace, name: str) -> ConvRule | None:
    """The whole-tensor rule behind ∂E/∂``name``, when name is a conv layer's weight (the
    weight rule) or a conv layer (the input rule: what it hands back); else None."""
    for layer in getattr(net, "layers", ()):
        if layer.op != "conv2d" or name not in (layer.name, layer.params[0]):
            continue
        g = trace.graph
        i = g.index[layer.name]
        node = g.nodes[i]
        inputs = [trace.vals[j] for j in node.inputs]
        dout = np.zeros(np.shape(trace.vals[i])) + trace.grads[i]
        grids = OPS["conv2d"].rules(inputs, dout, node.attrs or {})
        which = "weight" if name == layer.params[0] else "input"
        if which == "weight":
            back = np.asarray(trace.grad(layer.params[0]), dtype=float)
        else:
            back = np.zeros(np.shape(inputs[0])) + trace.grads[node.inputs[0]]
        result = grids[which]
        return ConvRule(layer.name, layer.text, which, g.nodes[node.inputs[0]].name,
                        layer.params[0], grids, result, back, grids["stride"], grids["padding"],
                        int(np.shape(inputs[0])[0]), verdict(close(result, back), result, back))
    return None
