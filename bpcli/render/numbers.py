"""Numbers as tables print them, and as JSON holds them."""
from __future__ import annotations

import math

import numpy as np


MAX_LISTED = 16  # entries of a vector written out in one table cell; past them, its first 4


def fmt(v: np.ndarray | np.floating | float, precision: int) -> str:
    """Fixed ``precision`` decimals, so a column's decimal points line up; tiny and
    huge magnitudes in scientific notation with as many significant digits.  A vector
    (an equation net's softmax) prints as [a, b, c]."""
    if np.ndim(v):
        v = np.asarray(v).ravel()
        if v.size > MAX_LISTED:  # the count first: a cell cut to fit the width keeps it
            return (f"{v.size:,} values: [" + ", ".join(fmt(x, precision) for x in v[:4])
                    + ", …] (--format json has all)")
        return "[" + ", ".join(fmt(x, precision) for x in v) + "]"
    v = float(v) + 0.0  # + 0.0 turns −0 into 0
    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    if a == 0 or 1e-3 <= a < 1e7:
        return f"{v:.{precision}f}"
    return f"{v:.{max(precision - 1, 0)}e}"


def fit(text: str, width: int) -> str | None:
    """A number as ``fmt`` wrote it, rounded to ``width`` characters with its magnitude
    kept: 0.012915 → 0.0129, 7.44432e-04 → 7.4e-04 or 0.00074 (cut, it would read 7.444…);
    a vector keeps whole entries: [0.090031, …]. None when the text is neither, or when
    nothing fits: the cut is then left to the table."""
    if len(text) <= width:
        return text
    if text.startswith("[") and text.endswith("]") and not text.startswith("[["):
        kept: list[str] = []
        for entry in text[1:-1].split(", "):
            if len("[" + ", ".join(kept + [entry]) + ", …]") > width:
                break
            kept.append(entry)
        return "[" + ", ".join(kept) + ", …]" if kept else None
    try:
        v = float(text)
    except ValueError:
        return None
    if not math.isfinite(v):
        return None
    fixed = next((s for s in (f"{v:.{d}f}" for d in range(15, -1, -1))
                  if len(s) <= width and (v == 0 or float(s) != 0)), None)
    short = next((s for s in (f"{v:.{m}e}" for m in range(15, -1, -1)) if len(s) <= width),
                 None)
    if fixed is None or short is None:
        return fixed or short

    def digits(s: str) -> int:  # significant digits shown
        return len(s.split("e")[0].lstrip("-").replace(".", "").lstrip("0"))
    if digits(short) != digits(fixed):
        return short if digits(short) > digits(fixed) else fixed
    return min((fixed, short), key=lambda s: abs(float(s) - v))  # a tie: the nearer


def json_value(v: np.ndarray | np.floating | float) -> float | list | None:
    """A JSON-ready number (or nested lists of them): full float64, null for nan/inf."""
    if isinstance(v, np.ndarray) and v.ndim:
        return [json_value(x) for x in v]
    v = float(v) + 0.0  # no −0 in JSON
    return v if math.isfinite(v) else None
