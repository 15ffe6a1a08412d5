"""What the command line does at the terminal while it trains: a progress bar, and the
signals that stop a run (held back while results are written)."""
from __future__ import annotations

import contextlib
import signal
import time

from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)


STOPPING = (signal.SIGINT, signal.SIGTERM)  # the signals that stop a training run


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
    the step, the loss and the rate."""

    def __init__(self, console, fmt, steps):
        self.console, self.steps = console, steps
        self.enabled = console.is_terminal and fmt == "table"
        self.bar = None
        self.start = time.perf_counter()

    def __enter__(self):
        return self if self.enabled else None

    def __call__(self, k, loss):
        if k % 50 and k != self.steps:
            return
        if self.bar is None:
            if time.perf_counter() - self.start < 0.5:
                return
            self.bar = Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("E {task.fields[loss]}"),
                                TextColumn("{task.fields[rate]} steps/s"),
                                TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                console=self.console, transient=True)
            self.task = self.bar.add_task("train", total=self.steps, loss="", rate="")
            self.bar.start()
        rate = k / max(time.perf_counter() - self.start, 1e-9)
        self.bar.update(self.task, completed=k, loss=f"{loss:.6g}", rate=f"{rate:,.0f}")

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
