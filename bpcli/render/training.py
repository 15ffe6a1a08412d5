"""Tables of `train`: the loss by step, a loss curve, the params' change."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
from rich.console import Group, RenderableType
from rich.text import Text

from ..text import plural, shape_text
from .numbers import fmt
from .rich_parts import MARKS, row, table, titled

if TYPE_CHECKING:
    from ..analysis import StepReport, TrainResult


def sample_steps(steps: int, every: int | None) -> list[int]:
    """The steps a table shows: the first, every ``every``-th, and the last."""
    if steps <= 0:
        return []
    if every is None:
        every = max(1, -(-steps // 10))  # about ten rows
    return sorted({1, steps, *range(every, steps + 1, every)})


def train(result: TrainResult, precision: int, width: int, every: int | None) -> RenderableType:
    h = result.history
    losses = table((), ("step", "E"))
    for k in sample_steps(result.steps, every):
        row(losses, str(k), fmt(h[k - 1], precision))
    losses.add_section()
    row(losses, "final", Text(fmt(result.final_loss, precision), style="bold"))
    how = f"η = {result.eta:g}, {plural(result.steps, 'step')}"
    if result.momentum:
        how += f", momentum {result.momentum:g}"
    title = f"{result.title} — training: {how}"
    if result.samples > 1:  # on a line of its own: a long title would wrap mid-phrase
        epochs = f"{result.epochs:.4g}"
        title += (f"\n{result.samples} samples in batches of {result.batch_size}, "
                  f"{epochs} epoch{'' if epochs == '1' else 's'}")
    note = Text("E at step k: the loss of step k's forward pass" +
                (" on its batch" if result.batch_size < result.samples else "") +
                ", before its update. final: E " +
                ("on the whole set " if result.samples > 1 else "") + "with the final params.",
                style="dim")
    parts = [titled(title, losses, note)]
    if result.accuracy is not None:
        a0, a1 = result.accuracy
        parts.append(Text.assemble("accuracy on the training set: ", f"{a0:.1%} before, ",
                                   (f"{a1:.1%}", "bold"), " after"))
    if len(h) >= 2:
        parts += [Text(), loss_curve(h, width)]
    if result.by_norm:  # a tensor's change in one number: its norm (every value is in the JSON)
        params = table(("param", "shape"), ("‖initial‖", "‖final‖", "‖Δ‖"))
        for c in result.changes:
            row(params, c.name, shape_text(c.shape), fmt(c.initial, precision),
                fmt(c.final, precision), fmt(c.delta, precision))
        pnote = Text("‖·‖: the Euclidean norm of all of a tensor's values; "
                     "--save or --format json gives them all.", style="dim")
        return Group(*parts, Text(), titled("params", params, pnote))
    params = table(("param",), ("initial", "final", "Δ"))
    for c in result.changes:
        row(params, c.name, fmt(c.initial, precision), fmt(c.final, precision),
            fmt(c.delta, precision))
    return Group(*parts, Text(), titled("params", params))


def loss_curve(history: Sequence[float], width: int = 100, height: int = 10) -> RenderableType:
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
    with np.errstate(all="ignore"):  # E near the float64 limit: the axis is inf, no warning
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
             Text("(each column: the geometric mean of its steps' E, the mean of their log E)"
                  if log else "(each column: the mean of its steps)", style="dim")]
    for r in range(height):
        dots = "".join("•" if rows[c] == r else " " for c in range(cols))
        lines.append(Text.assemble((labels.get(r, "").rjust(pad), "dim"), " │", dots))
    lines.append(Text(" " * pad + " └" + "─" * cols, style="dim"))
    last = str(h.size)
    lines.append(Text(" " * (pad + 2) + "1" + last.rjust(cols - 1), style="dim"))
    return Group(*lines, *note)


def step(r: StepReport, precision: int) -> RenderableType:
    """One update written out: w, ∂E/∂w, η·∂E/∂w, w′ = w − η·∂E/∂w; E before and after."""
    norm = (lambda h: f"‖{h}‖") if r.by_norm else (lambda h: h)  # noqa: E731
    heads = [norm(h) for h in (("w", "∂E/∂w", "v", "η·v", "w′") if r.momentum
                               else ("w", "∂E/∂w", "η·∂E/∂w", "w′"))]
    t = table(("param", "shape") if r.by_norm else ("param",), heads)
    for x in r.rows:
        numbers = [x.w, x.grad, x.change, x.new]
        if r.momentum:  # from rest: v = μ·0 + ∂E/∂w
            numbers.insert(2, x.grad)
        row(t, x.name, *((shape_text(x.shape),) if r.by_norm else ()),
            *(fmt(v, precision) for v in numbers))
    rule = (f"w′ = w − η·v, v = μ·0 + ∂E/∂w from rest (μ = {r.momentum:g}), η = {r.eta:g}"
            if r.momentum else f"w′ = w − η·∂E/∂w, η = {r.eta:g}")
    over = f" on the whole set of {r.samples} samples" if r.samples > 1 else ""
    lines = [Text(rule, style="dim")]
    if r.by_norm:
        lines.append(Text("‖·‖: the Euclidean norm of all of a tensor's values (--wrt NAME "
                          "lists one tensor's elements)", style="dim"))
    change = r.loss_after - r.loss_before
    lines += [Text(), Text.assemble(f"E before: {fmt(r.loss_before, precision)}   E after: ",
                                    (fmt(r.loss_after, precision), "bold"),
                                    f"   ΔE = {fmt(change, precision)}{over}"),
              Text.from_markup(f"train's first step gives w′ too: {MARKS[r.agreement]}")]
    return titled(f"{r.title} — one step of gradient descent", t, *lines)
