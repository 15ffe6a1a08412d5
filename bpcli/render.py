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
from .explain import MAX_UNITS_JSON, MAX_UNITS_SHOWN, per_sample_trace
from .expr import Call, Name
from .train import sample_steps

SIGN_NOTE = ("Sign: E is the loss exactly as written in the file, and w ← w − η·∂E/∂w lowers it. "
             "The seed note writes E = −Σ½(f(O) − y)² and (y − f(O1)) as the first factor: "
             "that expression is −∂E/∂w, the descent direction.")


# ------------------------------------------------------------------ numbers

def fmt(v, precision: int) -> str:
    """Fixed ``precision`` decimals, so a column's decimal points line up; tiny and
    huge magnitudes in scientific notation with as many significant digits.  A vector
    (an equation net's softmax) prints as [a, b, c]."""
    if np.ndim(v):
        return "[" + ", ".join(fmt(x, precision) for x in np.asarray(v)) + "]"
    v = float(v) + 0.0  # + 0.0 turns −0 into 0
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
    v = float(v) + 0.0  # no −0 in JSON
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


def _mark(agrees, *values):
    """A check's verdict: equal, NOT equal, or not comparable when a value is nan or inf."""
    if not all(np.all(np.isfinite(v)) for v in values):
        return "[yellow]? not finite, so not comparable[/]"
    return "[green]✓ equal[/]" if agrees else "[red bold]✗ NOT equal[/]"


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _title(net):
    return net.name or net.path


def _kind_text(kind):
    return Text(kind, style="dim italic")


# ------------------------------------------------------------------ forward

def _at(v, k):
    """Sample k's value of a name in a net with a data set (names not fed by the
    data, a param or a node of params only, hold one value for all samples)."""
    return v if np.ndim(v) == 0 else np.asarray(v)[k]


def _per_sample_loss(trace):
    """The loss expression's value at every sample (E is its mean)."""
    g = trace.graph
    return trace.vals[g.nodes[g.loss].inputs[0]]


def _data_columns(net, rows, width, sample, beside=0):
    """Which samples of a data set get a column: the one asked for; else all of them
    when they fit the width beside the name (and ``beside`` more characters); else 0."""
    n = net.samples()[0]
    if sample is not None:
        return [sample]
    cell = max(len(c) for _, _, cells in rows for c in cells) + 2
    label = max(len(name) for name, _, _ in rows) + 2
    return list(range(n)) if label + beside + n * cell <= width else [0]


def _data_table(net, rows, columns, text_columns, title, notes=()):
    """Rows of (name, expression or kind, per-sample strings), a column per sample shown."""
    n = net.samples()[0]
    t = _table(text_columns, [f"sample {k}" for k in columns])
    for name, text, cells in rows:
        if name is None:
            t.add_section()
            continue
        lead = [name] + ([text] if len(text_columns) > 1 else [])
        _row(t, *lead, *(cells[k] for k in columns))
    parts = [t]
    if len(columns) < n:
        parts.insert(0, Text(f"a data set of {n} samples: showing sample {columns[0]} (--sample K "
                             "for another; --format json has them all)", style="dim"))
    parts += [Text(note, style="dim") for note in notes]
    return _titled(title, *parts)


def forward_table(net, trace, precision, width=100, sample=None):
    if net.data:
        return _forward_data(net, trace, precision, width, sample)
    t = _table(("name", "expression"), ("value",))
    for name, kind, _ in net.leaves():
        _row(t, name, _kind_text(kind), fmt(trace.value(name), precision))
    for name, (text, _) in net.nodes.items():
        _row(t, name, text, fmt(trace.value(name), precision))
    t.add_section()
    _row(t, Text(LOSS, style="bold"), net.loss[0], Text(fmt(trace.loss, precision), style="bold"))
    return _titled(f"{_title(net)} — forward pass", t)


