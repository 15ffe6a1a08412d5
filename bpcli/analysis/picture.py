"""The computation as a picture: boxes and edges, laid out in columns by evaluation order,
made once from a run of the net — every number a renderer draws (SVG, Graphviz dot,
Mermaid) is here, so a picture and the tables of the same run agree.

A net of equations: a box per leaf, named node and E (name, expression, value, ∂E), an edge
from each name to every node whose expression uses it, labelled with the local factor ∂a/∂b
(from the ops' symbolic rules); ``wrt`` highlights every path from E down to that name, as
`grad --wrt` lists them.  A layer net: a box per layer (its output's shape, its params'
shapes, ‖∂E‖).  Past MAX_BOXES the picture draws its columns only, and says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine import LOSS, derivative, evaluate
from ..errors import UsageError
from ..nets import Net
from ..symbolic import names, to_text
from .tracing import traced

MAX_BOXES = 60  # boxes a picture stays readable with; past it, a box per column
MAX_COLUMNS = 200  # columns past which no picture is drawn at all


@dataclass(frozen=True)
class Box:
    id: str  # the name
    kind: str  # input, param, target, node, loss, layer
    text: str  # the expression, or the layer's description
    value: object  # a number, or an array (its shape is drawn)
    grad: object  # ∂E/∂name: a number, or an array (its norm is drawn)
    column: int
    lit: bool = False  # on a path from E down to wrt
    params: tuple = ()  # a layer's params: (name, shape, ‖∂E‖)


@dataclass(frozen=True)
class Edge:
    src: str  # b, the name used ...
    dst: str  # ... by a, the node computing from it
    factor: float | None  # ∂a/∂b, a number (None between tensors)
    symbol: str = ""
    lit: bool = False


@dataclass
class Picture:
    title: str
    boxes: list[Box]
    edges: list[Edge]
    wrt: str | None = None
    columns_only: bool = False  # too many boxes: one box per column, saying how many names
    note: str = ""
    warnings: list[str] = field(default_factory=list)


def picture(net: Net, wrt: str | None = None, where: str = "") -> Picture:
    """The picture of ``net`` after one forward and backward pass."""
    trace, warnings = traced(net.build())
    if net.expressions is None:
        if wrt is not None:
            raise UsageError("wrt", wrt, "highlights paths of named nodes, in nets written as "
                                         "equations; a layer net's picture is its layers")
        return _layers(net, trace, warnings)
    if wrt is not None and wrt not in net.names():
        net.resolve(wrt, where or net.title)  # the one-line "no such name, did you mean"
    return _equations(net, trace, wrt, warnings)


def _equations(net, trace, wrt, warnings) -> Picture:
    exprs = net.expressions
    leaves = {name: kind for name, kind, _ in net.leaves()}
    order = list(leaves) + net.node_names() + [LOSS]
    uses = {a: list(dict.fromkeys(names(e))) for a, e in exprs.items()}
    column = {n: 0 for n in leaves}
    for a in order[len(leaves):]:
        column[a] = 1 + max((column[b] for b in uses[a]), default=-1)
    for n in leaves:  # a leaf stands just before the first node that uses it
        users = [column[a] for a in order[len(leaves):] if n in uses[a]]
        column[n] = max(0, min(users, default=1) - 1)
    lit = _on_paths(uses, order, wrt) if wrt is not None else set()
    scalar = all(np.ndim(trace.value(n)) == 0 for n in order)
    env = {n: trace.value(n) for n in order}
    boxes = [Box(n, leaves.get(n, "loss" if n == LOSS else "node"),
                 net.loss_text if n == LOSS else (net.nodes[n][0] if n in net.nodes else
                                                   leaves[n]),
                 trace.value(n), trace.grad(n), column[n], n in lit) for n in order]
    edges = []
    for a in order[len(leaves):]:
        for b in uses[a]:
            factor, text = None, ""
            if scalar:  # between vectors a local factor is a Jacobian: no number on the edge
                sym = derivative(exprs[a], b, out_name=a)
                factor, text = float(evaluate(sym, env)), to_text(sym)
            edges.append(Edge(b, a, factor, text, a in lit and b in lit))
    return _capped(Picture(net.title, boxes, edges, wrt, warnings=list(warnings)))


def _on_paths(uses, order, wrt) -> set:
    """The names on some path from E down to ``wrt`` (both included), if any."""
    reaches = {wrt}
    for a in order:  # evaluation order: every name a uses comes before it
        if a in uses and any(b in reaches for b in uses[a]):
            reaches.add(a)
    if LOSS not in reaches:
        return set()
    on = {LOSS}
    for a in reversed(order):
        if a in on:
            on.update(b for b in uses.get(a, ()) if b in reaches)
    return on


def _layers(net, trace, warnings) -> Picture:
    def seen(name, v):
        return net.as_seen(name, v)

    boxes = [Box("input", "input", "the input", seen("input", trace.value("input")),
                 seen("input", trace.grad("input")), 0)]
    edges, prev = [], "input"
    for k, layer in enumerate(net.layers, 1):
        params = tuple((p, np.shape(net.params[p]), float(np.linalg.norm(trace.grad(p))))
                       for p in layer.params)
        boxes.append(Box(layer.name, "layer", layer.text, seen(layer.name, trace.value(layer.name)),
                         seen(layer.name, trace.grad(layer.name)), k, params=params))
        edges.append(Edge(prev, layer.name, None))
        prev = layer.name
    boxes.append(Box(LOSS, "loss", net.loss_text, trace.loss, 1.0, len(net.layers) + 1))
    edges.append(Edge(prev, LOSS, None))
    return _capped(Picture(net.title, boxes, edges, warnings=list(warnings)))


def _capped(p: Picture) -> Picture:
    """Past MAX_BOXES: one box per column, naming how many names it holds."""
    if len(p.boxes) <= MAX_BOXES:
        return p
    columns = sorted({b.column for b in p.boxes})
    if len(columns) > MAX_COLUMNS:
        raise UsageError(None, None, f"{p.title}: {len(p.boxes):,} names in {len(columns):,} "
                                     f"columns are too many to draw (a picture stays readable "
                                     f"up to {MAX_COLUMNS} columns); bpcli grad lists them all")
    boxes = []
    for c in columns:
        held = [b for b in p.boxes if b.column == c]
        boxes.append(Box(f"column {c}", "column", f"{len(held)} names: {held[0].id} … "
                         f"{held[-1].id}" if len(held) > 1 else held[0].id, None, None, c,
                         any(b.lit for b in held)))
    edges = [Edge(f"column {a}", f"column {b}", None, lit=False)
             for a, b in zip(columns, columns[1:])]
    note = (f"{len(p.boxes)} boxes are more than a picture shows readably ({MAX_BOXES}): one "
            "box per column of the layout instead; bpcli grad lists every name")
    return Picture(p.title, boxes, edges, p.wrt, True, note, p.warnings)
