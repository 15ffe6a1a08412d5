"""Arithmetic: + − · / ^, negation, and the identity that gives a named alias its own slot.

Binary ops broadcast like NumPy (a number against a vector); their backward sums each
gradient back down to its input's shape.  Same-shaped inputs (every scalar net) skip
that work.  Values are float64 NumPy scalars or arrays; scalars stay ``np.float64``
(not 0-d arrays) on the hot path: a scalar op then costs well under a microsecond.
"""
from __future__ import annotations

import numpy as np

from ...symbolic import call
from ..registry import Value, register


def _sum_to(g, shape):
    """Sum a broadcast gradient ``g`` back down to an input's ``shape``."""
    if np.shape(g) == shape:
        return g
    g = np.asarray(g)
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _reduce(da, db, sa, sb):
    if sa == sb:
        return da, db
    return _sum_to(da, sa), _sum_to(db, sb)


def add_forward(a: Value, b: Value) -> tuple[Value, tuple]:
    """a, b: numbers or arrays of broadcastable shapes → a + b, their broadcast shape;
    cache: the two input shapes."""
    return a + b, (a.shape, b.shape)


def add_backward(dout: Value, cache: tuple) -> tuple[Value, Value]:
    """dout: the output's shape → (da, db), each of its input's shape."""
    return _reduce(dout, dout, *cache)


register("add", add_forward, add_backward, lambda out, a, b: (1, 1), 2,
         scalar=("{0} + {1}", ("{d}", "{d}"), {}))


def sub_forward(a: Value, b: Value) -> tuple[Value, tuple]:
    """a, b: broadcastable → a − b; cache: the two input shapes."""
    return a - b, (a.shape, b.shape)


def sub_backward(dout: Value, cache: tuple) -> tuple[Value, Value]:
    """dout: the output's shape → (da, db) = (dout, −dout), summed to each input's shape."""
    return _reduce(dout, -dout, *cache)


register("sub", sub_forward, sub_backward, lambda out, a, b: (1, -1), 2,
         scalar=("{0} - {1}", ("{d}", "-{d}"), {}))


def mul_forward(a: Value, b: Value) -> tuple[Value, tuple[Value, Value]]:
    """a, b: broadcastable → a·b; cache: (a, b)."""
    return a * b, (a, b)


def mul_backward(dout: Value, cache: tuple[Value, Value]) -> tuple[Value, Value]:
    """dout: the output's shape → (dout·b, dout·a), summed to each input's shape."""
    a, b = cache
    return _reduce(dout * b, dout * a, a.shape, b.shape)


register("mul", mul_forward, mul_backward, lambda out, a, b: (b, a), 2,
         scalar=("{0} * {1}", ("{d} * {1}", "{d} * {0}"), {}))


def div_forward(a: Value, b: Value) -> tuple[Value, tuple[Value, Value]]:
    """a, b: broadcastable → a/b; cache: (a, b)."""
    return a / b, (a, b)


def div_backward(dout: Value, cache: tuple[Value, Value]) -> tuple[Value, Value]:
    """dout: the output's shape → (dout/b, −dout·a/b²), summed to each input's shape."""
    a, b = cache
    return _reduce(dout / b, -dout * a / (b * b), a.shape, b.shape)


register("div", div_forward, div_backward, lambda out, a, b: (1 / b, -a / b ** 2), 2,
         scalar=("{0} / {1}", ("{d} / {1}", "-{d} * {0} / ({1} * {1})"), {}))


def pow_forward(a: Value, b: Value) -> tuple[Value, tuple[Value, Value, Value]]:
    """a, b: broadcastable → a^b; cache: (a, b, out)."""
    out = a ** b
    return out, (a, b, out)


def _pow_base_grad(a, b):
    """b·a^(b−1), and 0 where b = 0 (a^0 is constant; the formula would give 0·0⁻¹ = nan at a = 0)."""
    if b.ndim == 0:  # the usual constant exponent: no np.where on the hot path
        return b * a ** (b - 1) if b != 0 else a * 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0.0, b * a ** (b - 1))


def pow_backward(dout: Value, cache: tuple[Value, Value, Value]) -> tuple[Value, Value]:
    """dout: the output's shape → (dout·b·a^(b−1), dout·a^b·ln a), summed to each input's shape."""
    a, b, out = cache
    # d(a^b)/db = a^b·ln a, for a > 0; at a = 0 it is 0 for b > 0 (a^b is constantly 0) and
    # undefined for b ≤ 0 (0^b jumps from 1 to 0 at b = 0): nan, never a silent 0.  For
    # a < 0 it is undefined too, and NumPy's nan stands.
    with np.errstate(divide="ignore", invalid="ignore"):
        db = dout * np.where(a == 0, np.where(b > 0, 0.0, np.nan), out * np.log(a))
    return _reduce(dout * _pow_base_grad(a, b), db, a.shape, b.shape)


register("pow", pow_forward, pow_backward,
         lambda out, a, b: (b * a ** (b - 1), out * call("log", a)), 2,
         constant_variant=(1, "powc"))


def scalar_pow(a: float, b: float) -> float:
    """a^b of two Python floats as pow_forward computes it (NumPy's power, not Python's,
    which raises on overflow and turns a negative base complex)."""
    return float(np.float64(a) ** np.float64(b))


def scalar_pow_grad(a: float, b: float) -> float:
    """b·a^(b−1) of two Python floats, as _pow_base_grad computes it for a number b."""
    return float(_pow_base_grad(np.float64(a), np.float64(b)))


def powc_backward(dout: Value, cache: tuple[Value, Value, Value]) -> tuple[Value, Value]:
    """dout: the output's shape → (dout·b·a^(b−1), 0): the exponent is a constant."""
    a, b, out = cache
    return _reduce(dout * _pow_base_grad(a, b), 0.0 * b, a.shape, b.shape)


# a^n with a constant exponent n, the usual case: the same forward, and no ln a
# for a gradient nobody uses: pow's constant_variant, taken when the exponent is a number.
register("powc", pow_forward, powc_backward, lambda out, a, b: (b * a ** (b - 1), 0), 2,
         scalar=("scalar_pow({0}, {1})", ("{d} * scalar_pow_grad({0}, {1})", "0.0 * {1}"),
                 {"scalar_pow": scalar_pow, "scalar_pow_grad": scalar_pow_grad}))


def neg_forward(a: Value) -> tuple[Value, None]:
    """a: any shape → −a, the same shape; no cache."""
    return -a, None


def neg_backward(dout: Value, cache: None) -> tuple[Value]:
    """dout: a's shape → (−dout,)."""
    return (-dout,)


register("neg", neg_forward, neg_backward, lambda out, a: (-1,), 1,
         scalar=("-{0}", ("-{d}",), {}))


def id_forward(a: Value) -> tuple[Value, None]:
    """a: any shape → a itself; no cache."""
    return a, None


def id_backward(dout: Value, cache: None) -> tuple[Value]:
    """dout: a's shape → (dout,)."""
    return (dout,)


# A named node whose expression is a bare name or number gets its own slot through this.
register("id", id_forward, id_backward, lambda out, a: (1,), 1, scalar=("{0}", ("{d}",), {}))
