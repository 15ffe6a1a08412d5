"""The computation graph: nodes in topological order, forward once, backward once.

Backward is the seed note's dynamic programming: walk the nodes in reverse
topological order; when a node's turn comes every consumer has already added its
contribution to ∂E/∂node, so the node's gradient is complete and is passed on to
its inputs, each contribution *added* (f(H1) feeds O1 and O2 and receives both).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Iterable

import numpy as np

from .fused import fuse
from .registry import OPS, Value


@dataclass(slots=True)
class Node:
    op: str | None  # None for a leaf (input, param, target, constant)
    inputs: tuple[int, ...] = ()
    name: str | None = None  # the user's name, for named nodes and leaves
    attrs: dict | None = None  # an op's settings (stride, padding, ...), bound at compile


def check_arity(op: str, n: int) -> None:
    """A bug of ours unless ``op`` (a key of OPS) takes ``n`` inputs."""
    if OPS[op].arity != n:
        raise ValueError(f"bpcli bug: {op} takes {OPS[op].arity} inputs, not {n}")


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)  # name -> node
    kind: dict[str, str] = field(default_factory=dict)  # name -> input/param/target/node/loss
    leaf_values: list = field(default_factory=list)  # per node: a leaf's value, else None
    loss: int = -1
    # a loss that is the mean over samples of a loss per sample (a data set): that node
    sample_loss: int | None = None
    skipped: set = field(default_factory=set)  # nodes compile(wanted) computes no ∂E for
    # compile()'s plans: (node, forward, inputs) in evaluation order, (node, backward,
    # inputs) in the order backward runs them
    forward_plan: list | None = None
    planned: tuple | None = None  # what compile() found, for the backward plan when first asked
    walk: list | None = None  # the backward plan, once made
    fused: object = None  # step()'s generated function: None until built, False if none
    sums: list | None = None  # step()'s starting sums: 0.0 for a leaf, None for an op node

    # ---------------------------------------------------------------- building
    def add_leaf(self, name: str | None, kind: str, value: Value) -> int:
        """A leaf holding ``value``: an input, param or target (named), or a constant (None)."""
        i = self._append(Node(None, (), name), value)
        if name is not None:
            self.index[name] = i
            self.kind[name] = kind
        return i

    def add_op(self, op: str, inputs: Iterable[int], attrs: dict | None = None) -> int:
        """An unnamed node applying ``op`` (a key of OPS) to earlier nodes."""
        inputs = tuple(inputs)
        check_arity(op, len(inputs))
        self.nodes.append(Node(op, inputs, None, attrs or None))  # (_append, one call less)
        self.leaf_values.append(None)
        return len(self.nodes) - 1

    def op_adder(self) -> Callable[[str, tuple], int]:
        """``add(op, inputs)``: add_op for a caller that adds many op nodes without settings
        and has checked each op's arity (:func:`check_arity`) once, not once a node (an
        equation net's lowering: 10⁵ nodes in a long chain)."""
        nodes, add_value = self.nodes, self.leaf_values.append
        add_node = nodes.append

        def add(op: str, inputs: tuple) -> int:
            add_node(Node(op, inputs))
            add_value(None)
            return len(nodes) - 1
        return add

    def name(self, i: int, name: str, kind: str) -> int:
        """Give node ``i`` the user's ``name`` (kind: node, layer or loss).  A leaf, or a
        node already named (an alias ``b: a``), gets an identity node to carry the name,
        so every name has its own slot and its own ∂E."""
        node = self.nodes[i]
        if node.name is not None or node.op is None:
            i = self._append(Node("id", (i,)), None)
        self.nodes[i].name = name
        self.index[name] = i
        self.kind[name] = kind
        if kind == "loss":
            self.loss = i
        return i

    def _append(self, node, value):
        self.nodes.append(node)
        self.leaf_values.append(value)
        return len(self.nodes) - 1

    def names(self, *kinds: str) -> list[str]:
        """The named nodes (of the given kinds), in the order they were added."""
        return [n for n, k in self.kind.items() if not kinds or k in kinds]

    def consumers(self, i: int) -> list[int]:
        """The nodes that take node ``i`` as an input, in evaluation order."""
        return [j for j, node in enumerate(self.nodes) if i in node.inputs]

    def compile(self, wanted: Iterable[str] | None = None) -> Graph:
        """Freeze the graph into the flat plans the hot loops walk.

        ``wanted``: the leaves whose ∂E is needed (training: the params); None means
        every node's.  Backward then skips what leads only to other leaves (∂E/∂input
        of a layer net, a data column): ops whose backward takes ``need`` skip that
        work; what other ops still hand those leaves lands in their own slots, which
        nobody reads (``skipped``: Trace.grad refuses them).

        The plans are public for tools that walk them (check's kinks, the per-op
        benchmark): ``forward_plan`` is ``(node, forward, inputs)`` in evaluation order,
        ``backward_plan`` ``(node, backward, inputs)`` in the order backward runs them.
        """
        ops, plan = [], []
        for i, n in enumerate(self.nodes):
            if n.op is not None:
                op = OPS[n.op]
                ops.append(op)
                plan.append((i, partial(op.forward, **n.attrs) if n.attrs else op.forward, n.inputs))
        # Only nodes the loss depends on need a backward step ...
        needed = bytearray(len(self.nodes))
        needed[self.loss] = 1
        for i, _, ins in reversed(plan):
            if needed[i]:
                for j in ins:
                    needed[j] = 1
        # ... and of those, only the ones a wanted leaf reaches.
        live = None
        if wanted is not None:
            live = bytearray(len(self.nodes))
            for name in wanted:
                live[self.index[name]] = 1
            for i, _, ins in plan:
                if any(live[j] for j in ins):
                    live[i] = 1
        self.skipped = set() if live is None else {i for i, x in enumerate(live) if not x}
        self.fused = self.sums = self.walk = None
        self.forward_plan, self.planned = plan, (ops, needed, live)
        return self

    @property
    def backward_plan(self) -> list | None:
        """``(node, backward, inputs)`` in the order backward runs them; made when first
        asked for (a forward pass alone never needs it)."""
        if self.walk is None and self.planned is not None:
            ops, needed, live = self.planned
            self.walk = []
            for (i, _, ins), op in zip(reversed(self.forward_plan), reversed(ops)):
                if not needed[i] or (live is not None and not live[i]):
                    continue
                bwd = op.backward
                if live is not None and op.partial_backward and not all(live[j] for j in ins):
                    bwd = partial(bwd, need=tuple(bool(live[j]) for j in ins))
                self.walk.append((i, bwd, ins))
        return self.walk

    # ---------------------------------------------------------------- running
    def initial_values(self) -> list:
        return list(self.leaf_values)

    def forward(self, vals: list) -> list:
        """Fill ``vals`` (leaves set) with every node's value; return the caches."""
        if self.forward_plan is None:
            raise ValueError("bpcli bug: the graph runs only once compile() has made its plans")
        caches = [None] * len(vals)
        for i, fwd, ins in self.forward_plan:
            if len(ins) == 1:
                vals[i], caches[i] = fwd(vals[ins[0]])
            elif len(ins) == 2:
                vals[i], caches[i] = fwd(vals[ins[0]], vals[ins[1]])
            else:
                vals[i], caches[i] = fwd(*[vals[j] for j in ins])
        return caches

    def backward(self, caches: list, start: list | None = None) -> list:
        """∂E/∂node for every node, by one reverse walk (0.0 where E does not depend on
        it; not computed for nodes that compile(wanted) left out).

        ``start``: each node's sum before its first term (default 0.0 for all); None
        takes the first term as it is (see :meth:`step`)."""
        grads = [0.0] * len(caches) if start is None else list(start)
        grads[self.loss] = np.float64(1.0)
        for i, bwd, ins in self.backward_plan:
            for j, g in zip(ins, bwd(grads[i], caches[i])):
                total = grads[j]  # add, never assign: a node may feed several
                grads[j] = g if total is None else total + g
        return grads

    def step(self, vals: list, out: dict | None = None) -> list | dict:
        """A training step's forward and backward: fills vals[loss] (and, on the graph
        walk, every node's value) and returns ∂E per node, at least for the wanted leaves;
        ``out``: each wanted leaf's array to hold its ∂E (tensors only), written too.
        It runs as one generated function (:mod:`bpcli.engine.fused`), the same numbers
        bit for bit; where a net of numbers' Python floats raise (a division by 0, a power
        that overflows) that step takes the graph walk, whose NumPy gives inf or nan."""
        if self.fused is None:
            self.fused = fuse(self) or False
        if self.fused and out is None and self.fused.on_floats:
            try:
                return self.fused(vals)
            except (ArithmeticError, ValueError, TypeError):  # what floats raise, NumPy not
                pass
        elif self.fused:  # the plans' own functions: anything they raise is the walk's too
            return self.fused(vals) if out is None else self.fused(vals, out)
        if self.sums is None:
            # An op node's first term is taken as it is rather than added to 0.0, which
            # only turns a −0.0 into +0.0 (an array copy each): a sign of zero inside the
            # walk changes no nonzero number, and the leaves still start at 0.0, so every
            # param's ∂E keeps its bits.
            self.sums = [0.0 if n.op is None else None for n in self.nodes]
        grads = self.backward(self.forward(vals), self.sums)
        for j, held in (out or {}).items():
            held[...] = grads[j]
        return grads

    def run(self, vals: Iterable[Value] | None = None, backward: bool = True) -> "Trace":
        """Forward (and unless told otherwise, backward) from ``vals`` (default: the leaves'
        own values): every node's value and ∂E."""
        vals = self.initial_values() if vals is None else list(vals)
        caches = self.forward(vals)
        return Trace(self, vals, self.backward(caches) if backward else None)


@dataclass
class Trace:
    """Forward values and backward gradients of one run, read by name (``grads`` is None
    for a forward pass alone)."""

    graph: Graph
    vals: list
    grads: list | None

    @property
    def loss(self) -> Value:
        return self.vals[self.graph.loss]

    def value(self, name: str) -> Value:
        return self.vals[self.graph.index[name]]

    def grad(self, name: str) -> Value:
        if self.grads is None:
            raise KeyError(f"∂E/∂{name} was not computed: the run was forward only")
        i = self.graph.index[name]
        if i in self.graph.skipped:
            raise KeyError(f"∂E/∂{name} was not computed: the graph was compiled without it")
        g = self.grads[i]
        shape = np.shape(self.vals[i])
        return np.zeros(shape) + g if np.shape(g) != shape else np.float64(g)
