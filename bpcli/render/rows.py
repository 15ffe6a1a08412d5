"""Tables of the "rows" layout (nets written as equations): a row a name, and the
chain rule path by path."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.text import Text

from ..text import LOSS, plural
from .grids import jacobian_table, too_many_classes
from .numbers import fmt
from .phrases import factored_text, wrap
from .rich_parts import JACOBIAN_NOTE, MARKS, dim, kind_text, row, table, titled

if TYPE_CHECKING:
    from ..analysis import Chain, ForwardReport, GradReport, SampleChain, VectorGrads
    from ..analysis.dp import DPView

LEAF_KINDS = ("input", "param", "target")


def _described(entry):
    """The text beside a name: its expression, or its kind (dim) for a leaf."""
    return kind_text(entry.text) if entry.kind in LEAF_KINDS else entry.text


def _at(v, k):
    """Sample k's value of a name in a net with a data set (names not fed by the data, a
    param or a node of params only, hold one value for all samples)."""
    return v if np.ndim(v) == 0 else np.asarray(v)[k]


# ------------------------------------------------------------------ data sets

def _candidates(n, width, sample):
    """The samples worth formatting: the one asked for; else all of them when they might fit
    the width (a column takes 3 characters at least); else sample 0. A million samples
    format one value each, not a million."""
    if sample is not None:
        return [sample]
    return list(range(n)) if 3 * n <= width else [0]


def _data_columns(n, rows, width, sample, beside=0):
    """Which samples of a data set get a column: the one asked for; else all of them
    when they fit the width beside the name (and ``beside`` more characters); else 0.
    ``rows`` hold each candidate sample's cell by its number."""
    if sample is not None:
        return [sample]
    cell = max(len(c) for _, _, cells in rows for c in cells.values()) + 2
    label = max(len(name) for name, _, _ in rows) + 2
    return list(range(n)) if label + beside + n * cell <= width else [0]


def _data_table(n, rows, columns, text_columns, title, notes=()):
    """Rows of (name, expression or kind, per-sample strings), a column per sample shown."""
    t = table(text_columns, [f"sample {k}" for k in columns])
    for name, text, cells in rows:
        if name is None:
            t.add_section()
            continue
        lead = [name] + ([text] if len(text_columns) > 1 else [])
        row(t, *lead, *(cells[k] for k in columns))
    parts = [t]
    if len(columns) < n:
        parts.insert(0, dim(f"a data set of {n} samples: showing sample {columns[0]} (--sample K "
                            "for another; --format json has them all)"))
    parts += [dim(note) for note in notes]
    return titled(title, *parts)


# ------------------------------------------------------------------ forward

def forward(r: ForwardReport, precision: int, width: int, sample: int | None) -> RenderableType:
    if r.samples.several:
        return _forward_data(r, precision, width, sample)
    t = table(("name", "expression"), ("value",))
    for e in r.entries:
        row(t, e.name, _described(e), fmt(r.values[e.name], precision))
    t.add_section()
    row(t, Text(LOSS, style="bold"), r.loss_text, Text(fmt(r.loss, precision), style="bold"))
    return titled(f"{r.title} — forward pass", t)


def _forward_data(r, precision, width, sample):
    n = r.samples.count
    shown = _candidates(n, width, sample)
    cells = lambda v: {k: fmt(_at(v, k), precision) for k in shown}  # noqa: E731
    shared = table(("name", "kind"), ("value",))  # the params: the same for every sample
    rows = []
    for e in r.entries:
        value = r.values[e.name]
        if e.kind in LEAF_KINDS and np.ndim(value) == 0:
            row(shared, e.name, kind_text(e.kind), fmt(value, precision))
        else:
            rows.append((e.name, _described(e), cells(value)))
    rows += [(None, None, None), ("loss", r.loss_text, cells(r.sample_losses))]
    texts = [e.text for e in r.entries if e.kind not in LEAF_KINDS]
    longest = max(len(text) for text in texts) if texts else 0
    longest = max(longest, len(r.loss_text), 6)  # 6: "target", a leaf's kind
    columns = _data_columns(n, [x for x in rows if x[0]], width, sample,
                            beside=min(longest, 30) + 2)
    return Group(titled(f"{r.title} — forward pass on a data set of {plural(n, 'sample')}",
                        dim("the same for every sample"), shared),
                 Text(),
                 _data_table(n, rows, columns, ("name", "expression"), "per sample",
                             [f"E = the mean of the loss over the {plural(n, 'sample')} = "
                              f"{fmt(r.loss, precision)}"]))


# ------------------------------------------------------------------ grad

