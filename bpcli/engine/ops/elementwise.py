"""Elementwise functions: σ, tanh, ReLU and leaky ReLU, exp, log, √.

Each works on a number or an array of any shape (an equation net's value, a layer's
tensor): out has x's shape, and dx has dout's.  The activations are layer types too.
"""
from __future__ import annotations

import numpy as np

from ...symbolic import call
from ..registry import LayerType, Made, Value, register
from .windows import HALVES_MIN, by_halves


def _same(index, factor, why):
    """An elementwise op's element feeds the one unit at its own index."""
    return [(index, factor, why)]


def _activation(name):
    """A layer type without settings: the same shape out, no params."""
    def make(s):
        return Made(name, {}, s.in_shape, name, {})
    return LayerType(name, (), make, prefix=name)


# ------------------------------------------------------------------ sigmoid, tanh

def sigmoid_forward(x: Value) -> tuple[Value, Value]:
    """x: any shape → σ(x), the same shape; cache: σ(x)."""
    # exp(min(x,0)) / (1 + exp(-|x|)) is 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) for
    # x < 0: never overflows, and keeps full relative precision in both tails.
    out = np.exp(np.minimum(x, 0.0)) / (1.0 + np.exp(-np.abs(x)))
    return out, out


def scalar_sigmoid(x: float) -> float:
    """σ(x) of a Python float, bit for bit sigmoid_forward's: for x ≥ 0 its e^min(x,0) is
    exactly 1, for x < 0 its two exponentials are one; NumPy's exp, as there."""
    if x >= 0.0:
        return 1.0 / (1.0 + float(np.exp(-x)))
    e = float(np.exp(x))  # also x = nan: nan, as there
    return e / (1.0 + e)


def sigmoid_backward(dout: Value, cache: Value) -> tuple[Value]:
    """dout: x's shape → (dout·f(1 − f),), f = σ(x)."""
    out = cache
    return (dout * out * (1.0 - out),)


register("sigmoid", sigmoid_forward, sigmoid_backward,
         lambda out, x: (out * (1 - out),), 1,
         doc="σ(x) = 1/(1+e^−x); local derivative f(1−f)", public=True,
         feeds=lambda k, i, site: _same(i, site.out[i] * (1 - site.out[i]),
                                        "f(1 − f), f = the sigmoid's output"),
         layer=_activation("sigmoid"),
         scalar=("scalar_sigmoid({0})", ("{d} * {out} * (1.0 - {out})",),
                 {"scalar_sigmoid": scalar_sigmoid}))


def tanh_forward(x: Value) -> tuple[Value, Value]:
    """x: any shape → tanh(x), the same shape; cache: tanh(x)."""
    out = np.tanh(x)
    return out, out


def tanh_backward(dout: Value, cache: Value) -> tuple[Value]:
    """dout: x's shape → (dout·(1 − f²),), f = tanh(x)."""
    out = cache
    return (dout * (1.0 - out * out),)


register("tanh", tanh_forward, tanh_backward, lambda out, x: (1 - out ** 2,), 1,
         doc="tanh(x); local derivative 1−f²", public=True,
         feeds=lambda k, i, site: _same(i, 1 - site.out[i] ** 2,
                                        "1 − f², f = the tanh's output"),
         layer=_activation("tanh"),
         scalar=("float(np.tanh({0}))", ("{d} * (1.0 - {out} * {out})",), {}))


# ------------------------------------------------------------------ ReLU

def _halved(ufunc, a, b):
    """ufunc(a, b) of a big batch, each half of the samples on a core of its own
    (:func:`by_halves`); of anything smaller, as it is."""
    if getattr(a, "size", 0) < HALVES_MIN:  # a number, or a small array (most calls)
        return ufunc(a, b)
    out = np.empty(np.shape(a))
    by_halves(len(a), out.size, lambda part: ufunc(a[part], b if np.ndim(b) == 0 else b[part],
                                                    out=out[part]))
    return out


def relu_forward(x: Value) -> tuple[Value, Value]:
    """x: any shape → max(x, 0), the same shape; cache: x."""
    return _halved(np.maximum, x, 0.0), x


def relu_backward(dout: Value, cache: Value) -> tuple[Value]:
    """dout: x's shape → (dout where x ≥ 0, else 0,): ReLU'(0) = 1, as the seed note sets it."""
    x = cache
    return (_halved(np.multiply, dout, x >= 0),)


def _relu_feeds(k, i, site):
    v = site.inputs[0][i]
    return _same(i, float(v >= 0), f"step(x), x = {v:.6g} (ReLU'(0) = 1)")


def _relu_layer(s):
    """ReLU'(0) is 1 as the seed note sets it, or 0 (grad_at_zero: 0) as frameworks do."""
    g = s.raw("grad_at_zero", "1")
    if str(g) not in ("0", "1", "0.0", "1.0"):
        s.fail(f"{s.what}: grad_at_zero is 1 (the seed note's ReLU'(0) = 1) or 0 (frameworks')",
               "grad_at_zero")
    g = int(float(g))
    return Made("relu" if g == 1 else "relu0", {}, s.in_shape, f"relu, ReLU'(0) = {g}", {})


