"""What every row of benchmarks/run.py shares: times and their summaries, runs that alternate
between the two sides, a process timed as a user runs it, and the machine's description."""
from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent  # the repository
CONFIGS = ROOT / "configs"


def load_torch():
    """PyTorch with float64 as its default dtype and its threads left alone, or None when it is
    not installed (it is never a dependency of bpcli)."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_default_dtype(torch.float64)
    return torch


@dataclass
class Times:
    """Seconds per unit of work (one step, one run, one process), one entry per timed run."""

    runs: list

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def best(self) -> float:
        return min(self.runs)


@dataclass
class Difference:
    """Per step from whole runs: (T(n + 1) − T(1)) / n, so that start-up, set-up and the
    first step fall out.  best = (min T(n+1) − min T(1)) / n, median likewise."""

    long: list  # T(n + 1) of each run
    short: list  # T(1) of each run
    n: int

    @property
    def runs(self) -> list:
        return self.long

    @property
    def median(self) -> float:
        return (statistics.median(self.long) - statistics.median(self.short)) / self.n

    @property
    def best(self) -> float:
        return (min(self.long) - min(self.short)) / self.n


def alternate(sides: list, repeat: int) -> list[list]:
    """Call each side in turn (a, b, a, b, …) ``repeat`` times; each call returns its own
    measurement.  Alternating spreads the machine's ups and downs (others' jobs, clock
    changes) over both sides alike.  Warm up (and check the numbers) before."""
    results = [[] for _ in sides]
    for _ in range(repeat):
        for side, got in zip(sides, results):
            got.append(side())
    return results


def timed(fn, *args, **kwargs) -> float:
    """Seconds ``fn(*args, **kwargs)`` takes."""
    t0 = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - t0


def bpcli_command() -> list[str]:
    """The bpcli next to the running Python: the virtual environment's script, as a user runs
    it, else ``python -m bpcli``."""
    script = Path(sys.executable).with_name("bpcli")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bpcli"]


def user_env() -> dict:
    """The environment a user's shell gives: .pyc files written and read (start-up timings
    with PYTHONDONTWRITEBYTECODE set would time compiling bpcli every run)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_process(cmd: list, stdout=subprocess.PIPE) -> tuple[float, str]:
    """(wall-clock seconds, stdout) of one whole process; it must exit 0."""
    t0 = time.perf_counter()
    out = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, env=user_env(), cwd=ROOT)
    seconds = time.perf_counter() - t0
    if out.returncode != 0:
        said = [line for line in out.stderr.decode().splitlines() if line.strip()] or [""]
        raise RuntimeError(f"{' '.join(map(str, cmd[1:]))} exited {out.returncode}: {said[-1]}")
    return seconds, out.stdout.decode() if out.stdout is not None else ""


def relative_difference(a, b) -> float:
    """max |a − b| / max |a|, elementwise over two sequences of numbers."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-300))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(torch) -> str:
    """One line naming what the numbers were measured on."""
    torch_version = "not installed"
    if torch is not None:
        torch_version = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    load = ""
    if hasattr(os, "getloadavg"):  # others' jobs: called before the rows run
        load = f", load average {os.getloadavg()[0]:.1f} before the run"
    return (f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()}{load}; Python "
            f"{platform.python_version()}, NumPy {np.__version__}, PyTorch {torch_version}; "
            f"{datetime.date.today().isoformat()}")


@dataclass
class Row:
    """One line of the table: what was timed, on each side, against which goal."""

    key: str  # what --rows calls it
    workload: str
    unit: str  # "µs", "ms" or "s": how its times are shown
    goal: float  # the ratio bpcli/reference must reach, or (absolute) bpcli's seconds
    ours: Times | Difference | None = None
    theirs: Times | Difference | None = None  # PyTorch, or the reference named
    reference: str = "PyTorch"
    absolute: bool = False
    check: str = ""  # what was compared between the sides, and how far apart they were
    same: bool | None = None  # the two sides computed the same numbers
    skipped: str = ""  # why the row did not run
    details: list | None = None  # the conv row's per-op times

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.theirs is None:
            return None
        return self.ours.best / self.theirs.best

    @property
    def median_ratio(self) -> float | None:
        if self.ours is None or self.theirs is None:
            return None
        return self.ours.median / self.theirs.median

    @property
    def met(self) -> bool | None:
        """The goal reached (and, with a reference, by the same computation); None when it
        cannot be judged (no reference)."""
        if self.ours is None or self.same is False:
            return None if self.ours is None else False
        if self.ours.best <= 0:
            return None  # a difference of two noisy process times: too few steps to tell
        if self.absolute:
            return self.ours.best <= self.goal
        return None if self.ratio is None else self.ratio <= self.goal
