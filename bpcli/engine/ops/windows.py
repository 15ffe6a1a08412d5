"""Window geometry shared by convolution and pooling (images are N×C×H×W)."""
from __future__ import annotations

import os
import threading
from typing import Any, Callable, Iterator, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...text import shape_phrase


HALVES_MIN = 1 << 17  # cells an op touches before its batch is split over two threads
_helper: list = []  # the one helper thread's pool, made on first use


def by_halves(n: int, cells: int, work: Callable[[slice], None]) -> None:
    """Run ``work(samples)`` over a batch of ``n``: on a machine with more than one core
    and past HALVES_MIN cells, the second half of the samples on a helper thread while
    this one does the first, as PyTorch uses its cores.  ``work`` writes each sample's
    results into arrays made beforehand, so the numbers are those of one pass: every
    sample's own, and any sum over the samples is taken after, by the caller.  NumPy
    lets go of the interpreter inside its loops and BLAS products, so both cores work."""
    if cells >= HALVES_MIN and not _kept:
        keep_freed_memory()
    if (n < 2 or cells < HALVES_MIN or (os.cpu_count() or 1) < 2
            or threading.current_thread().name.startswith("bpcli-half")):  # never wait on itself
        work(slice(0, n))
        return
    if not _helper:
        from concurrent.futures import ThreadPoolExecutor  # (only a big batch pays its import)
        _helper.append(ThreadPoolExecutor(1, thread_name_prefix="bpcli-half"))
    later = _helper[0].submit(_with_errstate, np.geterr(), work, slice(n // 2, n))
    try:
        work(slice(0, n // 2))
    finally:
        later.exception()  # wait: never unwind while the helper still writes the caller's arrays
    later.result()


_kept: list = []  # keep_freed_memory() has run


def keep_freed_memory() -> None:
    """Ask glibc's malloc to keep freed memory for the next arrays rather than hand it back
    to the system at once: by default a freed block of a few MB goes back, and NumPy's next
    array of that size comes as fresh pages, each a page fault on first touch — 4 400 of them
    in a step of the 64-image conv stack, half its time.  (Blocks past 64 MB still go back.)
    A no-op where the C library is not glibc."""
    _kept.append(True)
    try:
        import ctypes  # (only a big batch pays its import)

        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD: blocks below 64 MB come from the heap
    mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD: up to 256 MB of free heap kept
    mallopt(-2, 64 << 20)  # M_TOP_PAD: the heap grows by 64 MB at a time


def _with_errstate(err: dict, work: Callable[[slice], None], part: slice) -> None:
    """work(part) under the caller's floating-point settings (train's "ignore"): NumPy
    keeps them per thread."""
    with np.errstate(**err):
        work(part)


def pair(v: int | Sequence[int]) -> tuple[int, ...]:
    """A size given once for both axes, or as (rows, columns)."""
    return (v, v) if np.ndim(v) == 0 else tuple(v)


def pair_text(p: tuple[int, ...]) -> str:
    """'2' for (2, 2), '2×3' for (2, 3)."""
    return str(p[0]) if p[0] == p[1] else f"{p[0]}×{p[1]}"


def windows(x: np.ndarray, size: tuple[int, ...], stride: tuple[int, ...]) -> np.ndarray:
    """Every kh×kw window of x (N×C×H×W) at the stride: a view, N×C×OH×OW×kh×kw."""
    (kh, kw), (sh, sw) = size, stride
    return sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]


def offsets(size: tuple[int, ...], stride: tuple[int, ...], out_hw: tuple[int, ...]
            ) -> Iterator[tuple[int, tuple[slice, ...]]]:
    """For each offset (ky, kx) of a window, in row-major order: its number ky·kw + kx
    and the slice of the input grid that offset covers, one cell per window."""
    (kh, kw), (sh, sw), (oh, ow) = size, stride, out_hw
    for ky in range(kh):  # over the offsets in a window (a handful), not over pixels
        for kx in range(kw):
            yield ky * kw + kx, (slice(None), slice(None),
                                 slice(ky, ky + sh * (oh - 1) + 1, sh),
                                 slice(kx, kx + sw * (ow - 1) + 1, sw))


def unused_text(in_shape: tuple[int, ...], out_shape: tuple[int, ...], size: tuple[int, ...],
                stride: tuple[int, ...], padding: tuple[int, ...] = (0, 0)) -> str:
    """' (1 row(s), 1 column(s) of its input unused)' when windows leave input rows or
    columns untouched (stride leftovers, or gaps when the stride exceeds the window), else ''.

    Shapes are of one sample: C×H×W in, C'×OH×OW out."""
    def uncovered(n, pad, k, s, o):
        starts = np.arange(o) * s - pad
        covered = (np.arange(n)[:, None] >= starts) & (np.arange(n)[:, None] < starts + k)
        return int((~covered.any(axis=1)).sum())

    rows = uncovered(in_shape[1], padding[0], size[0], stride[0], out_shape[1])
    cols = uncovered(in_shape[2], padding[1], size[1], stride[1], out_shape[2])
    if rows or cols:
        return f" ({rows} row(s), {cols} column(s) of its input unused)"
    return ""


def images(s: Any) -> tuple[int, ...]:
    """C, H, W of a conv or pool layer's input (one sample), read through a layer-settings
    reader; a mistake in the file if the input is not images."""
    if len(s.in_shape) != 3:
        s.fail(f"{s.what} needs images (C×H×W), but gets {shape_phrase(s.in_shape)}")
    return s.in_shape
