"""The table of `check`: every param's analytic gradient against central differences."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from .numbers import fmt
from .rich_parts import row, table, titled

if TYPE_CHECKING:
    from ..analysis import CheckReport


def check(report: CheckReport, precision: int, width: int = 100) -> RenderableType:
    rows, eps, tol = report.rows, report.eps, report.tol
    tensors = any(r.size > 1 for r in rows)  # then: which element, and how many were checked
    cells = [(r.name, f"[{','.join(map(str, r.index))}]" if r.index else "",
              str(r.checked) if r.checked == r.size else f"{r.checked} of {r.size}",
              fmt(r.analytic, precision), fmt(r.numeric, precision), f"{r.abs_error:.2e}",
              f"{r.rel_error:.2e}", r) for r in rows]
    # too wide with the element and the count in columns of their own: under the name
    stacked = tensors and _natural_width(cells) > width
    t = table(("param", "worst") if tensors and not stacked else ("param",),
              (("checked",) if tensors and not stacked else ())
              + ("analytic", "numeric", "abs error", "rel error"))
    t.add_column("result")
    for name, where, checked, *numbers, r in cells:
        mark = _mark(r)
        if stacked:
            part = "" if r.checked == r.size else f" {r.checked}/{r.size}"
            row(t, Text.assemble(name, (f"\n{where}{part}" if where else "", "dim")), *numbers,
                mark)
        else:
            row(t, name, *((where, checked) if tensors else ()), *numbers, mark)
    failed = [r.name for r in rows if r.status == "FAIL"]
    kinked = [r.name for r in rows if r.kinks]
    undefined = [r.name for r in rows if r.status == "undefined"]
    if failed:
        verb = "disagrees" if len(failed) == 1 else "disagree"
        verdict = Text(f"FAIL: {', '.join(failed)} {verb} with central differences", style="bold red")
    elif undefined:
        verdict = Text(f"undefined: the derivative of E by {', '.join(undefined)} is undefined at "
                       "these values (the backward pass and the differences are both not "
                       "finite): nothing there to check", style="yellow")
    elif kinked:
        n = report.kinks
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
    if stacked:
        parts.append(Text("under a tensor: its worst element (the largest error), and N/M when N "
                          "of its M elements were checked (--max-elements)", style="dim"))
    elif tensors:
        parts.append(Text("worst: of the elements checked, the one with the largest error (a "
                          "tensor is checked at up to --max-elements of them)", style="dim"))
    parts.append(Text(f"numeric = (E(w + eps) − E(w − eps)) / 2eps, eps = {eps:g}; an element "
                      f"passes when |analytic − numeric| ≤ {tol:g}·max(|analytic|, |numeric|) "
                      "or is round-off (≤ 1e-15·max(1, |E|)/eps)", style="dim"))
    return titled(f"{report.title} — gradient check", *parts)


def _mark(r) -> Text:
    return {"pass": Text("pass", style="green"), "FAIL": Text("FAIL", style="bold red"),
            "kink": Text(f"kink ({r.kinks})", style="yellow"),
            "undefined": Text("undefined", style="yellow")}[r.status]


def _natural_width(cells) -> int:
    """The check table's width with every column as wide as its widest cell."""
    heads = ("param", "worst", "checked", "analytic", "numeric", "abs error", "rel error")
    widths = [max(len(h), *(len(c[k]) for c in cells)) for k, h in enumerate(heads)]
    result = max(len("result"), *(len(_mark(c[-1]).plain) for c in cells))
    return sum(widths) + result + 3 * len(widths)  # columns 3 spaces apart
