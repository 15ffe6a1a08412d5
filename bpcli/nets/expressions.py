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

import functools
import math
import re
from typing import Callable, NoReturn

from ..engine import FUNCTIONS
from ..symbolic import Call, Expr, Name, Num, names
from ..text import did_you_mean


class ExprError(ValueError):
    """A malformed expression; ``pos`` is the 0-based character offset, ``fix`` a hint."""

    def __init__(self, message, pos=None, fix=""):
        super().__init__(f"{message}; {fix}" if fix else message)
        self.message, self.pos, self.fix = message, pos, fix


@functools.cache
def _token() -> re.Pattern:
    """The careful parser's token, with its kind (compiled when first needed: most files
    never need that parser)."""
    return re.compile(
        r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
        r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
        r"|(?P<op>\*\*|[-+*/^()])"
        r"|(?P<bad>\S))",
        re.ASCII,  # \d is 0-9 only: '١٠' is not quietly 10
    )


def tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    pos = 0
    match = _token().match
    while True:
        m = match(text, pos)
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
    if shared is None:
        shared = {}
    pieces = _VARIABLE.split(text)  # the text between variables, and the variables
    shape = tuple(pieces[::2])
    make = _MADE.get(shape)
    if make is not None:
        got = make(pieces, shared)
        if got is not None:
            return got
    seen: dict[str, Name] = {}
    try:
        e = _quick(text, seen, shared)
    except _Slow:  # a mistake (or a rare form): the parser above, which says where
        e = _Parser(text).parse()
        return e, names(e)
    if len(_MADE) < _MOST_SHAPES:
        if len(_SHAPES) > 100 * _MOST_SHAPES:  # (shapes seen once or twice: start again)
            _SHAPES.clear()
        count = _SHAPES[shape] = _SHAPES.get(shape, 0) + 1
        if count == _SHAPE_MADE_AT:
            _MADE[shape] = _maker(e, pieces)
    return e, list(seen)


# ------------------------------------------------------------------ the same, quicker
# The grammar above, parsed by three functions over the tokens as plain strings, in half
# the time; ``seen`` gathers the names, ``shared`` holds one Name per name.  Any mistake or
# surprise hands the text to _Parser, whose messages know the column.

class _Slow(Exception):
    """Left to :class:`_Parser`."""


_QUICK_TOKEN = re.compile(r"[A-Za-z_]\w*|[-+/^()]|\*\*?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
                          r"|\S", re.ASCII)  # _token()'s tokens (no positions), names first
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


# ------------------------------------------------------------------ the same shape again
# Equation files repeat a few shapes (a chain: `n5: tanh(w * n4 + b)` 10⁵ times).  A text's
# shape is what lies between its variables (names not called as functions): two texts of
# one shape have the same tokens but for the variables' names, so the same tree but for its
# Names.  Once a shape has been parsed _SHAPE_MADE_AT times, a function generated from its
# tree (never from the text: the op names and numbers of a validated tree, the variables by
# their place) makes the tree of each text of that shape from its variables alone.

# a variable: a name not inside a number (2e5) nor called (tanh(...)), as _QUICK_TOKEN reads it
_VARIABLE = re.compile(r"(?<![\w.])([A-Za-z_]\w*+)(?!\s*\()", re.ASCII)
_SHAPE_MADE_AT = 8  # parses of a shape before its function is made (≈ what making it costs)
_MOST_SHAPES = 1000  # shapes with a function, in one process
_SHAPES: dict[tuple, int] = {}  # shape -> parses so far
_MADE: dict[tuple, Callable | None] = {}  # shape -> its function (None: none can be made)


def _maker(e: Expr, pieces: list[str]) -> Callable | None:
    """``make(pieces, shared) -> (tree, names)`` for the texts of ``e``'s shape, ``pieces``
    being ``_VARIABLE.split(text)``: the variables at odd places (None for a list of another
    length); no function (None) if the tree's Names are not those variables in order."""
    places = iter(range(1, len(pieces), 2))
    body: list[str] = []

    def line(e: Expr) -> str:  # the statement making ``e``; the variable holding it
        if isinstance(e, Name):
            k = next(places)
            if pieces[k] != e.id:
                raise _Slow
            return f"n{k}"
        args = [line(a) for a in e.args] if isinstance(e, Call) else ()
        body.append(f"t{len(body)} = " + (f"Call({e.op!r}, ({', '.join(args)},))"
                                          if isinstance(e, Call) else f"Num({e.value!r})"))
        return f"t{len(body) - 1}"

    try:
        top = line(e)
        if next(places, None) is not None:
            raise _Slow
    except (_Slow, StopIteration):
        return None
    slots = range(1, len(pieces), 2)
    source = "\n    ".join([
        "def make(v, shared):", f"if len(v) != {len(pieces)}:", "    return None",
        *(f"x{k} = v[{k}]\n    n{k} = shared.get(x{k})\n    if n{k} is None:\n"
          f"        n{k} = shared[x{k}] = Name(x{k})" for k in slots), *body,
        f"return {top}, list(dict.fromkeys(({''.join(f'x{k}, ' for k in slots)})))"]) + "\n"
    env = {"Call": Call, "Num": Num, "Name": Name}
    exec(compile(source, "<bpcli expression shape>", "exec"), env)  # noqa: S102 (our own code)
    return env["make"]
