"""Pooling as maps (issue 10, part 3): a max-pool's winners (ties marked) on `forward`, and on
`grad` each pool's hand-back — the shares of every window add up to its gradient — computed by
the pool's rule and checked against the backward pass and central differences, for max and
mean pools, overlapping windows (stride < size) and strides past the size."""
import itertools
import json

import numpy as np
import pytest

import bpcli
from bpcli.engine import OPS

from conftest import CONFIGS, run


def net_text(kind, size, stride, ties=False):
    values = ("[[[1, 1, 0, 2, 2], [1, 0, 3, 2, 0], [0, 3, 1, 1, 2], [2, 0, 1, 3, 1], "
              "[1, 2, 2, 0, 1]]]" if ties else "{shape: [1, 5, 5], init: {uniform: [-1, 1], seed: 4}}")
    return (f"input: {values}\nlayers:\n  - {{type: {kind}, name: pool1, size: {size}, "
            f"stride: {stride}}}\n  - {{type: flatten}}\n  - {{type: dense, units: 1, "
            "init: {uniform: [-1, 1], seed: 2}}\nloss: {type: half_sse, target: [1]}\n")


@pytest.mark.parametrize("size, stride", [(2, 1), (2, 2), (3, 2), (2, 3)])
def test_winners_are_each_windows_maximum_and_ties_are_marked(size, stride):
    net = bpcli.loads(net_text("maxpool", size, stride, ties=True))
    (m,) = bpcli.forward(net).pool_maps
    x = np.asarray(net.input[0, 0])
    for i, j in itertools.product(range(m.rows.shape[2]), range(m.rows.shape[3])):
        window = x[i * stride:i * stride + size, j * stride:j * stride + size]
        best = window.max()
        first = np.argwhere(window == best)[0]  # the first in row-major order
        assert (m.rows[0, 0, i, j], m.cols[0, 0, i, j]) == (i * stride + first[0],
                                                            j * stride + first[1])
        assert m.ties[0, 0, i, j] == ((window == best).sum() > 1)


@pytest.mark.parametrize("kind, size, stride", [("maxpool", 2, 1), ("maxpool", 3, 2),
                                                ("meanpool", 2, 1), ("meanpool", 2, 3),
                                                ("meanpool", 3, 2)])
def test_the_hand_back_adds_up_and_is_the_gradient(kind, size, stride):
    net = bpcli.loads(net_text(kind, size, stride))
    (p,) = bpcli.grad(net).pool_checks
    assert p.sums == "equal" and p.by_rule == "equal"
    # the rule's ∂E/∂input against central differences of E
    g = net.build()
    trace = g.run()
    node = g.nodes[g.index["pool1"]]
    x = trace.vals[node.inputs[0]]
    dout = np.zeros(np.shape(trace.vals[g.index["pool1"]])) + trace.grads[g.index["pool1"]]
    by_rule = OPS[kind].rules([x], dout, node.attrs)["input"]
    for idx in [(0, 0, 0, 0), (0, 0, 2, 3), (0, 0, 4, 4), (0, 0, 1, 2)]:
        bumped = []
        for sign in (1, -1):
            v = np.array(net.input)
            v[idx] += sign * 1e-6
            moved = bpcli.loads(net_text(kind, size, stride))
            moved.input = v
            bumped.append(bpcli.run(moved).loss)
        assert by_rule[idx] == pytest.approx((bumped[0] - bumped[1]) / 2e-6, abs=1e-8)


def test_tables_and_json():
    out = run("forward", CONFIGS / "mixed-small.yaml").stdout
    assert "pool1: which relu1 position won each window" in out and "(1,1)" in out
    out = run("grad", CONFIGS / "mixed-small.yaml").stdout
    assert "pool1 hands back all of a window's gradient to its winner" in out
    assert out.count("✓ equal") >= 2
    doc = json.loads(run("grad", CONFIGS / "mixed-small.yaml", "--format", "json").stdout)
    assert doc["pools"]["pool1"]["sums"] == "equal"
    assert np.allclose(doc["pools"]["pool1"]["received"], doc["pools"]["pool1"]["handed_back"])
    doc = json.loads(run("forward", CONFIGS / "mixed-small.yaml", "--format", "json").stdout)
    assert doc["pool_winners"]["pool1"]["rows"][0] == [[1, 1], [2, 1]]  # one sample: no batch axis


def test_a_map_too_wide_is_left_to_json():
    out = run("forward", CONFIGS / "conv-mnist-shape.yaml").stdout
    assert "pool1's winners: 13×13 maps, too wide to map here" in out
