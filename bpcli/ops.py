"""Every op as a forward/backward pair, with its local derivative written beside it.

An op's ``forward(*inputs)`` returns ``(out, cache)``; its ``backward(dout, cache)``
returns one gradient per input, in input order.  Its ``local(out, *inputs)`` gives the
same local derivatives symbolically: it receives the op's output and inputs as
symbolic expressions (:mod:`bpcli.expr`) and returns one expression per input.
``grad --wrt`` prints those expressions and evaluates them, so they are an
independent second statement of each derivative that the tests hold against
``backward``.

Values are float64 NumPy scalars or arrays.  Scalars stay ``np.float64`` (not 0-d
arrays) on the hot path: a scalar op then costs well under a microsecond.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Op:
    name: str
    forward: Callable
    backward: Callable
    local: Callable | None  # symbolic local derivatives, one per input
    arity: int
    symbol: str | None = None  # infix spelling for arithmetic ops
    doc: str = ""
    partial_backward: bool = False  # backward takes need=(bool per input) and skips work


OPS: dict[str, Op] = {}
#: functions a user may call in an expression, name -> one-line description
FUNCTIONS: dict[str, str] = {}


def register(name, forward, backward, local, arity, symbol=None, doc="", public=False):
    takes_need = "need" in inspect.signature(backward).parameters
    OPS[name] = Op(name, forward, backward, local, arity, symbol, doc, takes_need)
    if public:
        FUNCTIONS[name] = doc


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


# ---------------------------------------------------------------- arithmetic
# Binary ops broadcast like NumPy; their backward sums each gradient back down to
# its input's shape.  Same-shaped inputs (every scalar net) skip that work.

def _reduce(da, db, sa, sb):
    if sa == sb:
        return da, db
    return _sum_to(da, sa), _sum_to(db, sb)


def add_forward(a, b):
    return a + b, (a.shape, b.shape)


def add_backward(dout, cache):
    return _reduce(dout, dout, *cache)


register("add", add_forward, add_backward, lambda out, a, b: (1, 1), 2, "+")


def sub_forward(a, b):
    return a - b, (a.shape, b.shape)


def sub_backward(dout, cache):
    return _reduce(dout, -dout, *cache)


register("sub", sub_forward, sub_backward, lambda out, a, b: (1, -1), 2, "-")


def mul_forward(a, b):
    return a * b, (a, b)


def mul_backward(dout, cache):
    a, b = cache
    return _reduce(dout * b, dout * a, a.shape, b.shape)


register("mul", mul_forward, mul_backward, lambda out, a, b: (b, a), 2, "*")


def div_forward(a, b):
    return a / b, (a, b)


def div_backward(dout, cache):
    a, b = cache
    return _reduce(dout / b, -dout * a / (b * b), a.shape, b.shape)


register("div", div_forward, div_backward, lambda out, a, b: (1 / b, -a / b ** 2), 2, "/")


def pow_forward(a, b):
    out = a ** b
    return out, (a, b, out)


def _pow_base_grad(a, b):
    """b·a^(b−1), and 0 where b = 0 (a^0 is constant; the formula would give 0·0⁻¹ = nan at a = 0)."""
    if b.ndim == 0:  # the usual constant exponent: no np.where on the hot path
        return b * a ** (b - 1) if b != 0 else a * 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0.0, b * a ** (b - 1))


def pow_backward(dout, cache):
    a, b, out = cache
    # d(a^b)/db = a^b·ln a, for a > 0; at a = 0 (b > 0) a^b is constantly 0, so 0.
    # For a < 0 it is undefined and NumPy's nan stands.
    with np.errstate(divide="ignore", invalid="ignore"):
        db = dout * np.where(a == 0, 0.0, out * np.log(a))
    return _reduce(dout * _pow_base_grad(a, b), db, a.shape, b.shape)


register("pow", pow_forward, pow_backward,
         lambda out, a, b: (b * a ** (b - 1), out * _fn("log", a)), 2, "^")


def powc_backward(dout, cache):
    a, b, out = cache
    return _reduce(dout * _pow_base_grad(a, b), 0.0 * b, a.shape, b.shape)


# a^n with a constant exponent n, the usual case: the same forward, and no ln a
# for a gradient nobody uses.  The graph picks it when the exponent is a number.
register("powc", pow_forward, powc_backward, lambda out, a, b: (b * a ** (b - 1), 0), 2, "^")


def neg_forward(a):
    return -a, None


def neg_backward(dout, cache):
    return (-dout,)


register("neg", neg_forward, neg_backward, lambda out, a: (-1,), 1, "-")


def id_forward(a):
    return a, None


def id_backward(dout, cache):
    return (dout,)


# A named node whose expression is a bare name or number gets its own slot through this.
register("id", id_forward, id_backward, lambda out, a: (1,), 1)


# ------------------------------------------------------------ functions

def sigmoid_forward(x):
    # exp(min(x,0)) / (1 + exp(-|x|)) is 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) for
    # x < 0: never overflows, and keeps full relative precision in both tails.
    out = np.exp(np.minimum(x, 0.0)) / (1.0 + np.exp(-np.abs(x)))
    return out, out


def sigmoid_backward(dout, cache):
    out = cache
    return (dout * out * (1.0 - out),)


register("sigmoid", sigmoid_forward, sigmoid_backward,
         lambda out, x: (out * (1 - out),), 1,
         doc="σ(x) = 1/(1+e^−x); local derivative f(1−f)", public=True)


def tanh_forward(x):
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    out = cache
    return (dout * (1.0 - out * out),)


register("tanh", tanh_forward, tanh_backward, lambda out, x: (1 - out ** 2,), 1,
         doc="tanh(x); local derivative 1−f²", public=True)


def relu_forward(x):
    return np.maximum(x, 0.0), x


def relu_backward(dout, cache):
    # The seed note sets ReLU'(0) = 1: the gradient passes where x >= 0.
    x = cache
    return (dout * (x >= 0),)


register("relu", relu_forward, relu_backward, lambda out, x: (_fn("step", x),), 1,
         doc="max(x, 0); local derivative step(x) = 1 for x ≥ 0 (ReLU'(0) = 1, as the seed note), else 0",
         public=True)


def step_forward(x):
    return np.where(x >= 0, 1.0, 0.0)[()], None


def step_backward(dout, cache):
    return (dout * 0.0,)


# Internal: only appears in printed derivatives (relu's local factor).
register("step", step_forward, step_backward, lambda out, x: (0,), 1)


def exp_forward(x):
    out = np.exp(x)
    return out, out


def exp_backward(dout, cache):
    return (dout * cache,)


register("exp", exp_forward, exp_backward, lambda out, x: (out,), 1,
         doc="e^x; local derivative f", public=True)


def log_forward(x):
    return np.log(x), x


def log_backward(dout, cache):
    return (dout / cache,)


register("log", log_forward, log_backward, lambda out, x: (1 / x,), 1,
         doc="natural log; local derivative 1/x", public=True)


def sqrt_forward(x):
    out = np.sqrt(x)
    return out, out


def sqrt_backward(dout, cache):
    return (dout / (2.0 * cache),)


register("sqrt", sqrt_forward, sqrt_backward, lambda out, x: (1 / (2 * out),), 1,
         doc="square root; local derivative 1/(2f)", public=True)


def sum_forward(x):
    return np.sum(x), np.shape(x)


def sum_backward(dout, cache):
    return (np.broadcast_to(dout, cache).copy() if cache else dout,)


register("sum", sum_forward, sum_backward, lambda out, x: (1,), 1,
         doc="the sum of a vector's entries (a number: itself)", public=True)


def mean_forward(x):
    return np.mean(x), np.shape(x)


def mean_backward(dout, cache):
    n = int(np.prod(cache)) if cache else 1
    return (np.broadcast_to(dout / n, cache).copy() if cache else dout,)


register("mean", mean_forward, mean_backward, lambda out, x: (1,), 1,
         doc="the mean of a vector's entries (a number: itself)", public=True)


def _fn(name, *args):
    # Late import: expr imports this module for the registry.
    from .expr import call

    return call(name, *args)


# The tensor ops of layer networks register themselves into the same table; softmax
# serves equation nets too, on a vector.
from . import layer_ops  # noqa: E402,F401

FUNCTIONS["softmax"] = "softmax of a vector, e^z / Σe^z (its Jacobian: a_j(δ_ij − a_i))"
