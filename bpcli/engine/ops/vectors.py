"""Ops over a whole vector: sum, mean, softmax, and flatten (images to vectors)."""
from __future__ import annotations

import numpy as np

from ...text import shape_phrase
from ..registry import LayerType, Made, Value, register


def sum_forward(x: Value) -> tuple[np.float64, tuple[int, ...]]:
    """x: a number or any array → the sum of its entries (a number); cache: x's shape."""
    return np.sum(x), np.shape(x)


def sum_backward(dout: Value, cache: tuple[int, ...]) -> tuple[Value]:
    """dout: a number → (dout in every entry, x's shape,)."""
    return (np.broadcast_to(dout, cache).copy() if cache else dout,)


register("sum", sum_forward, sum_backward, lambda out, x: (1,), 1,
         doc="the sum of a vector's entries (a number: itself)", public=True)


def mean_forward(x: Value) -> tuple[np.float64, tuple[int, ...]]:
    """x: a number or any array → the mean of its entries; cache: x's shape."""
    return np.mean(x), np.shape(x)


def mean_backward(dout: Value, cache: tuple[int, ...]) -> tuple[Value]:
    """dout: a number → (dout/n in every entry, x's shape,), n = x's size."""
    n = int(np.prod(cache)) if cache else 1
    return (np.broadcast_to(dout / n, cache).copy() if cache else dout,)


register("mean", mean_forward, mean_backward, lambda out, x: (1,), 1,
         doc="the mean of a vector's entries (a number: itself)", public=True)


# ------------------------------------------------------------------ flatten

def flatten_forward(x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    """x: N×C×H×W (or any N×…) → N×(C·H·W); cache: x's shape."""
    return x.reshape(x.shape[0], -1), x.shape


def flatten_backward(dout: np.ndarray, cache: tuple[int, ...]) -> tuple[np.ndarray]:
    """dout: N×D → (dout reshaped to x's shape,)."""
    return (dout.reshape(cache),)


def _flatten_feeds(k, index, site):
    flat = np.ravel_multi_index(index[1:], site.inputs[0].shape[1:])
    return [((index[0], flat), 1.0, f"1: it is entry {flat} of the flat vector")]


def _flatten_layer(s):
    return Made("flatten", {}, (int(np.prod(s.in_shape)),), "flatten", {})


register("flatten", flatten_forward, flatten_backward, None, 1, feeds=_flatten_feeds,
         layer=LayerType("flatten", (), _flatten_layer, prefix="flatten",
                           takes="images"))


# ------------------------------------------------------------------ softmax

def softmax_forward(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """z: N×K (or a vector K) → a = e^z/Σe^z over the last axis (the classes); cache: a."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    a = e / e.sum(axis=-1, keepdims=True)
    return a, a


def softmax_backward(dout: np.ndarray, cache: np.ndarray) -> tuple[np.ndarray]:
    """dout: a's shape → (dz,), dz_i = a_i(dout_i − Σ_j dout_j a_j)."""
    # ∂a_j/∂z_i = a_j(δ_ij − a_i), so dz_i = Σ_j dout_j a_j(δ_ij − a_i) = a_i(dout_i − Σ_j dout_j a_j)
    a = cache
    return (a * (dout - (dout * a).sum(axis=-1, keepdims=True)),)


def softmax_jacobian(a: np.ndarray) -> np.ndarray:
    """∂a_j/∂z_i = a_j(δ_ij − a_i) for one sample's probabilities a (K) → K×K, [j, i]."""
    return np.diag(a) - np.outer(a, a)


def _softmax_feeds(k, index, site):
    a = site.out
    n, i = index
    return [((n, j), a[n, j] * ((i == j) - a[n, i]), "a_j(1 − a_j)" if i == j else "−a_j·a_i")
            for j in range(a.shape[1])]


def _softmax_layer(s):
    if len(s.in_shape) != 1:
        s.fail(f"{s.what} needs a vector of scores, but gets {shape_phrase(s.in_shape)}; "
               "add flatten and dense before it")
    return Made("softmax", {}, s.in_shape, "softmax", {})


register("softmax", softmax_forward, softmax_backward, None, 1, feeds=_softmax_feeds,
         jacobian=softmax_jacobian,
         doc="softmax of a vector, e^z / Σe^z (its Jacobian: a_j(δ_ij − a_i))", public=True,
         layer=LayerType("softmax", (), _softmax_layer, prefix="softmax"))
