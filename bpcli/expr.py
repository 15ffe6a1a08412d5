"""The expression language of equation nets, and symbolic derivatives of it.

Grammar (lowest precedence first)::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/') unary)*
    unary  := ('-' | '+') unary | power
    power  := atom (('^' | '**') unary)?          # right-associative: 2^3^2 = 2^9
    atom   := NUMBER | NAME | NAME '(' expr ')' | '(' expr ')'

so ``-x^2`` is ``-(x^2)`` and ``2^-1`` is ``0.5``, as in mathematics and Python.
The parser builds :class:`Expr` trees; nothing is ever handed to ``eval``.

The same trees serve the explanations: :func:`derivative` differentiates an
expression with the ops' own ``local`` rules (:mod:`bpcli.ops`) and the smart
constructors below keep the result readable (``0.5·2·(fO1 − y1)`` becomes
``fO1 − y1``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .ops import FUNCTIONS, OPS
from .suggest import did_you_mean


class ExprError(ValueError):
    """A malformed expression; ``pos`` is the 0-based character offset, ``fix`` a hint."""

    def __init__(self, message, pos=None, fix=""):
        super().__init__(f"{message}; {fix}" if fix else message)
        self.message, self.pos, self.fix = message, pos, fix


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
    op: str  # a key of bpcli.ops.OPS: "add", "mul", ..., "sigmoid", ...
    args: tuple


def lift(x) -> Expr:
    return x if isinstance(x, Expr) else Num(float(x))


def calls(e: Expr, op: str):
    """Every call of ``op`` inside ``e`` (softmax, relu, ...), outermost first."""
    if isinstance(e, Call):
        if e.op == op:
            yield e
        for a in e.args:
            yield from calls(a, op)


def names(e: Expr) -> list[str]:
    """The distinct names an expression uses, in order of first appearance."""
    seen: dict[str, None] = {}

    def walk(e):
        if isinstance(e, Name):
            seen.setdefault(e.id)
        elif isinstance(e, Call):
            for a in e.args:
                walk(a)

    walk(e)
    return list(seen)


# ------------------------------------------------- simplifying constructors
# Only rules that are exact for every value: x·0 → 0 would be wrong for x = ∞,
# but derivatives of finite nets never meet that, and it is what keeps the
# printed factors short.

def _is(e, v):
    return isinstance(e, Num) and e.value == v


def add(a, b):
    a, b = lift(a), lift(b)
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
    if isinstance(a, Num) and isinstance(b, Num):
        return Num(a.value + b.value)
    if isinstance(b, Call) and b.op == "neg":
        return sub(a, b.args[0])
    return Call("add", (a, b))


def sub(a, b):
    a, b = lift(a), lift(b)
    if _is(b, 0):
        return a
    if _is(a, 0):
        return neg(b)
    if isinstance(a, Num) and isinstance(b, Num):
        return Num(a.value - b.value)
    if isinstance(b, Call) and b.op == "neg":
        return add(a, b.args[0])
    return Call("sub", (a, b))


def mul(a, b):
    a, b = lift(a), lift(b)
    if _is(a, 0) or _is(b, 0):
        return Num(0.0)
    if isinstance(b, Num) and not isinstance(a, Num):
        a, b = b, a  # constants first: 2·x, not x·2
    if _is(a, 1):
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


def div(a, b):
    a, b = lift(a), lift(b)
    if _is(b, 1):
        return a
    if _is(a, 0):
        return Num(0.0)
    if isinstance(a, Num) and isinstance(b, Num) and b.value != 0:
        return Num(a.value / b.value)
    if isinstance(a, Call) and a.op == "neg":
        return neg(div(a.args[0], b))
    if isinstance(a, Call) and a.op == "div":  # (p/q)/b = p/(q·b)
        return div(a.args[0], mul(a.args[1], b))
    return Call("div", (a, b))


def power(a, b):
    a, b = lift(a), lift(b)
    if _is(b, 1):
        return a
    if _is(b, 0):
        return Num(1.0)
    if isinstance(a, Num) and isinstance(b, Num):
        return Num(float(OPS["pow"].forward(np.float64(a.value), np.float64(b.value))[0]))
    return Call("pow", (a, b))


def neg(a):
    a = lift(a)
    if isinstance(a, Num):
        return Num(-a.value)
    if isinstance(a, Call) and a.op == "neg":
        return a.args[0]
    if isinstance(a, Call) and a.op == "sub":
        return Call("sub", (a.args[1], a.args[0]))  # −(t − o) = o − t
    return Call("neg", (a,))


def call(op, *args):
    return Call(op, tuple(lift(a) for a in args))


# ---------------------------------------------------------------- derivative

def derivative(e: Expr, wrt: str, out_name: str | None = None) -> Expr:
    """∂e/∂wrt as a simplified expression tree.

    ``out_name``: the name the whole of ``e`` is known by.  Local rules that reuse
    an op's output (σ' = f(1−f), exp' = f, ...) then print the node's name, the way
    the seed note writes f(O1)(1 − f(O1)).
    """

    def d(e, top):
        if isinstance(e, Name):
            return Num(1.0 if e.id == wrt else 0.0)
        if isinstance(e, Num):
            return Num(0.0)
        out = Name(out_name) if top and out_name else e
        locals_ = OPS[e.op].local(out, *e.args)
        total = Num(0.0)
        for arg, local in zip(e.args, locals_):
            inner = d(arg, False)
            if not _is(inner, 0):
                total = add(total, mul(local, inner))
        return total

    return d(e, True)


def evaluate(e: Expr, env) -> np.float64 | np.ndarray:
    """The value of ``e`` with names looked up in ``env`` (through the ops' forwards)."""
    if isinstance(e, Num):
        return np.float64(e.value)
    if isinstance(e, Name):
        return env[e.id]
    return OPS[e.op].forward(*(evaluate(a, env) for a in e.args))[0]


# ---------------------------------------------------------------- printing

_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_PRETTY = {"add": " + ", "sub": " − ", "mul": "·", "div": "/", "pow": "^"}
_PLAIN = {"add": " + ", "sub": " - ", "mul": " * ", "div": " / ", "pow": "^"}


def _num_text(v: float, pretty: bool) -> str:
    # Pretty: short, for people. Plain: the shortest text that reads back exactly.
    if pretty:
        return f"{v:.12g}"
    if v.is_integer() and abs(v) < 1e15 and v != 0:
        return str(int(v))
    return repr(v)


def to_text(e: Expr, pretty: bool = True) -> str:
    """Print with the fewest parentheses that keep the tree's meaning.

    ``pretty`` uses · and − as a person writes them; plain text parses back with
    :func:`parse` to the same tree.
    """
    syms = _PRETTY if pretty else _PLAIN
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
            # −a/b reads as −(a/b) to a person; plain text keeps the tree exact.
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


# ---------------------------------------------------------------- parsing

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^()])"
    r"|(?P<bad>\S))",
    re.ASCII,  # \d is 0-9 only: '١٠' is not quietly 10
)


