"""Networks written as a stack of layers: conv2d, pooling, dense, activations, softmax.

Shapes follow PyTorch so numbers move between the two: images are C×H×W (N×C×H×W
for a batch), dense weights units × inputs, conv weights filters × channels × kh × kw.
Inside the graph every tensor has a leading batch axis N; a net given one sample (not
a batch) shows and indexes its tensors without it.  :mod:`bpcli.nets.layer_file`
checks a file and builds the :class:`LayerNet`.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from ..engine import LOSS, Graph
from ..engine.registry import Value
from ..errors import UsageError
from ..io.yamlfile import plain_data
from ..text import did_you_mean, shape_text
from .base import Classes, Entry, Net, Samples
from .layer_settings import Layer
from .values import as_value

LOSSES = ("cross_entropy", "half_sse", "mse")
_ELEMENT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_]+)?)\s*(?:\[([^\]]*)\])?\s*$")


@dataclass
class LayerNet(Net):
    name: str
    path: str
    input: np.ndarray  # N×… (a leading batch axis always)
    batched: bool  # was the input given as a batch (or a data set)?
    layers: list[Layer]
    loss_type: str
    target: np.ndarray  # N×K (class indices made one-hot)
    params: dict[str, np.ndarray]
    input_doc: object  # the input as written (nested lists, or {shape, init})
    target_doc: object  # the target as written
    seed: int = 0
    lines: dict[str, int] = field(default_factory=dict)
    fused: bool = False  # cross-entropy from logits (no softmax layer before it)
    data_doc: object = None  # the data section as written, when a data set is the input
    training: dict = field(default_factory=dict)  # the file's train: section, checked

    NO_PARAMS_FIX = "add a layer with weights (dense or conv2d)"
    LAYOUT = "grids"

    @property
    def loss_text(self) -> str:
        return {"cross_entropy": "−Σ y·log a" if not self.fused else "−Σ y·log softmax(z)",
                "half_sse": "½Σ(a − y)²", "mse": "mean of (a − y)²"}[self.loss_type] + (
            ", mean over samples" if self.batched else "")

    @property
    def loss_op(self) -> str:
        if self.loss_type == "cross_entropy":
            return "logits_cross_entropy" if self.fused else "cross_entropy"
        return self.loss_type

    # ------------------------------------------------------------------ the protocol
    def leaves(self) -> Iterator[tuple[str, str, Value]]:
        yield "input", "input", self.input
        for name, value in self.params.items():
            yield name, "param", as_value(value)
        yield "target", "target", self.target

    @property
    def samples(self) -> Samples:
        return Samples(self.input.shape[0], self.batched,
                       {"input": self.input, "target": self.target}, "batch",
                       "this network's input is one sample, not a batch")

    def node_names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    def forward_order(self) -> list[Entry]:
        entries = [Entry("input", "input", "input")]
        for layer in self.layers:
            entries += [Entry(p, "param", "param") for p in layer.params]
            entries.append(Entry(layer.name, "layer", layer.text))
        return entries

    def backward_order(self) -> list[Entry]:
        entries = []
        for layer in reversed(self.layers):
            entries.append(Entry(layer.name, "layer", layer.text))
            entries += [Entry(p, "param", "param") for p in reversed(layer.params)]
        return entries + [Entry("input", "input", "input")]

    def display_shape(self, name: str) -> tuple[int, ...]:
        """The shape a user sees: without the batch axis for a single sample."""
        if name in self.params:
            return self.params[name].shape
        shape = self.input.shape if name == "input" else (
            self.target.shape if name == "target" else
            (self.input.shape[0],) + next(l.shape for l in self.layers if l.name == name))
        return shape if self.batched else shape[1:]

    def hidden_axis(self, name: str) -> bool:
        return not (self.batched or name in self.params or name == LOSS)

    def classes(self) -> Classes | None:
        if self.loss_type != "cross_entropy":
            return None
        return Classes(((self.layers[-1].name, "target"),), "argmax")

    def per_sample(self, name: str) -> bool:
        return self.batched and name not in self.params and name != LOSS

    def resolve(self, spec: str, where: str) -> tuple[str, tuple | None]:
        """'conv1.weight[0,0,1,1]' → ("conv1.weight", (0, 0, 1, 1)); a bare name → (name, None)."""
        m = _ELEMENT.match(spec)
        names = [n for n in self.names() if n != "target"]
        if m and m.group(1) == "target":
            raise UsageError("wrt", spec, "the target is a constant of the loss; --wrt takes the "
                                          "input, a param, a layer or E")
        if not m or m.group(1) not in names:
            base = m.group(1) if m else spec
            raise UsageError("wrt", spec,
                             f"no such name in {where}; {did_you_mean(base, names, 'names')}")
        name, raw = m.groups()
        if raw is None:
            return name, None
        if name == LOSS:
            raise UsageError("wrt", spec, "E is one number; write --wrt E")
        shape = self.display_shape(name)
        try:
            index = tuple(int(v) for v in raw.split(","))
        except ValueError:
            raise UsageError("wrt", spec,
                             f"an index is whole numbers, like {name}[0,1]") from None
        if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape)):
            dims = ", ".join(f"0..{n - 1}" for n in shape)
            raise UsageError("wrt", spec, f"{name} is {shape_text(shape)}; "
                                          f"an element is {name}[{dims}]")
        return name, index

    def build(self) -> Graph:
        g = self.leaf_graph()
        prev = g.index["input"]
        for layer in self.layers:
            ins = [prev] + [g.index[p] for p in layer.params]
            prev = g.name(g.add_op(layer.op, ins, layer.attrs), layer.name, "layer")
        g.name(g.add_op(self.loss_op, [prev, g.index["target"]]), LOSS, "loss")
        return g.compile()

    def at_sample(self, k: int) -> "LayerNet":
        """This net on sample k of its batch alone."""
        new = copy.copy(self)
        new.input, new.target = self.input[k:k + 1], self.target[k:k + 1]
        new.batched, new.data_doc = False, None
        new.input_doc, new.target_doc = new.input[0].tolist(), new.target[0].tolist()
        return new

    def to_doc(self) -> dict:
        layers = []
        for layer in self.layers:
            spec = {k: plain_data(v) for k, v in layer.spec.items()
                    if k not in ("weight", "bias", "init")}
            spec.setdefault("name", layer.name)
            for p in layer.params:
                spec[p.split(".", 1)[1]] = self.params[p].tolist()
            layers.append(spec)
        doc = {"name": self.name, "seed": self.seed, "input": plain_data(self.input_doc),
               "layers": layers,
               "loss": {"type": self.loss_type, "target": plain_data(self.target_doc)}}
        if self.data_doc is not None:  # the data set stands in for input and target
            doc["data"] = self.data_doc
            del doc["input"]
            del doc["loss"]["target"]
        if not self.name:
            del doc["name"]
        if self.training:
            doc["train"] = dict(self.training)
        return doc