def _forward_data(net, trace, precision, width, sample):
    n = net.samples()[0]
    cells = lambda v: [fmt(_at(v, k), precision) for k in range(n)]  # noqa: E731
    shared = _table(("name", "kind"), ("value",))  # the params: the same for every sample
    rows = []
    for name, kind, value in net.leaves():
        if np.ndim(value) == 0:
            _row(shared, name, _kind_text(kind), fmt(value, precision))
        else:
            rows.append((name, _kind_text(kind), cells(value)))
    rows += [(name, text, cells(trace.value(name))) for name, (text, _) in net.nodes.items()]
    rows += [(None, None, None), ("loss", net.loss[0], cells(_per_sample_loss(trace)))]
    longest = max(len(text) for text, _ in net.nodes.values()) if net.nodes else 0
    longest = max(longest, len(net.loss[0]), 6)  # 6: "target", a leaf's kind
    columns = _data_columns(net, [r for r in rows if r[0]], width, sample, beside=min(longest, 30) + 2)
    return Group(_titled(f"{_title(net)} — forward pass on a data set of {_plural(n, 'sample')}",
                         Text("the same for every sample", style="dim"), shared),
                 Text(),
                 _data_table(net, rows, columns, ("name", "expression"), "per sample",
                             [f"E = the mean of the loss over the {_plural(n, 'sample')} = "
                              f"{fmt(trace.loss, precision)}"]))


def forward_json(net, trace):
    values = {name: plain(trace.value(name)) for name, _, _ in net.leaves()}
    values.update({name: plain(trace.value(name)) for name in net.nodes})
    return {"values": values, "loss": plain(trace.loss)}


# ------------------------------------------------------------------ grad

def grad_tables(net, trace, precision, width=100, sample=None):
    params = _table(("param",), ("value", "∂E/∂param"))
    for name in net.params:
        _row(params, name, fmt(trace.value(name), precision), fmt(trace.grad(name), precision))
    if net.data:
        n = net.samples()[0]
        # each sample's share, also of a node every sample shares (one made of params only)
        wide = per_sample_trace(net)
        cells = lambda name: [fmt(v, precision) for v in wide.grad(name)]  # noqa: E731
        rows = [("loss", "", [fmt(1 / n, precision)] * n)]
        rows += [(name, "", cells(name)) for name in reversed(list(net.nodes))]
        rows += [(name, "", cells(name)) for name, kind, _ in net.leaves() if kind != "param"]
        columns = _data_columns(net, rows, width, sample)
        return Group(_data_table(
            net, rows, columns, ("name",),
            f"{_title(net)} — backward pass, ∂E/∂name at each sample, in the order completed",
            [f"E is the mean of the loss over the {_plural(n, 'sample')}, so each sample's ∂E/∂name carries "
             f"a factor 1/{n}; a param's ∂E/∂param below is the sum over the samples."]),
            Text(), _titled("∂E/∂param", params))
    nodes = _table(("name", "expression"), ("value", "∂E/∂name"))
    _row(nodes, LOSS, net.loss[0], fmt(trace.loss, precision), fmt(1.0, precision))
    for name in reversed(list(net.nodes)):
        _row(nodes, name, net.nodes[name][0], fmt(trace.value(name), precision),
                      fmt(trace.grad(name), precision))
    for name, kind, _ in net.leaves():
        if kind != "param":
            _row(nodes, name, _kind_text(kind), fmt(trace.value(name), precision),
                          fmt(trace.grad(name), precision))
    parts = [_titled(f"{_title(net)} — backward pass, ∂E/∂node in the order completed", nodes),
             Text(), _titled("∂E/∂param", params)]
    for name, (_, e) in net.nodes.items():
        if isinstance(e, Call) and e.op == "softmax" and isinstance(e.args[0], Name):
            z = e.args[0].id
            parts += [Text(), Text(f"softmax Jacobian of {name} = softmax({z})", style="bold"),
                      Text(JACOBIAN_NOTE, style="dim"),
                      jacobian_table(np.asarray(trace.value(name)), np.asarray(trace.grad(name)),
                                     np.asarray(trace.grad(z)), precision, width)]
    return Group(*parts)


def vector_grads(net, trace, names, precision):
    """--wrt in an equation net with vectors: ∂E/∂name of each (paths of numbers do not
    apply; the softmax Jacobians are in grad's full output)."""
    t = _table(("name",), ("∂E/∂name",))
    for name in dict.fromkeys(names):
        _row(t, name, fmt(trace.grad(name), precision))
    return _titled(f"{_title(net)} — ∂E/∂name", t, Text(
        "This net has vectors: a path's factors would be Jacobians, not numbers, so there is no "
        "path-by-path breakdown; `bpcli grad` without --wrt shows each softmax's Jacobian.",
        style="dim"))


