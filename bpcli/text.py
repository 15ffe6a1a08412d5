"""Small pieces of English shared by messages and tables: plurals, shapes, 'did you mean'."""
from __future__ import annotations

import re
from collections import Counter
from typing import Collection, Iterable

LOSS = "E"  # the loss's name in files, graphs and tables
# the verdicts on a number of a learner's derivation (`bpcli mark`), best first
RIGHT, CARRIED, WRONG = "right", "right given your earlier numbers", "wrong"


def plural(n: int, word: str) -> str:
    """'1 sample', '3 samples'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as a label: '2×3×4', or 'scalar' for a single number."""
    return "×".join(str(int(n)) for n in shape) if len(shape) else "scalar"


def shape_phrase(shape: tuple[int, ...]) -> str:
    """A shape inside a sentence: '2×3' ('the input is 2×3'), or 'a number'."""
    return shape_text(shape) if len(shape) else "a number"


def count_text(shape: tuple[int, ...]) -> str:
    """'one value', '3 values' for a vector, '2×3 values' for more."""
    if len(shape) == 0:
        return "one value"
    return f"{shape_text(shape)} values"


def closest(word: object, choices: Iterable[str], cutoff: float = 0.5) -> str | None:
    """The choice ``word`` was most likely meant to be, or None: a match that differs only
    in case first (W1 → w1), then the nearest by difflib's ratio."""
    word = str(word)
    choices = [str(c) for c in choices]
    for c in choices:
        if c.lower() == word.lower():
            return c
    # difflib's own first test, its quick_ratio (letters in common, in any order), often
    # rules every choice out: then difflib, a module bigger than most, is not imported
    # (loading a net asks whether each section is 'layers' misspelt)
    letters = Counter(word)
    if all(2.0 * (letters & Counter(c)).total() / (len(word) + len(c)) < cutoff
           for c in choices):  # (both empty: equal, found above)
        return None
    import difflib  # here, not above: see the comment above

    hint = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return hint[0] if hint else None


def did_you_mean(word: object, choices: Collection[str], otherwise: str) -> str:
    """'did you mean 'x'?' for the closest choice, else ``otherwise`` (text, or a noun such
    as "sections", which lists the choices: "sections are a, b, c")."""
    hint = closest(word, choices)
    if hint:
        return f"did you mean {hint!r}?"
    if " " not in otherwise:
        return f"{otherwise} are " + ", ".join(map(str, choices))
    return otherwise


_NUMBER = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)",
                     re.ASCII | re.IGNORECASE)


def parse_number(text: str) -> float | None:
    """A number written in ASCII (1, -0.5, .5, 1e-3; inf and nan are read, for a caller to
    refuse by name), or None: Python's float() would also read '١٠' and '1_000'."""
    text = text.strip()
    return float(text) if _NUMBER.fullmatch(text) else None
