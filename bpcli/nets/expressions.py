"""The expression language of equation nets: text → :mod:`bpcli.symbolic` trees.

Grammar (lowest precedence first)::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/') unary)*
    unary  := ('-' | '+') unary | power
    power  := atom (('^' | '**') unary)?          # right-associative: 2^3^2 = 2^9
    atom   := NUMBER | NAME | NAME '(' expr ')' | '(' expr ')'

so ``-x^2`` is ``-(x^2)`` and ``2^-1`` is ``0.5``, as in mathematics and Python.
The parser builds trees; nothing is ever handed to ``eval``.  A function is any op
registered as public (:data:`bpcli.engine.FUNCTIONS`).
"""
from __future__ import annotations

import math
import re
from typing import NoReturn

from ..engine import FUNCTIONS
from ..symbolic import Call, Expr, Name, Num, names
from ..text import did_you_mean


class ExprError(ValueError):
    """A malformed expression; ``pos`` is the 0-based character offset, ``fix`` a hint."""

    def __init__(self, message, pos=None, fix=""):
        super().__init__(f"{message}; {fix}" if fix else message)
        self.message, self.pos, self.fix = message, pos, fix


_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^()])"
    r"|(?P<bad>\S))",
    re.ASCII,  # \d is 0-9 only: '١٠' is not quietly 10
)


def tokenize(text: str) -> list[tuple[str, str, int]]:
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

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, tok: tuple[str, str, int], what: str) -> NoReturn:
        kind, value, pos = tok
        found = "the end" if kind == "end" else repr(value)
        raise ExprError(f"expected {what} at column {pos + 1}, found {found}", pos)

    def expect(self, value: str) -> None:
        tok = self.take()
        if tok[1] != value or tok[0] != "op":
            self.fail(tok, repr(value))

    def parse(self) -> Expr:
        if self.peek()[0] == "end":
            raise ExprError("empty expression", 0)
        e = self.expr()
        if self.peek()[0] != "end":
            self.fail(self.peek(), "an operator")
        return e

    def expr(self) -> Expr:
        e = self.term()
        while self.peek()[:2] in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            e = Call("add" if op == "+" else "sub", (e, self.term()))
        return e

    def term(self) -> Expr:
        e = self.unary()
        while self.peek()[:2] in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            e = Call("mul" if op == "*" else "div", (e, self.unary()))
        return e

    def unary(self) -> Expr:
        if self.peek()[:2] == ("op", "-"):
            self.take()
            operand = self.unary()
            # -2 is the number −2 (as printed numbers read back), -x a negation
            return Num(-operand.value) if isinstance(operand, Num) else Call("neg", (operand,))
        if self.peek()[:2] == ("op", "+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        if self.peek()[:2] == ("op", "^"):
            self.take()
            return Call("pow", (base, self.unary()))
        return base

    def atom(self) -> Expr:
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
    return parse_names(text)[0]


def parse_names(text: str, shared: dict[str, Name] | None = None) -> tuple[Expr, list[str]]:
    """The parsed expression and the names it uses, in order of first appearance (what
    :func:`bpcli.symbolic.names` gives, without a walk of the tree).  ``shared``: the Name
    of each name, kept across the expressions of a file (one object per name, not per use)."""
    seen: dict[str, Name] = {}
    try:
        return _quick(text, seen, {} if shared is None else shared), list(seen)
    except _Slow:  # a mistake (or a rare form): the parser above, which says where
        e = _Parser(text).parse()
        return e, names(e)


# ------------------------------------------------------------------ the same, quicker
# The grammar above, parsed by three functions over the tokens as plain strings, in half
# the time; ``seen`` gathers the names, ``shared`` holds one Name per name.  Any mistake or
# surprise hands the text to _Parser, whose messages know the column.

class _Slow(Exception):
    """Left to :class:`_Parser`."""


_QUICK_TOKEN = re.compile(r"[A-Za-z_]\w*|[-+/^()]|\*\*?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
                          r"|\S", re.ASCII)  # _TOKEN's tokens (no positions), names first
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NUMBER_START = frozenset("0123456789.")
_ADDS = {"+": "add", "-": "sub"}
_MULS = {"*": "mul", "/": "div"}
_MOST_NESTING = 64  # signs, brackets and powers: _Parser's recursion stays far from the limit


def _quick(text: str, seen: dict[str, Name], shared: dict[str, Name]) -> Expr:
    if len(text) > _MOST_NESTING and (
            text.count("(") + text.count("-") + text.count("+") + text.count("^")
            + text.count("*")) > _MOST_NESTING:  # deep: _Parser alone decides (RecursionError)
        raise _Slow
    tokens = _QUICK_TOKEN.findall(text)
    tokens.append("")  # the end
    e, i = _sum(tokens, 0, seen, shared)
    if tokens[i]:
        raise _Slow
    return e


def _sum(t: list[str], i: int, seen: dict, shared: dict) -> tuple[Expr, int]:
    e, i = _product(t, i, seen, shared)
    op = _ADDS.get(t[i])
    while op:
        b, i = _product(t, i + 1, seen, shared)
        e = Call(op, (e, b))
        op = _ADDS.get(t[i])
    return e, i


def _product(t: list[str], i: int, seen: dict, shared: dict) -> tuple[Expr, int]:
    e, i = _operand(t, i, seen, shared)
    op = _MULS.get(t[i])
    while op:
        b, i = _operand(t, i + 1, seen, shared)
        e = Call(op, (e, b))
        op = _MULS.get(t[i])
    return e, i


def _operand(t: list[str], i: int, seen: dict, shared: dict) -> tuple[Expr, int]:
    """unary := ('-' | '+') unary | atom ('^' unary)?"""
    tok = t[i]
    if tok[:1] in _NAME_START:
        if t[i + 1] == "(":
            if tok not in FUNCTIONS:
                raise _Slow
            arg, i = _sum(t, i + 2, seen, shared)
            if t[i] != ")":
                raise _Slow
            e = Call(tok, (arg,))
        else:
            e = seen.get(tok)
            if e is None:
                e = shared.get(tok)
                if e is None:
                    e = shared[tok] = Name(tok)
                seen[tok] = e
    elif tok == "(":
        e, i = _sum(t, i + 1, seen, shared)
        if t[i] != ")":
            raise _Slow
    elif tok == "-":
        e, i = _operand(t, i + 1, seen, shared)
        return (Num(-e.value) if isinstance(e, Num) else Call("neg", (e,))), i
    elif tok == "+":
        return _operand(t, i + 1, seen, shared)
    elif tok[:1] in _NUMBER_START and tok != ".":
        v = float(tok)
        if not math.isfinite(v):
            raise _Slow
        e = Num(v)
    else:
        raise _Slow
    i += 1
    tok = t[i]
    if tok == "^" or tok == "**":
        b, i = _operand(t, i + 1, seen, shared)
        return Call("pow", (e, b)), i
    return e, i