def chain_table(c, precision, e=LOSS, intro=None):
    """Each path on a row of its own with its product, then a row per local factor
    (symbolic form, value); then the sum.  A factor's row holds nothing that can wrap
    far, so at any width a factor stays beside its formula and value.  ``e``: what E
    is called (E_2 for sample 2's loss in a net with a data set)."""
    n = "1 path" if c.count == 1 else f"{c.count} paths"  # (0 paths: E does not use it)
    t = _table(("#", "path / local factor", "symbolic"), ("value", "product"))
    lead = [Text(intro, style="dim")] if intro else []
    for k, p in enumerate(c.paths, 1):
        _row(t, str(k), Text(" → ".join(e if x == LOSS else x for x in p.nodes), style="bold"),
             "", "", fmt(p.product, precision), end_section=not p.factors)
        if not p.factors:  # the path from E to itself
            continue
        last = len(p.factors) - 1
        for i, f in enumerate(p.factors):
            _row(t, "", f"  ∂{e if f.of == LOSS else f.of}/∂{f.wrt}", f.symbol,
                 fmt(f.value, precision), "", end_section=i == last)
    _row(t, "", Text("Σ over paths", style="bold"), "", "",
         Text(fmt(c.total, precision), style="bold"))
    parts = [*lead, t]
    if c.count > len(c.paths):
        parts.append(Text(f"… and {c.count - len(c.paths)} more paths, not listed; "
                          "the sum covers all of them.", style="dim"))
    mark = _mark(c.agrees, c.total, c.backward)
    if c.count == 0:
        parts = [*lead, Text(f"{e} does not depend on {c.wrt}: no path leads from {e} down to it.")]
        what = "0, with no path"
    else:
        what = "the path product" if c.count == 1 else f"the sum over all {c.count} paths"
    parts.append(Text.from_markup(
        f"backward pass: ∂{e}/∂{escape(c.wrt)} = {fmt(c.backward, precision)}   {mark} to {what}"))
    return _titled(f"∂{e}/∂{c.wrt} by the chain rule — {n} from {e} down to {c.wrt} ({c.kind})",
                   *parts)


def sample_chain_table(sc, precision):
    """A net with a data set: the chain rule at one sample, then how that sample's
    ∂E_k/∂name enters ∂E/∂name, E being the mean of the loss over the samples."""
    k, n, name = sc.sample, sc.samples, escape(sc.chain.wrt)
    e = f"E_{k}"
    intro = f"sample {k} of {n} (--sample K for another): {e} is the loss at sample {k}"
    per = sc.per_sample
    ok = _mark(sc.agrees, per, sc.backward)
    if sc.shared:  # a param (or a value every sample uses): its ∂E sums over the samples
        listed = ", ".join(fmt(v, precision) for v in per[:4]) + (", …" if n > 4 else "")
        lines = [f"E = (1/{n})·Σ_k E_k, so ∂E/∂{name} = (1/{n})·Σ_k ∂E_k/∂{name}",
                 f"  = (1/{n})·Σ[{listed}] = {fmt(per.mean(), precision)}",
                 f"  backward pass: ∂E/∂{name} = {fmt(sc.backward, precision)}   {ok}"]
    else:  # a value of sample k alone
        lines = [f"E = (1/{n})·Σ_k E_k, so ∂E/∂{name} at sample {k} = (1/{n})·∂{e}/∂{name} "
                 f"= {fmt(per[k] / n, precision)}",
                 f"  backward pass: ∂E/∂{name} at sample {k} = {fmt(sc.backward, precision)}   {ok}"]
    return Group(chain_table(sc.chain, precision, e, intro),
                 *(Text.from_markup(line) for line in lines))


def grad_json(net, trace, chains=()):
    doc = {"loss": plain(trace.loss),
           "grads": {name: plain(trace.grad(name)) for name in net.params},
           "node_grads": {name: plain(trace.grad(name))
                          for name, kind, _ in net.leaves() if kind != "param"}}
    doc["node_grads"].update({name: plain(trace.grad(name)) for name in net.nodes})
    if chains:
        doc["chain"] = {}
        for c in chains:
            sc, c = (c, c.chain) if hasattr(c, "chain") else (None, c)
            entry = {"value": plain(c.backward),
                     "sum_over_paths": plain(c.total),
                     "path_count": c.count,
                     "paths": [{"nodes": list(p.nodes),
                                "factors": [{"of": f.of, "wrt": f.wrt, "symbol": f.symbol,
                                             "value": plain(f.value)} for f in p.factors],
                                "product": plain(p.product)} for p in c.paths]}
            if sc is not None:  # the paths are sample k's; value is ∂E/∂name over the set
                entry = {"value": plain(sc.backward), "sample": sc.sample,
                         "sample_value": entry.pop("value"), **entry,
                         "per_sample": plain(sc.per_sample)}
            doc["chain"][c.wrt] = entry
    return doc