def grad(r: GradReport, precision: int, width: int, sample: int | None) -> RenderableType:
    params = table(("param",), ("value", "∂E/∂param"))
    for name in r.params:
        row(params, name, fmt(r.params[name], precision), fmt(r.param_grads[name], precision))
    if r.samples.several:
        n = r.samples.count
        # each sample's share, also of a node every sample shares (one made of params only)
        shown = _candidates(n, width, sample)
        cells = lambda name: {k: fmt(r.per_sample[name][k], precision)  # noqa: E731
                              for k in shown}
        rows = [("loss", "", cells(LOSS))]
        rows += [(e.name, "", cells(e.name)) for e in r.entries]
        columns = _data_columns(n, rows, width, sample)
        return Group(_data_table(
            n, rows, columns, ("name",),
            f"{r.title} — backward pass, ∂E/∂name at each sample, in the order completed",
            [f"E is the mean of the loss over the {plural(n, 'sample')}, so each sample's "
             f"∂E/∂name carries a factor 1/{n}; a param's ∂E/∂param below is the sum over the "
             "samples."]),
            Text(), titled("∂E/∂param", params))
    nodes = table(("name", "expression"), ("value", "∂E/∂name"))
    row(nodes, LOSS, r.loss_text, fmt(r.loss, precision), fmt(1.0, precision))
    for e in r.entries:
        row(nodes, e.name, _described(e), fmt(r.values[e.name], precision),
            fmt(r.grads[e.name], precision))
    parts = [titled(f"{r.title} — backward pass, ∂E/∂node in the order completed", nodes),
             Text(), titled("∂E/∂param", params)]
    for s in r.softmax:
        title = Text(f"softmax Jacobian of {s.name} = softmax({s.z})", style="bold")
        if s.jacobian is None:
            parts += [Text(), title, dim(too_many_classes(s))]
            continue
        parts += [Text(), title, dim(JACOBIAN_NOTE),
                  jacobian_table(s.jacobian, s.da, s.route if s.partial else s.dz, precision,
                                 width), *_logits_check(s, precision)]
        if s.partial:
            parts.append(dim(f"(∂E/∂{s.z}_i: the part through {s.name}; {s.z} is used "
                             "elsewhere too)"))
    return Group(*parts)


def _logits_check(s, precision) -> list:
    """With cross-entropy after the softmax: ∂E/∂z = a − y, against the backward pass."""
    if s.expected is None:
        return []
    return [Text.from_markup(f"with cross-entropy, {s.forms[0]} = {fmt(s.expected, precision)}   "
                             f"{MARKS[s.verdicts[0]]} to ∂E/∂{escape(s.z)}")]


# ------------------------------------------------------------------ --wrt

def vector_grads(v: VectorGrads, title: str, precision: int, width: int = 100) -> RenderableType:
    """--wrt in an equation net with vectors: ∂E/∂name of each (paths of numbers do not
    apply; the softmax Jacobians are in grad's full output)."""
    t = table(("name",), ("∂E/∂name",))
    for name, g in dict(v.grads).items():
        row(t, name, fmt(g, precision))
    parts = [t]
    for s in v.routes:  # a softmax's input: the Jacobian route, as the note's §7 takes it
        parts += [Text(), Text(f"∂E/∂{s.z} by the Jacobian route through {s.name} = "
                               f"softmax({s.z}): ∂E/∂{s.z}_i = Σ_j ∂E/∂{s.name}_j · "
                               f"∂{s.name}_j/∂{s.z}_i", style="bold")]
        if s.jacobian is None:
            parts.append(dim(too_many_classes(s)))
            continue
        parts += [dim(JACOBIAN_NOTE),
                  jacobian_table(s.jacobian, s.da, s.route if s.partial else s.dz, precision,
                                 width),
                  Text.from_markup(f"Jᵀ·∂E/∂{escape(s.name)} = {fmt(s.route, precision)}   "
                                   f"{MARKS[s.route_verdict]} to " + (
                                       f"the part of ∂E/∂{escape(s.z)} that comes through "
                                       f"{escape(s.name)} ({escape(s.z)} is used elsewhere "
                                       "too)" if s.partial else
                                       f"the backward pass's ∂E/∂{escape(s.z)}")),
                  *_logits_check(s, precision)]
    others = [n for n, _ in v.grads if n not in {s.z for s in v.routes}]
    if others:
        parts.append(dim(
            f"{', '.join(others)}: this net has vectors, so a path's factors would be "
            "Jacobians, not numbers; `bpcli grad` without --wrt shows each softmax's Jacobian."))
    return titled(f"{title} — ∂E/∂name", *parts)


