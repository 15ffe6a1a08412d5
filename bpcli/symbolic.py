"""Expression trees, their simplifying constructors and their printing.

The trees are the symbolic side of bpcli: equation nets are parsed into them
(:mod:`bpcli.nets.expressions`), each op states its local derivative with them
(:mod:`bpcli.engine`), and ``grad --wrt`` prints them.  The constructors below keep
derived expressions readable (``0.5·2·(fO1 − y1)`` becomes ``fO1 − y1``).

This module knows no op but the arithmetic ones it prints with infix symbols; it
imports nothing from bpcli.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np


# ---------------------------------------------------------------- trees

class Expr:
    """Base of the expression tree; arithmetic on it builds simplified trees."""

    __slots__ = ()

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return sub(self, other)

    def __rsub__(self, other):
        return sub(other, self)

    def __mul__(self, other):
        return mul(self, other)

    def __rmul__(self, other):
        return mul(other, self)

    def __truediv__(self, other):
        return div(self, other)

    def __rtruediv__(self, other):
        return div(other, self)

    def __pow__(self, other):
        return power(self, other)

    def __neg__(self):
        return neg(self)

    def __str__(self):
        return to_text(self)


@dataclass(frozen=True, slots=True)
class Num(Expr):
    value: float


@dataclass(frozen=True, slots=True)
class Name(Expr):
    id: str


@dataclass(frozen=True, slots=True)
class Call(Expr):
    op: str  # an op's registered name: "add", "mul", ..., "sigmoid", ...
    args: tuple


# A frozen dataclass's __init__ sets each field through object.__setattr__; setting the
# slots through their descriptors is the same, in three quarters of the time (a net of 10⁵
# equations is 6·10⁵ of these).
_set_value, _set_id, _set_op, _set_args = (
    Num.value.__set__, Name.id.__set__, Call.op.__set__, Call.args.__set__)


def _num_init(self, value: float) -> None:
    _set_value(self, value)


def _name_init(self, id: str) -> None:  # noqa: A002 (the field's name)
    _set_id(self, id)


def _call_init(self, op: str, args: tuple) -> None:
    _set_op(self, op)
    _set_args(self, args)


Num.__init__, Name.__init__, Call.__init__ = _num_init, _name_init, _call_init


def lift(x: Expr | float) -> Expr:
    return x if isinstance(x, Expr) else Num(float(x))


def calls(e: Expr, op: str) -> Iterator[Call]:
    """Every call of ``op`` inside ``e`` (softmax, relu, ...), outermost first."""
    if isinstance(e, Call):
        if e.op == op:
            yield e
        for a in e.args:
            yield from calls(a, op)


def names(e: Expr) -> list[str]:
    """The distinct names an expression uses, in order of first appearance."""
    seen: dict[str, None] = {}
    todo = [e]  # depth first, left to right: no call per node
    while todo:
        e = todo.pop()
        if isinstance(e, Call):
            todo += reversed(e.args)
        elif isinstance(e, Name):
            seen[e.id] = None  # (a name seen before keeps its place)
    return list(seen)


# ------------------------------------------------- simplifying constructors
# Rules exact for every finite value (x·0 → 0 fails only for x = ∞, which the
# derivatives of a finite net never meet); they keep the printed factors short.

def is_number(e: Expr, v: float) -> bool:
    """Is ``e`` the number ``v``?"""
    return isinstance(e, Num) and e.value == v


def add(a: Expr | float, b: Expr | float) -> Expr:
    a, b = lift(a), lift(b)
    if is_number(a, 0):
        return b
    if is_number(b, 0):
        return a
    if isinstance(a, Num) and isinstance(b, Num):
        return Num(a.value + b.value)
    if isinstance(b, Call) and b.op == "neg":
        return sub(a, b.args[0])
    return Call("add", (a, b))


def sub(a: Expr | float, b: Expr | float) -> Expr:
    a, b = lift(a), lift(b)
    if is_number(b, 0):
        return a
    if is_number(a, 0):
        return neg(b)
    if isinstance(a, Num) and isinstance(b, Num):
        return Num(a.value - b.value)
    if isinstance(b, Call) and b.op == "neg":
        return add(a, b.args[0])
    return Call("sub", (a, b))


def mul(a: Expr | float, b: Expr | float) -> Expr:
    a, b = lift(a), lift(b)
    if is_number(a, 0) or is_number(b, 0):
        return Num(0.0)
    if isinstance(b, Num) and not isinstance(a, Num):
        a, b = b, a  # constants first: 2·x, not x·2
    if is_number(a, 1):
        return b
    if isinstance(a, Num):
        if isinstance(b, Num):
            return Num(a.value * b.value)
        if isinstance(b, Call) and b.op == "mul" and isinstance(b.args[0], Num):
            return mul(a.value * b.args[0].value, b.args[1])
        if isinstance(b, Call) and b.op == "neg":
            return mul(-a.value, b.args[0])
        if a.value == -1:
            return neg(b)
    if isinstance(a, Call) and a.op == "neg":
        return neg(mul(a.args[0], b))
    if isinstance(b, Call) and b.op == "neg":
        return neg(mul(a, b.args[0]))
    # One fraction bar: (p/q)·b = (p·b)/q and a·(p/q) = (a·p)/q, so that no product
    # prints as 1/h5·h4, which a reader takes for 1/(h5·h4).
    if isinstance(a, Call) and a.op == "div":
        return div(mul(a.args[0], b), a.args[1])
    if isinstance(b, Call) and b.op == "div":
        return div(mul(a, b.args[0]), b.args[1])
    return Call("mul", (a, b))


def div(a: Expr | float, b: Expr | float) -> Expr:
    a, b = lift(a), lift(b)
    if is_number(b, 1):
        return a
    if is_number(a, 0):
        return Num(0.0)
    if isinstance(a, Num) and isinstance(b, Num) and b.value != 0:
        return Num(a.value / b.value)
    if isinstance(a, Call) and a.op == "neg":
        return neg(div(a.args[0], b))
    if isinstance(a, Call) and a.op == "div":  # (p/q)/b = p/(q·b)
        return div(a.args[0], mul(a.args[1], b))
    return Call("div", (a, b))


def power(a: Expr | float, b: Expr | float) -> Expr:
    a, b = lift(a), lift(b)
    if is_number(b, 1):
        return a
    if is_number(b, 0):
        return Num(1.0)
    if isinstance(a, Num) and isinstance(b, Num):
        return Num(float(np.float64(a.value) ** np.float64(b.value)))
    return Call("pow", (a, b))


def neg(a: Expr | float) -> Expr:
    a = lift(a)
    if isinstance(a, Num):
        return Num(-a.value)
    if isinstance(a, Call) and a.op == "neg":
        return a.args[0]
    if isinstance(a, Call) and a.op == "sub":
        return Call("sub", (a.args[1], a.args[0]))  # −(t − o) = o − t
    return Call("neg", (a,))


def call(op: str, *args: Expr | float) -> Expr:
    return Call(op, tuple(lift(a) for a in args))


# ---------------------------------------------------------------- printing

_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_PRETTY = {"add": " + ", "sub": " − ", "mul": "·", "div": "/", "pow": "^"}
_ASCII = {"add": " + ", "sub": " - ", "mul": " * ", "div": " / ", "pow": "^"}


def _num_text(v: float, pretty: bool) -> str:
    # Pretty: short, for people. ASCII: the shortest text that reads back exactly.
    if pretty:
        return f"{v:.12g}"
    if v.is_integer() and abs(v) < 1e15 and v != 0:
        return str(int(v))
    return repr(v)


def to_text(e: Expr, pretty: bool = True) -> str:
    """Print with the fewest parentheses that keep the tree's meaning.

    ``pretty`` uses · and − as a person writes them; the ASCII text parses back with
    :func:`parse` to the same tree.
    """
    syms = _PRETTY if pretty else _ASCII
    minus = "−" if pretty else "-"

    def prec(e):
        if isinstance(e, Num) and math.copysign(1.0, e.value) < 0:
            return 3  # prints with a leading minus (−0 too), like a negation
        return _PREC.get(e.op, 5) if isinstance(e, Call) else 5

    def go(e):
        if isinstance(e, Num):
            t = _num_text(e.value, pretty)
            return minus + t[1:] if t.startswith("-") else t
        if isinstance(e, Name):
            return e.id
        p = _PREC.get(e.op)
        if p is None:
            return f"{e.op}({', '.join(go(a) for a in e.args)})"
        if e.op == "neg":
            (a,) = e.args
            # −a/b reads as −(a/b) to a person; the ASCII text keeps the tree exact.
            return minus + wrap(a, prec(a) <= (1 if pretty else 3))
        a, b = e.args
        if e.op == "pow":
            return wrap(a, prec(a) <= 4) + syms["pow"] + wrap(b, prec(b) < 3)
        left = wrap(a, prec(a) < p)
        # Same precedence on the right needs parentheses for − and /, and keeps
        # them for + and · too, so the text parses back to the same tree.
        right = wrap(b, prec(b) <= p)
        return left + syms[e.op] + right

    def wrap(e, paren):
        t = go(e)
        return f"({t})" if paren else t

    return go(e)
