"""What the command line writes: tables and documents on stdout, in pieces as they are made
(quietly when the reader has gone), and warnings on stderr.  Rich is imported only to print
a table, and each format's renderer only when it is asked for."""
from __future__ import annotations

import errno
import itertools
import os
import sys
from typing import Iterable

import click

from . import render
from .errors import BpcliError

WRITE_ERRORS = (errno.ENOSPC, errno.EIO, errno.EDQUOT)  # stdout on a full disk, a terminal gone


def warn(message: str) -> None:
    """One warning line on stderr."""
    click.echo(f"warning: {message}", err=True)


def console_out():
    """Stdout's console (a rich.console.Console).  In a pipe Rich would assume 80 columns:
    unless COLUMNS says otherwise, let tables keep their natural width there (a pager or file
    has room).  COLUMNS below 20 counts as 20."""
    from rich.console import Console  # here, not above: JSON needs no Rich

    columns = os.environ.get("COLUMNS", "")
    width = max(int(columns), 20) if columns.isdigit() and int(columns) > 0 else None
    console = Console(highlight=False, width=width)  # COLUMNS=0 or junk: as if unset
    if width is None and not console.is_terminal:
        console = Console(highlight=False, width=400)
    return console


PIECE = 2**16  # characters written to stdout at a time: a pipe holds 64 KB


def write_pieces(pieces: Iterable[str]) -> None:
    """Text on stdout in writes of about PIECE characters, as it is made.

    Neither a document of millions of values nor a long table is held a second time as
    one string; and a reader that stops early (`| head`) is met by the next write, where
    one large write cut short by SIGPIPE would end without an error (exit status 0).
    """
    if sys.stdout is None:  # started with stdout closed (>&-): Click would write nothing
        raise BpcliError("standard output is closed; redirect it to a file or /dev/null")
    buffered, size = [], 0
    for piece in pieces:
        buffered.append(piece)
        size += len(piece)
        if size >= PIECE:
            click.echo("".join(buffered), nl=False)
            buffered, size = [], 0
    click.echo("".join(buffered), nl=False)


def emit(fmt, report, precision, every=None):
    """Print a report: as JSON, or as tables fitted to the terminal."""
    if fmt == "json":
        emit_json(render.document(report))
        return
    if fmt in ("markdown", "latex"):
        writer = render.markdown.markdown if fmt == "markdown" else render.latex.latex
        write_pieces([writer(report, precision)])
        return
    console = console_out()
    tables = render.renderable(report, precision, console.width, every)
    if console.is_terminal:
        console.print(tables)
        return
    # Plain text: without the padding Rich adds to fill each table's width.
    with console.capture() as captured:
        console.print(tables)
    write_pieces(line.rstrip() + "\n" for line in captured.get().splitlines())


def emit_json(doc: dict) -> None:
    """A JSON document on stdout, written in pieces."""
    import json  # here, not above: a table needs none

    write_pieces(itertools.chain(
        json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(doc), "\n"))


def quiet_stdout() -> None:
    """Stdout's reader has gone: what is still buffered goes nowhere, without a second
    BrokenPipeError as Python flushes stdout on its way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test's stdout): nothing to flush
        pass
