"""The seed note's sign slip, recognised in a net: a loss written as minus a sum of squares,
E = −Σ½(f(O) − y)², has no lower bound, so gradient descent drives the outputs away from
their targets while E falls below 0."""
from __future__ import annotations

import numpy as np

from ..engine import LOSS
from ..nets import Net
from ..symbolic import Call, Expr, Name, Num, to_text

_EVEN_POWERS = (2.0, 4.0)


def negated_squares(net: Net) -> bool:
    """Is the loss minus a sum of squares, however the minus is written (−Σ½(f − y)²,
    −½(a − y)² − ½(b − t)², −(o − y)²/2, 0.5·−(o − y)²)? (Equation nets; a layer net's loss
    is one of its registered losses, never negated.)"""
    exprs = net.expressions
    return exprs is not None and _sign(exprs[LOSS], exprs) == -1


def _sign(e: Expr, exprs: dict, depth: int = 0, memo: dict | None = None) -> int | None:
    """+1: a sum of squares with positive weights (≥ 0, read through named nodes); −1: minus
    one; 0: the number 0; None: anything else.  A named node is read once (``memo``): a
    net whose nodes each use the ones before twice has 2^depth ways down, not one."""
    memo = {} if memo is None else memo
    if isinstance(e, Name) and e.id in exprs:
        if e.id not in memo:
            memo[e.id] = None  # (a loop, were there one, reads as "anything else")
            memo[e.id] = _sign(exprs[e.id], exprs, depth + 1, memo)
        return memo[e.id]
    if depth > 64:
        return None
    if isinstance(e, Num):
        return (e.value > 0) - (e.value < 0)
    if not isinstance(e, Call):
        return None
    if e.op == "pow":
        return 1 if isinstance(e.args[1], Num) and e.args[1].value in _EVEN_POWERS else None
    signs = [_sign(a, exprs, depth + 1, memo) for a in e.args]
    if e.op == "neg":
        return None if signs[0] is None else -signs[0]
    if e.op in ("mul", "div"):
        if None in signs or 0 in signs or (e.op == "div" and not isinstance(e.args[1], Num)):
            return None
        return int(np.prod(signs))
    if e.op in ("add", "sub", "sum", "mean"):
        if e.op == "sub" and signs[1] is not None:
            signs[1] = -signs[1]
        kinds = {x for x in signs if x != 0}
        return kinds.pop() if len(kinds) == 1 and None not in kinds else None
    return None


def unnegated(net: Net) -> str:
    """The loss of a net with :func:`negated_squares`, written without its minus."""
    return to_text(_flip(net.expressions[LOSS], net.expressions), pretty=False)


def _flip(e: Expr, exprs: dict) -> Expr:
    """−e for an expression :func:`_sign` reads as ±(squares): its minus taken away where
    it stands."""
    e = _named(e, exprs)
    if isinstance(e, Num):
        return Num(-e.value)
    if e.op == "neg":
        return e.args[0]
    if e.op in ("mul", "div"):
        k = next((i for i, a in enumerate(e.args) if _sign(a, exprs) == -1), 0)
        return Call(e.op, tuple(_flip(a, exprs) if i == k else a for i, a in enumerate(e.args)))
    if e.op == "sub":
        a, b = e.args
        if isinstance(a, Num) and a.value == 0:
            return b
        return Call("add", (_flip(a, exprs), b))  # −(a − b) = −a + b
    return Call(e.op, tuple(_flip(a, exprs) for a in e.args))  # add, sum, mean


def _named(e: Expr, exprs: dict, depth: int = 0) -> Expr:
    """A name of a node: the node's expression (a loss written as E: total)."""
    while isinstance(e, Name) and e.id in exprs and depth < 64:
        e, depth = exprs[e.id], depth + 1
    return e