def tokenize(text: str):
    tokens = []
    pos = 0
    while True:
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        kind = m.lastgroup
        value = m.group(kind)
        start = m.start(kind)
        if kind == "bad":
            raise ExprError(f"unexpected character {value!r} at column {start + 1}", start)
        if kind == "op" and value == "**":
            value = "^"
        tokens.append((kind, value, start))
        pos = m.end()
    tokens.append(("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self):
        return self.tokens[self.i]

    def take(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, tok, what):
        kind, value, pos = tok
        found = "the end" if kind == "end" else repr(value)
        raise ExprError(f"expected {what} at column {pos + 1}, found {found}", pos)

    def expect(self, value):
        tok = self.take()
        if tok[1] != value or tok[0] != "op":
            self.fail(tok, repr(value))

    def parse(self):
        if self.peek()[0] == "end":
            raise ExprError("empty expression", 0)
        e = self.expr()
        if self.peek()[0] != "end":
            self.fail(self.peek(), "an operator")
        return e

    def expr(self):
        e = self.term()
        while self.peek()[:2] in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            e = Call("add" if op == "+" else "sub", (e, self.term()))
        return e

    def term(self):
        e = self.unary()
        while self.peek()[:2] in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            e = Call("mul" if op == "*" else "div", (e, self.unary()))
        return e

    def unary(self):
        if self.peek()[:2] == ("op", "-"):
            self.take()
            operand = self.unary()
            # -2 is the number −2 (as printed numbers read back), -x a negation
            return Num(-operand.value) if isinstance(operand, Num) else Call("neg", (operand,))
        if self.peek()[:2] == ("op", "+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek()[:2] == ("op", "^"):
            self.take()
            return Call("pow", (base, self.unary()))
        return base

    def atom(self):
        tok = self.take()
        kind, value, pos = tok
        if kind == "num":
            v = float(value)
            if not math.isfinite(v):
                raise ExprError(f"the number {value} is too large for float64", pos)
            return Num(v)
        if kind == "name":
            if self.peek()[:2] == ("op", "("):
                if value not in FUNCTIONS:
                    fix = did_you_mean(value, FUNCTIONS, "functions")
                    raise ExprError(f"unknown function {value!r}", pos, fix)
                self.take()
                arg = self.expr()
                self.expect(")")
                return Call(value, (arg,))
            return Name(value)
        if (kind, value) == ("op", "("):
            e = self.expr()
            self.expect(")")
            return e
        self.fail(tok, "a number, a name or '('")


def parse(text: str) -> Expr:
    """Parse an expression; raises :class:`ExprError` with a column on mistakes."""
    return _Parser(text).parse()
