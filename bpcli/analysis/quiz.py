"""Practice: questions about a net's values, local factors, gradients and updates, each
answer marked by the same marker as `bpcli mark` (:func:`.marking.mark`): its verdict, the
slip it matches, and the right answer's breakdown when it is wrong.

An answer is asked for to 4 significant digits: it is right within half a unit of the
right value's 4th significant digit.  ``random_net`` makes a fresh small sigmoid net
(2-2-2 or 2-3-1, numbers with two decimals) from a seed, so a class gets different nets.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ..engine import LOSS
from ..errors import UsageError
from ..nets import Net, loads
from ..text import parse_number
from .marking import MarkReport, mark, world_for
from .work import Claim, Work, half_unit
from .worlds import EquationWorld

KINDS = ("value", "factor", "grad", "update")
DIGITS = 4  # significant digits an answer is asked for


@dataclass(frozen=True)
class Question:
    kind: str
    name: str
    index: tuple | None
    wrt: str | None
    prompt: str  # what is asked, e.g. "∂E/∂w1"
    label: str  # the step as `mark` names it
    right: float
    tolerance: float
    formula: str  # the right answer's breakdown: its formula ...
    uses: tuple  # ... and the (label, value) it uses


@dataclass(frozen=True)
class Quiz:
    """Questions about one net, with what a learner needs to answer them."""

    title: str
    source: str  # the network's file (a layer net's numbers: bpcli forward on it)
    net_text: str | None  # the network file, to work from (None: a layer net, see forward)
    listing: tuple  # the net in a few lines: its numbers, then its equations
    eta: float
    questions: list[Question]
    seed: int
    net: Net = field(repr=False, default=None)  # what the answers are marked against
    DIGITS: ClassVar[int] = DIGITS


def tolerance(right: float) -> float:
    """Half a unit of the DIGITS-th significant digit of ``right``."""
    if right == 0 or not math.isfinite(right):
        return 0.5 * 10.0 ** -DIGITS
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(right))) - DIGITS + 1)


def make_quiz(net: Net, ask: str | None, count: int, seed: int, eta: float) -> Quiz:
    """``count`` questions about ``net`` of kind ``ask`` (None: any kind the net has),
    drawn with ``seed``; none repeats until every one of a kind has been asked."""
    questions = _questions(net, ask, count, seed, eta)  # a data set says --sample first
    text = net.to_yaml() if net.expressions is not None else None
    return Quiz(net.title, net.path, text, _listing(net), eta, questions, seed, net)


def _number_text(v) -> str:
    v = np.asarray(v, dtype=float)
    return f"{float(v):g}" if not v.ndim else "[" + ", ".join(f"{x:g}" for x in v.ravel()) + "]"


def _listing(net):
    if net.expressions is None:
        return ()
    lines = []
    for kind in ("input", "param", "target"):
        leaves = [f"{n} = {_number_text(v)}" for n, k, v in net.leaves() if k == kind]
        if leaves:
            lines.append(f"{kind}s: " + ", ".join(leaves))
    lines += [f"{n} = {text}" for n, (text, _) in net.nodes.items()]
    return tuple(lines + [f"{LOSS} = {net.loss_text}"])


def _questions(net, ask, count, seed, eta):
    world = world_for(net)
    right = world.run({}, eta)
    pools = _pools(world, net, right)
    kinds = [ask] if ask else [k for k in KINDS if pools.get(k)]
    if ask and not pools.get(ask):
        raise UsageError("ask", ask, "this net has no local factors to ask about: factors are "
                                     "for nets of numbers written as equations")
    rng = np.random.default_rng(seed)
    asked, out = set(), []
    for _ in range(count):
        kind = kinds[int(rng.integers(len(kinds)))]
        fresh = [q for q in pools[kind] if q not in asked] or pools[kind]
        q = fresh[int(rng.integers(len(fresh)))]
        asked.add(q)
        key, index = q
        value = np.asarray(right[key])[index if index is not None else ()]
        claim = Claim(kind, key[1], index, 0.0, 0.0, "", None, key[2] if kind == "factor" else None)
        prompt = claim.label if kind != "update" else (
            f"{claim.label[:-1]} after one step (η = {eta:g})")
        formula, uses = world.formula(key, right, eta, index)
        out.append(Question(kind, key[1], index, claim.wrt, prompt, claim.label, float(value),
                            tolerance(float(value)), formula, tuple(uses)))
    return out


def _pools(world, net, right):
    """(key, element) of everything a question may ask, by kind."""
    def elements(key):
        shape = np.shape(right[key])
        return [(key, None)] if not shape else [(key, i) for i in np.ndindex(shape)]

    pools = {k: [] for k in KINDS}
    if isinstance(world, EquationWorld):
        pools["value"] = [(("value", n), None) for n in world.order]
        pools["factor"] = [(("factor", a, b), None) for a, b in world.symbols]
        pools["grad"] = [(("grad", n), None) for n in world.backward if n in world.exprs
                         or n in net.params]
    else:
        for n in net.node_names() + [LOSS]:
            pools["value"] += elements(("value", n))
        for n in net.node_names() + list(net.params):
            pools["grad"] += elements(("grad", n))
    for p in net.params:
        pools["update"] += elements(("update", p))
    return pools


def score(results: list) -> int:
    """How many of the (answer, marked) ``results`` are right."""
    return sum(1 for _, marked in results if marked is not None and marked.all_right)


def answer(quiz: Quiz, q: Question, text: str) -> MarkReport | None:
    """The answer ``text`` to ``q`` marked (None when it is not a number)."""
    net, eta = quiz.net, quiz.eta
    v = parse_number(text)
    if v is None or not math.isfinite(v):
        return None
    claim = Claim(q.kind, q.name, q.index, float(v), half_unit(text), text.strip(), None, q.wrt)
    return mark(net, Work("<answer>", [claim], eta), tol=q.tolerance, eta=eta)


def random_net(seed: int) -> Net:
    """A fresh 2-2-2 or 2-3-1 sigmoid net, every number with two decimals, from ``seed``."""
    rng = np.random.default_rng(seed)
    hidden, outputs = ((2, 2), (3, 1))[int(rng.integers(2))]

    def two(lo, hi):
        return f"{rng.uniform(lo, hi):.2f}"

    inputs = {f"x{i + 1}": two(-1, 1) for i in range(2)}
    params, nodes = {}, {}
    for h in range(1, hidden + 1):
        nodes[f"H{h}"] = " + ".join(f"w{len(params) + 1 + i} * x{i + 1}" for i in range(2))
        params.update({f"w{len(params) + 1 + i}": two(-1, 1) for i in range(2)})
    for h in range(1, hidden + 1):
        nodes[f"fH{h}"] = f"sigmoid(H{h})"
    for o in range(1, outputs + 1):
        nodes[f"O{o}"] = " + ".join(f"w{len(params) + 1 + i} * fH{i + 1}" for i in range(hidden))
        params.update({f"w{len(params) + 1 + i}": two(-1, 1) for i in range(hidden)})
    for o in range(1, outputs + 1):
        nodes[f"fO{o}"] = f"sigmoid(O{o})"
    targets = {f"y{o}": f"{rng.choice([0.01, 0.99]):.2f}" for o in range(1, outputs + 1)}
    loss = " + ".join(f"0.5 * (fO{o} - y{o})^2" for o in range(1, outputs + 1))

    def flow(d):
        return "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"

    text = (f"name: random 2-{hidden}-{outputs} sigmoid net (seed {seed})\n"
            f"inputs: {flow(inputs)}\nparams: {flow(params)}\ntargets: {flow(targets)}\n"
            "nodes:\n" + "".join(f"  {k}: {v}\n" for k, v in nodes.items()) + f"loss: {loss}\n")
    return loads(text, f"<random net, seed {seed}>")
