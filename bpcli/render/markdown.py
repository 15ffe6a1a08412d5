"""Each report as GitHub-flavoured Markdown, for homework and notes: tables as pipe tables,
the chain rule as display math ($$ … $$, which GitHub and Jupyter render).  Formatting only:
the same reports as the tables and the JSON, the same numbers.
"""
from __future__ import annotations

from functools import singledispatch

import numpy as np

from ..analysis import (Chain, CheckReport, ConvRule, ElementChain, ForwardReport, GradReport,
                        SampleChain, StepReport, TensorGrad, TrainResult, VectorGrads)
from ..analysis.marking import MarkReport
from .marking import summary
from .numbers import fmt
from .rows import SIGN_NOTE, factored_text, wrap

LOSS = "E"


def _cell(text: object) -> str:
    """A table cell: pipes escaped, one line."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(heads: list[str], rows: list[list], numbers: int = 1) -> str:
    """A pipe table; its last ``numbers`` columns right-aligned."""
    first = len(heads) - numbers
    lines = ["| " + " | ".join(_cell(h) for h in heads) + " |",
             "|" + "|".join("---:" if k >= first else "---" for k in range(len(heads))) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _value(v, precision) -> str:
    return fmt(v, precision) if np.ndim(v) == 0 or np.size(v) <= 16 else (
        f"{'×'.join(map(str, np.shape(v)))} values (JSON has them)")


def tex_name(name: str) -> str:
    """A name in math: fH1 → \\mathrm{fH1}; E stays E."""
    return "E" if name == LOSS else r"\mathrm{" + name.replace("_", r"\_") + "}"


def partial(of: str, by: str) -> str:
    return rf"\frac{{\partial {tex_name(of)}}}{{\partial {tex_name(by)}}}"


def tex_number(v: float, precision: int) -> str:
    text = fmt(v, precision)
    return f"({text})" if text.startswith("-") else text


@singledispatch
def markdown(report: object, precision: int) -> str:
    """A report as Markdown (a report of no known kind is a TypeError, the caller's bug)."""
    raise TypeError(f"no Markdown for {type(report).__name__}")


@markdown.register
def _(r: ForwardReport, precision):
    rows = [[e.name, e.text, _value(r.values[e.name], precision)] for e in r.entries]
    rows.append([LOSS, r.loss_text, fmt(r.loss, precision)])  # value: the one number column
    return f"## {r.title} — forward pass\n\n" + _table(["name", "expression", "value"], rows) + "\n"


@markdown.register
def _(r: GradReport, precision):
    if r.explanations:
        parts = [explanation(e, precision) for e in r.explanations]
        if r.sign_note:
            parts.append(f"*{SIGN_NOTE}*\n")
        return "\n".join(p for p in parts if p)
    rows = [[LOSS, r.loss_text, fmt(r.loss, precision), fmt(1.0, precision)]]
    rows += [[e.name, e.text, _value(r.values[e.name], precision),
              _value(r.grads[e.name], precision)] for e in r.entries]
    params = [[p, _value(v, precision), _value(r.param_grads[p], precision)]
              for p, v in r.params.items()]
    return (f"## {r.title} — backward pass\n\n"
            + _table(["name", "expression", "value", "∂E/∂name"], rows, 2) + "\n\n"
            + _table(["param", "value", "∂E/∂param"], params, 2) + "\n")


@singledispatch
def explanation(e: object, precision: int) -> str:
    return (f"*{type(e).__name__}: not written as Markdown; `--format json` or the tables "
            "have it.*\n")


MAX_MAPS, MAX_SIDE = 8, 16  # 2-D maps written as tables, and their largest side


def grids(label: str, value, precision: int) -> str:
    """A tensor as pipe tables, one per 2-D map (a vector one row); too large: its shape."""
    v = np.asarray(value, dtype=float)
    if v.ndim == 0:
        return f"{label} = {fmt(float(v), precision)}\n"
    if v.ndim == 1:
        v = v[None, :]
    if v.shape[-1] > MAX_SIDE or v.shape[-2] > MAX_SIDE:
        return f"*{label}: {'×'.join(map(str, v.shape))}, too large to write out (JSON has it).*\n"
    out = []
    for lead in list(np.ndindex(v.shape[:-2]))[:MAX_MAPS]:
        at = f"{label}[{','.join(map(str, lead))}{',' if lead else ''}:,:]" if lead else label
        rows = [[str(i), *(fmt(x, precision) for x in row)] for i, row in enumerate(v[lead])]
        out.append(f"**{at}**\n\n" + _table(["", *map(str, range(v.shape[-1]))], rows,
                                            v.shape[-1]))
    return "\n\n".join(out) + "\n"


@explanation.register
def _(t: TensorGrad, precision):
    return f"## ∂E/∂{t.name}\n\n" + grids(f"∂E/∂{t.name}", t.value, precision)


@explanation.register
def _(c: ConvRule, precision):
    g, k = c.grids, 0
    if c.which == "weight":
        rule = f"∂E/∂{c.weight_name}[f,c] = X̂[c] ⋆ δ̂[f] (valid cross-correlation)"
        parts = [grids("X̂", g["x_padded"][k], precision), grids("δ̂", g["delta_dilated"][k],
                                                              precision),
                 grids("∂E/∂W", c.result, precision)]
    else:
        rule = f"∂E/∂{c.input_name}[c] = Σ_f full(δ̂[f], rot180 W[f,c]), cut back by the padding"
        parts = [grids("δ̂", g["delta_dilated"][k], precision),
                 grids("rot180 W", g["kernel_turned"], precision),
                 grids("∂E/∂X", c.result[k], precision)]
    verdict = "✓ equal" if c.verdict == "equal" else c.verdict
    return (f"## {c.layer}: the rule as the note writes it\n\n{rule}\n\n" + "\n".join(parts)
            + f"\nThe rule against the backward pass: {verdict} (every element).\n")


@explanation.register
def _(c: ElementChain, precision):
    rows = [[u.unit, u.why, fmt(u.factor, precision), fmt(u.grad, precision),
             fmt(u.product, precision)] for u in c.units]
    verdict = "✓ equal" if c.verdict == "equal" else c.verdict
    return (f"## ∂E/∂{c.wrt}, unit by unit\n\n"
            + _table(["unit fed", "∂unit/∂element is", "value", "∂E/∂unit", "product"], rows, 3)
            + f"\n\nΣ = {fmt(c.total, precision)}; backward pass {fmt(c.backward, precision)}: "
              f"{verdict}.\n")


@explanation.register
def _(v: VectorGrads, precision):
    out = "## ∂E/∂name\n\n" + _table(["name", "∂E/∂name"],
                                      [[n, fmt(g, precision)] for n, g in v.grads]) + "\n"
    for s in v.routes:
        if s.jacobian is not None:
            out += (f"\n### ∂E/∂{s.z} through {s.name} = softmax({s.z}): the Jacobian "
                    f"∂{s.name}_j/∂{s.z}_i\n\n" + grids("J", s.jacobian, precision)
                    + f"\nJᵀ·∂E/∂{s.name} = {fmt(s.route, precision)}\n")
    return out


@explanation.register
def _(c: Chain, precision, e: str = LOSS):
    """The chain rule as the note writes it: one line per path, symbols then numbers, and
    the sum, checked against the backward pass."""
    head = f"## ∂{e}/∂{c.wrt} by the chain rule — {c.count} path{'s' * (c.count != 1)}\n\n"
    rows = [[" → ".join(e if n == LOSS else n for n in p.nodes),
             " · ".join(wrap(f.symbol) for f in p.factors) or "1", fmt(p.product, precision)]
            for p in c.paths]
    lines = []
    for p in c.paths:
        symbols = r" \cdot ".join(partial(f.of, f.wrt) for f in p.factors) or "1"
        numbers = r" \cdot ".join(tex_number(f.value, precision) for f in p.factors) or "1"
        lines.append(f"&{symbols} \\\\\n&\\quad = {numbers} = {tex_number(p.product, precision)}")
    math = (f"$$\n\\begin{{aligned}}\n{partial(e, c.wrt)} &= \\sum_{{\\mathrm{{paths}}}} "
            f"\\prod \\frac{{\\partial a}}{{\\partial b}} = {tex_number(c.total, precision)}"
            + "".join(f" \\\\\n{line}" for line in lines) + "\n\\end{aligned}\n$$\n")
    more = (f"\n*… and {c.count - len(c.paths)} more paths; the sum covers all.*\n"
            if c.count > len(c.paths) else "")
    check = (f"\nBackward pass: ∂{e}/∂{c.wrt} = {fmt(c.backward, precision)} — "
             f"{'✓ equal' if c.verdict == 'equal' else c.verdict} to the sum over paths.\n")
    return (head + _table(["path", "local factors", "product"], rows) + "\n\n" + math + more
            + check + (_dp(c, precision, e) if c.dp is not None else ""))


def _dp(c: Chain, precision: int, e: str) -> str:
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
    return ("\n### What the backward pass computed\n\nEach ∂E once, as the sum over the "
            "name's consumers (dynamic programming; ✓: equal to the backward pass).\n\n"
            + _table(["∂E/∂", "= Σ over consumers", "numbers", "value", "check"], rows, 2)
            + f"\n\nFactored: `∂{e}/∂{c.wrt} = {symbols}` = `{numbers}` = "
              f"{fmt(c.dp.steps[-1].total, precision)}. {c.count:,} path{'s' * (c.count != 1)}; the backward pass "
              f"visited {c.dp.visited:,} names.\n")


@explanation.register
def _(sc: SampleChain, precision):
    k = sc.sample
    head, rest = explanation(sc.at_sample, precision, f"E_{k}").split("\n\n", 1)
    return (f"{head}\n\n*Sample {k} of {sc.samples}: E_{k} is the loss at sample {k}; E is "
            f"their mean, so ∂E/∂{sc.at_sample.wrt} = {fmt(sc.backward, precision)}.*\n\n{rest}")


@markdown.register
def _(r: TrainResult, precision):
    every = max(1, len(r.history) // 10)
    rows = [[str(k), fmt(r.history[k - 1], precision)]
            for k in range(1, len(r.history) + 1) if k == 1 or k % every == 0]
    params = [[c.name, fmt(c.initial, precision), fmt(c.final, precision),
               fmt(c.delta, precision)] for c in r.changes]
    return (f"## {r.title} — training, η = {r.eta:g}, {r.steps} steps\n\n"
            + _table(["step", "E"], rows) + f"\n\nFinal E: **{fmt(r.final_loss, precision)}**\n\n"
            + _table(["param", "initial", "final", "Δ"], params, 3) + "\n")


@markdown.register
def _(r: CheckReport, precision):
    rows = [[x.name + (f"[{','.join(map(str, x.index))}]" if x.index else ""),
             fmt(x.analytic, precision), fmt(x.numeric, precision), f"{x.rel_error:.2e}",
             x.status] for x in r.rows]
    return (f"## {r.title} — gradient check (eps {r.eps:g}, tol {r.tol:g})\n\n"
            + _table(["param", "analytic", "numeric", "rel. error", "status"], rows, 3)
            + f"\n\n**{'passed' if r.passed else 'FAILED'}**\n")


@markdown.register
def _(r: StepReport, precision):
    rows = [[x.name, fmt(x.w, precision), fmt(x.grad, precision), fmt(x.change, precision),
             fmt(x.new, precision)] for x in r.rows]
    return (f"## {r.title} — one step of gradient descent, η = {r.eta:g}\n\n"
            + _table(["param", "w", "∂E/∂w", "η·∂E/∂w", "w′"], rows, 4)
            + f"\n\nE before {fmt(r.loss_before, precision)}, after "
              f"{fmt(r.loss_after, precision)}\n")


@markdown.register
def _(r: MarkReport, precision):
    rows = [[x.claim.label, x.claim.text, fmt(x.right, precision), fmt(x.from_yours, precision),
             ("✓ " if x.verdict != "wrong" else "✗ ") + x.verdict
             + (f": {x.diagnosis}" if x.diagnosis else "")] for x in r.rows]
    out = (f"## {r.title} — your derivation, marked\n\n"
           + _table(["step", "yours", "right value", "from yours", "verdict"], rows, 0) + "\n")
    w = r.first_wrong
    if w is not None:
        uses = ", ".join(f"{n} = {fmt(v, precision)}" for n, v in w.uses)
        out += (f"\n**First wrong step: {w.label}** — {w.formula}" + (f", with {uses}" if uses
                                                                      else "")
                + f"; right value {fmt(w.right, precision)}, yours {w.written}.\n")
    return out + f"\n**{summary(r)}**\n"
