"""Tensor ops of layer networks: each a vectorized forward/backward pair.

Shapes follow PyTorch: images are N×C×H×W, dense weights units×inputs, conv
weights filters×channels×kh×kw.  No op loops over pixels, samples or channels;
the pooling and conv backward passes loop over the kh·kw offsets inside a window
(a handful), each step a whole-array operation.

The elementwise ops of equation nets (sigmoid, tanh, ...) work on arrays as they
are, and serve layer nets too.  A batch's loss is the mean over its samples.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .ops import register


def _pair(v):
    return (v, v) if np.ndim(v) == 0 else tuple(v)


def _windows(x, size, stride):
    """Every k×k window of x (N×C×H×W) at the stride: a view, N×C×OH×OW×kh×kw."""
    (kh, kw), (sh, sw) = size, stride
    return sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]


def _offsets(size, stride, out_hw):
    """For each offset (ky, kx) of a window, in row-major order: its number ky·kw + kx
    and the slice of the input grid that offset covers, one cell per window."""
    (kh, kw), (sh, sw), (oh, ow) = size, stride, out_hw
    for ky in range(kh):  # over the offsets in a window (a handful), not over pixels
        for kx in range(kw):
            yield ky * kw + kx, (slice(None), slice(None),
                                 slice(ky, ky + sh * (oh - 1) + 1, sh),
                                 slice(kx, kx + sw * (ow - 1) + 1, sw))


# ------------------------------------------------------------------ conv2d

def conv2d_forward(x, w, b, stride=1, padding=0):
    """x: N×C×H×W, w: F×C×kh×kw, b: F → N×F×OH×OW (cross-correlation, as frameworks do)."""
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
    win = _windows(xp, w.shape[2:], (sh, sw))  # N×C×OH×OW×kh×kw
    out = np.einsum("ncyxij,fcij->nfyx", win, w, optimize=True) + b[None, :, None, None]
    return out, (x.shape, xp, w, (sh, sw), (ph, pw))


def conv2d_backward(dout, cache, need=(True, True, True)):
    # One matrix product per offset (ky, kx) of the kernel: the weight at that offset met
    # the input cells of _offsets' slice, one per output unit (faster than one einsum
    # over the 6-D window view, which NumPy cannot hand to BLAS).
    x_shape, xp, w, stride, (ph, pw) = cache
    f, c, kh, kw = w.shape
    db = dout.sum(axis=(0, 2, 3))
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, f)  # (N·OH·OW)×F
    xt = xp.transpose(0, 2, 3, 1)  # N×H×W×C: the channels last, for matmul
    cells = list(_offsets((kh, kw), stride, dout.shape[2:]))
    dw = np.empty(w.shape)
    for k, (_, _, ys, xs) in cells:
        dw[:, :, k // kw, k % kw] = d2.T @ xt[:, ys, xs, :].reshape(-1, c)
    if not need[0]:  # the input is data: training wants no ∂E/∂input (half the work)
        return 0.0, dw, db
    dt = d2.reshape(*dout.shape[:1], *dout.shape[2:], f)  # N×OH×OW×F
    dxt = np.zeros(xt.shape)
    for k, (_, _, ys, xs) in cells:
        dxt[:, ys, xs, :] += dt @ w[:, :, k // kw, k % kw]
    h, wd = x_shape[2:]
    return dxt.transpose(0, 3, 1, 2)[:, :, ph:ph + h, pw:pw + wd], dw, db


register("conv2d", conv2d_forward, conv2d_backward, None, 3)


# ------------------------------------------------------------------ pooling

def maxpool_forward(x, size=2, stride=None):
    """Each window's maximum; ties go to the first in row-major order (as np.argmax)."""
    k, s = _pair(size), _pair(stride if stride is not None else size)
    out_hw = ((x.shape[2] - k[0]) // s[0] + 1, (x.shape[3] - k[1]) // s[1] + 1)
    cells = list(_offsets(k, s, out_hw))
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


def maxpool_backward(dout, cache):
    x_shape, arg, k, s = cache
    # The whole gradient goes to the window's winner, 0 to the others (seed note, §5).
    dx = np.zeros(x_shape)
    for offset, cells in _offsets(k, s, dout.shape[2:]):
        dx[cells] += np.where(arg == offset, dout, 0.0)
    return (dx,)


def meanpool_forward(x, size=2, stride=None):
    k = _pair(size)
    s = _pair(stride if stride is not None else size)
    return _windows(x, k, s).mean(axis=(-2, -1)), (x.shape, k, s)


def meanpool_backward(dout, cache):
    x_shape, (kh, kw), s = cache
    # Each of the n = kh·kw pixels of a window gets 1/n of its gradient (seed note, §5).
    share = dout / (kh * kw)
    dx = np.zeros(x_shape)
    for _, cells in _offsets((kh, kw), s, dout.shape[2:]):
        dx[cells] += share
    return (dx,)


register("maxpool", maxpool_forward, maxpool_backward, None, 1)
register("meanpool", meanpool_forward, meanpool_backward, None, 1)


# ------------------------------------------------------------------ dense, flatten

def dense_forward(x, w, b):
    """x: N×D, w: U×D (PyTorch's layout), b: U → N×U."""
    return x @ w.T + b, (x, w)


def dense_backward(dout, cache, need=(True, True, True)):
    x, w = cache
    return dout @ w if need[0] else 0.0, dout.T @ x, dout.sum(axis=0)


register("dense", dense_forward, dense_backward, None, 3)


def flatten_forward(x):
    return x.reshape(x.shape[0], -1), x.shape


def flatten_backward(dout, cache):
    return (dout.reshape(cache),)


register("flatten", flatten_forward, flatten_backward, None, 1)


# ------------------------------------------------------------------ activations

def relu0_forward(x):
    return np.maximum(x, 0.0), x


def relu0_backward(dout, cache):
    # grad_at_zero: 0, as most frameworks: the gradient passes where x > 0 only.
    return (dout * (cache > 0),)


register("relu0", relu0_forward, relu0_backward, None, 1)


def softmax_forward(z):
    """Softmax over the last axis (the classes)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    a = e / e.sum(axis=-1, keepdims=True)
    return a, a


def softmax_backward(dout, cache):
    # ∂a_j/∂z_i = a_j(δ_ij − a_i), so dz_i = Σ_j dout_j a_j(δ_ij − a_i) = a_i(dout_i − Σ_j dout_j a_j)
    a = cache
    return (a * (dout - (dout * a).sum(axis=-1, keepdims=True)),)


register("softmax", softmax_forward, softmax_backward, None, 1)


def softmax_jacobian(a):
    """∂a_j/∂z_i = a_j(δ_ij − a_i) for one sample's probabilities a (K) → K×K, [j, i]."""
    return np.diag(a) - np.outer(a, a)


# ------------------------------------------------------------------ losses
# Each takes the net's output (N×K) and the target (N×K) and returns E, the mean
# over the N samples; the target's gradient is never used (it is a constant).

def cross_entropy_forward(p, y):
    """E = −(1/N) Σ y·log p, on probabilities (after a softmax layer)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y != 0, y * np.log(p), 0.0)
    return -terms.sum() / p.shape[0], (p, y)


def cross_entropy_backward(dout, cache):
    p, y = cache
    with np.errstate(divide="ignore", invalid="ignore"):
        dp = np.where(y != 0, -y / p, 0.0) / p.shape[0]
    return dout * dp, np.zeros_like(y)


register("cross_entropy", cross_entropy_forward, cross_entropy_backward, None, 2)


def logits_cross_entropy_forward(z, y):
    """Cross-entropy fused with a softmax, from logits: E = (1/N) Σ (logsumexp(z)·Σy − y·z)."""
    m = z.max(axis=-1, keepdims=True)
    lse = m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
    a = np.exp(z - lse)
    e = ((lse * y.sum(axis=-1, keepdims=True)).sum() - (y * z).sum()) / z.shape[0]
    return e, (a, y)


def logits_cross_entropy_backward(dout, cache):
    a, y = cache
    return dout * (a * y.sum(axis=-1, keepdims=True) - y) / a.shape[0], np.zeros_like(y)


register("logits_cross_entropy", logits_cross_entropy_forward, logits_cross_entropy_backward,
         None, 2)


def half_sse_forward(a, y):
    """E = (1/N) Σ ½(a − y)²."""
    d = a - y
    return 0.5 * (d * d).sum() / a.shape[0], (d, a.shape[0])


def half_sse_backward(dout, cache):
    d, n = cache
    return dout * d / n, np.zeros_like(d)


register("half_sse", half_sse_forward, half_sse_backward, None, 2)


def mse_forward(a, y):
    """E = mean over every element of (a − y)², as PyTorch's MSELoss."""
    d = a - y
    return (d * d).mean(), d


def mse_backward(dout, cache):
    d = cache
    return dout * 2.0 * d / d.size, np.zeros_like(d)


register("mse", mse_forward, mse_backward, None, 2)
