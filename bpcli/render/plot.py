"""The loss curve as a picture, with matplotlib (the optional 'plot' extra)."""
from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from ..errors import UsageError
from ..io.files import Unwritable, write_atomic_with

SUFFIXES = (".png", ".pdf", ".svg")


def write_plot(path: str, history: Sequence[float], eta: float, title: str) -> None:
    """E against the step, to ``path`` (.png, .pdf or .svg), written whole or not at all;
    a log scale when E spans more than two decades."""
    import matplotlib  # the optional extra: imported only when a picture is asked for

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=120)
    steps = np.arange(1, len(history) + 1)
    ax.plot(steps, history, lw=1.2)
    losses = np.asarray(history)
    if len(losses) and np.all(losses > 0) and losses.max() / losses.min() > 100:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("E (before the step's update)")
    ax.set_title(f"{title}: η = {eta:g}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    kind = os.path.splitext(path)[1].lower().lstrip(".")  # png, pdf or svg
    try:
        write_atomic_with(path, lambda tmp: fig.savefig(tmp, format=kind), suffix="." + kind)
    except Unwritable as e:
        raise UsageError(None, None, str(e)) from None
    except OSError as e:
        raise UsageError(None, None, f"cannot write {path}: {e.strerror or e}") from None
    finally:
        plt.close(fig)
