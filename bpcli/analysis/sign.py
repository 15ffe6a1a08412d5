"""The seed note's sign slip, recognised in a net: a loss written as minus a sum of squares,
E = −Σ½(f(O) − y)², has no lower bound, so gradient descent drives the outputs away from
their targets while E falls below 0."""
from __future__ import annotations

from ..engine import LOSS
from ..nets import Net
from ..symbolic import Call, Expr, Name, Num, to_text

_EVEN_POWERS = (2.0, 4.0)


def negated_squares(net: Net) -> bool:
    """Is the loss −(a sum of squares), or a negative number times one? (Equation nets;
    a layer net's loss is one of its registered losses, never negated.)"""
    exprs = net.expressions
    if exprs is None:
        return False
    loss = _named(exprs[LOSS], exprs)
    if isinstance(loss, Call) and loss.op == "neg":
        return _squares(loss.args[0], exprs)
    if isinstance(loss, Call) and loss.op == "mul":
        constants = [a for a in loss.args if isinstance(a, Num)]
        rest = [a for a in loss.args if not isinstance(a, Num)]
        return (len(constants) == 1 and constants[0].value < 0 and len(rest) == 1
                and _squares(rest[0], exprs))
    if isinstance(loss, Call) and loss.op == "sub":
        a, b = loss.args
        return isinstance(a, Num) and a.value == 0 and _squares(b, exprs)
    return False


def unnegated(net: Net) -> str:
    """The loss of a net with :func:`negated_squares`, written without its minus."""
    loss = _named(net.expressions[LOSS], net.expressions)
    if loss.op == "mul":
        loss = Call("mul", tuple(Num(-a.value) if isinstance(a, Num) else a for a in loss.args))
    else:  # −x, or 0 − x
        loss = loss.args[-1]
    return to_text(loss, pretty=False)


def _named(e: Expr, exprs: dict, depth: int = 0) -> Expr:
    """A name of a node: the node's expression (a loss written as E: total)."""
    while isinstance(e, Name) and e.id in exprs and depth < 64:
        e, depth = exprs[e.id], depth + 1
    return e


def _squares(e: Expr, exprs: dict, depth: int = 0) -> bool:
    """A sum of squares (with non-negative weights), read through named nodes: ≥ 0 for any
    values, and 0 only where every square is."""
    if depth > 64:
        return False
    e = _named(e, exprs)
    if isinstance(e, Num):
        return e.value >= 0
    if not isinstance(e, Call):
        return False
    if e.op == "pow":
        return isinstance(e.args[1], Num) and e.args[1].value in _EVEN_POWERS
    if e.op in ("add", "sum", "mean"):
        return all(_squares(a, exprs, depth + 1) for a in e.args)
    if e.op in ("mul", "div"):
        constant = [a for a in e.args if isinstance(a, Num)]
        return (len(constant) == 1 and constant[0].value > 0
                and all(_squares(a, exprs, depth + 1) for a in e.args if a is not constant[0]))
    return False
