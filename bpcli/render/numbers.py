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


def json_value(v: np.ndarray | np.floating | float) -> float | list | None:
    """A JSON-ready number (or nested lists of them): full float64, null for nan/inf."""
    if isinstance(v, np.ndarray) and v.ndim:
        return [json_value(x) for x in v]
    v = float(v) + 0.0  # no −0 in JSON
    return v if math.isfinite(v) else None
