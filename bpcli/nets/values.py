"""Reading values out of a network file: numbers, arrays, whole numbers, shapes.

A :class:`Checker` belongs to one file; every mistake it finds is a :class:`NetError`
naming that file, the line, and what to fix.
"""
from __future__ import annotations

import contextlib
import math
from typing import Any, Iterator, NoReturn

import numpy as np

from ..errors import NetError
from ..io.data import DataError
from ..io.yamlfile import LineMap
from ..budget import limit, raise_hint
from ..text import parse_number, shape_phrase

MAX_DEPTH = 16  # lists within lists of a tensor written in a file


def shown_raw(raw: object) -> str:
    """A YAML value as the user wrote it, near enough."""
    if raw is None:
        return "empty"
    if isinstance(raw, bool):
        return str(raw).lower()
    if isinstance(raw, (list, dict)):
        return "a list" if isinstance(raw, list) else "a mapping"
    text = repr(raw)
    return text if len(text) <= 40 else text[:36] + "…" + text[-3:]


def _read_number(v) -> float | None:
    """A number the file wrote (text, or a number a data file gave), or None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return parse_number(v) if isinstance(v, str) else None


def _ascii_hint(v) -> str:
    """' written in ASCII digits' for text Python would read as a number but bpcli does not
    ('١٠', '1_000'), else ''."""
    try:
        float(v)
    except (TypeError, ValueError, OverflowError):
        return ""
    return " written in ASCII digits"


def as_value(v: object) -> np.ndarray | np.float64:
    """A param's value as the engine holds it: an array, or an np.float64 for a number."""
    v = np.asarray(v, dtype=np.float64)
    return v if v.ndim else np.float64(v)


class Checker:
    """Checks values read from the network file ``path``."""

    def __init__(self, path: str):
        self.path = path

    def fail(self, line: int | None, message: str) -> NoReturn:
        raise NetError(self.path, line, message)

    def title(self, doc: LineMap) -> str:
        """The file's `name:` section, text shown in titles ('' when absent)."""
        title = doc.get("name", "")
        if not isinstance(title, str):
            self.fail(doc.lines["name"], "'name' must be text")
        return title

    @contextlib.contextmanager
    def reading_data(self, line: int | None) -> Iterator[None]:
        """A mistake in a data file, reported on the line of the file that names it."""
        try:
            yield
        except DataError as e:
            self.fail(line, str(e))

    def number(self, raw: object, what: str, line: int | None) -> np.float64:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            self.fail(line, f"{what} must be a number, not {shown_raw(raw)}")
        v = _read_number(raw)  # the loader leaves plain scalars as text: 0.5, 1e-3, "2"
        if v is None:
            self.fail(line, f"{what} must be a number{_ascii_hint(raw)}, not {shown_raw(raw)}")
        if not math.isfinite(v):
            self.fail(line, f"{what} must be a finite number, not {shown_raw(raw)}")
        return np.float64(v)

    def array(self, raw: object, what: str, line: int | None) -> np.ndarray:
        """Nested lists of numbers (YAML text) → a float64 array, rectangular and finite."""
        if isinstance(raw, np.ndarray):  # already numbers (a data file, a generated set)
            raw = raw.astype(np.float64).tolist()
        self._check_count(raw, what, line)

        def conv(v):
            if isinstance(v, list):
                return [conv(x) for x in v]
            if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                self.fail(getattr(v, "line", line), f"{what} must hold numbers only")
            number = _read_number(v)
            if number is None:
                self.fail(line, f"{what} must hold numbers{_ascii_hint(v)} only, not {v!r}")
            return number

        try:
            a = np.array(conv(raw), dtype=np.float64)
        except ValueError:
            self.fail(_ragged_line(raw, line),
                      f"{what} is ragged: every row must have the same length")
        if not np.all(np.isfinite(a)):
            self.fail(line, f"{what} must hold finite numbers")
        if a.size == 0:
            self.fail(line, f"{what} is empty; it needs numbers")
        return a

    def _check_count(self, raw, what, line) -> None:
        """Lists within lists at most MAX_DEPTH deep, holding at most the budget's numbers
        once YAML aliases are expanded (a list an alias repeats is counted, not copied)."""
        counted: dict[int, int] = {}

        def count(v, depth):
            if not isinstance(v, list):
                return 1
            if depth >= MAX_DEPTH:
                self.fail(line, f"{what} is lists within lists more than {MAX_DEPTH} deep; a "
                                "tensor has at most 4 axes")
            if id(v) not in counted:
                counted[id(v)] = sum(count(x, depth + 1) for x in v)
            return counted[id(v)]

        total, most = count(raw, 0), limit("written_values")
        if total > most:
            self.fail(line, f"{what} holds {total:,} numbers (YAML aliases repeat them), more "
                            f"than the {most:,} bpcli reads from a network file; large inputs "
                            f"belong in an .npz data file; {raise_hint()}")

    def integer(self, v: Any, what: str, line: int | None, minimum: int | None = None) -> int:
        f = _read_number(v)
        if f is None:
            self.fail(line, f"{what} must be a whole number, not {v!r}")
        if not np.isfinite(f) or f != int(f):
            self.fail(line, f"{what} must be a whole number, not {v}")
        if minimum is not None and f < minimum:
            self.fail(line, f"{what} must be at least {minimum}, not {int(f)}")
        return int(f)

    def shape(self, raw: object, what: str, line: int | None) -> tuple:
        if not isinstance(raw, list) or not raw:
            self.fail(line, f"{what} is a list of sizes, e.g. [1, 6, 6]")
        dims = tuple(self.integer(v, what, line) for v in raw)
        if any(d < 1 for d in dims):
            self.fail(line, f"{what}: every size must be at least 1")
        return dims

    def check_size(self, shape: tuple[int, ...], what: str, line: int | None) -> None:
        most = limit("tensor_values")
        if int(np.prod([float(n) for n in shape])) > most:
            self.fail(line, f"{what} would hold {shape_phrase(shape)} values, more than bpcli's "
                            f"{most:,}; use smaller sizes ({raise_hint()})")


def _ragged_line(raw, line):
    """The line of the first list whose length differs from its siblings'."""
    if isinstance(raw, list) and raw and all(isinstance(r, list) for r in raw):
        lengths = [len(r) for r in raw]
        for r in raw:
            if len(r) != max(set(lengths), key=lengths.count):
                return getattr(r, "line", line) or line
        for r in raw:
            inner = _ragged_line(r, None)
            if inner:
                return inner
    return line
