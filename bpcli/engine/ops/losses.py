"""The losses of layer networks: each compares the net's output a (N×K) with the target
y (N×K) and returns E, the mean over the N samples.  The target is a constant: its
gradient is zeros, never used."""
from __future__ import annotations

import numpy as np

from ..registry import Value, register


def _to_loss(factor, why):
    """A loss's element feeds E alone."""
    return [((), factor, why)]


def cross_entropy_forward(p: np.ndarray, y: np.ndarray
                          ) -> tuple[np.float64, tuple[np.ndarray, np.ndarray]]:
    """p, y: N×K (probabilities after a softmax layer) → E = −(1/N) Σ y·log p; cache: (p, y)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y != 0, y * np.log(p), 0.0)
    return -terms.sum() / p.shape[0], (p, y)


def cross_entropy_backward(dout: Value, cache: tuple[np.ndarray, np.ndarray]
                           ) -> tuple[np.ndarray, np.ndarray]:
    """dout: a number → (dp = −dout·y/(N·p), N×K; zeros for y)."""
    p, y = cache
    with np.errstate(divide="ignore", invalid="ignore"):
        dp = np.where(y != 0, -y / p, 0.0) / p.shape[0]
    return dout * dp, np.zeros_like(y)


def _cross_entropy_feeds(k, index, site):
    p, y = site.inputs
    count = p.shape[0]
    return _to_loss(-y[index] / p[index] / count if y[index] != 0 else 0.0,
                    f"−y/(N·a), N = {count}")


def _cross_entropy_logits(a, y):
    """After a softmax a = softmax(z): ∂E/∂z = (a·Σy − y)/N (a − y for one sample and a
    one-hot y, the seed note's §7), written per sample as 'a − y' when y sums to 1."""
    n = a.shape[0]
    expected = (a * y.sum(axis=-1, keepdims=True) - y) / n
    return expected, tuple("a − y" if np.isclose(row.sum(), 1.0) else "a·Σy − y" for row in y), n


register("cross_entropy", cross_entropy_forward, cross_entropy_backward, None, 2,
         feeds=_cross_entropy_feeds, logits=_cross_entropy_logits)


def logits_cross_entropy_forward(z: np.ndarray, y: np.ndarray
                                 ) -> tuple[np.float64, tuple[np.ndarray, np.ndarray]]:
    """z, y: N×K (logits: no softmax layer before the loss) → E = (1/N) Σ y·(logsumexp(z) − z),
    cross-entropy fused with a softmax; cache: (softmax(z), y).

    logsumexp(z) − z_j = (m − z_j) + log1p(s), m the largest logit and s = Σ e^(z_i − m) over
    the others: no cancellation, so an E of 1e-8 keeps its digits (subtracting
    logsumexp·Σy − Σ y·z would lose them, and a right gradient would fail `check`)."""
    n = z.shape[0]
    m = z.max(axis=-1, keepdims=True)
    e = np.exp(z - m)
    others = e.copy()
    others[np.arange(n), z.argmax(axis=-1)] = 0.0  # e is exactly 1 there
    s = others.sum(axis=-1, keepdims=True)
    a = e / (1.0 + s)
    return (y * ((m - z) + np.log1p(s))).sum() / n, (a, y)


def logits_cross_entropy_backward(dout: Value, cache: tuple[np.ndarray, np.ndarray]
                                  ) -> tuple[np.ndarray, np.ndarray]:
    """dout: a number → (dz = dout·(a·Σy − y)/N, N×K; zeros for y): a − y for one-hot y."""
    a, y = cache
    return dout * (a * y.sum(axis=-1, keepdims=True) - y) / a.shape[0], np.zeros_like(y)


def _logits_feeds(k, index, site):
    z, y = site.inputs
    n, i = index
    count = z.shape[0]
    row = z[n]
    p = np.exp(row - row.max()) / np.exp(row - row.max()).sum()
    return _to_loss((p[i] * y[n].sum() - y[index]) / count, f"(softmax(z) − y)/N, N = {count}")


register("logits_cross_entropy", logits_cross_entropy_forward, logits_cross_entropy_backward,
         None, 2, feeds=_logits_feeds)


def half_sse_forward(a: np.ndarray, y: np.ndarray
                     ) -> tuple[np.float64, tuple[np.ndarray, int]]:
    """a, y: N×K → E = (1/N) Σ ½(a − y)²; cache: (a − y, N)."""
    d = a - y
    return 0.5 * (d * d).sum() / a.shape[0], (d, a.shape[0])


def half_sse_backward(dout: Value, cache: tuple[np.ndarray, int]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """dout: a number → (da = dout·(a − y)/N, N×K; zeros for y)."""
    d, n = cache
    return dout * d / n, np.zeros_like(d)


def _half_sse_feeds(k, index, site):
    a, y = site.inputs
    count = a.shape[0]
    return _to_loss((a[index] - y[index]) / count, f"(a − y)/N, N = {count}")


register("half_sse", half_sse_forward, half_sse_backward, None, 2, feeds=_half_sse_feeds)


def mse_forward(a: np.ndarray, y: np.ndarray) -> tuple[np.float64, np.ndarray]:
    """a, y: N×K → E = the mean over every element of (a − y)², as PyTorch's MSELoss;
    cache: a − y."""
    d = a - y
    return np.add.reduce(d * d, axis=None) / d.size, d  # ndarray.mean's own sum and division


def mse_backward(dout: Value, cache: np.ndarray, need: tuple[bool, ...] = (True, True)
                 ) -> tuple[np.ndarray, np.ndarray | float]:
    """dout: a number → (da = dout·2(a − y)/(N·K), N×K; zeros for y, 0.0 when ``need``
    says nobody reads it: training)."""
    d = cache
    return dout * 2.0 * d / d.size, np.zeros_like(d) if need[1] else 0.0


def _mse_feeds(k, index, site):
    a, y = site.inputs
    return _to_loss(2 * (a[index] - y[index]) / a.size, f"2(a − y)/{a.size}")


register("mse", mse_forward, mse_backward, None, 2, feeds=_mse_feeds)
