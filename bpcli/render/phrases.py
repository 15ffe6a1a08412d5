"""Text every format writes alike — a factored ∂E, the seed note's sign, a marking's
summary line — in plain strings: the JSON document needs no Rich."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..text import CARRIED, LOSS, RIGHT, WRONG

if TYPE_CHECKING:
    from ..analysis import MarkReport

SIGN_NOTE = ("Sign: E is the loss exactly as written in the file, and w ← w − η·∂E/∂w lowers it. "
             "The seed note writes E = −Σ½(f(O) − y)² and (y − f(O1)) as the first factor: "
             "that expression is −∂E/∂w, the descent direction.")


def factored_text(f, number, e: str = LOSS) -> tuple[str, str]:
    """(symbols, numbers) of a factored ∂E (see bpcli.analysis.dp.Factored): a product
    down a chain of single consumers, a sum in parentheses where it is multiplied; ``e``:
    what E is called (E_2, sample 2's loss)."""
    if f.up is not None:
        up_s, up_n = factored_text(f.up, number, e)
        x = f.terms[0]
        if f.up.up is None and len(f.up.terms) > 1:  # a sum, multiplied
            up_s, up_n = f"({up_s})", f"({up_n})"
        elif f.up.up is None:  # E's own factor, fO1 − y1, multiplied
            up_s = wrap(up_s)
        return f"{up_s} · {wrap(x.symbol)}", f"{up_n} · {number(x.factor)}"
    syms = [x.symbol if x.of == LOSS else f"∂{e}/∂{x.of} · {wrap(x.symbol)}" for x in f.terms]
    nums = [number(x.factor) if x.of == LOSS else f"{number(x.grad)} · {number(x.factor)}"
            for x in f.terms]
    return " + ".join(syms) or "0", " + ".join(nums) or "0"


def wrap(text: str) -> str:
    """A factor in parentheses when a + or − stands outside any of its own."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in "+−-" and 0 < i and text[i - 1] == " ":
            return f"({text})"
    return text


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
