"""What `grad` shows: the backward tables and each --wrt explanation, computed once into a
:class:`~.reports.GradReport` (apart from :mod:`.reports`, so that `forward` imports none of
the explanations)."""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from ..engine import LOSS, Trace
from ..nets import Net
from .explain import SampleRuns, by_paths, explanations
from .reports import GradReport
from .sign import negated_squares
from .softmax import softmax_checks
from .tensor_rules import pool_checks


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
