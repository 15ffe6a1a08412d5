"""Gradient descent on a network's params: w ← w − η·∂E/∂w, as in the seed note."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class TrainResult:
    history: list[float]  # history[k-1] = E of step k's forward pass, before its update
    final_loss: float  # E with the final params
    initial: dict[str, np.float64]
    params: dict[str, np.float64]
    eta: float
    steps: int


def train(net, eta: float, steps: int, progress=None) -> TrainResult:
    """Run ``steps`` steps of plain gradient descent.

    The graph is built and compiled once; each step re-runs forward and backward on
    it and updates the param slots in place.  ``progress(k)`` is called after step k.
    """
    graph = net.build()
    vals = graph.initial_values()
    slots = [(name, graph.index[name]) for name in net.params]
    loss = graph.loss
    history = []
    eta = np.float64(eta)
    for k in range(1, steps + 1):
        caches = graph.forward(vals)
        history.append(float(vals[loss]))
        grads = graph.backward(caches)
        for _, i in slots:
            vals[i] = vals[i] - eta * grads[i]
        if progress is not None:
            progress(k)
    graph.forward(vals)
    return TrainResult(history, float(vals[loss]), dict(net.params),
                       {name: vals[i] for name, i in slots}, float(eta), steps)


def sample_steps(steps: int, every: int | None) -> list[int]:
    """The steps a table shows: the first, every ``every``-th, and the last."""
    if steps <= 0:
        return []
    if every is None:
        every = max(1, -(-steps // 10))  # about ten rows
    shown = sorted({1, steps, *range(every, steps + 1, every)})
    return shown
