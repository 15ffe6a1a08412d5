"""The DP view of `grad --wrt` (issue 10, part 1): each ∂E on the way from E to a name, once,
as the sum over its consumers, checked against the backward pass, and the note's factored
form — each computed from the symbolic local factors, and checked here against central
differences in float64."""
import json
import re
import time

import numpy as np
import pytest

import bpcli
from bpcli.render.rows import factored_text

from conftest import CONFIGS, run


def central(net, param, eps=1e-6):
    w = net.params[param]
    return (bpcli.run(net.with_params({param: w + eps})).loss
            - bpcli.run(net.with_params({param: w - eps})).loss) / (2 * eps)


def evaluate(f):
    """A factored form's value, computed from its tree alone."""
    if f.up is not None:
        return evaluate(f.up) * f.terms[0].factor
    return sum(t.factor * (1.0 if t.of == "E" else t.grad) for t in f.terms)


@pytest.mark.parametrize("config, wrt", [("sigmoid-222.yaml", "w1"), ("sigmoid-222.yaml", "w6"),
                                         ("mazur-2-2-2.yaml", "w1"), ("mazur-2-2-2.yaml", "w8")])
def test_each_step_is_the_backward_pass_and_the_factored_form_is_the_gradient(config, wrt):
    net = bpcli.load(CONFIGS / config)
    c = bpcli.explain(net, wrt)
    assert c.dp is not None and c.dp.agrees
    grads = bpcli.run(net).grads
    for step in c.dp.steps:
        assert step.total == pytest.approx(float(grads[step.name]), rel=1e-12)
        for t in step.terms:  # each consumer's ∂E is the backward pass's own
            assert t.grad == pytest.approx(float(grads[t.of]) if t.of != "E" else 1.0)
    assert c.dp.steps[-1].name == wrt
    assert evaluate(c.dp.factored) == pytest.approx(central(net, wrt), rel=1e-7, abs=1e-12)


def test_the_seed_nets_w1_is_the_notes_factored_form():
    c = bpcli.explain(bpcli.default(), "w1")
    symbols, numbers = factored_text(c.dp.factored, lambda v: f"{v:.6f}")
    assert symbols == "(∂E/∂O1 · w3 + ∂E/∂O2 · w5) · fH1·(1 − fH1) · x"
    assert numbers.startswith("(0.143239 · 0.400000 + -0.080447 · 0.500000) · 0.248599")
    fh1 = next(s for s in c.dp.steps if s.name == "fH1")
    assert [t.of for t in fh1.terms] == ["O1", "O2"]
    assert c.dp.visited == 8 and c.count == 2


def chain_net(depth, width=2):
    """A chain ``depth`` layers deep and ``width`` wide, every node using every node of the
    layer before: width**depth paths from E down to x, depth·width + 2 names."""
    nodes, prev = [], ["x"]
    for k in range(1, depth + 1):
        for j in range(width):
            nodes.append(f"  a{k}_{j}: 0.{j + 3} * ({' + '.join(prev)})")
        prev = [f"a{k}_{j}" for j in range(width)]
    return bpcli.loads("inputs: {x: 0.5}\nparams: {w: 1.0}\nnodes:\n" + "\n".join(nodes)
                       + f"\nloss: 0.5 * (w * ({' + '.join(prev)}) - 1)^2\n")


def test_paths_against_names_visited_and_a_dp_shown_in_full_past_64_paths():
    c = bpcli.explain(chain_net(10), "x")
    assert c.count == 1024 and len(c.paths) == 64
    assert c.dp.visited == 22 and len(c.dp.steps) == 21 and c.dp.agrees
    assert sum(len(s.terms) for s in c.dp.steps) == 2 + 9 * 4 + 2  # one term per edge


def test_the_dp_view_is_linear_in_the_names():
    start = time.perf_counter()
    c = bpcli.explain(chain_net(40), "x")  # 2**40 paths
    assert time.perf_counter() - start < 10
    assert c.count == 2 ** 40 and c.dp.visited == 82 and c.dp.agrees


def test_table_and_json():
    out = run("grad", "--wrt", "w1").stdout
    assert "What the backward pass computed" in out
    assert re.search(r"fH1 +∂E/∂O1 · w3 \+ ∂E/∂O2 · w5 +0\.143239 · 0\.400000 \+ \(-0\.080447\) "
                     r"· 0\.500000 +0\.017072 +✓", out)
    assert "2 paths from E down to w1; the backward pass visited 8 names on the way" in out
    doc = json.loads(run("grad", "--wrt", "w1", "--format", "json").stdout)
    bp = doc["chain"]["w1"]["backward_pass"]
    assert bp["factored"] == "(∂E/∂O1 · w3 + ∂E/∂O2 · w5) · fH1·(1 − fH1) · x"
    assert [s["name"] for s in bp["steps"]][-1] == "w1" and bp["names_visited"] == 8
    assert all(s["verdict"] == "equal" for s in bp["steps"])
    assert eval(bp["factored_numbers"].replace("·", "*")) == pytest.approx(
        doc["chain"]["w1"]["value"], rel=1e-12)


def test_a_data_set_shows_one_samples_dp():
    out = run("grad", CONFIGS / "xor.yaml", "--wrt", "w1", "--sample", "2").stdout
    assert "What the backward pass computed: each ∂E_2/∂name once" in out
    assert np.isfinite(bpcli.explain(bpcli.load(CONFIGS / "xor.yaml"), "w1", 2).at_sample.dp.steps[-1].total)


@pytest.mark.parametrize("text, wrt", [
    # a node used twice, a constant, and E using the param directly
    ("params: {w: 0.5}\nnodes: {a: w * w + 2 * w, b: 3 * a}\nloss: (a + b)^2 + w * w\n", "w"),
    ("params: {u: 0.3, v: -0.7}\nnodes: {a: u * v, b: a + u, c: b * a}\nloss: c^2 + v\n", "u"),
])
def test_shared_nodes_constants_and_a_loss_that_uses_the_param_itself(text, wrt):
    net = bpcli.loads(text)
    c = bpcli.explain(net, wrt)
    assert c.dp.agrees and evaluate(c.dp.factored) == pytest.approx(central(net, wrt), rel=1e-7)


def test_a_long_chain_is_quick():
    """The DP view is linear in the names: a chain of 2 000 nodes in well under a second of
    its own (it was quadratic: 1 500 nodes took 5.6 s)."""
    nodes = "\n".join(f"  a{k}: tanh(0.9 * {'w' if k == 0 else f'a{k - 1}'})" for k in range(2000))
    net = bpcli.loads(f"params: {{w: 0.5}}\nnodes:\n{nodes}\nloss: a1999^2\n")
    start = time.perf_counter()
    c = bpcli.explain(net, "w")
    assert time.perf_counter() - start < 8
    assert len(c.dp.steps) == 2001 and c.dp.agrees
