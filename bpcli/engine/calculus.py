"""Symbolic derivatives and evaluation of expression trees, through the ops' own rules.

:func:`derivative` differentiates with each op's registered ``local`` derivative, so a
printed factor such as f(1 − f) is the op's own statement; :func:`evaluate` computes a
tree with the ops' forwards.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..symbolic import Call, Expr, Name, Num, add, is_number, mul
from .registry import OPS, Value


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
            if not is_number(inner, 0):
                total = add(total, mul(local, inner))
        return total

    return d(e, True)


def evaluate(e: Expr, env: Mapping[str, Value]) -> np.float64 | np.ndarray:
    """The value of ``e`` with names looked up in ``env`` (through the ops' forwards)."""
    if isinstance(e, Num):
        return np.float64(e.value)
    if isinstance(e, Name):
        return env[e.id]
    assert isinstance(e, Call)
    return OPS[e.op].forward(*(evaluate(a, env) for a in e.args))[0]
