"""A softmax's Jacobian and, with cross-entropy after it, the check that ∂E/∂z = a − y — for
softmax layers (the loss op registers the rule) and for nets written as equations whose
loss is −Σ y·log(a) of a softmax node a (read off the expression)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import LOSS, OPS, Trace
from ..symbolic import Call, Expr, Name
from .tracing import close, verdict

MAX_JACOBIAN = 32  # classes of a softmax whose Jacobian is built and shown


@dataclass(frozen=True)
class SoftmaxCheck:
    """A softmax's Jacobian ∂a_j/∂z_i = a_j(δ_ij − a_i) and its product with ∂E/∂a; with
    cross-entropy right after it, the check that ∂E/∂z = (a·Σy − y)/N (a − y for one sample
    and a one-hot y).  Arrays as the graph holds them: K for an equation net's vector,
    N×K for a layer (every sample)."""

    name: str  # the softmax's output
    z: str  # its input
    a: np.ndarray
    da: np.ndarray  # ∂E/∂a
    dz: np.ndarray  # ∂E/∂z
    jacobian: np.ndarray | None  # K×K, or N×K×K; None past MAX_JACOBIAN classes
    expected: np.ndarray | None = None  # (a·Σy − y)/N with cross-entropy next, else None
    scale: int = 1  # that N
    forms: tuple = ()  # per sample: "a − y" when y sums to 1, else "a·Σy − y"
    verdicts: tuple = ()  # per sample: expected against dz
    route: np.ndarray | None = None  # Jᵀ·∂E/∂a, computed from the Jacobian (None without one)
    route_verdict: str = ""  # route against dz


def softmax_checks(trace: Trace, exprs: dict | None = None) -> list[SoftmaxCheck]:
    """Every named node of an op that registers its Jacobian (softmax), of a named input:
    its Jacobian, and when its output goes straight into a loss that registers what ∂E on
    the softmax's input must then be (cross-entropy: a − y), that check; ``exprs``: a net of
    equations' expressions, whose loss −Σ y·log(a) of a softmax node a gets the same check."""
    written = cross_entropy_pairs(exprs) if exprs is not None else {}
    g = trace.graph
    loss = g.nodes[g.loss]
    checks = []
    for name, i in g.index.items():
        node = g.nodes[i]
        if node.op is None or OPS[node.op].jacobian is None or node.name != name:
            continue
        z = g.nodes[node.inputs[0]].name
        if z is None:
            continue
        jacobian = OPS[node.op].jacobian
        a = np.asarray(trace.value(name))
        da, dz = np.asarray(trace.grad(name)), np.asarray(trace.grad(z))
        jac = None  # K×K: past MAX_JACOBIAN classes neither readable nor cheap, and not built
        if a.shape[-1] <= MAX_JACOBIAN:
            jac = jacobian(a) if a.ndim == 1 else np.stack([jacobian(row) for row in a])
        route = None if jac is None else (jac.T @ da if a.ndim == 1
                                          else np.einsum("nji,nj->ni", jac, da))
        extra = {} if route is None else {"route": route,
                                          "route_verdict": verdict(close(route, dz), route, dz)}
        check = SoftmaxCheck(name, z, a, da, dz, jac, **extra)
        if i in loss.inputs and OPS[loss.op].logits is not None:
            expected, forms, n = OPS[loss.op].logits(a, np.asarray(trace.vals[loss.inputs[1]]))
            check = SoftmaxCheck(name, z, a, da, dz, jac, expected, n, forms,
                                 tuple(verdict(close(e, d), e, d) for e, d in zip(expected, dz)),
                                 **extra)
        elif name in written and a.ndim == 1:  # E = −Σ y·log(a), written out: one sample
            y = np.asarray(trace.value(written[name]), dtype=float)
            expected, forms, n = OPS["cross_entropy"].logits(a[None], y[None])
            check = SoftmaxCheck(name, z, a, da, dz, jac, expected[0], n, forms,
                                 (verdict(close(expected[0], dz), expected[0], dz),), **extra)
        checks.append(check)
    return checks


def cross_entropy_pairs(exprs: dict) -> dict:
    """{a: y} when the loss is written −Σ y·log(a) (or −Σ log(a)·y, Σ −y·log(a), 0 − Σ …)
    of a node a = softmax(z): cross-entropy after a softmax, as the note writes it."""
    e = _named(exprs[LOSS], exprs)
    if isinstance(e, Call) and e.op == "sub" and getattr(e.args[0], "value", None) == 0:
        e = Call("neg", (e.args[1],))
    inner, negated = e, False
    if isinstance(inner, Call) and inner.op == "neg":
        inner, negated = _named(inner.args[0], exprs), True
    if not (isinstance(inner, Call) and inner.op == "sum"):
        return {}
    term = _named(inner.args[0], exprs)
    if not (isinstance(term, Call) and term.op == "mul"):
        return {}
    y, log = term.args
    if isinstance(y, Call) and y.op == "log":
        y, log = log, y
    if isinstance(y, Call) and y.op == "neg" and not negated:
        y, negated = y.args[0], True
    if not (negated and isinstance(y, Name) and isinstance(log, Call) and log.op == "log"
            and isinstance(log.args[0], Name)):
        return {}
    a = log.args[0].id
    soft = exprs.get(a)
    return {a: y.id} if isinstance(soft, Call) and soft.op == "softmax" else {}


def _named(e: Expr, exprs: dict) -> Expr:
    """A name of a node other than its own: the node's expression."""
    seen = 0
    while isinstance(e, Name) and e.id in exprs and seen < 64:
        e, seen = exprs[e.id], seen + 1
    return e
