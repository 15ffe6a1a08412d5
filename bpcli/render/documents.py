"""Each report as a document for homework and notes — headings, tables, display math,
paragraphs — in the words of a writer: Markdown (:mod:`.markdown`) or LaTeX (:mod:`.latex`).
Formatting only: the same reports as the tables and the JSON, the same numbers.

A writer has ``h(level, text)``, ``table(heads, rows, numbers)`` (the last ``numbers``
columns are numbers), ``math(lines)`` (aligned display math: each line LaTeX, ``&`` where
it aligns), ``p(text, style)`` (style "", "em" or "strong") and ``code(text)``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..lazy import lazydispatch
from .numbers import fmt
from .phrases import SIGN_NOTE, factored_text, summary, wrap

if TYPE_CHECKING:  # registered by name (lazydispatch)
    from ..analysis import (Chain, CheckReport, ConvRule, ElementChain, ForwardReport, GradReport,
                            MarkReport, SampleChain, StepReport, TensorGrad, TrainResult,
                            VectorGrads)

LOSS = "E"
MAX_MAPS, MAX_SIDE = 8, 16  # 2-D maps written as tables, and their largest side


def _value(v, precision) -> str:
    return fmt(v, precision) if np.ndim(v) == 0 or np.size(v) <= 16 else (
        f"{'×'.join(map(str, np.shape(v)))} values (JSON has them)")


def tex_name(name: str) -> str:
    """A name in math: fH1 → \\mathrm{fH1}; E stays E (E_2 → E_{2})."""
    if name == LOSS:
        return "E"
    if name.startswith("E_") and name[2:].isdigit():
        return f"E_{{{name[2:]}}}"
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def partial(of: str, by: str) -> str:
    return rf"\frac{{\partial {tex_name(of)}}}{{\partial {tex_name(by)}}}"


def tex_number(v: float, precision: int) -> str:
    text = fmt(v, precision)
    return f"({text})" if text.startswith("-") else text


def verdict_word(verdict: str) -> str:
    return "✓ equal" if verdict == "equal" else verdict


@lazydispatch
def document(report: object, precision: int, w) -> str:
    """A report as a document (a report of no known kind is a TypeError, the caller's bug)."""
    raise TypeError(f"no document for {type(report).__name__}")


@document.register
def _(r: ForwardReport, precision, w):
    rows = [[e.name, e.text, _value(r.values[e.name], precision)] for e in r.entries]
    rows.append([LOSS, r.loss_text, fmt(r.loss, precision)])
    return w.h(2, f"{r.title} — forward pass") + w.table(["name", "expression", "value"], rows, 1)


@document.register
def _(r: GradReport, precision, w):
    if r.explanations:
        parts = [explanation(e, precision, w) for e in r.explanations]
        if r.sign_note:
            parts.append(w.p(SIGN_NOTE, "em"))
        return "".join(parts)
    rows = [[LOSS, r.loss_text, fmt(r.loss, precision), fmt(1.0, precision)]]
    rows += [[e.name, e.text, _value(r.values[e.name], precision),
              _value(r.grads[e.name], precision)] for e in r.entries]
    params = [[p, _value(v, precision), _value(r.param_grads[p], precision)]
              for p, v in r.params.items()]
    return (w.h(2, f"{r.title} — backward pass")
            + w.table(["name", "expression", "value", "∂E/∂name"], rows, 2)
            + w.table(["param", "value", "∂E/∂param"], params, 2))


@lazydispatch
def explanation(e: object, precision: int, w) -> str:
    return w.p(f"{type(e).__name__}: not written here; --format json or the tables have it.",
               "em")


def grids(label: str, value, precision: int, w) -> str:
    """A tensor as tables, one per 2-D map (a vector one row); too large: its shape."""
    v = np.asarray(value, dtype=float)
    if v.ndim == 0:
        return w.p(f"{label} = {fmt(float(v), precision)}")
    if v.ndim == 1:
        v = v[None, :]
    if v.shape[-1] > MAX_SIDE or v.shape[-2] > MAX_SIDE:
        return w.p(f"{label}: {'×'.join(map(str, v.shape))}, too large to write out "
                   "(JSON has it).", "em")
    out = []
    for lead in list(np.ndindex(v.shape[:-2]))[:MAX_MAPS]:
        at = f"{label}[{','.join(map(str, lead))},:,:]" if lead else label
        rows = [[str(i), *(fmt(x, precision) for x in row)] for i, row in enumerate(v[lead])]
        out.append(w.p(at, "strong") + w.table(["", *map(str, range(v.shape[-1]))], rows,
                                                 v.shape[-1]))
    return "".join(out)


@explanation.register
def _(t: TensorGrad, precision, w):
    return w.h(2, f"∂E/∂{t.name}") + grids(f"∂E/∂{t.name}", t.value, precision, w)


@explanation.register
def _(c: ConvRule, precision, w):
    g, k = c.grids, 0
    if c.which == "weight":
        rule = f"∂E/∂{c.weight_name}[f,c] = X̂[c] ⋆ δ̂[f] (valid cross-correlation)"
        parts = [grids("X̂", g["x_padded"][k], precision, w),
                 grids("δ̂", g["delta_dilated"][k], precision, w),
                 grids("∂E/∂W", c.result, precision, w)]
    else:
        rule = f"∂E/∂{c.input_name}[c] = Σ_f full(δ̂[f], rot180 W[f,c]), cut back by the padding"
        parts = [grids("δ̂", g["delta_dilated"][k], precision, w),
                 grids("rot180 W", g["kernel_turned"], precision, w),
                 grids("∂E/∂X", c.result[k], precision, w)]
    return (w.h(2, f"{c.layer}: the rule as the note writes it") + w.p(rule) + "".join(parts)
            + w.p(f"The rule against the backward pass: {verdict_word(c.verdict)} "
                  "(every element)."))


@explanation.register
def _(c: ElementChain, precision, w):
    rows = [[u.unit, u.why, fmt(u.factor, precision), fmt(u.grad, precision),
             fmt(u.product, precision)] for u in c.units]
    return (w.h(2, f"∂E/∂{c.wrt}, unit by unit")
            + w.table(["unit fed", "∂unit/∂element is", "value", "∂E/∂unit", "product"], rows, 3)
            + w.p(f"Σ = {fmt(c.total, precision)}; backward pass {fmt(c.backward, precision)}: "
                  f"{verdict_word(c.verdict)}."))


@explanation.register
def _(v: VectorGrads, precision, w):
    out = w.h(2, "∂E/∂name") + w.table(["name", "∂E/∂name"],
                                       [[n, fmt(g, precision)] for n, g in v.grads], 1)
    for s in v.routes:
        if s.jacobian is not None:
            out += (w.h(3, f"∂E/∂{s.z} through {s.name} = softmax({s.z}): the Jacobian "
                           f"∂{s.name}_j/∂{s.z}_i")
                    + grids("J", s.jacobian, precision, w)
                    + w.p(f"Jᵀ·∂E/∂{s.name} = {fmt(s.route, precision)}: "
                          f"{verdict_word(s.route_verdict)}"))
    return out


@explanation.register
def _(c: Chain, precision, w, e: str = LOSS, intro: str = ""):
    """The chain rule as the note writes it: one line per path, symbols then numbers, and
    the sum, checked against the backward pass; then what the backward pass computed."""
    rows = [[" → ".join(e if n == LOSS else n for n in p.nodes),
             " · ".join(wrap(f.symbol) for f in p.factors) or "1", fmt(p.product, precision)]
            for p in c.paths]
    lines = [f"{partial(e, c.wrt)} &= \\sum_{{\\mathrm{{paths}}}} \\prod "
             f"\\frac{{\\partial a}}{{\\partial b}} = {tex_number(c.total, precision)}"]
    for p in c.paths:
        lines.append("&" + (r" \cdot ".join(partial(f.of, f.wrt) for f in p.factors) or "1"))
        lines.append(r"&\quad = " + (r" \cdot ".join(tex_number(f.value, precision)
                                                      for f in p.factors) or "1")
                     + f" = {tex_number(p.product, precision)}")
    out = (w.h(2, f"∂{e}/∂{c.wrt} by the chain rule — {c.count} path{'s' * (c.count != 1)}")
           + (w.p(intro, "em") if intro else "")
           + w.table(["path", "local factors", "product"], rows, 1) + w.math(lines))
    if c.count > len(c.paths):
        out += w.p(f"… and {c.count - len(c.paths)} more paths; the sum covers all.", "em")
    out += w.p(f"Backward pass: ∂{e}/∂{c.wrt} = {fmt(c.backward, precision)} — "
               f"{verdict_word(c.verdict)} to the sum over paths.")
    return out + (_dp(c, precision, w, e) if c.dp is not None else "")


def _dp(c: Chain, precision: int, w, e: str) -> str:
    """What the backward pass computed: each ∂E once, from its consumers; the factored form."""
    rows = []
    for step in c.dp.steps:
        terms = " + ".join(t.symbol if t.of == LOSS else f"∂{e}/∂{t.of} · {wrap(t.symbol)}"
                           for t in step.terms)
        numbers = " + ".join(fmt(t.factor, precision) if t.of == LOSS else
                             f"{fmt(t.grad, precision)} · {fmt(t.factor, precision)}"
                             for t in step.terms)
        rows.append([f"∂{e}/∂{step.name}", terms, numbers, fmt(step.total, precision),
                     "✓" if step.verdict == "equal" else "✗"])
    symbols, numbers = factored_text(c.dp.factored, lambda v: tex_number(v, precision), e)
    return (w.h(3, "What the backward pass computed")
            + w.p("Each ∂E once, as the sum over the name's consumers (dynamic programming; "
                  "✓: equal to the backward pass).")
            + w.table(["∂E/∂", "= Σ over consumers", "numbers", "value", "check"], rows, 2)
            + w.p("Factored: " + w.code(f"∂{e}/∂{c.wrt} = {symbols}") + " = " + w.code(numbers)
                  + f" = {fmt(c.dp.steps[-1].total, precision)}. {c.count:,} "
                    f"path{'s' * (c.count != 1)}; the backward pass visited "
                    f"{c.dp.visited:,} names.", raw=True))


@explanation.register
def _(sc: SampleChain, precision, w):
    k = sc.sample
    return explanation(sc.at_sample, precision, w, f"E_{k}",
                       f"Sample {k} of {sc.samples}: E_{k} is the loss at sample {k}; E is "
                       f"their mean, so ∂E/∂{sc.at_sample.wrt} = {fmt(sc.backward, precision)}.")


@document.register
def _(r: TrainResult, precision, w):
    every = max(1, len(r.history) // 10)
    rows = [[str(k), fmt(r.history[k - 1], precision)]
            for k in range(1, len(r.history) + 1) if k == 1 or k % every == 0]
    params = [[c.name, fmt(c.initial, precision), fmt(c.final, precision),
               fmt(c.delta, precision)] for c in r.changes]
    return (w.h(2, f"{r.title} — training, η = {r.eta:g}, {r.steps} steps")
            + w.table(["step", "E"], rows, 1)
            + w.p(f"Final E: {fmt(r.final_loss, precision)}", "strong")
            + w.table(["param", "initial", "final", "Δ"], params, 3))


@document.register
def _(r: CheckReport, precision, w):
    rows = [[x.name + (f"[{','.join(map(str, x.index))}]" if x.index else ""),
             fmt(x.analytic, precision), fmt(x.numeric, precision), f"{x.rel_error:.2e}",
             x.status] for x in r.rows]
    return (w.h(2, f"{r.title} — gradient check (eps {r.eps:g}, tol {r.tol:g})")
            + w.table(["param", "analytic", "numeric", "rel. error", "status"], rows, 3)
            + w.p("passed" if r.passed else "FAILED", "strong"))


@document.register
def _(r: StepReport, precision, w):
    rows = [[x.name, fmt(x.w, precision), fmt(x.grad, precision), fmt(x.change, precision),
             fmt(x.new, precision)] for x in r.rows]
    return (w.h(2, f"{r.title} — one step of gradient descent, η = {r.eta:g}")
            + w.table(["param", "w", "∂E/∂w", "η·∂E/∂w", "w′"], rows, 4)
            + w.p(f"E before {fmt(r.loss_before, precision)}, after "
                  f"{fmt(r.loss_after, precision)}"))


@document.register
def _(r: MarkReport, precision, w):
    rows = [[x.claim.label, x.claim.text, fmt(x.right, precision), fmt(x.from_yours, precision),
             ("✓ " if x.verdict != "wrong" else "✗ ") + x.verdict
             + (f": {x.diagnosis}" if x.diagnosis else "")] for x in r.rows]
    out = (w.h(2, f"{r.title} — your derivation, marked")
           + w.table(["step", "yours", "right value", "from yours", "verdict"], rows, 0))
    f = r.first_wrong
    if f is not None:
        uses = ", ".join(f"{n} = {fmt(v, precision)}" for n, v in f.uses)
        out += w.p(f"First wrong step: {f.label} — {f.formula}" + (f", with {uses}" if uses
                                                                   else "")
                   + f"; right value {fmt(f.right, precision)}, yours {f.written}.")
    return out + w.p(summary(r), "strong")
