"""What the command line writes: tables and documents on stdout, in pieces as they are made
(quietly when the reader has gone), and warnings on stderr.  Rich is imported only to print
a table, and each format's renderer only when it is asked for."""
from __future__ import annotations

import errno
import itertools
import math
import os
import sys
from typing import Iterable, Iterator

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
    write_pieces(itertools.chain(json_pieces(doc), "\n"))


FLAT_PIECE = 1000  # entries of a mapping or list of numbers joined into one piece
JSON_WORDS = {None: "null", True: "true", False: "false"}


def json_pieces(v: object, level: int = 0) -> Iterator[str]:
    """The text of ``json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(v)``, in
    pieces.  The standard library's C encoder takes no indent, and its Python one makes
    several calls per value: here a mapping or list of finite floats (every value of a
    forward, 10⁵ of them in a long chain) is joined a thousand entries at a time.  Anything
    but plain mappings, lists and numbers is written by that encoder itself, its text
    indented to ``level`` (a JSON string holds no raw newline)."""
    import json.encoder  # here, not above: a table needs none

    t = type(v)
    if t is float and math.isfinite(v):
        yield float.__repr__(v)
        return
    if t is str:
        yield json.encoder.encode_basestring(v)
        return
    if t is int:
        yield int.__repr__(v)
        return
    if v is None or t is bool:
        yield JSON_WORDS[v]
        return
    if t is dict and v and all(type(k) is str for k in v):
        keys = list(map(json.encoder.encode_basestring, v))
        values = v.values()
    elif t in (list, tuple) and v:
        keys, values = None, v
    else:  # a float not finite, an empty or unusual container, an unknown type, …
        text = "".join(json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(v))
        yield text.replace("\n", "\n" + "  " * level) if level else text
        return
    inner, outer = "\n" + "  " * (level + 1), "\n" + "  " * level
    yield "[" if keys is None else "{"
    if all(type(x) is float for x in values) and all(map(math.isfinite, values)):
        items = list(map(float.__repr__, values))
        if keys is not None:
            items = [f"{k}: {x}" for k, x in zip(keys, items)]
        for start in range(0, len(items), FLAT_PIECE):
            yield ("," if start else "") + inner + ("," + inner).join(
                items[start:start + FLAT_PIECE])
    else:
        for n, x in enumerate(values):
            yield ("," if n else "") + inner + ("" if keys is None else keys[n] + ": ")
            yield from json_pieces(x, level + 1)
    yield outer + ("]" if keys is None else "}")


def quiet_stdout() -> None:
    """Stdout's reader has gone: what is still buffered goes nowhere, without a second
    BrokenPipeError as Python flushes stdout on its way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (a test's stdout): nothing to flush
        pass
