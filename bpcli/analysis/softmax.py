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
    route_verdict: str = ""  # route against dz (against the part through a, when partial)
    partial: bool = False  # z is used elsewhere too: ∂E/∂z is more than the route through a


def softmax_checks(trace: Trace, exprs: dict | None = None) -> list[SoftmaxCheck]:
    """Every named node of an op that registers its Jacobian (softmax), of a named input:
    its Jacobian and the route Jᵀ·∂E/∂a, and when its output goes straight into a loss that
    registers what ∂E on the softmax's input must then be (cross-entropy: a − y), that check;
    ``exprs``: a net of equations' expressions, whose loss −Σ y·log(a) of a softmax node a
    gets the same check.  Where z is used elsewhere too, ∂E/∂z has more than the route: the
    route is checked against the part the softmax's own backward hands z, and a − y is not
    claimed."""
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
        a = np.asarray(trace.value(name))
        da, dz = np.asarray(trace.grad(name)), np.asarray(trace.grad(z))
        partial = len(g.consumers(node.inputs[0])) > 1
        through = dz
        if partial:  # the part of ∂E/∂z that comes through a: the softmax's own backward
            op = OPS[node.op]
            through = op.backward(da, op.forward(trace.vals[node.inputs[0]])[1])[0]
        checks.append(_check(node, name, z, a, da, dz, through, partial, trace, loss,
                             written))
    return checks


def _check(node, name, z, a, da, dz, through, partial, trace, loss, written) -> SoftmaxCheck:
    jac = None  # K×K: past MAX_JACOBIAN classes neither readable nor cheap, and not built
    if a.shape[-1] <= MAX_JACOBIAN:
        jacobian = OPS[node.op].jacobian
        jac = jacobian(a) if a.ndim == 1 else np.stack([jacobian(row) for row in a])
    extra = {"partial": partial}
    if jac is not None:
        route = jac.T @ da if a.ndim == 1 else np.einsum("nji,nj->ni", jac, da)
        extra.update(route=route, route_verdict=verdict(close(route, through), route, through))
    i = trace.graph.index[name]
    if not partial and i in loss.inputs and OPS[loss.op].logits is not None:
        expected, forms, n = OPS[loss.op].logits(a, np.asarray(trace.vals[loss.inputs[1]]))
        return SoftmaxCheck(name, z, a, da, dz, jac, expected, n, forms,
                            tuple(verdict(close(e, d), e, d) for e, d in zip(expected, dz)),
                            **extra)
    if not partial and name in written and a.ndim == 1:  # E = −Σ y·log(a), one sample
        y = np.asarray(trace.value(written[name]), dtype=float)
        expected, forms, n = OPS["cross_entropy"].logits(a[None], y[None])
        return SoftmaxCheck(name, z, a, da, dz, jac, expected[0], n, forms,
                            (verdict(close(expected[0], dz), expected[0], dz),), **extra)
    return SoftmaxCheck(name, z, a, da, dz, jac, **extra)


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
    if y.id in exprs or y.id == a:  # a computed y (entropy −Σ a·log a, t·z) is no target
        return {}
    return {a: y.id} if isinstance(soft, Call) and soft.op == "softmax" else {}


def _named(e: Expr, exprs: dict) -> Expr:
    """A name of a node other than its own: the node's expression."""
    seen = 0
    while isinstance(e, Name) and e.id in exprs and seen < 64:
        e, seen = exprs[e.id], seen + 1
    return e
