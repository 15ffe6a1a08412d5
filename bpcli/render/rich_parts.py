"""The pieces every table is made of: headings, tables of Text cells, verdict marks."""
from __future__ import annotations

from typing import Any, Iterable

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

#: a check's verdict (see bpcli.analysis.tracing.verdict), as markup
MARKS = {"equal": "[green]✓ equal[/]", "not equal": "[red bold]✗ NOT equal[/]",
         "not finite": "[yellow]? not finite, so not comparable[/]"}
JACOBIAN_NOTE = "∂a_j/∂z_i = a_j(δ_ij − a_i);  ∂E/∂z_i = Σ_j ∂E/∂a_j · ∂a_j/∂z_i"


def titled(title: str, *parts: RenderableType) -> Group:
    """A heading line above the table: as a table title a narrow table would wrap it."""
    return Group(Text(title, style="bold"), *parts)


def table(text_columns: Iterable[str], number_columns: Iterable[str]) -> Table:
    # Cells are Text, never markup: a user's name or expression may hold "[".
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name in text_columns:
        t.add_column(name)
    for name in number_columns:
        t.add_column(name, justify="right", no_wrap=True)
    return t


def row(t: Table, *cells: RenderableType, **kw: Any) -> None:
    t.add_row(*(Text(c) if isinstance(c, str) else c for c in cells), **kw)


def kind_text(kind: str) -> Text:
    return Text(kind, style="dim italic")


def dim(text: str) -> Text:
    return Text(text, style="dim")
