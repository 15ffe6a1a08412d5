"""The op table: every op registers all that bpcli knows of it, in one place.

An op's ``forward(*inputs, **attrs)`` returns ``(out, cache)``; its ``backward(dout, cache)``
returns one gradient per input, in input order.  Its ``local(out, *inputs)`` gives the
same local derivatives symbolically (:mod:`bpcli.symbolic` trees, one per input), which
``grad --wrt`` prints and evaluates: an independent second statement of each derivative
that the tests hold against ``backward``.

Besides those three, an op may register what explanations and checks need of it:

``feeds(k, index, site)``
    how one element of input ``k`` reaches the units of the op's output (``site``: a
    :class:`bpcli.engine.site.Site`, the node after a run): a list of
    ``(unit index, factor ∂unit/∂element, why)``, the factor read off the forward values
    (the weight used, the input multiplied, the 1/n share, the max-pool winner), not off
    ``backward``, so that their sum is a check (``grad --wrt 'conv1.weight[0,0,1,1]'``).
``kinks(cache)``
    the piecewise decisions of a forward pass (a ReLU's mask, a max-pool's winners), so
    that ``check`` can tell a ±eps step that crosses a kink from a wrong gradient.
``jacobian(out)``
    for an op whose output mixes its input's entries (softmax), one sample's Jacobian
    ∂out_j/∂in_i, which `grad` shows beside ∂E/∂out.
``logits(a, y)``
    for a loss that may follow a softmax: what ∂E/∂z must then be, z the softmax's input
    (cross-entropy: (a·Σy − y)/N), written how, so that `grad` can check the backward pass
    against it: ``(expected, forms, N)``.
``rules(inputs, dout, attrs)``
    the op's gradients as whole-tensor rules (conv2d: ∂E/∂W = X ⋆ δ, ∂E/∂X = full(δ,
    rot180 W)), computed from the forward values and ∂E/∂out grid against grid, never
    through ``backward``: a dict of the rule's grids, which ``grad --wrt`` shows and checks.
``unit(site, index)``
    one output unit as the sum it is (conv2d, dense): every x·w it adds and the bias, read
    off the forward values, with the window it sees (``forward --unit 'conv1[0,1,1]'``).
``layer``
    the layer type a network file writes for this op (:class:`LayerType`): its settings,
    output shape, params and description in tables.
``scalar``
    ``(forward, backward per input, names)``: the op on Python floats as source templates
    (``{0}``, ``{1}`` the inputs, ``{out}`` the output, ``{d}`` ∂E/∂out) and the helpers
    they call, for :mod:`bpcli.engine.fused`; the same numbers as forward and backward,
    bit for bit (tests/engine/test_fused.py holds them to it).
``constant_variant``
    ``(k, other op)``: lower to ``other op`` when input ``k`` is a number in the
    expression (a^2 needs no ln a).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

import numpy as np

#: a value the graph holds: a float64 number, or an array of them
Value = np.ndarray | np.float64


if TYPE_CHECKING:  # a type for readers and checkers only: building it costs start-up time
    class Settings(Protocol):
        """A layer's settings as its type's ``make`` reads them; every mistake ends loading with
        one line naming the file and line (:class:`bpcli.nets.layer_settings.LayerSettings`)."""

        what: str  # the layer as messages name it: "layer 1 (conv2d conv1)"
        in_shape: tuple  # its input's shape, one sample

        def fail(self, message: str, key: str | None = None) -> Any: ...
        def raw(self, key: str, default: Any = None) -> Any: ...
        def integer(self, key: str, default: Any = None, minimum: int = 1,
                    pair: bool = False) -> Any: ...
        def number(self, key: str, default: float | None = None) -> float | None: ...
        def weight(self, ndim: int, layout: str) -> np.ndarray | None: ...
        def count(self, count: int | None, weight: np.ndarray | None, key: str) -> int: ...
        def check_size(self, shape: tuple, what: str) -> None: ...
        def params(self, wshape: tuple, bshape: tuple, fan_in: int, layout: str) -> dict: ...


@dataclass(frozen=True)
class LayerType:
    """A layer type of network files, made by one op.

    ``make(s)`` reads the layer's settings through ``s`` (:class:`Settings`) and returns a
    :class:`Made`.  ``settings``: the keys it takes besides ``type`` and ``name``;
    ``prefix``: default names are the prefix and a count (conv1, pool2)."""

    name: str
    settings: tuple[str, ...]
    make: Callable[[Settings], "Made"]
    prefix: str = ""
    # what a first layer of this type makes of the input: "images" (C×H×W) or "vector";
    # None: it takes either (activations)
    takes: str | None = None


@dataclass(frozen=True)
class Made:
    """One layer, as its type made it from the settings."""

    op: str  # the op that computes it
    attrs: dict  # the op's settings (stride, padding, size)
    out: tuple  # the output shape of one sample
    text: str  # how tables describe it: "conv2d 2@3×3, stride 1, padding 0"
    params: dict  # suffix ("weight", "bias") -> its value (given, or initialized)
    work: int = 0  # multiply-adds of its forward pass for one sample (weighted sums, windows)


@dataclass(frozen=True)
class Op:
    name: str
    forward: Callable
    backward: Callable
    local: Callable | None  # symbolic local derivatives, one per input
    arity: int  # how many inputs it takes
    doc: str = ""  # a function's one-line description
    partial_backward: bool = False  # backward takes need=(bool per input) and skips work
    feeds: Callable | None = None  # element breakdown rule (see the module docstring)
    kinks: Callable | None = None  # the forward pass's piecewise decisions, from its cache
    layer: LayerType | None = None
    constant_variant: tuple[int, str] | None = None
    jacobian: Callable | None = None  # one sample's ∂out_j/∂in_i, of an op that mixes entries
    logits: Callable | None = None  # a loss after a softmax: the ∂E/∂z it must give
    rules: Callable | None = None  # the gradients as whole-tensor rules, grid against grid
    unit: Callable | None = None  # one output unit as the sum of its products
    scalar: tuple | None = None  # (forward, backward per input, helpers) on Python floats


OPS: dict[str, Op] = {}
#: functions a user may call in an expression, name -> one-line description
FUNCTIONS: dict[str, str] = {}
#: layer types of network files, by their name in the file
LAYER_TYPES: dict[str, LayerType] = {}


def register(name: str, forward: Callable, backward: Callable, local: Callable | None,
             arity: int, doc: str = "", public: bool = False, *,
             feeds: Callable | None = None, kinks: Callable | None = None,
             layer: LayerType | None = None, constant_variant: tuple[int, str] | None = None,
             jacobian: Callable | None = None, logits: Callable | None = None,
             rules: Callable | None = None, unit: Callable | None = None,
             scalar: tuple | None = None) -> Op:
    """Add an op to the table (``public``: callable as a function in expressions)."""
    takes_need = _takes(backward, "need")
    op = Op(name, forward, backward, local, arity, doc, takes_need, feeds, kinks, layer,
            constant_variant, jacobian, logits, rules, unit, scalar)
    OPS[name] = op
    if public:
        FUNCTIONS[name] = doc
    if layer is not None:
        LAYER_TYPES[layer.name] = layer
    return op


def _takes(f: Callable, name: str) -> bool:
    """Does ``f`` take an argument ``name``?  Read off a function's code object (what
    inspect.signature reads, a tenth of start-up's op table in its time); anything else
    through inspect."""
    code = getattr(f, "__code__", None)
    if code is None or hasattr(f, "__wrapped__") or hasattr(f, "__signature__"):
        return name in inspect.signature(f).parameters
    star, stars = inspect.CO_VARARGS, inspect.CO_VARKEYWORDS  # (*args, **kwargs: names too)
    count = code.co_argcount + code.co_kwonlyargcount
    return name in code.co_varnames[:count + bool(code.co_flags & star)
                                    + bool(code.co_flags & stars)]


def lowered(name: str, constant: tuple[bool, ...]) -> str:
    """The op to compute ``name`` with, given which of its inputs are numbers in the
    expression (``pow`` with a number exponent is ``powc``)."""
    variant = OPS[name].constant_variant
    if variant is not None and constant[variant[0]]:
        return variant[1]
    return name