register("relu", relu_forward, relu_backward, lambda out, x: (call("step", x),), 1,
         doc="max(x, 0); local derivative step(x) = 1 for x ≥ 0 (ReLU'(0) = 1, as the seed note), else 0",
         public=True, feeds=_relu_feeds, kinks=lambda x: (np.asarray(x) >= 0).tobytes(),
         layer=LayerType("relu", ("grad_at_zero",), _relu_layer, prefix="relu"),
         scalar=("({0} if {0} > 0.0 or {0} != {0} else 0.0)",
                 ("{d} * (1.0 if {0} >= 0.0 else 0.0)",), {}))


def relu0_backward(dout: Value, cache: Value) -> tuple[Value]:
    """dout: x's shape → (dout where x > 0, else 0,): ReLU'(0) = 0, as most frameworks."""
    return (_halved(np.multiply, dout, cache > 0),)


def _relu0_feeds(k, i, site):
    v = site.inputs[0][i]
    return _same(i, float(v > 0), f"step(x), x = {v:.6g} (ReLU'(0) = 0)")


# A relu layer with grad_at_zero: 0: the same forward, the gradient passing where x > 0 only.
register("relu0", relu_forward, relu0_backward, None, 1, feeds=_relu0_feeds,
         kinks=lambda x: (np.asarray(x) > 0).tobytes())


SLOPE = 0.01  # leaky_relu's slope below 0 unless a layer sets another: PyTorch's default


def leaky_relu_forward(x: Value, slope: float = SLOPE) -> tuple[Value, tuple[Value, float]]:
    """x: any shape → x where x ≥ 0, else slope·x (PyTorch's default slope 0.01); cache:
    (x, slope)."""
    return np.where(x >= 0, x, slope * x)[()], (x, slope)


def leaky_relu_backward(dout: Value, cache: tuple[Value, float]) -> tuple[Value]:
    """dout: x's shape → (dout where x ≥ 0, else slope·dout,): 1 at 0, as bpcli's ReLU."""
    x, slope = cache
    return (dout * np.where(x >= 0, 1.0, slope)[()],)


def _leaky_relu_feeds(k, i, site):
    v, slope = site.inputs[0][i], site.attrs.get("slope", SLOPE)
    return _same(i, 1.0 if v >= 0 else slope,
                 f"1 if x ≥ 0, else {slope:g}; x = {v:.6g}")


def _leaky_relu_layer(s):
    slope = s.number("slope", SLOPE)
    return Made("leaky_relu", {"slope": slope}, s.in_shape, f"leaky_relu, slope {slope:g}", {})


register("leaky_relu", leaky_relu_forward, leaky_relu_backward,
         lambda out, x: (SLOPE + (1 - SLOPE) * call("step", x),), 1,
         doc="x for x ≥ 0, else 0.01·x; local derivative 1 for x ≥ 0, else 0.01 (printed "
             "0.01 + 0.99·step(x))", public=True, feeds=_leaky_relu_feeds,
         kinks=lambda cache: (np.asarray(cache[0]) >= 0).tobytes(),
         layer=LayerType("leaky_relu", ("slope",), _leaky_relu_layer, prefix="leaky_relu"))


def step_forward(x: Value) -> tuple[Value, None]:
    """x: any shape → 1 where x ≥ 0, else 0; no cache."""
    return np.where(x >= 0, 1.0, 0.0)[()], None


def step_backward(dout: Value, cache: None) -> tuple[Value]:
    """dout: x's shape → (0,): a step is flat on either side of 0."""
    return (dout * 0.0,)


# Internal: only appears in printed derivatives (relu's local factor).
register("step", step_forward, step_backward, lambda out, x: (0,), 1)


# ------------------------------------------------------------------ exp, log, sqrt

def exp_forward(x: Value) -> tuple[Value, Value]:
    """x: any shape → e^x; cache: e^x."""
    out = np.exp(x)
    return out, out


def exp_backward(dout: Value, cache: Value) -> tuple[Value]:
    """dout: x's shape → (dout·e^x,)."""
    return (dout * cache,)


register("exp", exp_forward, exp_backward, lambda out, x: (out,), 1,
         doc="e^x; local derivative f", public=True,
         scalar=("float(np.exp({0}))", ("{d} * {out}",), {}))


def log_forward(x: Value) -> tuple[Value, Value]:
    """x: any shape → ln x; cache: x."""
    return np.log(x), x


def log_backward(dout: Value, cache: Value) -> tuple[Value]:
    """dout: x's shape → (dout/x,)."""
    return (dout / cache,)


register("log", log_forward, log_backward, lambda out, x: (1 / x,), 1,
         doc="natural log; local derivative 1/x", public=True,
         scalar=("float(np.log({0}))", ("{d} / {0}",), {}))


def sqrt_forward(x: Value) -> tuple[Value, Value]:
    """x: any shape → √x; cache: √x."""
    out = np.sqrt(x)
    return out, out


def sqrt_backward(dout: Value, cache: Value) -> tuple[Value]:
    """dout: x's shape → (dout/(2√x),)."""
    return (dout / (2.0 * cache),)


register("sqrt", sqrt_forward, sqrt_backward, lambda out, x: (1 / (2 * out),), 1,
         doc="square root; local derivative 1/(2f)", public=True,
         scalar=("float(np.sqrt({0}))", ("{d} / (2.0 * {out})",), {}))
