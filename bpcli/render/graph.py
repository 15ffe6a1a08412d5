"""A picture of the computation (:class:`bpcli.analysis.picture.Picture`) as SVG, Graphviz
dot or Mermaid.  Formatting only: every number is the picture's.

The SVG is laid out here, with no system binary: columns left to right in evaluation order,
boxes stacked in each, edges as curves from a box's right side to the next's left side,
each labelled with its local factor; the boxes on the paths to ``wrt`` and their edges in
red.  Each box carries a <title> (a tooltip: its full expression, value and ∂E).
"""
from __future__ import annotations

from xml.sax.saxutils import escape

import numpy as np

from ..analysis.picture import Picture
from ..text import shape_text
from .numbers import fmt
from .plot import write_graph_png

BOX_W, LINE_H, PAD, GAP_X, GAP_Y = 190, 15, 8, 90, 24
LIT, DIM, INK = "#d62728", "#9aa0a6", "#202124"
FILL = {"input": "#e8f0fe", "param": "#fef7e0", "target": "#f1f3f4", "node": "#ffffff",
        "loss": "#fce8e6", "layer": "#ffffff", "column": "#f1f3f4"}


def _number(v, precision=6) -> str:
    if v is None:
        return ""
    if np.ndim(v) == 0:
        return fmt(float(v), precision)
    return shape_text(np.shape(v))


def _grad(v, precision=6) -> str:
    if v is None:
        return ""
    if np.ndim(v) == 0:
        return fmt(float(v), precision)
    return f"‖·‖ {fmt(float(np.linalg.norm(v)), precision)}"


def box_lines(b) -> list[str]:
    """What a box says, line by line."""
    if b.kind == "column":
        return [b.id, b.text]
    lines = [f"{b.id}  ({b.kind})"]
    if b.text != b.kind:  # an expression, or a layer's description
        lines.append(b.text if len(b.text) <= 28 else b.text[:27] + "…")
    lines += [f"value {_number(b.value)}", f"∂E {_grad(b.grad)}"]
    lines += [f"{name} {shape_text(shape)}, ‖∂E‖ {fmt(norm, 4)}" for name, shape, norm in b.params]
    return lines


def _layout(p: Picture) -> dict:
    """Each box's (x, y, height): columns left to right; in a column, boxes in the order of
    the mean height of the boxes they connect to in the columns before (fewer crossings)."""
    by_column: dict = {}
    for b in p.boxes:
        by_column.setdefault(b.column, []).append(b)
    linked: dict = {}
    for e in p.edges:
        linked.setdefault(e.dst, []).append(e.src)
        linked.setdefault(e.src, []).append(e.dst)
    place = {}
    for c in sorted(by_column):
        column = by_column[c]
        known = {b.id: [place[n][1] for n in linked.get(b.id, ()) if n in place] for b in column}
        first = {b.id: k for k, b in enumerate(column)}  # ties keep evaluation order
        column.sort(key=lambda b: (sum(known[b.id]) / len(known[b.id]) if known[b.id]
                                   else float("inf"), first[b.id]))
        y = PAD * 6
        for b in column:
            h = PAD * 2 + LINE_H * len(box_lines(b))
            place[b.id] = (PAD * 3 + c * (BOX_W + GAP_X), y, h)
            y += h + GAP_Y
    return place


def svg(p: Picture) -> str:
    place = _layout(p)
    width = max(x for x, _, _ in place.values()) + BOX_W + PAD * 3
    height = max(y + h for _, y, h in place.values()) + PAD * 4 + (LINE_H if p.note else 0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
           'font-size="12">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#5f6368"/></marker>'
           f'<marker id="arrow-lit" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{LIT}"/></marker>'
           '</defs>',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{PAD * 3}" y="{PAD * 3}" font-weight="bold">{escape(p.title)}'
           + (escape(f" — the paths from E down to {p.wrt}") if p.wrt else "") + "</text>"]
    for e in p.edges:
        out.append(_edge(e, place))
    for b in p.boxes:
        out.append(_box(b, *place[b.id]))
    if p.note:
        out.append(f'<text x="{PAD * 3}" y="{height - PAD * 2}" fill="{DIM}">{escape(p.note)}</text>')
    return "\n".join(out + ["</svg>"]) + "\n"


