"""Tensors as grids, and the tables of the "grids" layout (layer nets): a section a
tensor, per shown sample of a batch; the softmax Jacobian; one element's breakdown."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..text import plural, shape_text
from .numbers import fmt
from .rich_parts import JACOBIAN_NOTE, MARKS, dim, row, table, titled

if TYPE_CHECKING:
    from ..analysis import (ConvRule, ElementChain, ForwardReport, GradReport, TensorGrad,
                            UnitBreakdown)

MAX_UNITS_SHOWN = 12  # an element's units listed in a table (largest |product| first)


def _per_row(cells, width, label_width):
    """How many cells of this width fit beside a row label (2 spaces between)."""
    cell = max(len(c) for c in cells) + 2
    return max(1, (width - label_width - 2) // cell)


MAX_BLOCKED = 4096  # values of a tensor worth showing in column blocks; beyond, a summary
MAX_CLASSES = 32  # a softmax Jacobian shown (the report builds it no larger)
MAX_MAPS = 128  # 2-D maps of one tensor listed (filters, channels); the others summarised


def tensor_block(label: str, value: np.ndarray | float, precision: int, width: int,
                 lead: tuple[int, ...] = ()) -> RenderableType:
    """A tensor as grids: 2-D maps as a table each (one per leading index), vectors wrapped.

    ``lead``: indices already taken (a batch's sample), for the grid labels.  Cells are
    never cut: rows hold as many numbers as fit, and a map too wide for one is summarised."""
    value = np.asarray(value, dtype=np.float64)
    if value.ndim == 0:
        return Text(fmt(value, precision))
    if value.ndim == 1:
        if value.size > MAX_BLOCKED:
            return _summary(value, precision, "too many to list")
        texts = [fmt(v, precision) for v in value]
        per_row = min(10, _per_row(texts, width, len(str(value.size))))
        wrapped = value.size > per_row
        t = Table(box=None, pad_edge=False, header_style="dim")
        t.add_column("", style="dim", justify="right")
        for k in range(min(per_row, value.size)):
            t.add_column(f"+{k}" if wrapped else str(k), justify="right", no_wrap=True)
        for start in range(0, value.size, per_row):
            t.add_row(str(start) if wrapped else "", *texts[start:start + per_row])
        return t
    if value.shape[-2] * value.shape[-1] > MAX_BLOCKED:
        return _summary(value, precision, "too large to list")
    maps = list(np.ndindex(value.shape[:-2]))
    shown = maps[:MAX_MAPS]  # formatted only what is shown: a million filters stay quick
    texts = [fmt(v, precision) for index in shown for v in value[index].ravel()]
    per_row = _per_row(texts, width, len(str(value.shape[-2])))
    blocks = -(-value.shape[-1] // per_row)  # a grid too wide is shown in column blocks
    if blocks > 1 and (value.size > MAX_BLOCKED or blocks > 12):
        return _summary(value, precision, "too wide")
    parts = []
    for index in shown:
        grid = value[index]
        at = (*lead, *index)
        if at:
            parts.append(Text(f"{label}[{','.join(map(str, at))},:,:]", style="dim"))
        for start in range(0, grid.shape[1], per_row):
            t = Table(box=None, pad_edge=False, header_style="dim")
            t.add_column("", style="dim", justify="right")
            for j in range(start, min(start + per_row, grid.shape[1])):
                t.add_column(str(j), justify="right", no_wrap=True)
            for i, cells in enumerate(grid):
                t.add_row(str(i), *(fmt(v, precision) for v in cells[start:start + per_row]))
            parts.append(t)
    if len(maps) > len(shown):
        rest = value[tuple(slice(None) for _ in lead)].reshape(-1, *value.shape[-2:])[len(shown):]
        parts.append(_summary(rest, precision, f"{len(maps) - len(shown):,} more maps, not listed",
                              shape=f"the other {len(maps) - len(shown):,} maps' "))
    return Group(*parts)


def _summary(value: np.ndarray, precision: int, why: str, shape: str | None = None) -> Text:
    """A tensor too big to list, in one line: its min, max and mean."""
    with np.errstate(all="ignore"):
        lo, hi, mean = value.min(), value.max(), value.mean()
    what = shape if shape is not None else f"{shape_text(value.shape)} "
    return Text(f"{what}values: min {fmt(lo, precision)}, max {fmt(hi, precision)}, "
                f"mean {fmt(mean, precision)} ({why}; --format json has all)", style="italic")


def too_many_classes(s) -> str:
    """Why a softmax's Jacobian is not shown."""
    k = s.a.shape[-1]
    check = "; ∂E/∂z is checked against a − y without it" if s.expected is not None else ""
    return f"its {k:,}×{k:,} Jacobian is not shown: over {MAX_CLASSES} classes{check}"


def jacobian_table(j: np.ndarray, da: np.ndarray, dz: np.ndarray, precision: int,
                   width: int = 100) -> RenderableType:
    """The Jacobian j[j, i] = ∂a_j/∂z_i = a_j(δ_ij − a_i) (K×K), row j, column i; then ∂E/∂a_j
    beside it and ∂E/∂z_i under it."""
    k = len(da)  # the number of classes
    texts = [fmt(v, precision) for v in (*j.ravel(), *da, *dz)]
    # as many z columns as fit beside the row labels and the ∂E/∂a_j column: never cut a cell
    per = max(1, min(k, _per_row(texts, width - 12, 9)))
    blocks = []
    for start in range(0, k, per):
        cols = range(start, min(start + per, k))
        last = cols[-1] == k - 1
        t = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        t.add_column("∂a_j/∂z_i", no_wrap=True)
        for i in cols:
            t.add_column(f"z{i}", justify="right", no_wrap=True)
        if last:
            t.add_column("∂E/∂a_j", justify="right", no_wrap=True)
        for r in range(k):
            t.add_row(f"a{r}", *(fmt(j[r, i], precision) for i in cols),
                      *([fmt(da[r], precision)] if last else []))
        t.add_section()
        t.add_row(Text("∂E/∂z_i", style="bold"), *(fmt(dz[i], precision) for i in cols),
                  *([""] if last else []))
        blocks += [t, Text()] if not last else [t]
    return Group(*blocks)


# ------------------------------------------------------------------ the grids layout

def _samples(samples, sample):
    """The samples a table shows: the one asked for, all of a batch of up to 4, else 0
    (None: the net's one sample)."""
    if not samples.several:
        return [None]
    if sample is not None:
        return [sample]
    return list(range(samples.count)) if samples.count <= 4 else [0]


def _batch_note(samples, shown):
    if samples.several and len(shown) < samples.count:
        return [dim(f"a batch of {samples.count}: showing sample "
                    f"{', '.join(map(str, shown))} (--sample K for another)")]
    return []


def _section(name, heading, what, value, per_sample, shown, precision, width):
    """A heading (name — what → shape), then the tensor, per shown sample of a batch."""
    value = np.asarray(value)
    shape = shape_text(value.shape)
    parts = [Text.assemble((heading, "bold"), f" — {what} → {shape}" if what else f" — {shape}")]
    pieces = [((n,), value[n]) for n in shown] if per_sample else [((), value)]
    for lead, v in pieces:
        if lead and np.ndim(v) < 2:
            parts.append(dim(f"sample {lead[0]}"))
        parts.append(tensor_block(name, v, precision, width, lead))
    return parts + [Text()]


def forward(r: ForwardReport, precision: int, width: int, sample: int | None) -> RenderableType:
    shown = _samples(r.samples, sample)
    parts = [Text(f"{r.title} — forward pass", style="bold")]
    parts += _batch_note(r.samples, shown)
    winners = {m.layer: m for m in r.pool_maps}
    for e in r.entries:
        parts += _section(e.name, e.name, e.text, r.values[e.name],
                          r.samples.several and e.kind != "param", shown, precision, width)
        if e.name in winners:
            parts += _winners(winners[e.name], shown, width)
    parts.append(Text.assemble(("E", "bold"), f" = {r.loss_text} = ",
                               (fmt(r.loss, precision), "bold")))
    return Group(*parts)


def grad(r: GradReport, precision: int, width: int, sample: int | None) -> RenderableType:
    shown = _samples(r.samples, sample)
    parts = [Text(f"{r.title} — backward pass, ∂E/∂ in the order completed", style="bold")]
    parts += _batch_note(r.samples, shown)
    parts += [Text.assemble(("∂E/∂E", "bold"), " = 1"), Text()]
    softmax = {s.name: s for s in r.softmax}
    pools = {p.layer: p for p in r.pool_checks}
    for e in r.entries:
        parts += _section(e.name, "∂E/∂" + e.name, e.text, r.grads[e.name],
                          r.samples.several and e.kind != "param", shown, precision, width)
        if e.name in softmax:
            parts += _softmax(softmax[e.name], r.samples, shown, precision, width)
        if e.name in pools:
            parts += _pool_check(pools[e.name])
    return Group(*parts)


MAX_WINNER_MAPS = 8  # channels of a max-pool whose winners are mapped


def _winners(m, shown, width) -> list:
    """A max-pool's winners as a map per channel: the input (row, column) that won each
    window, * where it won a tie by coming first; a map too wide for the terminal is left
    to JSON."""
    head = (f"{m.layer}: which {m.input_name} position won each window (row,col; *: a tie, "
            "the first in row-major order taken)")
    cell = len(f"({m.rows.max()},{m.cols.max()})*") + 2
    if len(str(m.rows.shape[2])) + 1 + cell * m.rows.shape[3] > width:
        return [dim(f"{m.layer}'s winners: {m.rows.shape[2]}×{m.rows.shape[3]} maps, too wide "
                    "to map here; --format json has them (pool_winners)"), Text()]
    parts = [Text(head, style="bold")]
    channels = m.rows.shape[1]
    for n in (0 if k is None else k for k in shown):
        for c in range(channels)[:MAX_WINNER_MAPS]:
            parts.append(dim(f"{m.layer}[{'' if shown == [None] else f'{n},'}{c},:,:] won by"))
            t = Table(box=None, pad_edge=False, header_style="dim")
            t.add_column("", style="dim", justify="right")
            for j in range(m.rows.shape[3]):
                t.add_column(str(j), justify="right", no_wrap=True)
            for i in range(m.rows.shape[2]):
                t.add_row(str(i), *(f"({m.rows[n, c, i, j]},{m.cols[n, c, i, j]})"
                                    + ("*" if m.ties[n, c, i, j] else "")
                                    for j in range(m.rows.shape[3])))
            parts.append(t)
    if channels > MAX_WINNER_MAPS:
        parts.append(dim(f"{channels - MAX_WINNER_MAPS} more channels not mapped; "
                         "--format json has them"))
    return parts + [Text()]


def _pool_check(p) -> list:
    """What a pool hands back: its rule, and that it passes on all it received."""
    return [Text(f"{p.layer} hands back {p.share}", style="bold"),
            Text.from_markup(f"  Σ ∂E/∂{escape(p.input_name)} = Σ ∂E/∂{escape(p.layer)}, per "
                             f"sample and channel: {MARKS[p.sums]}"),
            Text.from_markup(f"  ∂E/∂{escape(p.input_name)} by that rule against the backward "
                             f"pass: {MARKS[p.by_rule]}"), Text()]


def _softmax(s, samples, shown, precision, width):
    """A softmax layer's Jacobian per shown sample, and with cross-entropy the check that
    ∂E/∂z = a − y."""
    parts = []
    for n in (shown if samples.several else [0]):
        sample_note = f" (sample {n})" if samples.several else ""
        parts.append(Text(f"softmax Jacobian of {s.name}{sample_note}", style="bold"))
        if s.jacobian is None:
            parts.append(dim(too_many_classes(s)))
        else:
            parts += [dim(JACOBIAN_NOTE), jacobian_table(s.jacobian[n], s.da[n], s.dz[n],
                                                         precision, width)]
        if s.expected is not None:
            form = s.forms[n]
            what = f"{form} =" if s.scale == 1 else f"({form})/N with N = {s.scale}:"
            parts.append(Text.from_markup(
                f"with cross-entropy, {escape(what)} "
                f"{fmt(s.expected[n], precision)}   "
                f"{MARKS[s.verdicts[n]]} to ∂E/∂z"))
        parts.append(Text())
    return parts


def tensor_grad(t: TensorGrad, samples: object, precision: int, width: int,
                sample: int | None) -> list[RenderableType]:
    """grad --wrt on a whole tensor of a layer net: ∂E/∂name, per shown sample of a batch."""
    shown = _samples(samples, sample)
    parts = _section(t.name, f"∂E/∂{t.name}", None, t.value, t.per_sample, shown, precision,
                     width)
    if t.per_sample:
        parts[1:1] = _batch_note(samples, shown)
    return parts


def conv_rule(c: ConvRule, precision: int, width: int, sample: int | None) -> list:
    """A conv layer's gradient by its whole-tensor rule, as grids: what is correlated with
    what, the result, and its check against the backward pass."""
    k = sample or 0  # the sample whose grids are shown; ∂E/∂W sums over all of them
    (sh, sw), (ph, pw) = c.stride, c.padding
    g = c.grids
    over = f", summed over the {c.samples} samples (sample {k} shown)" if c.samples > 1 else ""
    padded = f", padded by {ph}×{pw}" if ph or pw else ""
    strided = sh > 1 or sw > 1
    xs, ds = ("X̂" if padded else "X"), ("δ̂" if strided else "δ")  # hats: padded, dilated
    delta = (f"δ̂ = ∂E/∂{c.layer} dilated by the stride {sh}×{sw} ({sh - 1}×{sw - 1} zeros "
             "between entries)") if strided else f"δ = ∂E/∂{c.layer}"
    d = g["delta_dilated"][k]
    if c.which == "weight":
        rule = (f"∂E/∂{c.weight_name}[f,c] = {xs}[c] ⋆ {ds}[f]: the layer's input{padded}, "
                f"cross-correlated (valid) with the output's gradient{over}")
        blocks = [(f"{xs} = {c.input_name}{padded}, by channel c", xs, g["x_padded"][k]),
                  (delta + ", by filter f", ds, d)]
        if c.samples > 1:  # what the grids shown give, then the sum over the samples
            blocks.append((f"sample {k}'s own {xs}[c] ⋆ {ds}[f], by [f,c]", f"sample {k}",
                           g["weight_per_sample"][k]))
        blocks.append((f"∂E/∂{c.weight_name} by the rule" +
                       (f", the sum of that over the {c.samples} samples" if c.samples > 1
                        else "") + ", by [f,c]", "∂E/∂W", c.result))
    else:
        rule = (f"∂E/∂{c.input_name}[c] = Σ_f full({ds}[f], rot180 W[f,c]): the output's "
                "gradient correlated in full with the kernel turned 180°" +
                (f", cut back by the padding {ph}×{pw}" if ph or pw else ""))
        blocks = [(delta + ", by filter f", ds, d),
                  (f"W = {c.weight_name} turned 180°, by [f,c]", "rot180 W", g["kernel_turned"]),
                  (f"∂E/∂{c.input_name} by the rule, by channel c" +
                   (f" (sample {k})" if c.samples > 1 else ""), "∂E/∂X", c.result[k])]
    parts = [Text(f"{c.layer} ({c.layer_text}) — the rule as the note writes it", style="bold"),
             Text(rule)]
    for heading, label, value in blocks:
        parts += [Text(heading, style="bold"), tensor_block(label, value, precision, width)]
    what = c.weight_name if c.which == "weight" else c.input_name
    parts += [Text.from_markup(f"the rule against the backward pass's ∂E/∂{escape(what)}: "
                               f"{MARKS[c.verdict]} (every element)"), Text()]
    return parts


def element(c: ElementChain, precision: int) -> RenderableType:
    """One element's ∂E as the sum over the units it feeds (the largest products listed)."""
    n = len(c.units)
    if n == 0:
        return titled(f"∂E/∂{c.wrt} — it feeds no unit of {c.consumer}",
                      Text(f"no unit of {c.consumer} uses it (no window reaches it), "
                           f"so ∂E/∂{c.wrt} = {fmt(c.backward, precision)}"))
    listed = c.units[:MAX_UNITS_SHOWN]
    t = table(("unit fed", f"∂unit/∂{c.wrt} is"), ("value", "∂E/∂unit", "product"))
    for u in listed:
        row(t, u.unit, u.why, fmt(u.factor, precision), fmt(u.grad, precision),
            fmt(u.product, precision))
    row(t, Text(f"Σ over {plural(n, 'unit')}", style="bold"), "", "", "",
        Text(fmt(c.total, precision), style="bold"))
    parts = [t]
    if n > len(listed):
        parts.append(dim(f"… {n - len(listed)} more units not listed (largest |product| first); "
                         "the sum covers all."))
    parts.append(Text.from_markup(f"backward pass: ∂E/∂{escape(c.wrt)} = "
                                  f"{fmt(c.backward, precision)}   {MARKS[c.verdict]} to the sum"))
    parts += _by_position(c, precision)
    return titled(f"∂E/∂{c.wrt} — it feeds {plural(n, 'unit')} of {c.consumer}", *parts)


def unit(u: UnitBreakdown, precision: int, width: int) -> RenderableType:
    """One unit as the sum it is: the window it sees and its filter, then every x·w."""
    parts = []
    if u.window is not None:
        (y, x), (kh, kw) = u.at, u.window.shape[1:]
        padded = " (outside the input: the zero padding)" if any(
            t[0] == "padding" for t in u.terms) else ""
        parts += [Text(f"the window it sees: {u.input_name} rows {y}..{y + kh - 1}, columns "
                       f"{x}..{x + kw - 1}{padded}, by channel", style="bold"),
                  tensor_block("x", u.window, precision, width),
                  Text("the filter it applies, by channel", style="bold"),
                  tensor_block("w", u.kernel, precision, width)]
    t = table(("x", "w"), ("x value", "w value", "x·w"))
    for xl, xv, wl, wv, product in u.terms:
        row(t, xl, wl, fmt(xv, precision), fmt(wv, precision), fmt(product, precision))
    row(t, "bias", u.bias[0], "", fmt(u.bias[1], precision), fmt(u.bias[1], precision),
        end_section=True)
    row(t, Text(f"Σ x·w + b over {plural(len(u.terms), 'product')}", style="bold"), "", "", "",
        Text(fmt(u.total, precision), style="bold"))
    parts += [t, Text.from_markup(f"forward pass: {escape(u.unit)} = {fmt(u.forward, precision)}"
                                  f"   {MARKS[u.verdict]} to the sum")]
    return titled(f"{u.unit} — one unit of {u.layer_text}", *parts, Text())


MAX_POSITION_MAPS = 8  # maps of fed units shown by position (filters, samples)


def _by_position(c: ElementChain, precision: int) -> list:
    """The products again, each at its unit's position in the layer's maps (· where the
    element feeds nothing): the window the element sweeps, in position order."""
    if len(c.shape) < 2 or not c.units or any(len(u.index) != len(c.shape) for u in c.units):
        return []
    cells: dict = {}
    for u in c.units:
        cells.setdefault(u.index[:-2], {})[u.index[-2:]] = fmt(u.product, precision)
    parts = [Text(), Text(f"the products by position in {c.consumer} (·: a unit it does not "
                          "feed)", style="bold")]
    for lead in sorted(cells)[:MAX_POSITION_MAPS]:
        rows_, cols = sorted({i for i, _ in cells[lead]}), sorted({j for _, j in cells[lead]})
        # the rows and columns it reaches, and the ones between (a stride leaves gaps)
        rows_, cols = range(rows_[0], rows_[-1] + 1), range(cols[0], cols[-1] + 1)
        t = Table(box=None, pad_edge=False, header_style="dim",
                  title=f"{c.consumer}[{','.join(map(str, lead))}{',' if lead else ''}:,:]",
                  title_justify="left", title_style="dim")
        t.add_column("", style="dim", justify="right")
        for j in cols:
            t.add_column(str(j), justify="right", no_wrap=True)
        for i in rows_:
            t.add_row(str(i), *(cells[lead].get((i, j), "·") for j in cols))
        parts.append(t)
    if len(cells) > MAX_POSITION_MAPS:
        parts.append(dim(f"… {len(cells) - MAX_POSITION_MAPS} more maps not shown"))
    return parts
