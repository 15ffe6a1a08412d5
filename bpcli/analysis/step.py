"""One update written out, as the seed note's §4 does it: for each param w, ∂E/∂w,
η·∂E/∂w and w′ = w − η·∂E/∂w, then E before and after.

The update is computed here from the backward pass, and a second time by the training
loop's own first step (``train``): the report says whether the two agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import UsageError
from ..nets import Net
from .tracing import close, traced, verdict
from .train import train


@dataclass
class StepRow:
    """One param (or one element of a tensor param): its value, ∂E, change and new value;
    for a tensor by norm, the Euclidean norms of each."""

    name: str
    w: object
    grad: object
    change: object  # η·∂E/∂w (with momentum from rest, η·v where v = ∂E/∂w)
    new: object
    shape: tuple = ()


@dataclass
class StepReport:
    title: str
    eta: float
    momentum: float
    rows: list  # of StepRow
    loss_before: float
    loss_after: float
    by_norm: bool  # rows of tensors as norms
    agreement: str  # "equal": train's first step gives the same w′ (see tracing.verdict)
    samples: int = 1
    warnings: list[str] = field(default_factory=list)


def one_step(net: Net, eta: float, momentum: float = 0.0, wrt: str | None = None) -> StepReport:
    """One step of gradient descent on the whole data set, written out; ``wrt``: a tensor
    param whose every element gets a row (else tensors are shown by norm)."""
    if wrt is not None and wrt not in net.params:
        raise UsageError("wrt", wrt, "step writes out a param's elements; params are "
                                     + ", ".join(net.params))
    trace, warnings = traced(net.build())
    grads = {p: np.asarray(trace.grad(p), dtype=np.float64) for p in net.params}
    # from rest, momentum's velocity is the gradient itself: v = μ·0 + ∂E/∂w
    new = {p: np.asarray(w, dtype=np.float64) - eta * grads[p] for p, w in net.params.items()}
    with np.errstate(all="ignore"):
        after = traced(net.with_params(new).build(), backward=False)[0]
    # the second way: the training loop's first step on the whole set
    ran = train(net, eta, steps=1, batch_size=None, shuffle=False, momentum=momentum)
    agrees = all(close(ran.params[p], new[p]) for p in new)
    if not np.isfinite(after.loss):  # train stops there and keeps the params before
        agrees = False
        warnings.append(f"E after the step is {float(after.loss)}: the update took the params "
                        "where E is not finite; try a smaller --eta")
    shown = [wrt] if wrt is not None else list(net.params)
    by_norm = wrt is None and net.LAYOUT == "grids"  # a layer net's tensors, by norm
    rows = []
    for p in shown:
        w, g, w2 = np.asarray(net.params[p], dtype=np.float64), grads[p], new[p]
        if wrt is not None and w.ndim:
            rows += [StepRow(f"{p}[{','.join(map(str, k))}]", w[k], g[k], eta * g[k], w2[k])
                     for k in np.ndindex(w.shape)]
        elif by_norm:
            rows.append(StepRow(p, *(float(np.linalg.norm(v)) for v in (w, g, eta * g, w2)),
                                shape=w.shape))
        else:
            rows.append(StepRow(p, w[()] if not w.ndim else w, g[()] if not g.ndim else g,
                                eta * g, w2, shape=w.shape))
    return StepReport(net.title, float(eta), float(momentum), rows, float(trace.loss),
                      float(after.loss), by_norm,
                      verdict(agrees, after.loss, *new.values(), *ran.params.values()),
                      net.samples.count, warnings)
