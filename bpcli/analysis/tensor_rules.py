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


@dataclass(frozen=True)
class PoolMap:
    """A max-pool's winners: for each window, the input position (row, column) whose value
    is its maximum; ``ties`` where several share it (the first in row-major order wins, as
    the forward pass takes it).  N×C×OH×OW each, the batch axis first."""

    layer: str
    layer_text: str
    input_name: str
    rows: np.ndarray
    cols: np.ndarray
    ties: np.ndarray
    batched: bool = True  # False: a net of one sample, shown without the batch axis


@dataclass(frozen=True)
class PoolCheck:
    """What a pool hands back against what it received: the sums per sample and channel
    (each window's shares add up to its gradient), and the gradient by the pool's rule
    (scattered to the winners, or in equal shares) against the backward pass's."""

    layer: str
    layer_text: str
    input_name: str
    kind: str  # "max" or "mean"
    share: str  # how a window hands its gradient back
    received: np.ndarray  # Σ ∂E/∂out per sample and channel, N×C
    handed: np.ndarray  # Σ ∂E/∂in (the backward pass's) per sample and channel, N×C
    sums: str  # received against handed
    by_rule: str  # the rule's ∂E/∂in against the backward pass's
    batched: bool = True  # False: a net of one sample, shown without the batch axis


def _pools(net, trace):
    for layer in getattr(net, "layers", ()):
        if layer.op in ("maxpool", "meanpool"):
            g = trace.graph
            node = g.nodes[g.index[layer.name]]
            yield layer, node, trace.vals[node.inputs[0]], g.nodes[node.inputs[0]].name


def pool_maps(net: Net, trace: Trace) -> list[PoolMap]:
    """The winners of every max-pool layer of ``net`` (a forward pass suffices)."""
    maps = []
    for layer, node, x, input_name in _pools(net, trace):
        if layer.op == "maxpool":
            r = OPS["maxpool"].rules([x], None, node.attrs or {})
            rows, cols = (np.broadcast_to(a, r["ties"].shape) for a in r["winners"])
            maps.append(PoolMap(layer.name, layer.text, input_name, rows, cols, r["ties"],
                                net.samples.several))
    return maps


def pool_checks(net: Net, trace: Trace) -> list[PoolCheck]:
    """Every pool layer's hand-back, checked (a full run)."""
    checks = []
    for layer, node, x, input_name in _pools(net, trace):
        g = trace.graph
        dout = np.zeros(np.shape(trace.vals[g.index[layer.name]])) + trace.grads[g.index[layer.name]]
        back = np.zeros(np.shape(x)) + trace.grads[node.inputs[0]]
        r = OPS[layer.op].rules([x], dout, node.attrs or {})
        kind = "max" if layer.op == "maxpool" else "mean"
        kh, kw = r["size"]
        share = ("all of a window's gradient to its winner, 0 to the others" if kind == "max"
                 else f"1/{kh * kw} of a window's gradient to each of its {kh}×{kw} pixels")
        received, handed = dout.sum(axis=(2, 3)), back.sum(axis=(2, 3))
        checks.append(PoolCheck(layer.name, layer.text, input_name, kind, share, received,
                                handed, verdict(close(received, handed), received, handed),
                                verdict(close(r["input"], back), r["input"], back),
                                net.samples.several))
    return checks
