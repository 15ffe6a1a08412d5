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


def write_graph_png(path: str, picture, layout: dict, lines, style: dict) -> None:
    """The picture of ``bpcli graph`` as a PNG, drawn with matplotlib from the same layout
    as the SVG (``layout``: box id → (x, y, height) in pixels; ``lines(box)``: its text;
    ``style``: the SVG's sizes and colours)."""
    import matplotlib  # the optional extra: imported only when a picture is asked for

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    BOX_W, FILL, LIT, LINE_H, PAD = (style[k] for k in ("BOX_W", "FILL", "LIT", "LINE_H", "PAD"))
    width = max(x for x, _, _ in layout.values()) + BOX_W + 3 * PAD
    height = max(y + h for _, y, h in layout.values()) + 4 * PAD
    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    ax.text(3 * PAD, 3 * PAD, picture.title + (f" — the paths from E down to {picture.wrt}"
                                               if picture.wrt else ""),
            fontsize=9, fontweight="bold", va="bottom")
    for e in picture.edges:
        (x1, y1, h1), (x2, y2, h2) = layout[e.src], layout[e.dst]
        color = LIT if e.lit else "#5f6368"
        ax.add_patch(FancyArrowPatch((x1 + BOX_W, y1 + h1 / 2), (x2, y2 + h2 / 2),
                                     arrowstyle="-|>", mutation_scale=9, color=color,
                                     lw=2 if e.lit else 0.8,
                                     connectionstyle="arc3,rad=0"))
        if e.factor is not None:
            ax.text((x1 + BOX_W + x2) / 2, (y1 + h1 / 2 + y2 + h2 / 2) / 2 - 3,
                    fmt_factor(e.factor), fontsize=7, color=color, ha="center",
                    bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none"))
    for b in picture.boxes:
        x, y, h = layout[b.id]
        ax.add_patch(FancyBboxPatch((x, y), BOX_W, h, boxstyle="round,pad=0,rounding_size=6",
                                    fc=FILL.get(b.kind, "#ffffff"), ec=LIT if b.lit else "#202124",
                                    lw=2 if b.lit else 0.8))
        for k, line in enumerate(lines(b)):
            ax.text(x + PAD, y + PAD + LINE_H * (k + 1) - 3, line, fontsize=8,
                    fontweight="bold" if k == 0 else "normal")
    try:
        write_atomic_with(path, lambda tmp: fig.savefig(tmp, format="png"), suffix=".png")
    except Unwritable as e:
        raise UsageError(None, None, str(e)) from None
    finally:
        plt.close(fig)


def fmt_factor(v: float) -> str:
    return f"{v:.4f}"
