"""Marking a learner's derivation the way a teacher marks homework.

Each of the learner's numbers x is compared twice: with the right value t, and with g,
what its step gives from the learner's *own* earlier numbers (:mod:`.worlds`).

- right: |x − t| ≤ u(x), where u(x) is the rounding x may carry: half a unit in its last
  written place, plus what it inherits from the learner's earlier numbers that its step
  uses — u(x) = ½·10⁻ᵈ + Σᵢ |∂g/∂xᵢ|·eᵢ, each ∂g/∂xᵢ measured by central differences on
  the step, eᵢ = |xᵢ − tᵢ| for an earlier number that is right (how far off it really
  is), else its own half unit (so a derivation rounded to 4 decimals throughout raises no
  false alarm, and 0.40 for an exact 0.4 widens nothing);
- right given your earlier numbers: |x − g| ≤ u(x) — the step was done right on a wrong
  number from before;
- wrong: neither.  Then the recognisable slips (:mod:`.slips`) are tried numerically, and
  the first wrong number in derivation order is *the* first wrong step.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ..budget import limit, raise_hint
from ..errors import UsageError
from ..nets import Net
from .slips import slip
from .tracing import traced
from .work import Claim, Work
from .worlds import EquationWorld, GraphWorld

RIGHT, CARRIED, WRONG = "right", "right given your earlier numbers", "wrong"
DEFAULT_ETA = 0.5


@dataclass
class MarkRow:
    claim: Claim
    right: float  # the right value t
    yours: float  # g: the step from your own earlier numbers
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
    if net.samples.several and net.expressions is not None:
        raise UsageError("sample", None, "a derivation by hand is one sample's: give --sample K "
                                         "to mark the net at sample K of its data set")
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
    patches = _patches(claims)
    with np.errstate(all="ignore"):
        right = world.run({}, eta)
        given = world.run(patches, eta)
        slopes = _slopes(world, claims, patches, eta)
    rows, first, passed = [], None, []
    for i, c in enumerate(claims):
        at = c.index if c.index is not None else ()
        t, g = float(np.asarray(right[c.key])[at]), float(np.asarray(given[c.key])[at])
        ui = tol if tol is not None else (
            c.half_unit + 1.01 * sum(abs(slopes[i][j]) * passed[j] for j in range(i)))
        slack = ui * (1 + 1e-6) + 1e-12 * max(1.0, abs(t))
        # given your numbers only when they moved the step (else it is plainly wrong)
        verdict = RIGHT if abs(c.given - t) <= slack else (
            CARRIED if abs(c.given - g) <= slack and abs(g - t) > slack else WRONG)
        # what this number passes on to the steps that use it: how far off it is when it
        # is right, else its own rounding (a step done right on it is judged against g)
        passed.append(min(abs(c.given - t), ui) if verdict == RIGHT else c.half_unit)
        diagnosis = slip(world, c, right, given, eta, slack) if verdict == WRONG else ""
        rows.append(MarkRow(c, t, g, ui, verdict, diagnosis))
        if verdict == WRONG and first is None:
            formula, uses = world.formula(c.key, right, eta)
            first = FirstWrong(c.label, formula, uses, t, c.given, c.text, diagnosis)
    warnings = [] if np.all(np.isfinite([r.right for r in rows])) else [
        "some right values are not finite (see bpcli forward)"]
    return MarkReport(net.title, work.path, eta, source, tol, rows, first, warnings)


def _check_cost(net, numbers):
    """Each number costs two runs of the net (its slopes): within a few steps' budget."""
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
    if isinstance(world, EquationWorld):
        backward = ["E"] + world.backward
    else:
        backward = ["E"] + [e.name for e in net.backward_order()]
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


def _patches(claims, moved=None, by=0.0):
    patches = {}
    for c in claims:
        value = c.given + (by if c is moved else 0.0)
        patches.setdefault(c.key, {})[c.index if c.index is not None else ()] = value
    return patches


def _slopes(world, claims, patches, eta):
    """slopes[i][j] = ∂g_i/∂x_j: how the step of claim i moves with the learner's claim j
    (central differences; zero unless j comes before i and i's step uses it)."""
    n = len(claims)
    slopes = [[0.0] * n for _ in range(n)]
    for j, cj in enumerate(claims):
        h = 1e-6 * max(abs(cj.given), 1e-3)
        up = world.run(_patches(claims, cj, h), eta)
        down = world.run(_patches(claims, cj, -h), eta)
        for i, ci in enumerate(claims[j + 1:], j + 1):
            at = ci.index if ci.index is not None else ()
            d = (float(np.asarray(up[ci.key])[at]) - float(np.asarray(down[ci.key])[at])) / (2 * h)
            slopes[i][j] = d if np.isfinite(d) else 0.0
    return slopes
