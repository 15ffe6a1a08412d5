"""What `bpcli train` does at the terminal: a progress bar while it trains, the signals
that stop a run (held back while results are written), and its results saved, printed and
drawn.  (Writing to stdout, for every command: :mod:`bpcli.stdout`.)"""
from __future__ import annotations

import contextlib
import signal
import time

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
from rich.text import Text

from . import api
from .errors import BpcliError
from .render.plot import write_plot
from .stdout import emit, warn


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
