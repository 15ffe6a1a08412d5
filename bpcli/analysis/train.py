"""Gradient descent on a network's params: w ← w − η·∂E/∂w, as in the seed note.

The graph is built once; each step puts its batch into the input and target leaves,
re-runs forward and backward, and updates the param slots.  With momentum μ the
update is PyTorch's: v ← μ·v + ∂E/∂w, w ← w − η·v.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import Callable

import numpy as np

from ..engine import Graph
from ..errors import UsageError
from ..nets import Net
from ..nets.base import Classes
from .sign import negated_squares, unnegated
from .tracing import gradient_warning


@dataclass(frozen=True)
class ParamChange:
    """How one param moved in training: before, after, and the change; for a net with
    tensors, the Euclidean norm of each (``TrainResult.by_norm``)."""

    name: str
    shape: tuple
    initial: float
    final: float
    delta: float


@dataclass
class TrainResult:
    """A training run: E at every step, the params before and after, and the run's
    settings (what a saved file's header says of it)."""

    history: list[float]  # history[k-1] = E of step k's forward pass (on its batch), before its update
    final_loss: float  # E on the whole set with the final params
    initial: dict
    params: dict
    eta: float
    steps: int  # steps run (fewer than asked if interrupted or halted)
    samples: int = 1
    batch_size: int = 1
    epochs: float = 0.0
    momentum: float = 0.0
    interrupted: bool = False
    accuracy: tuple[float, float] | None = None  # (before, after) on the whole set
    planned: int = 0  # the steps asked for
    shuffle: bool = True
    seed: int = 0
    title: str = ""  # the net's, for tables and the loss curve
    source: str = ""  # the file the net came from
    net: Net | None = None  # the trained network
    warnings: list[str] = field(default_factory=list)
    changes: list[ParamChange] = field(default_factory=list)
    by_norm: bool = False  # the changes are norms: some param is a tensor
    updates: int = 0  # the updates the params have had (steps, unless halted)
    # (step, E, cause) when E was not finite at that step (steps + 1: after the last update):
    # training stopped, and the params are those of the step before, the last with a finite E
    halted: tuple[int, float, str] | None = None


DEFAULTS = {"eta": 0.5, "steps": None, "epochs": None, "batch_size": None, "momentum": 0.0,
            "seed": 0, "shuffle": True}  # train's settings where neither caller nor file gives one


def resolve_settings(net: Net, **given) -> dict:
    """Train's settings: each given one (not None), else the net file's `train:` section,
    else DEFAULTS; steps or epochs given replace both of the file's."""
    from_file = dict(net.training)
    if given.get("steps") is not None or given.get("epochs") is not None:
        from_file.pop("steps", None)
        from_file.pop("epochs", None)
    return {**DEFAULTS, **from_file, **{k: v for k, v in given.items() if v is not None}}


def plan_steps(samples: int, batch_size: int | None, steps: int | None,
               epochs: int | None) -> tuple[int, int]:
    """(batch size, total steps): --steps, else --epochs × batches per epoch, else 100 steps."""
    b = samples if batch_size is None else min(batch_size, samples)
    per_epoch = -(-samples // b)
    if steps is None:
        steps = epochs * per_epoch if epochs is not None else 100
    return b, steps


def require_params(net: Net, verb: str) -> None:
    """Training or checking a net without params has nothing to do: say so."""
    if not net.params:
        raise UsageError(None, None, f"{net.path}: the network has no params, so there is "
                                     f"nothing to {verb}; {net.NO_PARAMS_FIX}")


def train(net: Net, eta: float, steps: int | None = None, epochs: int | None = None,
          batch_size: int | None = None, shuffle: bool = True, seed: int = 0,
          momentum: float = 0.0, progress: Callable | None = None,
          stop: Callable | None = None) -> TrainResult:
    """Run gradient descent.  ``progress(k, loss)`` is called after step k; ``stop()``
    returning True ends the run after the current step (Ctrl-C).  A step whose numbers
    overflow goes on quietly: the result's warnings say where E stopped being finite."""
    with np.errstate(all="ignore"):
        return _train(net, eta, steps, epochs, batch_size, shuffle, seed, momentum, progress,
                      stop)


def _train(net, eta, steps, epochs, batch_size, shuffle, seed, momentum, progress, stop):
    graph = net.build().compile(wanted=net.params)  # no ∂E/∂input or ∂E/∂data each step
    vals = graph.initial_values()
    slots = [(name, graph.index[name]) for name in net.params]
    sampled = net.samples
    n = sampled.count
    data = [(graph.index[name], arr) for name, arr in sampled.data.items()]
    b, planned = plan_steps(n, batch_size, steps, epochs)
    # None while every step takes the whole set: the leaves already hold it, in any order
    batches = _batches(n, b, shuffle, np.random.default_rng(seed)) if b < n else None
    classes = net.classes()
    before = None
    if classes is not None:
        graph.forward(vals)
        before = accuracy(classes, graph, vals)
    eta = np.float64(eta)
    flat = Flat(vals, [i for _, i in slots])
    history = []
    loss = graph.loss
    interrupted = False
    kept = None  # the last step whose E was finite: its params (before its update) and grads
    for k in range(1, planned + 1):
        if batches is not None:
            idx = next(batches)
            for i, arr in data:
                vals[i] = arr[idx]
        grads = graph.step(vals, flat.grads(k))  # forward and backward
        history.append(float(vals[loss]))
        if not math.isfinite(history[-1]):
            break  # nothing is learnt from here on: stop, and go back to the step before
        kept = ([vals[i] for _, i in slots], grads)  # references: each update makes new arrays
        flat.update(k, vals, grads, eta, momentum)
        if progress is not None:
            progress(k, history[-1])
        if stop is not None and stop():
            interrupted = True
            break
    halt = _settle(graph, vals, slots, data, history, kept)
    final = float(vals[loss])
    after = accuracy(classes, graph, vals) if before is not None else None
    per_epoch = -(-n // b)  # the last batch of an epoch may be short
    params = {name: vals[i] for name, i in slots}
    result = TrainResult(history, final, dict(net.params), params, float(eta), len(history), n,
                         b, len(history) / per_epoch, momentum, interrupted,
                         (before, after) if before is not None else None, planned, shuffle,
                         seed, net.title, net.path, net.with_params(params))
    result.updates = len(history) if halt is None else max(halt[0] - 2, 0)
    result.halted = halt
    result.warnings = _warnings(result)
    result.by_norm = any(np.ndim(w) for w in params.values())
    result.changes = [_change(name, net.params[name], w, result.by_norm)
                      for name, w in params.items()]
    return result


class Flat:
    """A layer net's params as views of one vector, updated by whole-vector operations:
    w ← w − η·g is two NumPy calls for all params rather than two each.  The same numbers:
    each element sees the same operations (∂E written into the vector by the graph's step,
    v ← μ·v + g, then w − η·v).  Two of each vector, taken in turn: a step reads one and
    writes the other, so the params and ∂E a step kept stay as they were (a halt goes back
    to them).  ``on`` is False for a net of numbers (their step is one Python function):
    each param is then updated on its own."""

    def __init__(self, vals, slots):
        self.on = bool(slots) and all(isinstance(vals[i], np.ndarray) and vals[i].ndim
                                      and vals[i].dtype == np.float64 for i in slots)
        self.slots, self.velocity = slots, {i: 0.0 for i in slots}
        if not self.on:
            return
        sizes = [vals[i].size for i in slots]
        ends = np.cumsum(sizes)
        w0 = np.concatenate([vals[i].ravel() for i in slots])
        self.w = [w0, np.empty_like(w0)]
        self.g = [np.empty_like(w0), np.empty_like(w0)]
        self.tmp, self.v = np.empty_like(w0), 0.0  # v: as velocity's, 0.0 before the first step
        cut = lambda a: {i: a[e - n:e].reshape(vals[i].shape) for i, n, e in zip(slots, sizes, ends)}
        self.views = [cut(w) for w in self.w]
        self.gviews = [cut(g) for g in self.g]
        for i, view in self.views[0].items():
            vals[i] = view

    def grads(self, k: int) -> dict | None:
        """Where step ``k`` writes its params' ∂E (None: anywhere)."""
        return self.gviews[k % 2] if self.on else None

    def update(self, k: int, vals: list, grads, eta, momentum: float) -> None:
        """Step k's update, from the vector step k read into the other one (or param by
        param: w ← w − η·g; with momentum μ, PyTorch's v ← μ·v + g, w ← w − η·v)."""
        if not self.on:
            for i in self.slots:
                g = grads[i]
                if momentum:
                    self.velocity[i] = momentum * self.velocity[i] + g
                    g = self.velocity[i]
                vals[i] = vals[i] - eta * g
            return
        g = self.g[k % 2]
        if momentum:
            self.v = momentum * self.v + g
            g = self.v
        np.multiply(eta, g, out=self.tmp)
        np.subtract(self.w[(k - 1) % 2], self.tmp, out=self.w[k % 2])
        for i, view in self.views[k % 2].items():
            vals[i] = view


def _settle(graph, vals, slots, data, history, kept):
    """Put the whole set in ``vals`` and run forward: E and accuracy with the final params.
    Where E was not finite (on the last step's batch, or after the last update), the params
    go back to ``kept``, the last step's with a finite E: the halt says where and why."""
    for i, arr in data:
        vals[i] = arr
    graph.forward(vals)
    halt = None
    if history and not math.isfinite(history[-1]):  # E of the step's batch is not finite
        halt = _halt(len(history), history[-1], vals, slots, kept)
    elif not math.isfinite(float(vals[graph.loss])) and kept is not None:  # after the last update
        halt = _halt(len(history) + 1, float(vals[graph.loss]), vals, slots, kept)
    if halt is not None and kept is not None:
        for (_, i), w in zip(slots, kept[0]):
            vals[i] = w
        graph.forward(vals)
    return halt


def _change(name, w0, w, by_norm) -> ParamChange:
    if by_norm:  # a tensor's change in one number: its norm (every value is in the JSON)
        return ParamChange(name, np.shape(w), np.linalg.norm(w0), np.linalg.norm(w),
                           np.linalg.norm(w - w0))
    return ParamChange(name, (), w0, w, w - w0)


def _batches(n, b, shuffle, rng):
    """The indices of each step's batch of b samples, the order drawn anew at each epoch
    (the last batch of an epoch may be short)."""
    while True:
        order = rng.permutation(n) if shuffle else np.arange(n)
        for pos in range(0, n, b):
            yield order[pos:pos + b]


def accuracy(classes: Classes, graph: Graph, vals: list) -> float:
    """The fraction of samples classified right, read off ``vals`` after a forward pass
    on the whole set (see :class:`bpcli.nets.base.Classes`)."""
    right = None
    for output, target in classes.pairs:
        out = np.asarray(vals[graph.index[output]])
        y = np.asarray(vals[graph.index[target]])
        if classes.rule == "argmax":
            ok = out.argmax(axis=-1) == y.argmax(axis=-1)
        else:
            ok = (out >= 0.5) == (y == 1.0)
        right = ok if right is None else right & ok
    return float(np.mean(right))


def _halt(k, e, vals, slots, kept) -> tuple[int, float, str]:
    """Why E is not finite (``e``) at step ``k``: the starting values, a gradient of the step
    before that was not finite (it made a param so), or an update that went too far."""
    if kept is None:
        return k, e, "outside its domain"
    params, grads = kept
    for (name, i), g in reversed(list(zip(slots, params))):  # in backward order, as `grad`
        if not np.all(np.isfinite(vals[i])):
            return k, e, f"at step {k - 1}, " + gradient_warning(name, grads[i])
    return k, e, "diverged" if math.isinf(e) else "left its domain"


def _warnings(result: TrainResult) -> list[str]:
    """A loss with no lower bound; where training stopped for a number not finite, and
    why; an interruption."""
    out = []
    if result.net is not None and negated_squares(result.net):
        out.append(f"E = {result.net.loss_text} is minus a sum of squares, so it has no lower "
                   "bound: each step drives the outputs away from their targets while E falls "
                   f"below 0 (the seed note's sign slip); write it without the minus: "
                   f"{unnegated(result.net)}")
    if result.halted is not None:
        k, e, cause = result.halted
        where = "after the last step" if k > result.steps else f"at step {k}"
        kept = (f"it stopped there and kept the params of step {k - 1}, the last with a finite "
                f"E (E = {result.final_loss:.6g}" + (" on the whole set" if result.samples > 1
                                                    else "") + ")")
        if cause == "outside its domain":
            out.append(f"E is {e} at the start: the starting values"
                       + (" or a sample of the data" if result.samples > 1 else "")
                       + " put the loss outside its domain (log or sqrt of a value ≤ 0, a "
                         "division by 0); nothing was trained")
        elif cause == "diverged":
            out.append(f"E became {e} {where}: training diverged; {kept}; try a smaller --eta")
        elif cause == "left its domain":
            out.append(f"E became {e} {where}: the update before it took the params where the "
                       f"loss is undefined (log or sqrt of a value ≤ 0, 0/0); {kept}; try a "
                       "smaller --eta")
        else:
            kept = kept.replace("it stopped there", f"training stopped at step {k}")
            out.append(f"{cause}; {kept}")
    if result.interrupted:
        out.append(f"interrupted: stopped after step {result.steps} of {result.planned}")
    return out