def chain(c: Chain, precision: int, e: str = LOSS, intro: str | None = None) -> RenderableType:
    """Each path on a row of its own with its product, then a row per local factor
    (symbolic form, value); then the sum.  A factor's row holds nothing that can wrap
    far, so at any width a factor stays beside its formula and value.  ``e``: what E
    is called (E_2 for sample 2's loss in a net with a data set)."""
    n = "1 path" if c.count == 1 else f"{c.count} paths"  # (0 paths: E does not use it)
    t = table(("#", "path / local factor", "symbolic"), ("value", "product"))
    lead = [dim(intro)] if intro else []
    for k, p in enumerate(c.paths, 1):
        row(t, str(k), Text(" → ".join(e if x == LOSS else x for x in p.nodes), style="bold"),
            "", "", fmt(p.product, precision), end_section=not p.factors)
        if not p.factors:  # the path from E to itself
            continue
        last = len(p.factors) - 1
        for i, f in enumerate(p.factors):
            row(t, "", f"  ∂{e if f.of == LOSS else f.of}/∂{f.wrt}", f.symbol,
                fmt(f.value, precision), "", end_section=i == last)
    row(t, "", Text("Σ over paths", style="bold"), "", "",
        Text(fmt(c.total, precision), style="bold"))
    parts = [*lead, t]
    if c.count > len(c.paths):
        parts.append(dim(f"… and {c.count - len(c.paths)} more paths, not listed; "
                         "the sum covers all of them."))
    if c.count == 0:
        parts = [*lead, Text(f"{e} does not depend on {c.wrt}: no path leads from {e} down to it.")]
        what = "0, with no path"
    else:
        what = "the path product" if c.count == 1 else f"the sum over all {c.count} paths"
    parts.append(Text.from_markup(
        f"backward pass: ∂{e}/∂{escape(c.wrt)} = {fmt(c.backward, precision)}   "
        f"{MARKS[c.verdict]} to {what}"))
    if c.dp is not None and c.count:
        parts += [Text(), *dp_view(c.dp, c.wrt, c.count, precision, e)]
    return titled(f"∂{e}/∂{c.wrt} by the chain rule — {n} from {e} down to {c.wrt} ({c.kind})",
                  *parts)


TICKS = {"equal": Text("✓", style="green"), "not equal": Text("✗", style="red bold"),
         "not finite": Text("?", style="yellow")}


def dp_view(v: DPView, wrt: str, paths: int, precision: int, e: str = LOSS) -> list:
    """What the backward pass computed: each ∂E on the way, once, as the sum over the
    name's consumers; then ∂E/∂wrt in the note's factored form, and paths against names."""
    t = table((f"∂{e}/∂", f"= Σ over consumers ∂{e}/∂a · ∂a/∂b", "numbers"), ("value",))
    t.add_column("")
    for step in v.steps:
        row(t, step.name, _sum_text(step.terms, e, lambda x: x.symbol, symbolic=True),
            _sum_text(step.terms, e, lambda x: x, precision=precision),
            fmt(step.total, precision), TICKS[step.verdict])
    symbols, numbers = factored_text(v.factored, lambda x: _signed(x, precision), e)
    total = v.steps[-1].total if v.steps else 0.0
    return [Text(f"What the backward pass computed: each ∂{e}/∂name once, from its consumers, "
                 "reused below — dynamic programming, no path listed", style="bold"), t,
            dim("✓: the sum equals the backward pass's own ∂E (local factors from the "
                "symbolic rules)"),
            Text(f"factored: ∂{e}/∂{wrt} = {symbols}"),
            Text(f"{' ' * len(f'factored: ∂{e}/∂{wrt}')} = {numbers} = {fmt(total, precision)}"),
            dim(f"{paths:,} path{'s' * (paths != 1)} from {e} down to {wrt}; the backward pass "
                f"visited {v.visited:,} names on the way, each once")]


def _sum_text(terms, e, part, symbolic=False, precision=6) -> str:
    out = []
    for x in terms:
        if symbolic:
            f = x.symbol
            out.append(f if x.of == LOSS else f"∂{e}/∂{x.of} · {wrap(f)}")
        elif x.of == LOSS:
            out.append(fmt(x.factor, precision) if len(terms) == 1 else _signed(x.factor, precision))
        else:
            out.append(f"{_signed(x.grad, precision)} · {_signed(x.factor, precision)}")
    return " + ".join(out) or "0"


def _signed(v: float, precision: int) -> str:
    text = fmt(v, precision)
    return f"({text})" if text.startswith("-") else text


def sample_chain(sc: SampleChain, precision: int) -> RenderableType:
    """A net with a data set: the chain rule at one sample, then how that sample's
    ∂E_k/∂name enters ∂E/∂name, E being the mean of the loss over the samples."""
    k, n, name = sc.sample, sc.samples, escape(sc.at_sample.wrt)
    e = f"E_{k}"
    intro = f"sample {k} of {n} (--sample K for another): {e} is the loss at sample {k}"
    per = sc.per_sample
    ok = MARKS[sc.verdict]
    if sc.shared:  # a param (or a value every sample uses): its ∂E sums over the samples
        listed = ", ".join(fmt(v, precision) for v in per[:4]) + (", …" if n > 4 else "")
        lines = [f"E = (1/{n})·Σ_k E_k, so ∂E/∂{name} = (1/{n})·Σ_k ∂E_k/∂{name}",
                 f"  = (1/{n})·Σ[{listed}] = {fmt(sc.combined, precision)}",
                 f"  backward pass: ∂E/∂{name} = {fmt(sc.backward, precision)}   {ok}"]
    else:  # a value of sample k alone
        lines = [f"E = (1/{n})·Σ_k E_k, so ∂E/∂{name} at sample {k} = (1/{n})·∂{e}/∂{name} "
                 f"= {fmt(sc.combined, precision)}",
                 f"  backward pass: ∂E/∂{name} at sample {k} = {fmt(sc.backward, precision)}   {ok}"]
    return Group(chain(sc.at_sample, precision, e, intro),
                 *(Text.from_markup(line) for line in lines))
