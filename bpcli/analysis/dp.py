"""What the backward pass computed for ∂E/∂name: the seed note's dynamic programming.

The backward pass never lists paths: walking the names from E down, it completes each
∂E/∂b once, as the sum over b's consumers a of ∂E/∂a · ∂a/∂b, and reuses it for every
name below b.  Here each of those steps is written out for the names on the way from E
down to ``wrt``, with the local factors evaluated from the ops' symbolic rules and the
∂E/∂a of the backward pass — so each step's sum is checked against the backward pass's
own ∂E/∂b — and ∂E/∂wrt in the note's factored form, (∂E/∂O1·w3 + ∂E/∂O2·w5)·f′(H1)·x.
The work is linear in the names: one term per edge on the way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..engine import LOSS, Trace
from .tracing import close, verdict


@dataclass(frozen=True)
class Term:
    of: str  # the consumer a in ∂E/∂a · ∂a/∂b
    grad: float  # ∂E/∂a, from the backward pass
    symbol: str  # ∂a/∂b, symbolic
    factor: float  # its value
    product: float


@dataclass(frozen=True)
class DPStep:
    """∂E/∂name = Σ over its consumers a of ∂E/∂a · ∂a/∂name."""

    name: str
    terms: tuple[Term, ...]
    total: float  # the sum of the terms
    backward: float  # ∂E/∂name from the backward pass
    verdict: str  # total against backward


@dataclass(frozen=True)
class Factored:
    """∂E/∂name as the note factors it: ``up`` (the factored ∂E of its one consumer) times
    ``terms[0]``'s local factor; or, with ``up`` None, the sum of ``terms`` (∂E/∂a kept
    whole, computed once above)."""

    terms: tuple[Term, ...]
    up: "Factored | None" = None


@dataclass(frozen=True)
class DPView:
    steps: tuple[DPStep, ...]  # in the order the backward pass completes them
    factored: Factored  # ∂E/∂wrt in the note's factored form
    visited: int  # the names on the way from E down to wrt, E and wrt included

    @property
    def agrees(self) -> bool:
        return all(s.verdict == "equal" for s in self.steps)


def dp_view(order: list[str], deps: Callable, factor: Callable, trace: Trace,
            wrt: str) -> DPView:
    """The DP steps from E down to ``wrt``.  ``order``: every name, E first, in the order the
    backward pass completes them; ``deps(a)``: the names a uses that lead down to wrt;
    ``factor(a, b)``: the local factor ∂a/∂b (with ``symbol`` and ``value``)."""
    on_way, uses = {LOSS}, {}
    for a in order:  # E first, then each name after every consumer of it
        if a in on_way:
            uses[a] = deps(a)
            on_way.update(uses[a])
    consumers = {b: [] for b in on_way}
    for a in reversed(order):  # one pass; a sum's terms in the order the net writes names
        for b in uses.get(a, ()):
            consumers[b].append(a)
    steps = []
    for b in (n for n in order if n in on_way and n != LOSS):
        terms = []
        for a in consumers[b]:
            f, g = factor(a, b), float(trace.grad(a))
            terms.append(Term(a, g, f.symbol, f.value, g * f.value))
        total, backward = sum(t.product for t in terms), float(trace.grad(b))
        steps.append(DPStep(b, tuple(terms), total, backward,
                            verdict(close(total, backward), total, backward)))
    return DPView(tuple(steps), _factored(wrt, consumers, {s.name: s for s in steps}),
                  len(on_way))


def _factored(b, consumers, steps) -> Factored:
    """Down a chain of single consumers, a product of local factors; at a name with several
    consumers (or E's own factor), the sum of ∂E/∂a · ∂a/∂b."""
    cons = consumers[b]
    if len(cons) == 1 and cons[0] != LOSS:
        return Factored(steps[b].terms[:1], _factored(cons[0], consumers, steps))
    return Factored(steps[b].terms)
