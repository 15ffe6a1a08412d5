"""The pieces every table is made of: headings, tables of Text cells, verdict marks."""
from __future__ import annotations

from collections import deque
from typing import Any, Iterable

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ..budget import limit, raise_hint

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


class _Table(Table):
    """A table whose names never disappear on a narrow terminal.

    Rich narrows the widest columns it may wrap, then all alike: the name column of a
    table of long vectors went to nothing.  Here, before Rich lays the table out, a number
    column's heading wraps at its spaces, the columns come 2 spaces apart instead of 3,
    number columns shorten (widest first; a cut number ends in …) to NUMBER_WIDTH, then
    text columns to NAME_WIDTH (or their widest cell), then the columns come 1 space apart
    and the numbers shorten further; only a terminal narrower still is left to Rich.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.most = max(limit("table_rows"), 2 * TAIL)  # rows listed; the others, counted
        self.tail: deque = deque(maxlen=TAIL)  # the last rows past the first most − TAIL
        self.hidden = 0

    def add_row(self, *cells: RenderableType | None, style: Any = None,
                end_section: bool = False) -> None:
        """Rows past the budget's first most − TAIL: the last TAIL kept, the others counted."""
        if self.row_count < self.most - TAIL and not self.tail:
            super().add_row(*cells, style=style, end_section=end_section)
            return
        self.hidden += len(self.tail) == TAIL
        self.tail.append([cells, style, end_section])

    def add_section(self) -> None:
        if self.tail:
            self.tail[-1][2] = True
        else:
            super().add_section()

    def _settle(self) -> None:
        """A table too long: ⋮ where the rows not listed were, then its last rows."""
        if not self.tail:
            return
        tail, self.tail = self.tail, deque()
        if self.hidden:
            super().add_row(*(Text("⋮", style="dim") for _ in self.columns))
        for cells, style, end_section in tail:
            super().add_row(*cells, style=style, end_section=end_section)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        self._settle()
        return super().__rich_measure__(console, options)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        self._settle()
        for column in self.columns:
            column.max_width = None
        self.padding = (0, 1)  # columns 3 spaces apart
        cells = [max((Measurement.get(console, options, c).maximum for c in column.cells),
                     default=0) for column in self.columns]
        heads = [Measurement.get(console, options, column.header) for column in self.columns]
        widths = [max(c, h.maximum) for c, h in zip(cells, heads)]
        numbers = [c.no_wrap for c in self.columns]
        gaps = len(widths) - 1
        room = options.max_width - (Measurement.get(console, options.update_width(10**6), self)
                                    .maximum - sum(widths))
        if sum(widths) > room:  # a number column's heading wraps ("abs error" on two lines)
            widths = [max(c, h.minimum if n else h.maximum)
                      for c, h, n in zip(cells, heads, numbers)]
        if sum(widths) > room and gaps:
            self.padding, room = (0, 1, 0, 0), room + gaps  # 2 spaces apart
            floors = [max(NUMBER_WIDTH, h.minimum) if n else NAME_WIDTH
                      for h, n in zip(heads, numbers)]  # a heading's word stays whole
            widths = _shorten(_shorten(widths, numbers, True, floors, room),
                              numbers, False, floors, room)
        if sum(widths) > room and gaps:
            self.padding, room = (0, 0), room + gaps  # 1 space apart
            widths = _shorten(widths, numbers, True, [2] * len(widths), room)
        for column, width in zip(self.columns, widths):
            column.max_width = width
        yield from super().__rich_console__(console, options)
        if self.hidden:
            yield Text(f"⋮ {self.hidden:,} rows not listed: a table lists at most {self.most:,}; "
                       f"--format json has them all; {raise_hint()}", style="dim")


def _shorten(widths: list[int], numbers: list[bool], kind: bool, floors: list[int],
             room: int) -> list[int]:
    """``widths`` cut to fit ``room``: the widest column of the ``kind`` (numbers or not)
    first, down to the next widest, none below its floor (or its own width)."""
    widths = list(widths)
    while sum(widths) > room:
        able = [i for i, w in enumerate(widths) if numbers[i] == kind and w > floors[i]]
        if not able:
            break
        i = max(able, key=lambda k: widths[k])
        target = max([widths[k] for k in able if k != i] + [floors[i]])
        widths[i] -= max(1, min(widths[i] - target, sum(widths) - room))
    return widths


def table(text_columns: Iterable[str], number_columns: Iterable[str]) -> Table:
    # Cells are Text, never markup: a user's name or expression may hold "[".
    t = _Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name in text_columns:
        t.add_column(name)
    for name in number_columns:  # the heading wraps at its spaces before the column shortens
        t.add_column(Text(name, no_wrap=False, overflow="fold"), justify="right", no_wrap=True)
    return t


def row(t: Table, *cells: RenderableType, **kw: Any) -> None:
    t.add_row(*(Text(c) if isinstance(c, str) else c for c in cells), **kw)


def kind_text(kind: str) -> Text:
    return Text(kind, style="dim italic")


def dim(text: str) -> Text:
    return Text(text, style="dim")
