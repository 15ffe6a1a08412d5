"""Gradient descent on a network's params: w ← w − η·∂E/∂w, as in the seed note.

The graph is built once; each step puts its batch into the input and target leaves,
re-runs forward and backward, and updates the param slots.  With momentum μ the
update is PyTorch's: v ← μ·v + ∂E/∂w, w ← w − η·v.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .expr import Call, Name


@dataclass
class TrainResult:
    history: list[float]  # history[k-1] = E of step k's forward pass (on its batch), before its update
    final_loss: float  # E on the whole set with the final params
    initial: dict
    params: dict
    eta: float
    steps: int  # steps taken (fewer than asked if interrupted)
    samples: int = 1
    batch_size: int = 1
    epochs: float = 0.0
    momentum: float = 0.0
    interrupted: bool = False
    accuracy: tuple[float, float] | None = None  # (before, after) on the whole set


def plan_steps(samples, batch_size, steps, epochs):
    """(batch size, total steps): --steps, else --epochs × batches per epoch, else 100 steps."""
    b = samples if batch_size is None else min(batch_size, samples)
    per_epoch = -(-samples // b)
    if steps is None:
        steps = epochs * per_epoch if epochs is not None else 100
    return b, steps


def train(net, eta, steps=None, epochs=None, batch_size=None, shuffle=True, seed=0,
          momentum=0.0, progress=None, stop=None) -> TrainResult:
    """Run gradient descent.  ``progress(k, loss)`` is called after step k; ``stop()``
    returning True ends the run after the current step (Ctrl-C)."""
    graph = net.build().compile(wanted=net.params)  # no ∂E/∂input or ∂E/∂data each step
    vals = graph.initial_values()
    slots = [(name, graph.index[name]) for name in net.params]
    n, per_sample = net.samples()
    data = [(graph.index[name], arr) for name, arr in per_sample.items()]
    b, steps = plan_steps(n, batch_size, steps, epochs)
    rng = np.random.default_rng(seed)
    before = None
    if classifies(net):
        graph.forward(vals)
        before = accuracy(net, graph, vals)
    eta = np.float64(eta)
    velocity = {i: 0.0 for _, i in slots}
    history = []
    order, pos = np.arange(n), n  # pos = n: a new epoch starts at the first step
    loss = graph.loss
    whole = b >= n  # the whole set every step: the leaves already hold it, in any order
    interrupted = False
    for k in range(1, steps + 1):
        if not whole:
            if pos >= n:
                order = rng.permutation(n) if shuffle else np.arange(n)
                pos = 0
            idx = order[pos:pos + b]
            pos += b
            for i, arr in data:
                vals[i] = arr[idx]
        caches = graph.forward(vals)
        history.append(float(vals[loss]))
        grads = graph.backward(caches)
        for _, i in slots:
            g = grads[i]
            if momentum:
                velocity[i] = momentum * velocity[i] + g
                g = velocity[i]
            vals[i] = vals[i] - eta * g
        if progress is not None:
            progress(k, history[-1])
        if stop is not None and stop():
            interrupted = True
            break
    for i, arr in data:  # E and accuracy on the whole set
        vals[i] = arr
    graph.forward(vals)
    final = float(vals[loss])
    after = accuracy(net, graph, vals) if before is not None else None
    per_epoch = -(-n // b)  # the last batch of an epoch may be short
    return TrainResult(history, final, dict(net.params), {name: vals[i] for name, i in slots},
                       float(eta), len(history), n, b, len(history) / per_epoch, momentum,
                       interrupted, (before, after) if before is not None else None)


def _pairs(net):
    """An equation net's (output node, 0/1 target) pairs, compared in the loss as
    (node − target) or the reverse; [] when it is not a classification set."""
    if not net.data:
        return []
    pairs = _compared(net.loss[1], set(net.targets))
    if not all(np.isin(net.data[t], (0.0, 1.0)).all() for _, t in pairs):
        return []
    return pairs


def classifies(net):
    """Is this a classification set (one whose accuracy means something)?"""
    from .layers import LayerNetwork

    if isinstance(net, LayerNetwork):
        return net.loss_type == "cross_entropy"
    return bool(_pairs(net))


def accuracy(net, graph, vals):
    """The fraction of samples classified right, read off ``vals`` after a forward pass
    on the whole set (of a net that ``classifies``).

    Layer nets with cross-entropy: the largest output against the target's class.
    Equation nets: each 0/1 target compared in the loss as (node − target) (or the
    reverse), with the node ≥ 0.5 read as 1."""
    from .layers import LayerNetwork

    if isinstance(net, LayerNetwork):
        out = np.asarray(vals[graph.index[net.layers[-1].name]])
        target = np.asarray(vals[graph.index["target"]])
        return float(np.mean(out.argmax(axis=-1) == target.argmax(axis=-1)))
    pairs = _pairs(net)
    right = np.ones(len(next(iter(net.data.values()))), dtype=bool)
    for node, t in pairs:
        right &= (np.asarray(vals[graph.index[node]]) >= 0.5) == (net.data[t] == 1.0)
    return float(np.mean(right))


def _compared(e, targets):
    """(node, target) for every `node − target` or `target − node` in the loss."""
    found = []
    if isinstance(e, Call):
        if e.op == "sub" and all(isinstance(a, Name) for a in e.args):
            a, b = (x.id for x in e.args)
            if b in targets and a not in targets:
                found.append((a, b))
            elif a in targets and b not in targets:
                found.append((b, a))
        for arg in e.args:
            found += _compared(arg, targets)
    return found


def sample_steps(steps: int, every: int | None) -> list[int]:
    """The steps a table shows: the first, every ``every``-th, and the last."""
    if steps <= 0:
        return []
    if every is None:
        every = max(1, -(-steps // 10))  # about ten rows
    shown = sorted({1, steps, *range(every, steps + 1, every)})
    return shown
