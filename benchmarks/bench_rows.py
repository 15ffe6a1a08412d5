"""The rows of benchmarks/run.py, one function each: it checks that both sides compute the
same numbers (an untimed first run, which also warms them up), then times them alternating,
and returns a :class:`bench_util.Row`.  ``torch`` is PyTorch, or None to time bpcli alone."""
from __future__ import annotations

import itertools
import json
import math
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

from bpcli import nets
from bpcli.analysis.train import train

import bench_conv
import workloads
from bench_util import (CONFIGS, ROOT, Difference, Row, Times, alternate, bpcli_command,
                        relative_difference, run_process, timed)
from chain import chain_yaml

MAZUR = CONFIGS / "mazur-2-2-2.yaml"
MOONS = ROOT / "benchmarks" / "moons-mlp.yaml"
CONV = CONFIGS / "conv-mnist-shape.yaml"
DIGITS_ETA = 0.5


def _torch_side(torch):
    if torch is None:
        return None
    import bench_torch  # only with PyTorch installed
    return bench_torch


def mazur(steps: int = 20000, repeat: int = 5, torch=None, per_round: int = 3) -> Row:
    """`bpcli train configs/mazur-2-2-2.yaml --steps N` as a user runs it (the table to a
    pipe), per step (T(N+1) − T(1))/N, against the same eight 0-d weights in PyTorch.  Two
    whole processes' times differ by their start-ups' jitter as well as by N steps: bpcli
    runs ``per_round`` pairs a turn (cheap beside PyTorch's N steps), to find their floors."""
    row = Row("mazur", f"Mazur's 2-2-2 net, one SGD step (CLI, (T({steps + 1}) − T(1))/{steps})",
              "µs", 0.10)
    cmd = bpcli_command() + ["train", str(MAZUR), "--steps"]
    ran = json.loads(run_process(cmd + [str(steps + 1), "--format", "json"])[1])
    sides = [lambda: [(run_process(cmd + [str(steps + 1)])[0], run_process(cmd + ["1"])[0])
                      for _ in range(per_round)]]
    bt = _torch_side(torch)
    if bt is not None:
        cfg = yaml.safe_load(MAZUR.read_text())
        history, final = bt.mazur(cfg, steps + 1)
        sides.append(lambda: [(timed(bt.mazur, cfg, steps + 1), timed(bt.mazur, cfg, 1))])
        gap = max(abs(a["loss"] - b) for a, b in zip(ran["history"], history))
        gap = max(gap, abs(ran["final_loss"] - final))
        row.same = gap <= 1e-12 and len(history) == len(ran["history"])
        row.check = f"every E and the final E within {gap:.1e} (≤ 1e-12)"
    _timed(row, alternate(sides, repeat), lambda turns: _difference(sum(turns, []), steps))
    return row


def _timed(row: Row, results: list, summary=Times) -> None:
    """Each side's runs, summarised, into the row: bpcli's, then PyTorch's if it ran."""
    row.ours = summary(results[0])
    row.theirs = summary(results[1]) if len(results) > 1 else None


def _difference(pairs, n):
    return Difference([a for a, _ in pairs], [b for _, b in pairs], n)


def mlp(steps: int = 2000, repeat: int = 7, torch=None) -> Row:
    """benchmarks/moons-mlp.yaml, full batch: `train` in-process, per step (T(N+1) − T(1))/N,
    against torch.nn.Sequential with the same initial weights, MSELoss and SGD."""
    row = Row("mlp", "2-16-16-1 ReLU MLP, 100 points, full batch, one step (micrograd's demo net)",
              "µs", 0.20)
    net = nets.load(str(MOONS))
    eta = workloads.MLP_ETA
    sides = [lambda: (timed(train, net, eta, steps=steps + 1), timed(train, net, eta, steps=1))]
    ran = train(net, eta, steps=steps + 1)
    bt = _torch_side(torch)
    if bt is not None:
        x, y = (net.samples.data[k] for k in ("input", "target"))

        def theirs(k):
            return bt.train(bt.mlp(net.params), torch.nn.MSELoss(), x, y, eta, [None] * k)
        sides.append(lambda: (timed(theirs, steps + 1), timed(theirs, 1)))
        history, final = theirs(steps + 1)
        gap = max(relative_difference(ran.history, history),
                  relative_difference([ran.final_loss], [final]))
        row.same = gap <= 1e-10
        row.check = f"every E and the final E within {gap:.1e} relative (≤ 1e-10)"
    _timed(row, alternate(sides, repeat), lambda pairs: _difference(pairs, steps))
    return row


def conv(repeat: int = 30, torch=None) -> Row:
    """One forward+backward step of configs/conv-mnist-shape.yaml as `train` runs it (the
    params' ∂E only), against torch's Conv2d/ReLU/MaxPool2d/Linear and cross_entropy; and
    each op's forward and backward times (medians of ``repeat`` passes)."""
    row = Row("conv", "conv 8@3×3 → relu → pool → conv 16@3×3 → relu → pool → dense 10, "
              "batch 64×1×28×28, one forward+backward step", "ms", 1.0)
    net = nets.load(str(CONV))
    graph = net.build().compile(wanted=net.params)  # built once, as train does
    vals = graph.initial_values()
    grads = graph.step(vals)  # forward and backward, as train runs a step
    sides = [lambda: timed(lambda: graph.step(vals))]
    ops = [lambda: bench_conv.per_op(graph, vals)]
    bt = _torch_side(torch)
    if bt is not None:
        model = bt.conv_stack(net.params)
        x = torch.from_numpy(vals[graph.index["input"]])
        y = torch.from_numpy(vals[graph.index["target"]].argmax(axis=1))
        theirs = bt.step_grads(model, x, y)
        gap = max(float(np.max(np.abs(grads[graph.index[k]] - theirs[k]))) for k in net.params)
        row.same = gap <= 1e-10
        row.check = f"every param's ∂E within {gap:.1e} (≤ 1e-10)"
        sides.append(lambda: timed(bt.step_grads, model, x, y))
        ops.append(lambda: bt.per_layer(model, x, y))
    for side in sides + ops:
        side()  # warm-up
    _timed(row, alternate(sides, repeat))
    row.details = _per_op(alternate(ops, repeat))
    return row


