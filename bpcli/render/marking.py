"""A marked derivation as people read it: a row per number in derivation order with its
verdict, the first wrong step written out, one summary line.  Formatting only."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from ..text import CARRIED, RIGHT, WRONG
from .numbers import fmt
from .phrases import summary
from .rich_parts import table, titled

if TYPE_CHECKING:
    from ..analysis.marking import MarkReport

STYLE = {RIGHT: ("✓ right", "green"), CARRIED: ("✓ right given your earlier numbers", "yellow"),
         WRONG: ("✗ wrong", "red bold")}
ETA_FROM = {"WORK": "from your update", "--eta": "from --eta", "train:": "the net's train: η",
            "default": "bpcli's default; write eta: under update: to give yours"}


def verdict_text(verdict: str, diagnosis: str = "") -> Text:
    word, style = STYLE[verdict]
    text = Text(word, style=style)
    if diagnosis:
        text.append(f": {diagnosis}")
    return text


def uses_text(uses, precision: int) -> str:
    """'fH1 = 0.537430, w3 = 0.400000': the values a step uses."""
    return ", ".join(f"{name} = {fmt(v, precision)}" for name, v in uses)


def first_wrong(r: MarkReport, precision: int) -> list[RenderableType]:
    w = r.first_wrong
    if w is None:
        return []
    lines = [Text(), Text(f"First wrong step: {w.label}", style="bold"), Text(f"  {w.formula}")]
    if w.uses:
        lines.append(Text("  with " + uses_text(w.uses, precision)))
    lines.append(Text.assemble("  right value ", (fmt(w.right, precision), "bold"),
                               f", yours {w.written}"))
    if w.diagnosis:
        lines.append(Text(f"  {w.diagnosis}", style="yellow"))
    return lines


def marked(r: MarkReport, precision: int) -> RenderableType:
    t = table(("step",), ("yours", "right value", "from yours"))
    t.add_column("verdict")
    for x in r.rows:
        t.add_row(Text(x.claim.label), Text(x.claim.text), Text(fmt(x.right, precision)),
                  Text(fmt(x.from_yours, precision)), verdict_text(x.verdict, x.diagnosis))
    rule = ("within --tol " + f"{r.tol:g}" if r.tol is not None else
            "within your own rounding: half a unit in the last place you wrote, widened by "
            "what your earlier numbers carry into the step")
    lines = [Text(f"right: {rule}; from yours: the step done on your earlier numbers",
                  style="dim")]
    if any(x.claim.kind == "update" for x in r.rows):
        lines.append(Text(f"update: w′ = w − η·∂E/∂w, η = {r.eta:g} ({ETA_FROM[r.eta_source]})",
                          style="dim"))
    lines += first_wrong(r, precision)
    style = "green bold" if r.all_right else "bold"
    lines += [Text(), Text(summary(r), style=style)]
    return titled(f"{r.title} — your derivation ({r.work}), marked", t, *lines)