def _edge(e, place) -> str:
    x1, y1, h1 = place[e.src]
    x2, y2, h2 = place[e.dst]
    ax, ay, bx, by = x1 + BOX_W, y1 + h1 / 2, x2, y2 + h2 / 2
    mid = (ax + bx) / 2
    color, width = (LIT, 2.2) if e.lit else ("#5f6368", 1)
    path = (f'<path class="edge{" lit" if e.lit else ""}" d="M{ax:.1f},{ay:.1f} C{mid:.1f},'
            f'{ay:.1f} {mid:.1f},{by:.1f} {bx:.1f},{by:.1f}" fill="none" stroke="{color}" '
            f'stroke-width="{width}" marker-end="url(#arrow{"-lit" if e.lit else ""})">'
            f'<title>∂{escape(e.dst)}/∂{escape(e.src)} = {escape(e.symbol)}</title></path>')
    if e.factor is None:
        return path
    label = fmt(e.factor, 4)
    lx, ly = (ax + bx) / 2 - 3.2 * len(label), (ay + by) / 2 - 3  # the curve's midpoint
    return (path + f'<text class="factor" x="{lx:.1f}" y="{ly:.1f}" fill="{color}" '
            f'font-size="10" stroke="white" stroke-width="3" paint-order="stroke">'
            f'{escape(label)}</text>')


def _box(b, x, y, h) -> str:
    lines = box_lines(b)
    stroke, width = (LIT, 2.2) if b.lit else (INK, 1)
    tip = f"{b.id} = {b.text}; value {_number(b.value, 15)}; ∂E/∂{b.id} {_grad(b.grad, 15)}"
    parts = [f'<g class="node{" lit" if b.lit else ""}" id="node-{escape(b.id)}">'
             f'<title>{escape(tip)}</title>',
             f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{h}" rx="6" '
             f'fill="{FILL.get(b.kind, "#ffffff")}" stroke="{stroke}" stroke-width="{width}"/>']
    for k, line in enumerate(lines):
        weight = ' font-weight="bold"' if k == 0 else ""
        parts.append(f'<text x="{x + PAD}" y="{y + PAD + LINE_H * (k + 1) - 3}"{weight}>'
                     f'{escape(line)}</text>')
    return "".join(parts) + "</g>"


def dot(p: Picture) -> str:
    """Graphviz dot: the same boxes and edges (rankdir LR: evaluation order, left to right)."""
    out = ["digraph bpcli {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", '
           'fillcolor=white, fontname="Helvetica"];',
           f'  label="{_dq(p.title)}"; labelloc=t;']
    for b in p.boxes:
        label = "\\n".join(_dq(line) for line in box_lines(b))
        extra = f', color="{LIT}", penwidth=2' if b.lit else ""
        out.append(f'  "{_dq(b.id)}" [label="{label}", fillcolor="{FILL.get(b.kind, "white")}"'
                   f"{extra}];")
    for e in p.edges:
        label = f'label="{fmt(e.factor, 4)}"' if e.factor is not None else ""
        extra = f'color="{LIT}", fontcolor="{LIT}", penwidth=2' if e.lit else ""
        attrs = ", ".join(a for a in (label, extra) if a)
        out.append(f'  "{_dq(e.src)}" -> "{_dq(e.dst)}"' + (f" [{attrs}]" if attrs else "") + ";")
    return "\n".join(out + ["}"]) + "\n"


def _dq(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


def mermaid(p: Picture) -> str:
    """Mermaid (renders inside Markdown on common hosting sites and in notebooks)."""
    ids = {b.id: f"n{k}" for k, b in enumerate(p.boxes)}
    out = ["flowchart LR"]
    for b in p.boxes:
        label = "<br/>".join(_mq(line) for line in box_lines(b))
        out.append(f'  {ids[b.id]}["{label}"]')
    lit = []
    for k, e in enumerate(p.edges):
        arrow = f'-- "{fmt(e.factor, 4)}" -->' if e.factor is not None else "-->"
        out.append(f"  {ids[e.src]} {arrow} {ids[e.dst]}")
        if e.lit:
            lit.append(str(k))
    lit_boxes = [ids[b.id] for b in p.boxes if b.lit]
    if lit_boxes:
        out.append(f"  classDef lit stroke:{LIT},stroke-width:2px")
        out.append(f"  class {','.join(lit_boxes)} lit")
    if lit:
        out.append(f"  linkStyle {','.join(lit)} stroke:{LIT},stroke-width:2px")
    return "\n".join(out) + "\n"


def _mq(text: str) -> str:
    return str(text).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def write_png(path: str, p: Picture) -> None:
    """The same picture as a PNG, through the optional 'plot' extra (matplotlib)."""
    write_graph_png(path, p, _layout(p), box_lines,
                    {"BOX_W": BOX_W, "FILL": FILL, "LIT": LIT, "LINE_H": LINE_H, "PAD": PAD})


FORMATS = {".svg": svg, ".dot": dot, ".gv": dot, ".mmd": mermaid}  # text formats
PICTURES = {".png": write_png}  # drawn through matplotlib
