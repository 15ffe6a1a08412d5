"""The pieces every table is made of: headings, tables of Text cells, verdict marks."""
from __future__ import annotations

from collections import deque
from typing import Iterable

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ..budget import limit, raise_hint
from .numbers import fit

#: a check's verdict (see bpcli.analysis.tracing.verdict), as markup
MARKS = {"equal": "[green]✓ equal[/]", "not equal": "[red bold]✗ NOT equal[/]",
         "not finite": "[yellow]? not finite, so not comparable[/]"}
JACOBIAN_NOTE = "∂a_j/∂z_i = a_j(δ_ij − a_i);  ∂E/∂z_i = Σ_j ∂E/∂a_j · ∂a_j/∂z_i"


def titled(title: str, *parts: RenderableType) -> Group:
    """A heading line above the table: as a table title a narrow table would wrap it."""
    return Group(Text(title, style="bold"), *parts)


TAIL = 10  # rows a table too long to list in full keeps at its end (E, the last step)
NAME_WIDTH = 16  # a text column keeps this much of its widest cell on a narrow terminal
NUMBER_WIDTH = 6  # and a number column shortens to no less, unless nothing else fits


class _Table:
    """A table whose names never disappear on a narrow terminal, and whose rows stay within
    the budget.

    Rich narrows the widest columns it may wrap, then all alike: the name column of a
    table of long vectors went to nothing.  Here, before Rich lays the table out, a number
    column's heading wraps at its spaces, the columns come 2 spaces apart instead of 3,
    number columns shorten (widest first) to NUMBER_WIDTH, then text columns to NAME_WIDTH
    (or their widest cell), then the columns come 1 space apart and the numbers shorten
    further; a number is rounded to its width, never cut (7.44432e-04 is not 7.444…), and
    only a terminal narrower still is left to Rich.  Each render builds a Rich table anew
    from the cells as written.

    Past the budget's table_rows, a table lists its first rows, ⋮, and its last TAIL.
    """

    def __init__(self) -> None:
        self.heads: list[tuple[RenderableType, bool]] = []  # (heading, a number column)
        self.rows: list[list] = []  # [cells, ends a section]
        self.most = max(limit("table_rows"), 2 * TAIL)  # rows listed; the others, counted
        self.tail: deque = deque(maxlen=TAIL)  # the last rows past the first most − TAIL
        self.hidden = 0
        self.rounded = False  # a number shown with fewer digits than written, to fit

    def add_column(self, heading: str, number: bool = False) -> None:
        # a number column's heading wraps at its spaces before the column shortens
        self.heads.append((Text(heading, no_wrap=False, overflow="fold") if number else heading,
                           number))

    def add_row(self, *cells: RenderableType, end_section: bool = False) -> None:
        """Rows past the budget's first most − TAIL: the last TAIL kept, the others counted."""
        if len(self.rows) < self.most - TAIL and not self.tail:
            self.rows.append([cells, end_section])
            return
        self.hidden += len(self.tail) == TAIL
        self.tail.append([cells, end_section])

    def add_section(self) -> None:
        last = self.tail or self.rows
        if last:
            last[-1][1] = True

    def _listed(self) -> list[list]:
        if not self.tail:
            return self.rows
        gap = [[[Text("⋮", style="dim") for _ in self.heads], False]] if self.hidden else []
        return self.rows + gap + list(self.tail)

    def _rich(self, widths: list[int] | None = None, padding: tuple = (0, 1)) -> Table:
        t = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=padding)
        for k, (heading, number) in enumerate(self.heads):
            t.add_column(heading, justify="right" if number else "left", no_wrap=number,
                         max_width=None if widths is None else widths[k],
                         overflow="ellipsis" if number else "fold")  # text whole, folded
        self.rounded = False
        for cells, end_section in self._listed():
            if widths is not None:  # rounded to fit, never cut mid-number
                fitted = [_fitted(c, w) if number else c
                          for c, w, (_, number) in zip(cells, widths, self.heads)]
                self.rounded |= any(f is not c for f, c in zip(fitted, cells))
                cells = fitted
            t.add_row(*cells, end_section=end_section)
        return t

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._rich())

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = self._listed()
        cells = [max((Measurement.get(console, options, r[0][k]).maximum for r in rows),
                     default=0) for k in range(len(self.heads))]
        heads = [Measurement.get(console, options, h) for h, _ in self.heads]
        widths = [max(c, h.maximum) for c, h in zip(cells, heads)]
        numbers = [n for _, n in self.heads]
        gaps = len(widths) - 1
        padding = (0, 1)  # columns 3 spaces apart
        room = options.max_width - 3 * gaps  # 3 spaces between columns: padding and rule
        if sum(widths) > room:  # a number column's heading wraps ("abs error" on two lines)
            widths = [max(c, h.minimum if n else h.maximum)
                      for c, h, n in zip(cells, heads, numbers)]
        if sum(widths) > room and gaps:
            padding, room = (0, 1, 0, 0), room + gaps  # 2 spaces apart
            # an expression wraps first (the names' column is the first, and stays); then
            # number columns shorten alike (analytic beside numeric), none below the
            # longest word of a number heading: a heading's word stays whole; then the names
            # fold onto more lines, each name whole
            floor = max([NUMBER_WIDTH] + [h.minimum for h, n in zip(heads, numbers) if n])
            floors = [floor if n else NAME_WIDTH for n in numbers]
            kinds = ["text"] + ["number" if n else "text" for n in numbers[1:]]
            kinds = [k if i else "names" for i, k in enumerate(kinds)]
            for kind in ("text", "number", "names"):
                widths = _shorten(widths, kinds, kind, floors, room)
        if sum(widths) > room and gaps:
            padding, room = (0, 0), room + gaps  # 1 space apart
            widths = _shorten(widths, numbers, True, [2] * len(widths), room)
        table = self._rich(widths, padding)
        yield table
        if self.rounded:
            yield Text(f"(numbers shortened to fit {options.max_width} columns: rounded, or a "
                       "vector's first entries; a wider terminal or --format json shows them "
                       "whole)", style="dim")
        if self.hidden:
            yield Text(f"⋮ {self.hidden:,} rows not listed: a table lists at most {self.most:,}; "
                       f"--format json has them all; {raise_hint()}", style="dim")


