"""Networks written as equations: named inputs, params, targets, nodes and a loss.

:class:`EquationNet` holds a checked file (:mod:`bpcli.nets.equation_file` checks it)
and lowers its expressions into graph nodes, one op node per operator.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from ..engine import LOSS, Graph, check_arity, lowered
from ..engine.registry import Value
from ..errors import UsageError
from ..symbolic import Call, Expr, Name, Num
from ..text import did_you_mean
from .base import Classes, Entry, Net, Samples, collector_paused
from .values import as_value

SECTION_KIND = {"inputs": "input", "params": "param", "targets": "target"}
REQUIRED = ("params", "loss")


@dataclass
class EquationNet(Net):
    name: str
    inputs: dict[str, Value]  # a number, or a vector
    params: dict[str, Value]
    targets: dict[str, Value]
    nodes: dict[str, tuple[str, Expr]]  # name -> (text as written, parsed)
    loss: tuple[str, Expr]
    path: str = "<default>"
    lines: dict[str, int] = field(default_factory=dict)  # name -> line it is defined on
    data: dict | None = None  # a data set: input/target name -> one value per sample
    data_doc: object = None  # the data section as written (for saving)
    training: dict = field(default_factory=dict)  # the file's train: section, checked

    NO_PARAMS_FIX = "give some under params:"

    # ------------------------------------------------------------------ the protocol
    def leaves(self) -> Iterator[tuple[str, str, Value]]:
        """(name, kind, value) of every input, param and target, in file order; the
        inputs and targets of a data set hold all its samples."""
        for section, kind in SECTION_KIND.items():
            for name, value in getattr(self, section).items():
                yield name, kind, as_value(self.data[name] if self.data and name in self.data
                                           else value)

    @property
    def samples(self) -> Samples:
        if not self.data:
            return Samples(1, False, {}, "data set",
                           "this network has no data set: it is one sample, sample 0")
        return Samples(len(next(iter(self.data.values()))), True, dict(self.data), "data set", "")

    def node_names(self) -> list[str]:
        return list(self.nodes)

    def forward_order(self) -> list[Entry]:
        return ([Entry(name, kind, kind) for name, kind, _ in self.leaves()]
                + [Entry(name, "node", text) for name, (text, _) in self.nodes.items()])

    def backward_order(self) -> list[Entry]:
        return ([Entry(name, "node", self.nodes[name][0]) for name in reversed(self.nodes)]
                + [Entry(name, kind, kind) for name, kind, _ in self.leaves() if kind != "param"])

    @property
    def loss_text(self) -> str:
        return self.loss[0]

    @property
    def expressions(self) -> dict[str, Expr]:
        exprs = {name: e for name, (_, e) in self.nodes.items()}
        exprs[LOSS] = self.loss[1]
        return exprs

    def classes(self) -> Classes | None:
        """Targets that are all 0 or 1 and appear in the loss as (node − target), or the
        reverse: a classification set, each node read as 1 when ≥ 0.5."""
        if not self.data:
            return None
        pairs = _compared(self.loss[1], set(self.targets))
        if not pairs or not all(np.isin(self.data[t], (0.0, 1.0)).all() for _, t in pairs):
            return None
        return Classes(tuple(pairs), "threshold")

    def resolve(self, spec: str, where: str) -> tuple[str, tuple | None]:
        names = self.names()
        if spec not in names:
            raise UsageError("wrt", spec,
                             f"no such name in {where}; {did_you_mean(spec, names, 'names')}")
        return spec, None

    def build(self) -> Graph:
        with collector_paused():
            g = self.leaf_graph()
            lower, name_node = _lowering(g), g.name
            for name, (_, e) in self.nodes.items():
                name_node(lower(e), name, "node")
            if self.data:  # the loss expression per sample; E is its mean over the samples
                g.sample_loss = lower(self.loss[1])
                g.name(g.add_op("mean", [g.sample_loss]), LOSS, "loss")
            else:
                g.name(lower(self.loss[1]), LOSS, "loss")
            return g.compile()

    def at_sample(self, k: int) -> "EquationNet":
        """This net on sample k of its data set alone: E is then the loss at sample k."""
        new = copy.copy(self)
        new.inputs = {n: np.float64(self.data[n][k]) if n in self.data else v
                      for n, v in self.inputs.items()}
        new.targets = {n: np.float64(self.data[n][k]) if n in self.data else v
                       for n, v in self.targets.items()}
        new.data = new.data_doc = None
        return new

    def to_doc(self) -> dict:
        def listed(v):
            return np.asarray(v).tolist()  # a float, or nested lists of them

        doc = {"name": self.name,
               "inputs": {k: listed(v) for k, v in self.inputs.items()},
               "params": {k: listed(v) for k, v in self.params.items()},
               "targets": {k: listed(v) for k, v in self.targets.items()},
               "nodes": {k: text for k, (text, _) in self.nodes.items()},
               "loss": self.loss[0]}
        if self.data_doc is not None:
            doc["data"] = self.data_doc
        doc["train"] = dict(self.training)
        return {k: v for k, v in doc.items() if v or k in REQUIRED}


def _lowering(g: Graph) -> Callable[[Expr], int]:
    """``lower(e)``: the node of ``g`` computing ``e``, an op node per operator (the named
    node a name refers to).  The op an operator lowers to, and the check of its number of
    inputs, are looked up once per kind, not once a node (Graph.op_adder)."""
    index, ops, add = g.index, {}, g.op_adder()

    def lower(e: Expr) -> int:
        if type(e) is Call:
            args = e.args
            if len(args) == 2:  # an operator (and below, a function): no loop, no generator
                a, b = args
                ta, tb = type(a), type(b)
                ins = (index[a.id] if ta is Name else lower(a),
                       index[b.id] if tb is Name else lower(b))
                kind = (e.op, ta is Num, tb is Num)
            elif len(args) == 1:
                a = args[0]
                ins = (index[a.id] if type(a) is Name else lower(a),)
                kind = (e.op, type(a) is Num)
            else:
                ins = tuple([index[a.id] if type(a) is Name else lower(a) for a in args])
                kind = (e.op, *[type(a) is Num for a in args])
            op = ops.get(kind)
            if op is None:
                op = ops[kind] = lowered(e.op, kind[1:])
                check_arity(op, len(ins))
            return add(op, ins)
        if type(e) is Name:
            return index[e.id]
        return g.add_leaf(None, "const", np.float64(e.value))

    return lower


def _compared(e, targets):
    """(node, target) for every `node − target` or `target − node` in the loss."""
    found = []
    if isinstance(e, Call):
        if e.op == "sub" and all(isinstance(a, Name) for a in e.args):
            a, b = (x.id for x in e.args)
            if b in targets and a not in targets:
                found.append((a, b))
            elif a in targets and b not in targets:
                found.append((b, a))
        for arg in e.args:
            found += _compared(arg, targets)
    return found
