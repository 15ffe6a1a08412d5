"""Max- and mean-pooling over kh×kw windows of N×C×H×W images.

Windows that would run past the edge are dropped, as in PyTorch: the rows and columns
they leave over get no gradient.  Forward and backward walk the kh·kw offsets of a
window (a handful), each step a whole-array operation.
"""
from __future__ import annotations

import numpy as np

from ..registry import LayerType, Made, register
from .tensor_rules import pool_rules
from .windows import by_halves, images, offsets, pair, pair_text, unused_text, windows


def _geometry(size=2, stride=None):
    """((kh, kw), (sh, sw)) of a pool's settings: the stride is the window's size unless given."""
    return pair(size), pair(stride if stride is not None else size)


def maxpool_forward(x: np.ndarray, size: int | tuple[int, ...] = 2,
                    stride: int | tuple[int, ...] | None = None) -> tuple[np.ndarray, tuple]:
    """x: N×C×H×W → each window's maximum, N×C×OH×OW; cache: (x's shape, the winners'
    offsets ky·kw + kx in their windows, size, stride).  Ties go to the first in
    row-major order (as np.argmax).

    In two passes, each over the kw (then kh) offsets of a row of windows: first the
    maximum of every input row's kw cells under each window, then of the kh rows of a
    window.  A strict > keeps the first of equal cells in each pass, so the winner is the
    first in row-major order.  The slices of the first pass merge into one long strided
    run when the windows tile the rows, which NumPy walks fast."""
    k, s = _geometry(size, stride)
    halves = []
    by_halves(len(x), x.size, lambda part: halves.append((part.start, _max_and_winners(x[part], k, s))))
    if len(halves) == 1:
        return halves[0][1]
    (_, (out1, cache1)), (_, (out2, cache2)) = sorted(halves, key=lambda h: h[0])
    return np.concatenate([out1, out2]), (x.shape, np.concatenate([cache1[1], cache2[1]]), k, s)


def _max_and_winners(x, k, s):
    """maxpool_forward of the samples x: (out, cache)."""
    (kh, kw), (sh, sw) = k, s
    shape = x.shape
    oh, ow = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    h, w = (oh - 1) * sh + kh, (ow - 1) * sw + kw  # the cells some window covers
    if (h, w) != shape[2:]:  # rows and columns left over: a compact copy walks faster
        x = np.ascontiguousarray(x[:, :, :h, :w])
    rows, kx = _running_max([x[:, :, :, j:j + sw * (ow - 1) + 1:sw] for j in range(kw)])
    out, ky = _running_max([rows[:, :, i:i + sh * (oh - 1) + 1:sh] for i in range(kh)])
    if kh > 1:  # each window's winning column, read off the winning row
        kx = _pick([kx[:, :, i:i + sh * (oh - 1) + 1:sh] for i in range(kh)], ky)
    else:
        kx = kx[:, :, ::sh][:, :, :oh]
    if np.isnan(out).any():  # a diverged run: the first NaN of a window wins, as in np.argmax
        return out, (shape, _nan_winners(x, out, k, s), k, s)
    return out, (shape, ky.astype(_index_type(kh * kw)) * kw + kx, k, s)


def _running_max(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The elementwise maximum of ``parts`` (np.maximum, chained in order, so that the
    bits are the chain's) and the index of the first part that holds it (a small
    unsigned type: the arithmetic below wraps around and still lands on the index; the
    winners' offsets are kept in it too, an eighth of the memory backward reads)."""
    best, at = parts[0], np.zeros(parts[0].shape, dtype=_index_type(len(parts)))
    for j, part in enumerate(parts[1:], 1):
        ahead = part > best  # strictly: the first of equal values keeps it
        best = np.maximum(best, part)
        at = ahead.view(np.uint8) if len(parts) == 2 else at + (j - at) * ahead
    return best, at


def _index_type(n: int) -> type:
    return np.uint8 if n <= 256 else np.intp


def _pick(choices: list[np.ndarray], index: np.ndarray) -> np.ndarray:
    """choices[index] elementwise (integers), by arithmetic rather than np.choose's copy."""
    picked = choices[0]
    for j, c in enumerate(choices[1:], 1):
        picked = picked + (c - picked) * (index == j)
    return picked


def _nan_winners(x, out, k, s):
    """The winners' offsets where some window holds a NaN: the first NaN wins it (as
    np.argmax), elsewhere the first cell equal to the maximum."""
    cells = list(offsets(k, s, out.shape[2:]))
    arg = np.zeros(out.shape, dtype=_index_type(len(cells)))
    nan = np.isnan(out)
    for offset, c in reversed(cells):  # the first in row-major order is written last
        np.copyto(arg, offset, where=(x[c] == out) | (nan & np.isnan(x[c])))
    return arg


def maxpool_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray]:
    """dout: N×C×OH×OW → (dx: N×C×H×W,): the whole gradient goes to the window's winner,
    0 to the others (seed note, §5)."""
    x_shape, arg, k, s = cache
    dx = np.zeros(x_shape)
    if s[0] >= k[0] and s[1] >= k[1]:  # no cell in two windows: each winner gets one dout
        # (dout + 0.0: the bits of the sum 0.0 + dout, −0.0 → 0.0)
        dx.reshape(-1)[_winner_cells(x_shape, arg, k, s)] = (dout + 0.0).reshape(-1)
        return (dx,)

    def work(part):  # a cell in several windows: their douts added in offset order
        for offset, cells in offsets(k, s, dout.shape[2:]):
            dx[part][cells] += np.where(arg[part] == offset, dout[part], 0.0)

    by_halves(len(dx), dx.size, work)
    return (dx,)


def _winner_cells(x_shape: tuple, arg: np.ndarray, k: tuple, s: tuple) -> np.ndarray:
    """Each window's winner as its cell's index in x flattened, window by window: the
    window's first cell (its image plane, row and column) plus the winner's offset
    ky·W + kx within it."""
    n, c, h, w = x_shape
    (kh, kw), (sh, sw) = k, s
    oh, ow = arg.shape[2:]
    within = np.arange(kh * kw, dtype=np.intp)
    cells = np.take(within // kw * w + within % kw, arg.reshape(n * c, oh * ow))
    cells += ((np.arange(oh, dtype=np.intp) * (sh * w))[:, None]
              + np.arange(ow, dtype=np.intp) * sw).reshape(-1)
    cells += (np.arange(n * c, dtype=np.intp) * (h * w))[:, None]
    return cells.reshape(-1)


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
