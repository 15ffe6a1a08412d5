"""Rich renderables and JSON documents for each command; nothing here prints."""
from __future__ import annotations

import math

import numpy as np
from rich import box
from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .graph import LOSS
from .train import sample_steps

SIGN_NOTE = ("Sign: E is the loss exactly as written in the file, and w ← w − η·∂E/∂w lowers it. "
             "The seed note writes E = −Σ½(f(O) − y)² and (y − f(O1)) as the first factor: "
             "that expression is −∂E/∂w, the descent direction.")


# ------------------------------------------------------------------ numbers

def fmt(v, precision: int) -> str:
    """Fixed ``precision`` decimals, so a column's decimal points line up; tiny and
    huge magnitudes in scientific notation with as many significant digits."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    if a == 0 or 1e-3 <= a < 1e7:
        return f"{v:.{precision}f}"
    return f"{v:.{max(precision - 1, 0)}e}"


def plain(v):
    """A JSON-ready number (or nested lists of them): full float64, null for nan/inf."""
    if isinstance(v, np.ndarray) and v.ndim:
        return [plain(x) for x in v]
    v = float(v)
    return v if math.isfinite(v) else None


def _titled(title, *parts):
    """A heading line above the table: as a table title a narrow table would wrap it."""
    return Group(Text(title, style="bold"), *parts)


def _table(text_columns, number_columns):
    # Cells are Text, never markup: a user's name or expression may hold "[".
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name in text_columns:
        t.add_column(name)
    for name in number_columns:
        t.add_column(name, justify="right", no_wrap=True)
    return t


def _row(t, *cells, **kw):
    t.add_row(*(Text(c) if isinstance(c, str) else c for c in cells), **kw)


def _title(net):
    return net.name or net.path


def _kind_text(kind):
    return Text(kind, style="dim italic")


# ------------------------------------------------------------------ forward

def forward_table(net, trace, precision):
    t = _table(("name", "expression"), ("value",))
    for name, kind, _ in net.leaves():
        _row(t, name, _kind_text(kind), fmt(trace.value(name), precision))
    for name, (text, _) in net.nodes.items():
        _row(t, name, text, fmt(trace.value(name), precision))
    t.add_section()
    _row(t, Text(LOSS, style="bold"), net.loss[0], Text(fmt(trace.loss, precision), style="bold"))
    return _titled(f"{_title(net)} — forward pass", t)


def forward_json(net, trace):
    values = {name: plain(trace.value(name)) for name, _, _ in net.leaves()}
    values.update({name: plain(trace.value(name)) for name in net.nodes})
    return {"values": values, "loss": plain(trace.loss)}


# ------------------------------------------------------------------ grad

def grad_tables(net, trace, precision):
    nodes = _table(("name", "expression"), ("value", "∂E/∂name"))
    _row(nodes, LOSS, net.loss[0], fmt(trace.loss, precision), fmt(1.0, precision))
    for name in reversed(list(net.nodes)):
        _row(nodes, name, net.nodes[name][0], fmt(trace.value(name), precision),
                      fmt(trace.grad(name), precision))
    for name, kind, _ in net.leaves():
        if kind != "param":
            _row(nodes, name, _kind_text(kind), fmt(trace.value(name), precision),
                          fmt(trace.grad(name), precision))
    params = _table(("param",), ("value", "∂E/∂param"))
    for name in net.params:
        _row(params, name, fmt(trace.value(name), precision), fmt(trace.grad(name), precision))
    return Group(_titled(f"{_title(net)} — backward pass, ∂E/∂node in the order completed", nodes),
                 Text(), _titled("∂E/∂param", params))


def chain_table(c, precision):
    """Each path on a row of its own with its product, then a row per local factor
    (symbolic form, value); then the sum.  A factor's row holds nothing that can wrap
    far, so at any width a factor stays beside its formula and value."""
    n = "1 path" if c.count == 1 else f"{c.count} paths"  # (0 paths: E does not use it)
    t = _table(("#", "path / local factor", "symbolic"), ("value", "product"))
    for k, p in enumerate(c.paths, 1):
        _row(t, str(k), Text(" → ".join(p.nodes), style="bold"), "", "",
             fmt(p.product, precision), end_section=not p.factors)
        if not p.factors:  # the path from E to itself
            continue
        last = len(p.factors) - 1
        for i, f in enumerate(p.factors):
            _row(t, "", f"  ∂{f.of}/∂{f.wrt}", f.symbol, fmt(f.value, precision), "",
                 end_section=i == last)
    _row(t, "", Text("Σ over paths", style="bold"), "", "",
         Text(fmt(c.total, precision), style="bold"))
    parts = [t]
    if c.count > len(c.paths):
        parts.append(Text(f"… and {c.count - len(c.paths)} more paths, not listed; "
                          "the sum covers all of them.", style="dim"))
    if not (math.isfinite(c.total) and math.isfinite(c.backward)):
        mark = "[yellow]? not finite, so not comparable[/]"
    else:
        mark = "[green]✓ equal[/]" if c.agrees else "[red bold]✗ NOT equal[/]"
    if c.count == 0:
        parts = [Text(f"E does not depend on {c.wrt}: no path leads from E down to it.")]
        what = "0, with no path"
    else:
        what = "the path product" if c.count == 1 else f"the sum over all {c.count} paths"
    parts.append(Text.from_markup(
        f"backward pass: ∂E/∂{escape(c.wrt)} = {fmt(c.backward, precision)}   {mark} to {what}"))
    return _titled(f"∂E/∂{c.wrt} by the chain rule — {n} from E down to {c.wrt} ({c.kind})",
                   *parts)


def grad_json(net, trace, chains=()):
    doc = {"loss": plain(trace.loss),
           "grads": {name: plain(trace.grad(name)) for name in net.params},
           "node_grads": {name: plain(trace.grad(name))
                          for name, kind, _ in net.leaves() if kind != "param"}}
    doc["node_grads"].update({name: plain(trace.grad(name)) for name in net.nodes})
    if chains:
        doc["chain"] = {c.wrt: {
            "value": plain(c.backward),
            "sum_over_paths": plain(c.total),
            "path_count": c.count,
            "paths": [{"nodes": list(p.nodes),
                       "factors": [{"of": f.of, "wrt": f.wrt, "symbol": f.symbol,
                                    "value": plain(f.value)} for f in p.factors],
                       "product": plain(p.product)} for p in c.paths]}
            for c in chains}
    return doc


# ------------------------------------------------------------------ train

def train_tables(net, result, every, precision):
    h = result.history
    losses = _table((), ("step", "E"))
    for k in sample_steps(result.steps, every):
        _row(losses, str(k), fmt(h[k - 1], precision))
    losses.add_section()
    _row(losses, "final", Text(fmt(result.final_loss, precision), style="bold"))
    params = _table(("param",), ("initial", "final", "Δ"))
    for name, w in result.params.items():
        w0 = result.initial[name]
        _row(params, name, fmt(w0, precision), fmt(w, precision), fmt(w - w0, precision))
    title = f"{_title(net)} — training, η = {result.eta:g}, {result.steps} steps"
    note = Text("E at step k: the loss of step k's forward pass, before its update. "
                "final: E with the final params.", style="dim")
    return Group(_titled(title, losses, note), Text(), _titled("params", params))


def train_json(result):
    return {"history": [{"step": k, "loss": plain(e)} for k, e in enumerate(result.history, 1)],
            "final_loss": plain(result.final_loss),
            "params": {name: plain(v) for name, v in result.params.items()}}
