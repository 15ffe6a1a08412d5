"""`bpcli report`: one self-contained HTML page — no network access: its style, script and
picture inline — that a teacher can mail or publish: the network file, the graph picture
(each box's expression, value and ∂E on hover), the forward and gradient tables, and every
param's chain-rule breakdown, collapsed.  The tables are :mod:`.documents`' in HTML words;
formatting only."""
from __future__ import annotations

from html import escape

import numpy as np

from .documents import document, explanation
from .graph import svg

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #202124; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; } h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.9em; }
th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #e0e0e0; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; }
.picture { overflow-x: auto; border: 1px solid #e0e0e0; padding: 0.5em; }
details { margin: 0.4em 0; } summary { cursor: pointer; font-weight: 600; }
#hover { position: fixed; right: 1em; bottom: 1em; max-width: 32em; background: #fff8e1;
         border: 1px solid #e0c060; padding: 0.4em 0.7em; font-size: 0.85em; display: none; }
"""
SCRIPT = """
document.querySelectorAll('svg g.node').forEach(function (g) {
  var box = document.getElementById('hover');
  g.addEventListener('mouseenter', function () {
    box.textContent = g.querySelector('title').textContent; box.style.display = 'block'; });
  g.addEventListener('mouseleave', function () { box.style.display = 'none'; });
});
"""


class HtmlWriter:
    def h(self, level: int, text: str) -> str:
        return f"<h{level}>{escape(text)}</h{level}>\n"

    def table(self, heads: list, rows: list, numbers: int) -> str:
        first = len(heads) - numbers

        def cells(tag, values):
            return "".join(f'<{tag}{" class=num" if k >= first else ""}>{escape(str(v))}</{tag}>'
                           for k, v in enumerate(values))
        return ("<table><thead><tr>" + cells("th", heads) + "</tr></thead><tbody>"
                + "".join("<tr>" + cells("td", r) + "</tr>" for r in rows) + "</tbody></table>\n")

    def math(self, lines: list) -> str:
        return ('<pre class="math">' + escape("\n".join(line.replace("&", "") for line in lines))
                + "</pre>\n")

    def p(self, text: str, style: str = "", raw: bool = False) -> str:
        body = text if raw else escape(text)
        return {"": f"<p>{body}</p>", "em": f"<p><em>{body}</em></p>",
                "strong": f"<p><strong>{body}</strong></p>"}[style] + "\n"

    def code(self, text: str) -> str:
        return f"<code>{escape(text)}</code>"


def loss_curve(history: list, every: int) -> str:
    """E by step as an inline SVG polyline (a log scale when E spans over two decades)."""
    e = np.asarray(history, dtype=float)
    e = e[:int(np.argmin(np.isfinite(e)))] if not np.all(np.isfinite(e)) else e  # to the halt
    if e.size < 2:
        return "<p><em>(too few finite values of E to draw)</em></p>"
    log = bool(np.all(e > 0) and e.max() / e.min() > 100)
    y = np.log10(e) if log else e
    lo, hi = float(y.min()), float(y.max())
    span = hi - lo or 1.0
    width, height, left, top = 640, 240, 70, 15
    xs = left + np.arange(len(e)) * (width - left - 10) / max(1, len(e) - 1)
    ys = top + (hi - y) / span * (height - top - 35)
    points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys))
    label = (lambda v: f"{10 ** v:.3g}") if log else (lambda v: f"{v:.3g}")
    steps = (len(e) - 1) * every + 1
    return (f'<svg class="loss-curve" xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" font-size="11" font-family="sans-serif">'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<polyline fill="none" stroke="#1a73e8" stroke-width="1.5" points="{points}"/>'
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - 20}" stroke="#5f6368"/>'
            f'<line x1="{left}" y1="{height - 20}" x2="{width - 10}" y2="{height - 20}" '
            f'stroke="#5f6368"/>'
            f'<text x="{left - 5}" y="{top + 4}" text-anchor="end">{label(hi)}</text>'
            f'<text x="{left - 5}" y="{height - 22}" text-anchor="end">{label(lo)}</text>'
            f'<text x="{left}" y="{height - 5}">1</text>'
            f'<text x="{width - 10}" y="{height - 5}" text-anchor="end">{steps}</text>'
            f'<text x="{width / 2}" y="{height - 5}" text-anchor="middle">step'
            f'{" (E on a log scale)" if log else ""}</text></svg>')


def page(title: str, source: str, picture, forward, grad, chains: list, precision: int,
         history: list | None = None, every: int = 1) -> str:
    """The report page: the net's file, its picture, its tables, each param's chain rule, and
    the loss curve of the training that saved the file (train --save)."""
    w = HtmlWriter()
    parts = [f"<h1>{escape(title)}</h1>", "<h2>The network file</h2>",
             f"<pre class=source>{escape(source)}</pre>",
             "<h2>The computation</h2><p>Hover over a box for its expression, value and ∂E.</p>",
             f'<div class="picture">{svg(picture)}</div>',
             document(forward, precision, w), document(grad, precision, w)]
    if history:
        parts += ["<h2>Training</h2>", "<p>E at each step of the training that saved this file "
                  "(from its header, written by <code>bpcli train --save</code>).</p>",
                  loss_curve(history, every)]
    if chains:
        parts.append("<h2>Each param's chain rule</h2>")
        for name, e in chains:
            parts.append(f"<details><summary>∂E/∂{escape(name)}</summary>"
                         f"{explanation(e, precision, w)}</details>")
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(parts) + '<div id="hover"></div>\n'
            f"<script>{SCRIPT}</script></body></html>\n")
