"""The recognisable slips of a hand derivation, each tried numerically on a wrong number.

A slip is named only when the learner's number equals what the slip gives (within the
number's own rounding): the wrong sign, one path of several, f where f′ was due, a local
factor left out, the update with + instead of −, η left out, a mean-pool's share 1/k for
a k×k window instead of 1/(k·k).  None fits: no diagnosis.
"""
from __future__ import annotations

import math

import numpy as np

from ..engine import LOSS
from .worlds import EquationWorld


def slip(world, claim, runs: tuple, eta: float, tol: float, own_rounding: bool = True) -> str:
    """The slip whose number is nearest the learner's ``claim``, among those that give it
    (within ``tol``, or the places written) and differ from the right value; or ''.
    ``runs``: the right run, the run on the learner's numbers, and the learner's numbers
    (each slip is tried on the right numbers and on theirs).  ``own_rounding``: ``tol``
    is the learner's own rounding (not --tol, not a quiz's digits), so a number just past
    it can be told so."""
    right = runs[0]
    at = claim.index if claim.index is not None else ()
    t = float(np.asarray(right[claim.key])[at])
    if own_rounding and abs(claim.given - t) <= tol + claim.half_unit / 2:
        return (f"just past your rounding: the right value {t:.6g} to the places you wrote is "
                f"{_rounded_like(t, claim.text)}")
    if not own_rounding and claim.half_unit > tol and abs(claim.given - t) <= claim.half_unit:
        return f"right only to the places you wrote: give more digits (it is {t:.6g})"
    tol = max(tol, claim.half_unit * (1 + 1e-9))  # a slip's value, to the places written
    best, nearest = "", math.inf
    for text, value in _candidates(world, claim, runs, eta):
        v = float(np.asarray(value)[at]) if np.ndim(value) else float(value)
        off = abs(claim.given - v)
        # a slip that gives the right value (or nearly) tells nothing
        if math.isfinite(v) and off <= tol and abs(v - t) > 2 * tol and off < nearest:
            best, nearest = text, off
    return best


def _rounded_like(v: float, text: str) -> str:
    """``v`` written with as many decimals as ``text``."""
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text.lower() else 0
    return f"{v:.{decimals}f}" if "e" not in text.lower() else f"{v:.3e}"


def _candidates(world, c, runs, eta):
    right, from_yours, mine = runs
    if c.kind == "update":
        for numbers in (right, mine):
            w, g = numbers[("value", c.name)], numbers[("grad", c.name)]
            yield "you added η·∂E/∂w: w′ = w − η·∂E/∂w, not w + η·∂E/∂w", w + eta * g
            yield "η left out: w′ = w − η·∂E/∂w, not w − ∂E/∂w", w - g
    for numbers in (right, from_yours):
        yield _sign_text(world, c), -np.asarray(numbers[c.key])
    for numbers, step in ((right, right), (mine, from_yours)):
        if isinstance(world, EquationWorld):
            yield from _equation_slips(world, c, numbers)
        elif c.kind == "grad":
            yield from _layer_slips(world, c, numbers, step[c.key])


def _sign_text(world, c):
    text = "wrong sign (yours is minus the right value)"
    exprs = getattr(world, "exprs", None)
    if (c.kind == "grad" and exprs is not None and c.name in world.uses.get(LOSS, ())
            and c.name in exprs):  # an output E compares with its target
        return text + "; the seed note's y − f(O) gives this, but ∂E/∂f(O) = f(O) − y"
    return text


def _equation_slips(world, c, numbers):
    """The slips of a net of equations, on ``numbers`` (the right ones, or the learner's):
    a factor as f for f′; a ∂E with one path (or one consumer's term) only, a factor left
    out, or f for f′ inside it."""
    if c.kind == "factor" and world.activation(c.name):
        yield (f"f used where f′ was due: ∂{c.name}/∂{c.wrt} = {world.factor_text(c.name, c.wrt)}, "
               f"not {c.name} itself", numbers[("value", c.name)])
    if c.kind != "grad" or c.name == LOSS or c.name in world.unused:
        return
    b, consumers = c.name, world.consumers[c.name]
    terms = {a: numbers[("grad", a)] * numbers[("factor", a, b)] for a in consumers}
    if len(consumers) > 1:  # one step: a consumer's term alone
        for a in consumers:
            others = " and ".join(x for x in consumers if x != a)
            yield (f"one path only (∂E/∂{a}·∂{a}/∂{b}): you missed the path through {others}",
                   terms[a])
    for a in consumers:
        rest = sum(v for x, v in terms.items() if x != a)
        sym = world.factor_text(a, b)
        yield f"a factor left out: ∂{a}/∂{b} = {sym}", rest + numbers[("grad", a)]
        if world.activation(a):
            yield (f"f used where f′ was due: ∂{a}/∂{b} = {sym}, not {a} itself",
                   rest + numbers[("grad", a)] * numbers[("value", a)])
    yield from _path_slips(world, c, numbers)


def _path_slips(world, c, numbers):
    """The same slips along whole paths E → … → name: for a ∂E written without the ∂E of
    the names between."""
    paths = world.paths(c.name)
    if len(paths) >= 64:  # listed in part: a sum over them would not be the slip's number
        return
    factors = {f: numbers[("factor",) + f] for f in dict.fromkeys(x for _, fs in paths for x in fs)}

    def total(swap=None, value=None):
        return sum(math.prod(value if f == swap else factors[f] for f in fs) for _, fs in paths)

    if len(paths) > 1:
        for nodes, fs in paths:
            missed = [next(n for n in other if n not in nodes) for other, _ in paths
                      if other != nodes and any(n not in nodes for n in other)]
            yield (f"one path only ({' → '.join(nodes)}): you missed the path through "
                   + " and ".join(dict.fromkeys(missed)), math.prod(factors[f] for f in fs))
    for a, b in factors:
        if world.activation(a):
            yield (f"f used where f′ was due: ∂{a}/∂{b} = {world.factor_text(a, b)}, not {a} "
                   "itself", total((a, b), numbers[("value", a)]))
    for a, b in factors:
        yield (f"a factor left out: ∂{a}/∂{b} = {world.factor_text(a, b)}", total((a, b), 1.0))


def _layer_slips(world, c, numbers, step):
    """A layer net's slips on ``numbers``; ``step``: the value of c's own step there."""
    after = world.consumer(c.name)
    if after is None:
        return
    dout = numbers[("grad", after.name)]
    if after.op in ("relu", "leaky_relu", "sigmoid", "tanh"):
        yield f"a factor left out: the derivative of {after.text} (∂{after.name}/∂{c.name})", dout
    if after.op == "sigmoid":
        yield (f"f used where f′ was due: ∂{after.name}/∂{c.name} = f(1 − f), not f",
               dout * numbers[("value", after.name)])
    if after.op == "meanpool":
        size = after.attrs.get("size", 2)
        k = size if isinstance(size, int) else (size[0] if size[0] == size[1] else None)
        if k:  # the share 1/k where 1/(k·k) was due: k times the step's own value
            yield (f"the mean-pool share is 1/(k·k) = 1/{k * k} for a {k}×{k} window, not "
                   f"1/k = 1/{k}", np.asarray(step) * k)
