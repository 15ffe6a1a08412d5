"""Marking a learner's derivation the way a teacher marks homework.

Each of the learner's numbers x is compared twice: with the right value t, and with g,
what its step gives from the learner's *own* earlier numbers (:mod:`.worlds`).

- right: |x − t| ≤ u(x), where u(x) is the rounding x may carry: half a unit in its last
  written place, plus what it inherits from the learner's earlier numbers that its step
  uses — u(x) = ½·10⁻ᵈ + Σᵢ (how far g moves when xᵢ moves by ±eᵢ, the larger way),
  measured by rerunning the steps, eᵢ = |xᵢ − tᵢ| for an earlier number that is right (how
  far off it really is), else its own half unit (so a derivation rounded to 4 decimals
  throughout raises no false alarm, and 0.40 for an exact 0.4 widens nothing);
- right given your earlier numbers: |x − g| ≤ u(x) — the step was done right on a wrong
  number from before;
- wrong: neither.  Then the recognisable slips (:mod:`.slips`) are tried numerically, and
  the first wrong number in derivation order is *the* first wrong step.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ..budget import limit, raise_hint
from ..errors import UsageError
from ..nets import Net
from ..text import CARRIED, RIGHT, WRONG
from .slips import slip
from .tracing import traced
from .work import Claim, Work
from .worlds import EquationWorld, GraphWorld, patched

DEFAULT_ETA = 0.5


@dataclass
class MarkRow:
    claim: Claim
    right: float  # the right value t
    from_yours: float  # g: the step done on your own earlier numbers
    tolerance: float  # u(x)
    verdict: str
    diagnosis: str = ""  # the slip it matches, where one does


@dataclass
class FirstWrong:
    """The first wrong step: its formula, the values it should use, t and x."""

    label: str
    formula: str
    uses: list  # (label, right value)
    right: float
    given: float
    written: str  # the learner's number as written
    diagnosis: str


@dataclass
class MarkReport:
    title: str
    work: str  # the WORK file
    eta: float
    eta_source: str  # "WORK", "train:" or "default"
    tol: float | None  # --tol, or None for the learner's own rounding
    rows: list[MarkRow]
    first_wrong: FirstWrong | None
    warnings: list[str] = field(default_factory=list)
    VERDICTS: ClassVar[tuple] = (RIGHT, CARRIED, WRONG)  # best first

    def count(self, verdict: str) -> int:
        return sum(r.verdict == verdict for r in self.rows)

    @property
    def all_right(self) -> bool:
        return all(r.verdict == RIGHT for r in self.rows)


def world_for(net: Net):
    """How the net's steps are taken: by named node for a net of numbers written as
    equations, else through the graph."""
    if net.samples.several:
        raise UsageError(None, None, "a derivation by hand is one sample's: give --sample K to "
                                     f"work on sample K of the net's {net.samples.noun}")
    if net.expressions is not None:
        leaves = [v for _, _, v in net.leaves()]
        if all(np.ndim(v) == 0 for v in leaves):
            return EquationWorld(net)
    return GraphWorld(net)


def shapes(net: Net) -> dict:
    """Every name's value shape as the user sees it (what a WORK file's grids must match)."""
    trace, _ = traced(net.build(), backward=False)
    return {n: np.shape(net.as_seen(n, trace.value(n))) for n in net.names()}


def mark(net: Net, work: Work, tol: float | None = None, eta: float | None = None) -> MarkReport:
    """Mark ``work`` (from :func:`read_work` on ``net``) against ``net``; ``tol``: one
    absolute tolerance for every number instead of each one's rounding."""
    world = world_for(net)
    if not world.factors_allowed and any(c.kind == "factor" for c in work.claims):
        raise UsageError(None, None, f"{work.path}: factors: are for nets of numbers written "
                                     "as equations; give values: and grads: instead")
    eta, source = _eta(net, work, eta)
    _check_cost(net, len(work.claims))
    claims = sorted(work.claims, key=_order(world, net))
    patches, spots = _patches(claims), _spots(claims)
    rows, first = [], None
    inherited = np.zeros(len(claims))
    with np.errstate(all="ignore"):
        right = world.run({}, eta)
        from_yours = world.run(patches, eta)
        mine = {k: patched(v, patches.get(k)) for k, v in from_yours.items()}
        for i, c in enumerate(claims):
            def moved(c=c, i=i):  # did an earlier number that is not right move c's step?
                kept = _patches([d for d, r in zip(claims, rows) if r.verdict == RIGHT])
                at = c.index if c.index is not None else ()
                g = float(np.asarray(from_yours[c.key])[at])
                return not np.isclose(float(np.asarray(world.run(kept, eta)[c.key])[at]), g,
                                      rtol=1e-12, atol=1e-15)
            row = _judge(world, c, (right, from_yours, mine), eta, tol, inherited[i], moved)
            rows.append(row)
            if row.verdict == WRONG and first is None:
                formula, uses = world.formula(c.key, right, eta, c.index)
                first = FirstWrong(c.label, formula, uses, row.right, c.given, c.text,
                                   row.diagnosis)
            # what this number passes on to the steps after it: how far off it is when it
            # is right, else its own rounding (a step done right on it is judged against
            # what it gives)
            passed = min(abs(c.given - row.right), row.tolerance) if row.verdict == RIGHT \
                else c.half_unit
            if tol is None and passed > 0 and i + 1 < len(claims):
                inherited += _carried(world, claims, patches, spots, i, passed, eta, from_yours)
    warnings = [] if np.all(np.isfinite([r.right for r in rows])) else [
        "some right values are not finite (see bpcli forward)"]
    return MarkReport(net.title, work.path, eta, source, tol, rows, first, warnings)


