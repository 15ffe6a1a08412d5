"""The generated step of a net of numbers (bpcli.engine.fused) gives the graph walk's
numbers bit for bit: E and every param's ∂E, on random equation nets over every op with
a scalar template, at ordinary values and at the edges (0, −0.0, inf, nan, overflow)."""
import math
from pathlib import Path

import numpy as np
import pytest

from bpcli import nets
from bpcli.engine import Graph
from bpcli.engine.fused import fuse

CONFIGS = Path(__file__).resolve().parents[2] / "configs"

UNARY = ["sigmoid", "tanh", "relu", "exp", "log", "sqrt", "neg", "id"]
BINARY = ["add", "sub", "mul", "div", "powc"]
EDGES = [0.0, -0.0, 1e-300, -1e-300, 710.0, -710.0, 1e308, -1e308, math.inf, -math.inf,
         math.nan, 0.5, -2.0, 3.0]


def _random_graph(rng, values):
    """A graph of 3 params and 2 constants, 12 random ops, the loss the last op
    (through an id node, as a named loss is)."""
    g = Graph()
    nodes = [g.add_leaf(f"w{k}", "param", np.float64(v)) for k, v in enumerate(values[:3])]
    nodes += [g.add_leaf(None, "const", np.float64(v)) for v in values[3:5]]
    for _ in range(12):
        if rng.random() < 0.5:
            op = UNARY[rng.integers(len(UNARY))]
            nodes.append(g.add_op(op, [nodes[rng.integers(len(nodes))]]))
        else:
            op = BINARY[rng.integers(len(BINARY))]
            a = nodes[rng.integers(len(nodes))]
            b = nodes[3 + rng.integers(2)] if op == "powc" else nodes[rng.integers(len(nodes))]
            nodes.append(g.add_op(op, [a, b]))
    g.name(nodes[-1], "E", "loss")
    return g.compile(wanted=["w0", "w1", "w2"])


def _same(a, b):
    return np.float64(a).tobytes() == np.float64(b).tobytes()


@pytest.mark.parametrize("edges", [False, True])
def test_the_fused_step_is_the_graph_walk_bit_for_bit(edges):
    rng = np.random.default_rng(12 if edges else 11)
    fallbacks = 0
    for _ in range(400):
        values = [EDGES[k] for k in rng.integers(len(EDGES), size=5)] if edges \
            else list(rng.normal(size=3)) + [2.0, float(rng.integers(-3, 4))]
        g = _random_graph(rng, values)
        step = fuse(g)
        assert step is not None
        with np.errstate(all="ignore"):
            walk_vals = g.initial_values()
            want = g.backward(g.forward(walk_vals))
            vals = g.initial_values()
            try:
                got = step(vals)
            except (ArithmeticError, ValueError):  # Graph.step takes the walk then
                fallbacks += 1
                continue
        assert _same(vals[g.loss], walk_vals[g.loss])
        for name in ("w0", "w1", "w2"):
            i = g.index[name]
            assert _same(got[i], want[i]), (name, got[i], want[i])
    assert fallbacks < (200 if edges else 40)  # most steps run fused


def test_graph_step_falls_back_to_the_walk_where_python_floats_raise():
    g = Graph()
    w = g.add_leaf("w", "param", np.float64(0.0))
    one = g.add_leaf(None, "const", np.float64(1.0))
    g.name(g.add_op("div", [one, w]), "E", "loss")  # 1/0
    g.compile(wanted=["w"])
    vals = g.initial_values()
    with np.errstate(all="ignore"):
        grads = g.step(vals)
    assert vals[g.loss] == math.inf and grads[g.index["w"]] == -math.inf  # -1·1/0², NumPy's


@pytest.mark.parametrize("config", ["mazur-layers", "conv-pool", "softmax-head", "bars",
                                    "softmax-equations", "conv-two-channels"])
def test_nets_of_tensors_run_the_walks_own_functions_bit_for_bit(config):
    """A layer net (or an equation net over vectors) runs the plans' functions in one
    generated function: E and every param's ∂E are the graph walk's, bit for bit."""
    net = nets.load(CONFIGS / f"{config}.yaml")
    g = net.build().compile(wanted=net.params)
    step = fuse(g)
    with np.errstate(all="ignore"):
        walk_vals = g.initial_values()
        want = g.backward(g.forward(walk_vals))
        vals = g.initial_values()
        got = step(vals)
    assert _same(vals[g.loss], walk_vals[g.loss])
    for name in net.params:
        i = g.index[name]
        assert np.asarray(got[i]).tobytes() == np.asarray(want[i]).tobytes(), name
