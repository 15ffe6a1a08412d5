"""Max- and mean-pooling over kh×kw windows of N×C×H×W images.

Windows that would run past the edge are dropped, as in PyTorch: the rows and columns
they leave over get no gradient.  Forward and backward walk the kh·kw offsets of a
window (a handful), each step a whole-array operation.
"""
from __future__ import annotations

import numpy as np

from ..registry import LayerType, Made, register
from .tensor_rules import pool_rules
from .windows import images, offsets, pair, pair_text, unused_text, windows


def _geometry(size=2, stride=None):
    """((kh, kw), (sh, sw)) of a pool's settings: the stride is the window's size unless given."""
    return pair(size), pair(stride if stride is not None else size)


def maxpool_forward(x: np.ndarray, size: int | tuple[int, ...] = 2,
                    stride: int | tuple[int, ...] | None = None) -> tuple[np.ndarray, tuple]:
    """x: N×C×H×W → each window's maximum, N×C×OH×OW; cache: (x's shape, the winners'
    offsets ky·kw + kx in their windows, size, stride).  Ties go to the first in
    row-major order (as np.argmax)."""
    k, s = _geometry(size, stride)
    out_hw = ((x.shape[2] - k[0]) // s[0] + 1, (x.shape[3] - k[1]) // s[1] + 1)
    cells = list(offsets(k, s, out_hw))
    out = x[cells[0][1]].copy()
    for _, c in cells[1:]:
        np.maximum(out, x[c], out=out)  # a NaN propagates, as in np.max
    # arg, N×C×OH×OW: the winner's offset ky·kw + kx in its window.  Walked backwards,
    # so of several offsets equal to the maximum (a tie) the first in row-major order
    # is written last and wins, as in np.argmax; in a window holding a NaN (a diverged
    # run), the first NaN wins, as in np.argmax too.
    arg = np.zeros(out.shape, dtype=np.intp)
    nan = np.isnan(out)
    nan = nan if nan.any() else None
    for offset, c in reversed(cells):
        top = x[c] == out
        if nan is not None:
            top |= nan & np.isnan(x[c])
        np.copyto(arg, offset, where=top)
    return out, (x.shape, arg, k, s)


def maxpool_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray]:
    """dout: N×C×OH×OW → (dx: N×C×H×W,): the whole gradient goes to the window's winner,
    0 to the others (seed note, §5)."""
    x_shape, arg, k, s = cache
    dx = np.zeros(x_shape)
    for offset, cells in offsets(k, s, dout.shape[2:]):
        dx[cells] += np.where(arg == offset, dout, 0.0)
    return (dx,)


def _windows_holding(index, site):
    """The output cells (a, b) whose window holds input pixel ``index`` = (n, c, i, j)."""
    (kh, kw), (sh, sw) = _geometry(**site.attrs)
    _, _, i, j = index
    oh, ow = np.shape(site.out)[2:]
    return [(a, b) for a in range(oh) if a * sh <= i < a * sh + kh
            for b in range(ow) if b * sw <= j < b * sw + kw]


def _maxpool_feeds(k, index, site):
    """A pixel feeds each window that holds it: through 1 if it won that window's max,
    else 0 (naming the winner, or the tie it lost)."""
    x = site.inputs[0]
    (kh, kw), (sh, sw) = _geometry(**site.attrs)
    n, c, i, j = index
    rows = []
    for a, b in _windows_holding(index, site):
        window = x[n, c, a * sh:a * sh + kh, b * sw:b * sw + kw]
        wi, wj = np.unravel_index(np.argmax(window), window.shape)
        won = (a * sh + wi, b * sw + wj) == (i, j)
        winner = site.label(0, (n, c, a * sh + wi, b * sw + wj))
        if won:
            why = "1: it won the max of its window"
        elif x[n, c, i, j] == window[wi, wj]:
            why = f"0: a tie; {winner} came first"
        else:
            why = f"0: {winner} won the max"
        rows.append(((n, c, a, b), 1.0 if won else 0.0, why))
    return rows


def meanpool_forward(x: np.ndarray, size: int | tuple[int, ...] = 2,
                     stride: int | tuple[int, ...] | None = None) -> tuple[np.ndarray, tuple]:
    """x: N×C×H×W → each window's mean, N×C×OH×OW; cache: (x's shape, size, stride)."""
    k, s = _geometry(size, stride)
    return windows(x, k, s).mean(axis=(-2, -1)), (x.shape, k, s)


def meanpool_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray]:
    """dout: N×C×OH×OW → (dx: N×C×H×W,): each of the n = kh·kw pixels of a window gets
    1/n of its gradient (seed note, §5)."""
    x_shape, (kh, kw), s = cache
    share = dout / (kh * kw)
    dx = np.zeros(x_shape)
    for _, cells in offsets((kh, kw), s, dout.shape[2:]):
        dx[cells] += share
    return (dx,)


def _meanpool_feeds(k, index, site):
    (kh, kw), _ = _geometry(**site.attrs)
    n, c, _, _ = index
    return [((n, c, a, b), 1.0 / (kh * kw), f"1/{kh * kw}: an equal share of its window")
            for a, b in _windows_holding(index, site)]


def _pool_layer(kind):
    def make(s):
        c, h, w = images(s)
        size = s.integer("size", pair=True)
        if size is None:
            s.fail(f"{s.what} needs a window size, e.g. size: 2")
        stride = s.integer("stride", size, pair=True)
        (kh, kw), (sh, sw) = size, pair(stride)
        if kh > h or kw > w:
            s.fail(f"{s.what}: the {kh}×{kw} window is larger than its {h}×{w} input; "
                   "use a smaller size")
        out = (c, (h - kh) // sh + 1, (w - kw) // sw + 1)
        text = f"{kind} {kh}×{kw}, stride {pair_text((sh, sw))}"
        text += unused_text(s.in_shape, out, (kh, kw), (sh, sw))
        return Made(kind, {"size": (kh, kw), "stride": (sh, sw)}, out, text, {},
                    int(np.prod(out, dtype=float) * kh * kw))
    return LayerType(kind, ("size", "stride"), make, prefix="pool", takes="images")


register("maxpool", maxpool_forward, maxpool_backward, None, 1, feeds=_maxpool_feeds,
         rules=pool_rules("max"),
         kinks=lambda cache: np.asarray(cache[1]).tobytes(), layer=_pool_layer("maxpool"))
register("meanpool", meanpool_forward, meanpool_backward, None, 1, feeds=_meanpool_feeds,
         rules=pool_rules("mean"),
         layer=_pool_layer("meanpool"))