def _judge(world, c, runs, eta, tol, inherited, moved) -> MarkRow:
    """One number's verdict and diagnosis; ``runs``: the right run, the run on the learner's
    numbers (each step before their number replaces it) and the learner's own numbers;
    ``moved()``: did an earlier number that is not right move this step?"""
    right, from_yours, mine = runs
    at = c.index if c.index is not None else ()
    t, g = float(np.asarray(right[c.key])[at]), float(np.asarray(from_yours[c.key])[at])
    u = tol if tol is not None else c.half_unit + 1.01 * inherited
    slack = u * (1 + 1e-6) + 1e-12 * max(1.0, abs(t))

    verdict = RIGHT if abs(c.given - t) <= slack else (
        CARRIED if abs(c.given - g) <= slack and moved() else WRONG)
    diagnosis = ""
    if verdict == RIGHT and tol is None and t != 0 and c.half_unit > abs(t) / 2:
        # right to its places, which are too few to show the value (0 for 0.0042): said
        places = max(0, -math.floor(math.log10(abs(t) / 2)))
        diagnosis = (f"only to the places written, too few to show {t:.6g} (it needs "
                     f"{places} decimals)")
    elif verdict == WRONG:
        diagnosis = slip(world, c, runs, eta, slack, tol is None)
    return MarkRow(c, t, g, u, verdict, diagnosis)


def _spots(claims):
    """key -> (the claims' positions, their indices as arrays for fancy indexing)."""
    grouped = {}
    for i, c in enumerate(claims):
        grouped.setdefault(c.key, []).append((i, c.index if c.index is not None else ()))
    return {key: (np.array([i for i, _ in items]),
                  tuple(np.array(col) for col in zip(*[at for _, at in items])))
            for key, items in grouped.items()}


def _carried(world, claims, patches, spots, j, e, eta, base):
    """How far each later claim's step can move when claim j is off by up to e: the larger
    of its moves with x_j + e and x_j − e from ``base`` (the run on all the learner's
    numbers) — measured, not a slope times e: right where the step curves (f(1 − f) at its
    top), and bounded where it jumps (a max-pool tie, a ReLU's kink)."""
    c = claims[j]
    at = c.index if c.index is not None else ()
    out = np.zeros(len(claims))
    for by in (e, -e):
        trial = {k: dict(v) for k, v in patches.items()}
        trial[c.key][at] = c.given + by
        moved = world.run(trial, eta)
        for key, (positions, index) in spots.items():
            shift = np.abs(np.asarray(moved[key], dtype=float) - np.asarray(base[key], dtype=float))
            out[positions] = np.maximum(out[positions], shift[index] if index else shift)
    out[:j + 1] = 0.0
    out[~np.isfinite(out)] = 0.0
    return out


def _check_cost(net, numbers):
    """Each number costs two runs of the net (what it carries): within a few steps' budget."""
    layers = getattr(net, "layers", None)
    if not layers:
        return
    runs = 2 * numbers + 2
    work = runs * 3 * net.samples.count * sum(layer.work for layer in layers)
    most = 5 * limit("step_work")
    if work > most:
        raise UsageError(None, None, f"marking {numbers:,} numbers takes {runs:,} runs of this "
                                     f"net (about {work:.2g} multiply-adds, more than bpcli's "
                                     f"{most:.2g}); mark fewer numbers, or one sample with "
                                     f"--sample K; {raise_hint()}")


def _eta(net, work, eta):
    if eta is not None:
        return float(eta), "--eta"
    if work.eta is not None:
        return work.eta, "WORK"
    if "eta" in net.training:
        return float(net.training["eta"]), "train:"
    return DEFAULT_ETA, "default"


def _order(world, net):
    """Derivation order: forward values, then ∂E in backward order (each ∂E after the
    local factors that make it), then the update."""
    forward = [e.name for e in net.forward_order()] + ["E"]
    backward = ["E"] + (world.backward if isinstance(world, EquationWorld)
                        else [e.name for e in net.backward_order()])
    backward += [n for n in net.names() if n not in backward]  # params; names E does not use
    params = list(net.params)

    def key(c):
        if c.kind == "value":
            return (0, forward.index(c.name), 0, 0, c.index or ())
        if c.kind == "factor":
            return (1, backward.index(c.wrt), 0, forward.index(c.name), ())
        if c.kind == "grad":
            return (1, backward.index(c.name), 1, 0, c.index or ())
        return (2, params.index(c.name), 0, 0, c.index or ())
    return key


def _patches(claims):
    patches = {}
    for c in claims:
        patches.setdefault(c.key, {})[c.index if c.index is not None else ()] = c.given
    return patches