def _fitted(cell: RenderableType, width: int) -> RenderableType:
    """A number cell rounded to ``width`` characters (:func:`fit`), in its style; "…" when
    no rounding fits."""
    if not isinstance(cell, Text) or cell.cell_len <= width:
        return cell
    text = fit(cell.plain, width)
    if text is None and cell.plain.startswith("["):  # not one entry fits
        text = "[…]" if width >= 3 else "…"
    elif text is None and _is_number(cell.plain):  # a number: say it
        text = "…"  # does not fit, never show a cut prefix (-2.4… of -2.46e-04)
    if text is None:  # "20,000 values: [...]": Rich cuts it, its count first
        return cell
    fitted = Text(text, style=cell.style, justify=cell.justify)
    for span in cell.spans:  # a style over the whole number (bold E)
        fitted.stylize(span.style)
    return fitted


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _shorten(widths: list[int], kinds: list, kind: object, floors: list[int],
             room: int) -> list[int]:
    """``widths`` cut to fit ``room``: the widest column of the ``kind`` first, down to the
    next widest, none below its floor (or its own width)."""
    widths = list(widths)
    while sum(widths) > room:
        able = [i for i, w in enumerate(widths) if kinds[i] == kind and w > floors[i]]
        if not able:
            break
        i = max(able, key=lambda k: widths[k])
        target = max([widths[k] for k in able if k != i] + [floors[i]])
        widths[i] -= max(1, min(widths[i] - target, sum(widths) - room))
    return widths


def table(text_columns: Iterable[str], number_columns: Iterable[str]) -> _Table:
    # Cells are Text, never markup: a user's name or expression may hold "[".
    t = _Table()
    for name in text_columns:
        t.add_column(name)
    for name in number_columns:
        t.add_column(name, number=True)
    return t


def row(t: _Table, *cells: RenderableType, end_section: bool = False) -> None:
    t.add_row(*(Text(c) if isinstance(c, str) else c for c in cells), end_section=end_section)


def kind_text(kind: str) -> Text:
    return Text(kind, style="dim italic")


def dim(text: str) -> Text:
    return Text(text, style="dim")