def _per_op(passes) -> list:
    """[(name, bpcli forward, backward, torch forward, backward)] in seconds, each the median
    of its passes; PyTorch computes softmax and cross-entropy as one, so they are compared on
    a line of their own, `softmax1 + E`, against the sum of bpcli's two."""
    ours = passes[0]
    theirs = passes[1] if len(passes) > 1 else [{}]

    def median(side, name):
        if name not in side[0]:
            return [None, None]
        return [statistics.median(p[name][k] for p in side) for k in (0, 1)]
    out = [(name, *median(ours, name), *median(theirs, name)) for name in ours[0]]
    fused = "softmax1 + E"
    if fused in theirs[0] and "softmax1" in ours[0] and "E" in ours[0]:
        both = [a + b for a, b in zip(median(ours, "softmax1"), median(ours, "E"))]
        out.append((fused, *both, *median(theirs, fused)))
    return out


def digits_data():
    """sklearn's 8×8 digits (images, labels), or the reason they cannot be had."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return "scikit-learn is not installed (pip install '.[bench]')"
    d = load_digits()
    return d.images, d.target


def digits(epochs: int = 10, samples: int = 1500, batch: int = 32, repeat: int = 5, torch=None,
           data=None) -> Row:
    """`train` of the digits net (benchmarks/workloads.py) in-process, shuffled batches
    (seed 0), against the same net, batches and loss in PyTorch.  ``data``: (images,
    labels), by default sklearn's digits."""
    row = Row("digits", f"sklearn's 8×8 digits, conv 8@3×3 pad 1 → relu → pool → dense 10, "
              f"{epochs} epoch{'s' * (epochs != 1)} of {samples} in batches of {batch}", "s", 0.7)
    data = digits_data() if data is None else data
    if isinstance(data, str):
        row.skipped = data
        return row
    x = (np.asarray(data[0], dtype=np.float64)[:samples] / 16.0).reshape(-1, 1, 8, 8)
    y = np.asarray(data[1])[:samples]
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(Path(tmp) / "digits.npz", input=x, target=y)
        (Path(tmp) / "digits.yaml").write_text(workloads.digits_yaml())
        net = nets.load(str(Path(tmp) / "digits.yaml"))

    def ours():
        return train(net, DIGITS_ETA, epochs=epochs, batch_size=batch, shuffle=True, seed=0)
    sides = [lambda: timed(ours)]
    ran = ours()
    bt = _torch_side(torch)
    if bt is not None:
        steps = epochs * -(-len(y) // batch)

        def theirs():
            order = itertools.islice(batch_order(len(y), batch, 0), steps)
            return bt.train(bt.digits_net(net.params), torch.nn.CrossEntropyLoss(), x, y,
                            DIGITS_ETA, order)
        sides.append(lambda: timed(theirs))
        history, final = theirs()
        gap = max(relative_difference(ran.history, history),
                  relative_difference([ran.final_loss], [final]))
        row.same = gap <= 1e-9
        row.check = f"every E and the final E within {gap:.1e} relative (≤ 1e-9)"
    _timed(row, alternate(sides, repeat))
    return row


def batch_order(n: int, b: int, seed: int):
    """The batches `train` takes (bpcli/analysis/train.py): a fresh order from numpy's
    default_rng(seed) at every epoch, cut into b samples a step."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n)
        for pos in range(0, n, b):
            yield order[pos:pos + b]


def startup(repeat: int = 9) -> Row:
    """`bpcli forward` (the default net, its tables to a pipe), the whole process, against
    `python -c "import numpy"`."""
    row = Row("startup", "`bpcli forward` on the default net, whole process", "ms", 1.5,
              reference='`python -c "import numpy"`')
    sides = [lambda: run_process(bpcli_command() + ["forward"])[0],
             lambda: run_process([sys.executable, "-c", "import numpy"])[0]]
    for side in sides:
        side()  # warm-up: .pyc files written
    _timed(row, alternate(sides, repeat))
    return row


def chain(n: int, goal: float, repeat: int = 3) -> Row:
    """`bpcli forward chain.yaml --format json > /dev/null`, the whole process, for the chain
    of ``n`` nodes of benchmarks/chain.py; its E checked against numpy's."""
    size = f"{n:,}".replace(",", " ")
    row = Row(f"chain{n}", f"`forward --format json`, an equation chain of {size} nodes", "s",
              goal, absolute=True, reference="")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chain.yaml"
        path.write_text(chain_yaml(n))
        cmd = bpcli_command() + ["forward", str(path), "--format", "json"]
        loss = json.loads(run_process(cmd)[1])["loss"]  # also the warm-up
        h = 0.5  # x; chain.py's w = 0.9, b = 0.1, y = 0.2
        for _ in range(n):
            h = math.tanh(0.9 * h + 0.1)
        gap = abs(loss - (h - 0.2) ** 2) / (h - 0.2) ** 2
        row.same = gap <= 1e-12
        row.check = f"E within {gap:.1e} relative of a plain Python loop's (≤ 1e-12)"
        row.ours = Times(alternate([lambda: run_process(cmd, subprocess.DEVNULL)[0]], repeat)[0])
    return row
