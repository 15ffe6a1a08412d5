"""What `forward` and `grad` show, computed once into plain reports.

A report holds every number its command prints, as the user sees it (a single
sample's batch axis dropped), and the names in the order tables list them; a renderer
(:mod:`bpcli.render`) only formats it.  Table and JSON come from the same report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from ..engine import LOSS, OPS, Trace
from ..nets import Entry, Net, Samples
from .explain import SampleRuns, by_paths, explanations
from .sign import negated_squares
from .tensor_rules import pool_checks, pool_maps
from .tracing import close, verdict


MAX_JACOBIAN = 32  # classes of a softmax whose Jacobian is built and shown


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
    sample: int | None = None  # the sample asked for (None: the tables choose)
    shapes: dict | None = None  # of every value, for nets of tensors
    sample_losses: object = None  # the loss at each sample (a data set: E is their mean)
    warnings: list[str] = field(default_factory=list)
    units: list = field(default_factory=list)  # forward --unit: each unit's breakdown
    pool_maps: list = field(default_factory=list)  # each max-pool's winners (PoolMap)


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
    sample: int | None = None  # the sample asked for (None: the tables choose)
    per_sample: dict | None = None  # E a mean over samples: name (and E) -> each one's share
    softmax: list[SoftmaxCheck] = field(default_factory=list)
    jacobians: dict | None = None  # of a layer net's softmax layers, as its JSON holds them
    explanations: list = field(default_factory=list)
    sign_note: bool = False  # by paths, of the seed net or a loss in the note's negated form:
    # say how the seed note's sign differs
    warnings: list[str] = field(default_factory=list)
    pool_checks: list = field(default_factory=list)  # each pool's hand-back (PoolCheck)


def forward_report(net: Net, trace: Trace, warnings: Iterable[str] = (),
                   sample: int | None = None) -> ForwardReport:
    """The forward table of ``net`` from ``trace`` (a forward pass suffices); ``sample``:
    the sample of a batch or data set to show (checked by the caller)."""
    names = [name for name, _, _ in net.leaves()] + net.node_names()
    values = {name: net.as_seen(name, trace.value(name)) for name in names}
    g = trace.graph  # a data set's E is the mean of the loss at each sample: show those
    sample_losses = trace.vals[g.sample_loss] if g.sample_loss is not None else None
    shapes = {name: np.shape(v) for name, v in values.items()} if net.LAYOUT == "grids" else None
    return ForwardReport(net.title, net.LAYOUT, net.forward_order(), values, float(trace.loss),
                         net.loss_text, net.samples, sample, shapes, sample_losses,
                         list(warnings), pool_maps=pool_maps(net, trace))


def grad_report(net: Net, trace: Trace, targets: Sequence[tuple[str, tuple | None]] = (),
                sample: int | None = None, warnings: Iterable[str] = ()) -> GradReport:
    """The backward tables of ``net`` from ``trace`` (a full run), with the explanation of
    each (name, index) in ``targets`` (from ``net.resolve``); ``sample``: the sample of a
    batch or data set to show, and whose chain rule a data set writes out (default 0)."""
    runs = SampleRuns(net, trace.graph)
    with np.errstate(all="ignore"):  # a factor may be nan where backward's was (see traced)
        explained = explanations(net, trace, targets, sample, runs)
    entries = net.backward_order()
    node_grads = [e.name for e in net.forward_order() if e.kind != "param"]
    shown = {e.name for e in entries} | set(node_grads)
    shares = None
    if trace.graph.sample_loss is not None:  # E is a mean over samples: each one's share
        shares = {name: runs.wide.grad(name) for name in shown}
        shares[LOSS] = runs.wide.grads[trace.graph.sample_loss]  # 1/N at each sample
    checks = softmax_checks(trace)
    jacobians = None
    if net.LAYOUT == "grids":  # a layer's, per sample of a batch
        jacobians = {c.name: net.as_seen(c.name, c.jacobian) for c in checks
                     if c.jacobian is not None} or None
    return GradReport(
        net.title, net.LAYOUT, float(trace.loss), net.loss_text,
        {p: trace.value(p) for p in net.params}, {p: trace.grad(p) for p in net.params},
        entries, {n: net.as_seen(n, trace.value(n)) for n in shown},
        {n: net.as_seen(n, trace.grad(n)) for n in shown}, node_grads, net.samples, sample,
        shares, checks, jacobians, explained,
        bool(explained) and by_paths(net, trace) and (net.path == "<default>"
                                                      or negated_squares(net)),
        list(warnings), pool_checks(net, trace))


def softmax_checks(trace: Trace) -> list[SoftmaxCheck]:
    """Every named node of an op that registers its Jacobian (softmax), of a named input:
    its Jacobian, and when its output goes straight into a loss that registers what ∂E on
    the softmax's input must then be (cross-entropy: a − y), that check."""
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
        check = SoftmaxCheck(name, z, a, da, dz, jac)
        if i in loss.inputs and OPS[loss.op].logits is not None:
            expected, forms, n = OPS[loss.op].logits(a, np.asarray(trace.vals[loss.inputs[1]]))
            check = SoftmaxCheck(name, z, a, da, dz, jac, expected, n, forms,
                                 tuple(verdict(close(e, d), e, d) for e, d in zip(expected, dz)))
        checks.append(check)
    return checks
