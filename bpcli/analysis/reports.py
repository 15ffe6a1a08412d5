"""What `forward` and `grad` show, computed once into plain reports.

A report holds every number its command prints, as the user sees it (a single
sample's batch axis dropped), and the names in the order tables list them; a renderer
(:mod:`bpcli.render`) only formats it.  Table and JSON come from the same report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from ..engine import Trace, softmax_jacobian
from ..nets import Entry, Net, Samples
from .explain import SampleRuns, by_paths, explanations
from .run import verdict


@dataclass
class ForwardReport:
    """Every value of a forward pass."""

    title: str
    layout: str  # "rows" (a row a name) or "grids" (a section a tensor)
    entries: list[Entry]  # as the table lists them
    values: dict  # every leaf, then every computed name: its value as the user sees it
    loss: float
    loss_text: str  # E as the net defines it
    samples: Samples
    sample_losses: object = None  # the loss at each sample (a data set: E is their mean)
    warnings: list[str] = field(default_factory=list)

    @property
    def shapes(self) -> dict:
        return {name: np.shape(v) for name, v in self.values.items()}


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
    jacobian: np.ndarray  # K×K, or N×K×K
    expected: np.ndarray | None = None  # (a·Σy − y)/N with cross-entropy next, else None
    scale: int = 1  # that N
    forms: tuple = ()  # per sample: "a − y" when y sums to 1, else "a·Σy − y"
    verdicts: tuple = ()  # per sample: expected against dz


@dataclass
class GradReport:
    """Every ∂E of a backward pass, and the --wrt explanations asked for."""

    title: str
    layout: str
    loss: float
    loss_text: str
    params: dict  # param -> its value
    param_grads: dict  # param -> ∂E/∂param
    entries: list[Entry]  # the names whose ∂E the table lists, in backward order
    values: dict  # their values as seen
    grads: dict  # their ∂E as seen
    node_grads: list[str]  # the names of JSON's node_grads, in order
    samples: Samples
    per_sample: dict | None = None  # a data set: name -> each sample's share of ∂E/∂name
    softmax: list[SoftmaxCheck] = field(default_factory=list)
    explanations: list = field(default_factory=list)
    sign_note: bool = False  # explanations by paths: say how the seed note's sign differs
    warnings: list[str] = field(default_factory=list)


def forward_report(net: Net, trace: Trace, warnings: Iterable[str] = ()) -> ForwardReport:
    """The forward table of ``net`` from ``trace`` (a forward pass suffices)."""
    names = [name for name, _, _ in net.leaves()] + net.node_names()
    values = {name: net.show(name, trace.value(name)) for name in names}
    sample_losses = None
    if net.expressions is not None and net.samples.several:
        g = trace.graph  # E is the mean of the loss expression's node over the samples
        sample_losses = trace.vals[g.nodes[g.loss].inputs[0]]
    return ForwardReport(net.title, net.LAYOUT, net.forward_order(), values, float(trace.loss),
                         net.loss_text, net.samples, sample_losses, list(warnings))


def grad_report(net: Net, trace: Trace, targets: Sequence[tuple[str, tuple | None]] = (),
                sample: int | None = None, warnings: Iterable[str] = ()) -> GradReport:
    """The backward tables of ``net`` from ``trace`` (a full run), with the explanation of
    each (name, index) in ``targets`` (from ``net.resolve``)."""
    runs = SampleRuns(net)
    with np.errstate(all="ignore"):  # a factor may be nan where backward's was (see run)
        explained = explanations(net, trace, targets, sample, runs)
    entries = net.backward_order()
    node_grads = [e.name for e in net.forward_order() if e.kind != "param"]
    shown = {e.name for e in entries} | set(node_grads)
    per_sample = None
    if net.expressions is not None and net.samples.several:
        per_sample = {name: runs.wide.grad(name) for name in shown}
    return GradReport(
        net.title, net.LAYOUT, float(trace.loss), net.loss_text,
        {p: trace.value(p) for p in net.params}, {p: trace.grad(p) for p in net.params},
        entries, {n: net.show(n, trace.value(n)) for n in shown},
        {n: net.show(n, trace.grad(n)) for n in shown}, node_grads, net.samples, per_sample,
        softmax_checks(net, trace), explained, bool(explained) and by_paths(net, trace),
        list(warnings))


def softmax_checks(net: Net, trace: Trace) -> list[SoftmaxCheck]:
    """Every named softmax of a named input: its Jacobian, and the a − y check when
    cross-entropy takes its output."""
    g = trace.graph
    checks = []
    for name in net.node_names():
        node = g.nodes[g.index[name]]
        z = g.nodes[node.inputs[0]].name if node.op == "softmax" else None
        if z is None:
            continue
        a = np.asarray(trace.value(name))
        da, dz = np.asarray(trace.grad(name)), np.asarray(trace.grad(z))
        jac = softmax_jacobian(a) if a.ndim == 1 else np.stack([softmax_jacobian(r) for r in a])
        check = SoftmaxCheck(name, z, a, da, dz, jac)
        loss = g.nodes[g.loss]
        if g.index[name] in loss.inputs and loss.op == "cross_entropy":
            y = np.asarray(trace.vals[loss.inputs[1]])
            scale = a.shape[0]
            expected = (a * y.sum(axis=-1, keepdims=True) - y) / scale
            agrees = np.all(np.isclose(expected, dz, rtol=1e-9, atol=1e-12), axis=-1)
            check = SoftmaxCheck(
                name, z, a, da, dz, jac, expected, scale,
                tuple("a − y" if np.isclose(row.sum(), 1.0) else "a·Σy − y" for row in y),
                tuple(verdict(bool(ok), e, d) for ok, e, d in zip(agrees, expected, dz)))
        checks.append(check)
    return checks
