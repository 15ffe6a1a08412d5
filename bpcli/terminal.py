"""What the command line does at the terminal: writing tables and documents to stdout
(in pieces, quietly when its reader has gone), a progress bar while it trains, and the
signals that stop a run (held back while results are written)."""
from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import signal
import sys
import time
from typing import Iterable

import click
from rich.console import Console

from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
from rich.text import Text

from . import api
from .errors import BpcliError
from .render import document, renderable
from .render.latex import latex
from .render.markdown import markdown
from .render.plot import write_plot


# the signals that stop a training run: Ctrl-C, `timeout` or a scheduler, a terminal closing
STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                 if hasattr(signal, name))


@contextlib.contextmanager
def signals_held():
    """Hold Ctrl-C and SIGTERM back until the block ends.

    Even a handler that does nothing cuts output short: a signal that lands while
    write() waits on a full pipe makes it return after what fitted (64 KB), and
    Python's text layer drops the rest without an error. Blocked, the signal waits
    and reaches the handler when the block ends. (No signal masks on Windows.)
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set(STOPPING))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


class ProgressBar:
    """A progress bar on a terminal, shown only once a run has taken half a second:
    the step, the loss, the rate and the time, each time labelled (elapsed, then left).
    Below 80 columns it is compact: a short bar, no rate."""

    WIDE = 80  # columns from which the bar shows everything

    def __init__(self, console, fmt, steps):
        self.console, self.steps = console, steps
        self.enabled = console.is_terminal and fmt == "table"
        self.bar = None
        self.start = time.perf_counter()
        self.done, self.done_at = 0, self.start  # the last step reported, and when

    def __enter__(self):
        return self if self.enabled else None

    def __call__(self, k, loss):
        if k % 50 and k != self.steps:
            return
        now = time.perf_counter()
        if self.bar is None:
            if now - self.start < 0.5:
                return
            self.bar = Progress(*self.columns(), console=self.console, transient=True)
            self.task = self.bar.add_task("train", total=self.steps, loss="", rate="")
            self.bar.start()
        self.done, self.done_at = k, now
        rate = k / max(now - self.start, 1e-9)
        self.bar.update(self.task, completed=k, loss=f"{loss:.6g}", rate=f"{rate:,.0f}")

    def columns(self) -> tuple[ProgressColumn, ...]:
        clock = _Clock(self)
        if self.console.width >= self.WIDE:
            return (TextColumn("training"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("E {task.fields[loss]}"),
                    TextColumn("{task.fields[rate]} steps/s"), clock)
        return (BarColumn(bar_width=8), MofNCompleteColumn(),
                TextColumn("E {task.fields[loss]}"), clock)

    def times(self, now: float) -> tuple[float, float | None]:
        """Seconds since the run began, and an estimate of those left (None before a step)."""
        elapsed = now - self.start
        if not self.done:
            return elapsed, None
        per_step = (self.done_at - self.start) / self.done
        return elapsed, max(0.0, (self.steps - self.done) * per_step - (now - self.done_at))

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


class _Clock(ProgressColumn):
    """"elapsed 0:02  left 1:08", read afresh at every refresh of the bar."""

    def __init__(self, bar: ProgressBar):
        super().__init__()
        self.bar = bar

    def render(self, task) -> Text:
        elapsed, left = self.bar.times(time.perf_counter())
        return Text(f"elapsed {clock(elapsed)}  left {'-:--' if left is None else clock(left)}",
                    style="progress.elapsed")


def clock(seconds: float) -> str:
    """0:07, 1:08, 1:02:03: minutes and seconds, hours only when there are any."""
    minutes, s = divmod(int(seconds), 60)
    hours, m = divmod(minutes, 60)
    return f"{hours}:{m:02d}:{s:02d}" if hours else f"{m}:{s:02d}"


# ------------------------------------------------------------------ stdout

WRITE_ERRORS = (errno.ENOSPC, errno.EIO, errno.EDQUOT)  # stdout on a full disk, a terminal gone


def warn(message: str) -> None:
    """One warning line on stderr."""
    click.echo(f"warning: {message}", err=True)


def console_out() -> Console:
    """Stdout's console.  In a pipe Rich would assume 80 columns: unless COLUMNS says
    otherwise, let tables keep their natural width there (a pager or file has room).
    COLUMNS below 20 counts as 20."""
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
        emit_json(document(report))
        return
    if fmt in ("markdown", "latex"):
        write_pieces([(markdown if fmt == "markdown" else latex)(report, precision)])
        return
    console = console_out()
    tables = renderable(report, precision, console.width, every)
    if console.is_terminal:
        console.print(tables)
        return
    # Plain text: without the padding Rich adds to fill each table's width.
    with console.capture() as captured:
        console.print(tables)
    write_pieces(line.rstrip() + "\n" for line in captured.get().splitlines())


def emit_json(doc: dict) -> None:
    """A JSON document on stdout, written in pieces."""
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


def finish_training(result, fmt, precision, every, save, plot) -> None:
    """A training run's results: saved first (a closed terminal, SIGHUP, or a full disk
    under stdout cannot cost the trained net), then printed and drawn."""
    for w in result.warnings:
        warn(w)
    unsaved = None
    if save:
        try:
            api.save(result, save)
        except BpcliError as e:  # said after the results, which are still shown
            unsaved = e
    emit(fmt, result, precision, every=every)
    if plot:
        write_plot(plot, result.history, result.eta, result.title)
        if fmt == "table":
            click.echo(f"drew the loss curve to {plot}")
    if unsaved is not None:
        raise unsaved
    if save and fmt == "table":
        click.echo(f"saved the trained network to {save}")
