"""One resource budget: how much bpcli reads, holds, computes and prints for one command.

bpcli is for networks a person can follow.  A file that would make it read without end,
hold gigabytes or compute for minutes is refused before the work starts, with one line
naming the file's line and the limit.  ``BPCLI_BUDGET=10`` (an environment variable)
multiplies every limit by 10 (by any number > 0).
"""
from __future__ import annotations

import os

from .errors import BpcliError

_BASE = {
    "network_bytes": 16 * 2**20,  # a network file (YAML), or standard input
    "file_bytes": 64 * 2**20,  # a data file (CSV, NPZ)
    "written_values": 5_000_000,  # numbers written in a network file, aliases expanded
    "tensor_values": 50_000_000,  # elements of any one tensor, intermediates too (400 MB)
    "step_work": 2_000_000_000,  # multiply-adds of one forward and backward step
    "table_rows": 10_000,  # rows of one table (--format json has every value)
    "work_bytes": 2**20,  # a WORK file (mark): 2 000 numbers take some 60 KB
    "marked_numbers": 2_000,  # numbers of one WORK file (each costs two runs of the net)
}


MOST = 1e6  # the largest factor: past it the limits would stand for no limit at all


class BudgetError(BpcliError):
    """BPCLI_BUDGET is not a factor bpcli can use."""


def factor() -> float:
    """BPCLI_BUDGET, or 1: a number from above 0 up to MOST."""
    text = os.environ.get("BPCLI_BUDGET", "1")
    try:
        f = float(text)
    except ValueError:
        f = float("nan")
    if not 0 < f <= MOST:
        raise BudgetError(f"BPCLI_BUDGET must be a number above 0 and at most {MOST:g} (it "
                          f"multiplies every limit; README, Limits), not {text[:40]!r}")
    return f


def limit(name: str) -> int:
    """The limit called ``name`` (see _BASE), scaled by BPCLI_BUDGET."""
    return int(_BASE[name] * factor())


def raise_hint() -> str:
    return "BPCLI_BUDGET=10 raises every limit tenfold (README, Limits)"