# ------------------------------------------------------------------ train

def train_tables(net, result, every, precision, width=100):
    h = result.history
    losses = _table((), ("step", "E"))
    for k in sample_steps(result.steps, every):
        _row(losses, str(k), fmt(h[k - 1], precision))
    losses.add_section()
    _row(losses, "final", Text(fmt(result.final_loss, precision), style="bold"))
    how = f"η = {result.eta:g}, {_plural(result.steps, 'step')}"
    if result.momentum:
        how += f", momentum {result.momentum:g}"
    title = f"{_title(net)} — training: {how}"
    if result.samples > 1:  # on a line of its own: a long title would wrap mid-phrase
        epochs = f"{result.epochs:.4g}"
        title += (f"\n{result.samples} samples in batches of {result.batch_size}, "
                  f"{epochs} epoch{'' if epochs == '1' else 's'}")
    note = Text("E at step k: the loss of step k's forward pass" +
                (" on its batch" if result.batch_size < result.samples else "") +
                ", before its update. final: E " +
                ("on the whole set " if result.samples > 1 else "") + "with the final params.",
                style="dim")
    parts = [_titled(title, losses, note)]
    if result.accuracy is not None:
        a0, a1 = result.accuracy
        parts.append(Text.assemble("accuracy on the training set: ", f"{a0:.1%} before, ",
                                   (f"{a1:.1%}", "bold"), " after"))
    if len(h) >= 2:
        parts += [Text(), loss_curve(h, width)]
    tensors = any(np.ndim(w) for w in result.params.values())
    if tensors:  # a tensor's change in one number: its norm (every value is in --format json)
        params = _table(("param", "shape"), ("‖initial‖", "‖final‖", "‖Δ‖"))
        for name, w in result.params.items():
            w0 = result.initial[name]
            _row(params, name, shape_text(np.shape(w)), fmt(np.linalg.norm(w0), precision),
                 fmt(np.linalg.norm(w), precision), fmt(np.linalg.norm(w - w0), precision))
        pnote = Text("‖·‖: the Euclidean norm of all of a tensor's values; "
                     "--save or --format json gives them all.", style="dim")
        return Group(*parts, Text(), _titled("params", params, pnote))
    params = _table(("param",), ("initial", "final", "Δ"))
    for name, w in result.params.items():
        w0 = result.initial[name]
        _row(params, name, fmt(w0, precision), fmt(w, precision), fmt(w - w0, precision))
    return Group(*parts, Text(), _titled("params", params))


