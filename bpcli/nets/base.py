"""What every kind of network offers the code above it: the :class:`Net` protocol.

Two kinds implement it, equation nets (:mod:`bpcli.nets.equations`) and layer nets
(:mod:`bpcli.nets.layers`).  Code above the nets asks a net through this protocol,
never its type: its leaves and computed names in order, how each is shown, how many
samples it holds, how to build its graph and how to save it.
"""
from __future__ import annotations

import contextlib
import copy
import gc
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Iterator, Mapping

import numpy as np

from ..engine import LOSS, Graph
from ..engine.registry import Value
from ..errors import UsageError
from ..io.data import resolve
from ..io.yamlfile import dump_yaml
from ..text import shape_phrase
from .values import as_value


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a net is read or built: that makes many small
    objects and no cycles, and the collector would walk them all again and again (a third of
    the time a 10⁵-node chain takes).  Whatever it has to do, it does once, afterwards."""
    if not gc.isenabled():  # a caller's choice, kept
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(frozen=True)
class Entry:
    """A name as tables list it: its kind (input, param, target, node, layer) and the text
    beside it (the expression as written, the layer's description, or the kind)."""

    name: str
    kind: str
    text: str


def _entry_init(self: Entry, name: str, kind: str, text: str) -> None:
    # A frozen dataclass's __init__ sets each field through object.__setattr__; writing the
    # instance's dict is the same, in three quarters of the time (a forward table lists one
    # Entry a name: 10⁵ of them for a long chain)
    fields = self.__dict__
    fields["name"], fields["kind"], fields["text"] = name, kind, text


Entry.__init__ = _entry_init


@dataclass(frozen=True)
class Classes:
    """How to read a classification set's accuracy off a forward pass: each output against
    its target, by ``rule``: "argmax" (the largest output names the class, against the
    target's one-hot row) or "threshold" (an output ≥ 0.5 reads as 1, against a 0/1
    target); a sample is right when every pair is."""

    pairs: tuple  # (output name, target name)
    rule: str


@dataclass(frozen=True)
class Samples:
    """The samples a network holds: one, or several (a data set, or a batch given as the
    input), with the leaves that hold one value per sample (samples on the first axis)."""

    count: int  # N (1 for a single sample)
    several: bool  # a data set or a batch: tables show samples, --sample picks one
    data: dict  # leaf name -> its values, samples first (what a training step slices)
    noun: str  # what the samples are called: "data set" or "batch"
    single: str  # why a sample other than 0 does not exist when there is one sample

    def check(self, k: int | None) -> int | None:
        """Sample ``k`` of the set, checked; None when there is no choice to make (no
        sample asked for, or the net's one sample)."""
        if k is None:
            return None
        if not self.several:
            if k == 0:
                return None  # the one sample there is
            raise UsageError("sample", k, self.single)
        if not 0 <= k < self.count:
            raise UsageError("sample", k, f"the {self.noun} has samples 0..{self.count - 1}")
        return k


class Net(ABC):
    """A checked network.  ``params`` maps each trained param to its value; ``lines`` each
    name to the line of the file that defines it; ``path`` is the file it came from
    (``<default>``, ``<stdin>``, ``<string>`` when it came from no file)."""

    name: str
    path: str
    params: dict
    lines: dict
    data_doc: object  # the data section as written (for saving), or None
    training: dict  # the file's train: section (train's defaults for this net), or {}
    #: what to add to a network file of this kind that has no params
    NO_PARAMS_FIX: ClassVar[str] = ""
    #: how tables show it: "rows" (a row a name, numbers inline) or "grids" (a section a
    #: tensor, maps as grids)
    LAYOUT: ClassVar[str] = "rows"

    @property
    def title(self) -> str:
        """What tables call the net: its name, or its file."""
        return self.name or self.path

    @property
    @abstractmethod
    def samples(self) -> Samples:
        """The net's samples (one, a data set, or a batch)."""

    @abstractmethod
    def leaves(self) -> Iterator[tuple[str, str, Value]]:
        """(name, kind, value) of every input, param and target, in file order; a value
        fed by the samples holds all of them, samples first."""

    @abstractmethod
    def node_names(self) -> list[str]:
        """The names the net computes (nodes, or layers), in evaluation order, without E."""

    @abstractmethod
    def forward_order(self) -> list[Entry]:
        """Every name as the forward table lists it."""

    @abstractmethod
    def backward_order(self) -> list[Entry]:
        """The names whose ∂E the gradient table lists, in the order the backward pass
        completes them (after E)."""

    @property
    def loss_text(self) -> str:
        """E as the net defines it: the loss expression, or the loss's formula."""
        return ""

    @property
    def expressions(self) -> dict | None:
        """name -> expression tree of every computed name and E, for nets written as
        equations (their chain rule runs along named paths); None for layer nets."""
        return None

    def names(self) -> list[str]:
        """Every name --wrt may take: leaves, computed names, E."""
        return [name for name, _, _ in self.leaves()] + self.node_names() + [LOSS]

    def hidden_axis(self, name: str) -> bool:
        """Does the graph hold ``name`` with a leading batch axis the user does not see (a
        layer net given one sample)?  Indices as the user writes them then lack it."""
        return False

    def as_seen(self, name: str, value: Value) -> Value:
        """A value of ``name`` as the user sees it (without a hidden batch axis)."""
        return np.asarray(value)[0] if self.hidden_axis(name) else value

    def classes(self) -> "Classes | None":
        """How accuracy is read, for a classification set; None for any other net."""
        return None

    def per_sample(self, name: str) -> bool:
        """Does ``name``'s value run over the samples (shown one sample at a time)?"""
        return False

    @abstractmethod
    def resolve(self, spec: str, where: str) -> tuple[str, tuple | None]:
        """--wrt ``spec`` → (name, element index or None for the whole); a spec the net does
        not know is a :class:`UsageError` naming ``where`` (the net's file)."""

    @abstractmethod
    def build(self) -> Graph:
        """The graph of this network, compiled and ready to run (built once per command)."""

    def leaf_graph(self) -> Graph:
        """A graph holding the leaves, in file order: what build() adds the ops to."""
        g = Graph()
        for name, kind, value in self.leaves():
            g.add_leaf(name, kind, value)
        return g

    def with_params(self, params: Mapping[str, Value]) -> "Net":
        """The same network with other values for some or all of its params (trained ones);
        a name it does not have, or a value of another shape, is a :class:`UsageError`."""
        for name, value in params.items():
            if name not in self.params:
                raise UsageError("params", name, "no such param; params are "
                                 + ", ".join(self.params))
            if np.shape(value) != np.shape(self.params[name]):
                raise UsageError("params", name, f"is {shape_phrase(np.shape(value))}, but the "
                                 f"param is {shape_phrase(np.shape(self.params[name]))}")
        new = copy.copy(self)
        new.params = {k: as_value(params.get(k, v)) for k, v in self.params.items()}
        return new

    @abstractmethod
    def at_sample(self, k: int) -> "Net":
        """This net on sample k of its data set or batch alone."""

    @abstractmethod
    def to_doc(self) -> dict:
        """The network as a YAML document that loads back to the same network."""

    def relocated(self, to_path: str) -> "Net":
        """The network with its data file's path made relative to ``to_path``'s folder, so
        that the network saved there still finds its data (a net without one is itself)."""
        doc = self.data_doc
        if not isinstance(doc, dict) or "file" not in doc:  # from stdin: relative to here
            return self
        full = resolve(str(doc["file"]), self.path)
        new = copy.copy(self)
        new.data_doc = {**doc, "file": os.path.relpath(full, os.path.dirname(os.path.abspath(to_path)))}
        return new

    def to_yaml(self, header: str = "") -> str:
        return header + dump_yaml(self.to_doc())
