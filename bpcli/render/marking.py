"""A marked derivation as people read it: a row per number in derivation order with its
verdict, the first wrong step written out, one summary line.  Formatting only."""
from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from ..analysis.marking import MarkReport
from .numbers import fmt
from .rich_parts import table, titled

RIGHT, CARRIED, WRONG = MarkReport.VERDICTS
STYLE = {RIGHT: ("✓ right", "green"), CARRIED: ("✓ right given your earlier numbers", "yellow"),
         WRONG: ("✗ wrong", "red bold")}
ETA_FROM = {"WORK": "from your update", "--eta": "from --eta", "train:": "the net's train: η",
            "default": "bpcli's default; write eta: under update: to give yours"}


def summary(r: MarkReport) -> str:
    """'12 numbers: 10 right, 1 right given your earlier numbers, 1 wrong — first wrong
    step: ∂fH1/∂H1'."""
    counts = [(r.count(v), v) for v in (RIGHT, CARRIED, WRONG)]
    text = f"{len(r.rows)} number{'s' * (len(r.rows) != 1)}: " + ", ".join(
        f"{n} {v}" for n, v in counts if n)
    rough = sum(1 for x in r.rows if x.verdict == RIGHT and x.diagnosis)
    if rough:
        text += f" ({rough} of the right only to too few places)"
    if r.first_wrong is not None:
        text += f" — first wrong step: {r.first_wrong.label}"
    elif r.count(CARRIED):
        text += " — every step right, on numbers carried from a wrong one"
    return text


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
