"""What `forward` shows, computed once into a plain report (`grad`'s: :mod:`.grads`).

A report holds every number its command prints, as the user sees it (a single
sample's batch axis dropped), and the names in the order tables list them; a renderer
(:mod:`bpcli.render`) only formats it.  Table and JSON come from the same report.
(:func:`~.grads.grad_report` fills a GradReport, apart, with the explanations it needs.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from ..engine import Trace
from ..lazy import Table
from ..nets import Entry, Net, Samples, collector_paused

# imported for a net of layers (whose pools a forward shows): an equation net has no pools
POOLS = Table({"pool_maps": "bpcli.analysis.tensor_rules"})


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


def forward_report(net: Net, trace: Trace, warnings: Iterable[str] = (),
                   sample: int | None = None) -> ForwardReport:
    """The forward table of ``net`` from ``trace`` (a forward pass suffices); ``sample``:
    the sample of a batch or data set to show (checked by the caller)."""
    with collector_paused():  # (many small objects, no cycles)
        names = [name for name, _, _ in net.leaves()] + net.node_names()
        values = {name: net.as_seen(name, trace.value(name)) for name in names}
        order = net.forward_order()
    g = trace.graph  # a data set's E is the mean of the loss at each sample: show those
    sample_losses = trace.vals[g.sample_loss] if g.sample_loss is not None else None
    shapes = {name: np.shape(v) for name, v in values.items()} if net.LAYOUT == "grids" else None
    return ForwardReport(net.title, net.LAYOUT, order, values, float(trace.loss),
                         net.loss_text, net.samples, sample, shapes, sample_losses,
                         list(warnings), pool_maps=POOLS["pool_maps"](net, trace)
                         if getattr(net, "layers", None) else [])
