"""What `grad` shows: the backward tables and each --wrt explanation, computed once into a
:class:`GradReport` (apart from :mod:`.reports`, so that `forward` imports none of the
explanations, nor this report's class)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from ..engine import LOSS, Trace
from ..nets import Entry, Net, Samples
from .explain import SampleRuns, by_paths, explanations
from .sign import negated_squares
from .softmax import SoftmaxCheck, softmax_checks
from .tensor_rules import pool_checks


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
    checks = softmax_checks(trace, net.expressions)
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