def loss_curve(history, width=100, height=10):
    """E against the step as a character plot; a log scale when E spans over 2 decades."""
    h = np.asarray(history, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(h))
    note = []
    if bad.size:  # plotted up to the first step whose E is nan or inf
        h = h[:bad[0]]
        note = [Text(f"(E is not finite at step {bad[0] + 1}: the curve stops before it)",
                     style="dim")]
    if h.size < 2:
        return Text("(no loss curve: fewer than 2 steps with a finite E)", style="dim")
    log = bool(np.all(h > 0) and h.max() / h.min() > 100)
    y = np.log10(h) if log else h
    cols = max(10, min(60, width - 14, h.size))
    edges = np.linspace(0, h.size, cols + 1).astype(int)
    col_y = np.array([y[a:max(b, a + 1)].mean() for a, b in zip(edges[:-1], edges[1:])])
    lo, hi = col_y.min(), col_y.max()  # the axis spans what is plotted: each column's mean
    span = hi - lo if hi > lo else 1.0
    rows = np.clip(((hi - col_y) / span * (height - 1)).round().astype(int), 0, height - 1)
    ends = (hi, (hi + lo) / 2, lo)
    for digits in range(3, 10):  # enough digits that the three labels differ
        texts = [fmt(10 ** v if log else v, digits) for v in ends]
        if len(set(texts)) == 3 or hi == lo:
            break
    labels = {0: texts[0], (height - 1) // 2: texts[1], height - 1: texts[2]}
    pad = max(len(t) for t in labels.values())
    lines = [Text(f"E{' (log scale)' if log else ''} by step", style="bold"),
             Text("(each column: the mean of its steps)", style="dim")]
    for r in range(height):
        dots = "".join("•" if rows[c] == r else " " for c in range(cols))
        lines.append(Text.assemble((labels.get(r, "").rjust(pad), "dim"), " │", dots))
    lines.append(Text(" " * pad + " └" + "─" * cols, style="dim"))
    last = str(h.size)
    lines.append(Text(" " * (pad + 2) + "1" + last.rjust(cols - 1), style="dim"))
    return Group(*lines, *note)


def train_json(result):
    doc = {"history": [{"step": k, "loss": plain(e)} for k, e in enumerate(result.history, 1)],
           "final_loss": plain(result.final_loss),
           "params": {name: plain(v) for name, v in result.params.items()},
           "steps": result.steps, "interrupted": result.interrupted}
    if result.accuracy is not None:
        doc["accuracy"] = {"before": result.accuracy[0], "after": result.accuracy[1]}
    return doc


# ------------------------------------------------------------------ layer networks

def _pair_text(p):
    return str(p[0]) if p[0] == p[1] else f"{p[0]}×{p[1]}"


def _layer_text(layer, kernel=None):
    a = layer.attrs
    if layer.type == "conv2d":
        return (f"conv2d {layer.shape[0]}@{kernel[0]}×{kernel[1]}, stride {_pair_text(a['stride'])}, "
                f"padding {_pair_text(a['padding'])}")
    if layer.type in ("maxpool", "meanpool"):
        return f"{layer.type} {'×'.join(map(str, a['size']))}, stride {_pair_text(a['stride'])}"
    if layer.type == "dense":
        return f"dense, {layer.shape[0]} units"
    if layer.type == "relu":
        return f"relu, ReLU'(0) = {a.get('grad_at_zero', 1)}"
    return layer.type


def _describe(net, layer):
    from .layers import unused

    kernel = net.params[layer.params[0]].shape[2:] if layer.type == "conv2d" else None
    text = _layer_text(layer, kernel)
    rows, cols = unused(layer, layer.in_shape)
    if rows or cols:
        text += f" ({rows} row(s), {cols} column(s) of its input unused)"
    return text


def shape_text(shape):
    return "×".join(map(str, shape)) if len(shape) else "scalar"


def _samples(net, sample):
    n = net.input.shape[0]
    if not net.batched:
        return [None]
    if sample is not None:
        return [sample]
    return list(range(n)) if n <= 4 else [0]


def _per_row(cells, width, label_width):
    """How many cells of this width fit beside a row label (2 spaces between)."""
    cell = max(len(c) for c in cells) + 2
    return max(1, (width - label_width - 2) // cell)


MAX_BLOCKED = 4096  # values of a tensor worth showing in column blocks; beyond, a summary


def tensor_block(label, value, precision, width, lead=()):
    """A tensor as grids: 2-D maps as a table each (one per leading index), vectors wrapped.

    ``lead``: indices already taken (a batch's sample), for the grid labels.  Cells are
    never cut: rows hold as many numbers as fit, and a map too wide for one is summarised."""
    value = np.asarray(value, dtype=np.float64)
    if value.ndim == 0:
        return Text(fmt(value, precision))
    texts = [fmt(v, precision) for v in value.ravel()]
    if value.ndim == 1:
        per_row = min(10, _per_row(texts, width, len(str(value.size))))
        wrapped = value.size > per_row
        t = Table(box=None, pad_edge=False, header_style="dim")
        t.add_column("", style="dim", justify="right")
        for k in range(min(per_row, value.size)):
            t.add_column(f"+{k}" if wrapped else str(k), justify="right", no_wrap=True)
        for start in range(0, value.size, per_row):
            t.add_row(str(start) if wrapped else "", *texts[start:start + per_row])
        return t
    per_row = _per_row(texts, width, len(str(value.shape[-2])))
    blocks = -(-value.shape[-1] // per_row)  # a grid too wide is shown in column blocks
    if blocks > 1 and (value.size > MAX_BLOCKED or blocks > 12):
        return Text(f"{shape_text(value.shape)} values: min {fmt(value.min(), precision)}, "
                    f"max {fmt(value.max(), precision)}, mean {fmt(value.mean(), precision)} "
                    "(too wide; --format json has all)", style="italic")
    parts = []
    for index in np.ndindex(value.shape[:-2]):
        grid = value[index]
        at = (*lead, *index)
        if at:
            parts.append(Text(f"{label}[{','.join(map(str, at))},:,:]", style="dim"))
        for start in range(0, grid.shape[1], per_row):
            t = Table(box=None, pad_edge=False, header_style="dim")
            t.add_column("", style="dim", justify="right")
            for j in range(start, min(start + per_row, grid.shape[1])):
                t.add_column(str(j), justify="right", no_wrap=True)
            for i, row in enumerate(grid):
                t.add_row(str(i), *(fmt(v, precision) for v in row[start:start + per_row]))
            parts.append(t)
    return Group(*parts)


def _shown(net, name, value, sample):
    """(leading index, value) pairs for one tensor: per chosen sample of a batch."""
    value = np.asarray(value)
    if name in net.params or not net.batched:
        return [((), net.show(name, value))]
    return [((n,), value[n]) for n in sample]


def _tensor_section(net, name, heading, what, value, samples, precision, width):
    """A heading (name — what → shape), then the tensor, per shown sample of a batch."""
    shape = shape_text(net.display_shape(name))
    parts = [Text.assemble((heading, "bold"), f" — {what} → {shape}" if what else f" — {shape}")]
    for lead, v in _shown(net, name, value, samples):
        if lead and np.ndim(v) < 2:
            parts.append(Text(f"sample {lead[0]}", style="dim"))
        parts.append(tensor_block(name, v, precision, width, lead))
    return parts + [Text()]


def _batch_note(net, samples):
    if net.batched and len(samples) < net.input.shape[0]:
        return [Text(f"a batch of {net.input.shape[0]}: showing sample "
                     f"{', '.join(map(str, samples))} (--sample K for another)", style="dim")]
    return []


def wrt_tensor(net, name, grad, precision, width, sample=None):
    """grad --wrt on a whole tensor of a layer net: ∂E/∂name, per shown sample of a batch."""
    if name == LOSS:
        return [Text.assemble(("∂E/∂E", "bold"), " — scalar"), Text(fmt(grad, precision)), Text()]
    samples = _samples(net, sample)
    parts = _tensor_section(net, name, f"∂E/∂{name}", None, grad, samples, precision, width)
    if name not in net.params:
        parts[1:1] = _batch_note(net, samples)
    return parts


def forward_layers(net, trace, precision, width, sample=None):
    samples = _samples(net, sample)
    parts = [Text(f"{_title(net)} — forward pass", style="bold")]
    parts += _batch_note(net, samples)

    def block(name, what):
        parts.extend(_tensor_section(net, name, name, what, trace.value(name), samples,
                                     precision, width))

    block("input", "input")
    for layer in net.layers:
        for p in layer.params:
            block(p, "param")
        block(layer.name, _describe(net, layer))
    parts.append(Text.assemble(("E", "bold"), f" = {net.loss_text} = ",
                               (fmt(trace.loss, precision), "bold")))
    return Group(*parts)


def grad_layers(net, trace, precision, width, sample=None):
    samples = _samples(net, sample)
    parts = [Text(f"{_title(net)} — backward pass, ∂E/∂ in the order completed", style="bold")]
    parts += _batch_note(net, samples)

    def block(name, what):
        parts.extend(_tensor_section(net, name, "∂E/∂" + name, what, trace.grad(name), samples,
                                     precision, width))

    parts.append(Text.assemble(("∂E/∂E", "bold"), " = 1"))
    parts.append(Text())
    for k, layer in reversed(list(enumerate(net.layers))):
        block(layer.name, _describe(net, layer))
        if layer.type == "softmax":
            parts += softmax_parts(net, trace, k, precision, samples, width)
        for p in reversed(layer.params):
            block(p, "param")
    block("input", "input")
    return Group(*parts)


def jacobian_table(a, da, dz, precision, width=100):
    """∂a_j/∂z_i = a_j(δ_ij − a_i), row j, column i; then ∂E/∂a_j beside it and ∂E/∂z_i under it."""
    from .layer_ops import softmax_jacobian

    j = softmax_jacobian(a)
    texts = [fmt(v, precision) for v in (*j.ravel(), *da, *dz)]
    # as many z columns as fit beside the row labels and the ∂E/∂a_j column: never cut a cell
    per = max(1, min(a.size, _per_row(texts, width - 12, 9)))
    blocks = []
    for start in range(0, a.size, per):
        cols = range(start, min(start + per, a.size))
        last = cols[-1] == a.size - 1
        t = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        t.add_column("∂a_j/∂z_i", no_wrap=True)
        for i in cols:
            t.add_column(f"z{i}", justify="right", no_wrap=True)
        if last:
            t.add_column("∂E/∂a_j", justify="right", no_wrap=True)
        for r in range(a.size):
            t.add_row(f"a{r}", *(fmt(j[r, i], precision) for i in cols),
                      *([fmt(da[r], precision)] if last else []))
        t.add_section()
        t.add_row(Text("∂E/∂z_i", style="bold"), *(fmt(dz[i], precision) for i in cols),
                  *([""] if last else []))
        blocks += [t, Text()] if not last else [t]
    return Group(*blocks)


JACOBIAN_NOTE = "∂a_j/∂z_i = a_j(δ_ij − a_i);  ∂E/∂z_i = Σ_j ∂E/∂a_j · ∂a_j/∂z_i"


def softmax_parts(net, trace, k, precision, samples, width=100):
    """The Jacobian ∂a_j/∂z_i = a_j(δ_ij − a_i) of a softmax layer, and its product with ∂E/∂a."""
    layer = net.layers[k]
    z_name = net.layers[k - 1].name if k else "input"
    a_all, da_all = np.asarray(trace.value(layer.name)), np.asarray(trace.grad(layer.name))
    dz_all = np.asarray(trace.grad(z_name))
    parts = []
    for n in (samples if net.batched else [0]):
        a, da, dz = a_all[n], da_all[n], dz_all[n]
        t = jacobian_table(a, da, dz, precision, width)
        sample_note = f" (sample {n})" if net.batched else ""
        parts += [Text(f"softmax Jacobian of {layer.name}{sample_note}", style="bold"),
                  Text(JACOBIAN_NOTE, style="dim"), t]
        if net.loss_type == "cross_entropy" and k == len(net.layers) - 1:
            y = net.target[n]
            scale = net.input.shape[0]
            expect = (a * y.sum() - y) / scale  # a − y when the target sums to 1
            mark = _mark(np.allclose(expect, dz, rtol=1e-9, atol=1e-12), expect, dz)
            form = "a − y" if np.isclose(y.sum(), 1.0) else "a·Σy − y"
            what = f"{form} =" if scale == 1 else f"({form})/N with N = {scale}:"
            parts.append(Text.from_markup(
                f"with cross-entropy, {escape(what)} "
                f"[{', '.join(fmt(v, precision) for v in expect)}]   {mark} to ∂E/∂z"))
        parts.append(Text())
    return parts


def element_table(c, precision):
    n = len(c.units)
    if n == 0:
        return _titled(f"∂E/∂{c.wrt} — it feeds no unit of {c.consumer}",
                       Text(f"no unit of {c.consumer} uses it (no window reaches it), "
                            f"so ∂E/∂{c.wrt} = {fmt(c.backward, precision)}"))
    shown = c.units[:MAX_UNITS_SHOWN]
    t = _table(("unit fed", f"∂unit/∂{c.wrt} is"), ("value", "∂E/∂unit", "product"))
    for u in shown:
        _row(t, u.unit, u.why, fmt(u.factor, precision), fmt(u.grad, precision),
             fmt(u.product, precision))
    _row(t, Text(f"Σ over {n} unit{'s' if n != 1 else ''}", style="bold"), "", "", "",
         Text(fmt(c.total, precision), style="bold"))
    parts = [t]
    if n > len(shown):
        parts.append(Text(f"… {n - len(shown)} more units not listed (largest |product| first); "
                          "the sum covers all.", style="dim"))
    mark = _mark(c.agrees, c.total, c.backward)
    parts.append(Text.from_markup(f"backward pass: ∂E/∂{escape(c.wrt)} = "
                                  f"{fmt(c.backward, precision)}   {mark} to the sum"))
    return _titled(f"∂E/∂{c.wrt} — it feeds {n} unit{'s' if n != 1 else ''} of {c.consumer}",
                   *parts)



def forward_layers_json(net, trace):
    values = {name: plain(net.show(name, trace.value(name))) for name, _, _ in net.leaves()}
    values.update({l.name: plain(net.show(l.name, trace.value(l.name))) for l in net.layers})
    shapes = {name: list(net.display_shape(name)) for name in values}
    return {"values": values, "shapes": shapes, "loss": plain(trace.loss)}


def grad_layers_json(net, trace, chains=()):
    doc = {"loss": plain(trace.loss),
           "grads": {p: plain(trace.grad(p)) for p in net.params},
           "node_grads": {name: plain(net.show(name, trace.grad(name)))
                          for name in ["input"] + [l.name for l in net.layers]}}
    from .layer_ops import softmax_jacobian

    jac = {}
    for layer in net.layers:
        if layer.type == "softmax":
            a = np.asarray(trace.value(layer.name))
            js = np.stack([softmax_jacobian(row) for row in a])
            jac[layer.name] = plain(js if net.batched else js[0])
    if jac:
        doc["softmax_jacobians"] = jac
    if chains:
        doc["chain"] = {}
        for c in chains:
            if isinstance(c, tuple):  # a whole tensor
                name, value = c
                doc["chain"][name] = {"value": plain(net.show(name, value))}
                continue
            doc["chain"][c.wrt] = {
                "value": plain(c.backward), "sum_over_units": plain(c.total),
                "consumer": c.consumer, "unit_count": len(c.units),
                "units": [{"unit": u.unit, "factor": plain(u.factor), "why": u.why,
                           "grad": plain(u.grad), "product": plain(u.product)}
                          for u in c.units[:MAX_UNITS_JSON]]}
    return doc


# ------------------------------------------------------------------ check

def check_table(net, rows, eps, tol, precision):
    tensors = any(r.size > 1 for r in rows)  # then: which element, and how many were checked
    t = _table(("param", "worst") if tensors else ("param",),
               (("checked",) if tensors else ()) + ("analytic", "numeric", "abs error", "rel error"))
    t.add_column("result")
    for r in rows:
        where = f"[{','.join(map(str, r.index))}]" if r.index else ""
        checked = str(r.checked) if r.checked == r.size else f"{r.checked} of {r.size}"
        mark = {"pass": Text("pass", style="green"), "FAIL": Text("FAIL", style="bold red"),
                "kink": Text(f"kink ({r.kinks})", style="yellow")}[r.status]
        _row(t, r.name, *((where, checked) if tensors else ()), fmt(r.analytic, precision),
             fmt(r.numeric, precision), f"{r.abs_error:.2e}", f"{r.rel_error:.2e}", mark)
    failed = [r.name for r in rows if r.status == "FAIL"]
    kinked = [r.name for r in rows if r.kinks]
    if failed:
        verb = "disagrees" if len(failed) == 1 else "disagree"
        verdict = Text(f"FAIL: {', '.join(failed)} {verb} with central differences", style="bold red")
    elif kinked:
        n = sum(r.kinks for r in rows)
        verdict = Text(f"pass, but {n} kink{'s' if n != 1 else ''}: every other checked gradient "
                       "agrees with central differences", style="yellow")
    else:
        verdict = Text("pass: every checked gradient agrees with central differences", style="green")
    parts = [t, verdict]
    if kinked:
        parts.append(Text(f"kink: for {', '.join(kinked)} the ±eps step crosses a ReLU input at 0 "
                          "or a max-pool tie, and the analytic value lies between the one-sided "
                          "slopes: no single derivative exists there (not a fault of the engine)",
                          style="yellow"))
    if tensors:
        parts.append(Text("worst: of the elements checked, the one with the largest error (a "
                          "tensor is checked at up to --max-elements of them)", style="dim"))
    parts.append(Text(f"numeric = (E(w + eps) − E(w − eps)) / 2eps, eps = {eps:g}; an element "
                      f"passes when |analytic − numeric| ≤ {tol:g}·max(|analytic|, |numeric|) "
                      "or is round-off (≤ 1e-15·max(1, |E|)/eps)", style="dim"))
    return _titled(f"{_title(net)} — gradient check", *parts)


def check_json(rows, eps, tol):
    return {"eps": eps, "tol": tol,
            "passed": not any(r.status == "FAIL" for r in rows),
            "kinks": sum(r.kinks for r in rows),
            "params": {r.name: {"index": list(r.index), "analytic": plain(r.analytic),
                                "numeric": plain(r.numeric), "abs_error": plain(r.abs_error),
                                "rel_error": plain(r.rel_error), "status": r.status,
                                "checked": r.checked, "size": r.size, "kinks": r.kinks}
                       for r in rows}}
