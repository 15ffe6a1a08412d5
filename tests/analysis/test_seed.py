"""The seed note's 2-2-2 sigmoid net and Mazur's published 2-2-2 example, end to end.

References, in order of independence from the engine:
* a hand derivation written out below with the math module (no NumPy, no graph);
* Matt Mazur, "A Step by Step Backpropagation Example" (2015), values as published;
* central finite differences of the engine's own forward pass.
"""
import math

import numpy as np
import pytest

from bpcli import nets
from bpcli.analysis import explain
from bpcli.analysis.train import train

from conftest import CONFIGS, assert_close_rel, central_diff, loss_as_function_of

EQUATION_CONFIGS = sorted(p.name for p in CONFIGS.glob("*.yaml") if "layers:" not in p.read_text())
SCALAR_CONFIGS = [c for c in EQUATION_CONFIGS  # paths of numbers (vectors have Jacobians)
                  if all(np.ndim(v) == 0 for _, _, v in nets.load(str(CONFIGS / c)).leaves())]


def sigma(z):
    return 1 / (1 + math.exp(-z))


def seed_by_hand(x, w1, w2, w3, w4, w5, w6, y1, y2):
    """The seed note, sections 1-3, with E = ½Σ(f(O) − y)² (README: sign convention)."""
    H1, H2 = w1 * x, w2 * x
    fH1, fH2 = sigma(H1), sigma(H2)
    O1 = w3 * fH1 + w4 * fH2
    O2 = w5 * fH1 + w6 * fH2
    fO1, fO2 = sigma(O1), sigma(O2)
    E = 0.5 * (fO1 - y1) ** 2 + 0.5 * (fO2 - y2) ** 2
    # ∂E/∂O = ∂E/∂f(O) · f(O)(1 − f(O))
    dO1 = (fO1 - y1) * fO1 * (1 - fO1)
    dO2 = (fO2 - y2) * fO2 * (1 - fO2)
    # f(H1) feeds O1 and O2: the two paths add (section 3)
    dfH1 = dO1 * w3 + dO2 * w5
    dfH2 = dO1 * w4 + dO2 * w6
    dH1, dH2 = dfH1 * fH1 * (1 - fH1), dfH2 * fH2 * (1 - fH2)
    values = dict(H1=H1, H2=H2, fH1=fH1, fH2=fH2, O1=O1, O2=O2, fO1=fO1, fO2=fO2)
    grads = dict(w1=dH1 * x, w2=dH2 * x, w3=dO1 * fH1, w4=dO1 * fH2, w5=dO2 * fH1,
                 w6=dO2 * fH2, fH1=dfH1, fH2=dfH2, O1=dO1, O2=dO2, x=dH1 * w1 + dH2 * w2)
    return values, E, grads


SEED = dict(x=1.0, w1=0.15, w2=0.25, w3=0.40, w4=0.45, w5=0.50, w6=0.55, y1=0.01, y2=0.99)


@pytest.fixture(scope="module")
def seed():
    net = nets.load_default()
    return net, net.build().run()


def test_default_is_the_documented_seed_net(seed):
    net, _ = seed
    assert {**net.inputs, **net.params, **net.targets} == SEED
    assert list(net.nodes) == ["H1", "H2", "fH1", "fH2", "O1", "O2", "fO1", "fO2"]
    # configs/sigmoid-222.yaml is the same file a user can read and edit
    assert (CONFIGS / "sigmoid-222.yaml").read_text() == nets.default_text()


def test_seed_values_and_gradients_match_the_hand_derivation(seed):
    net, trace = seed
    values, E, grads = seed_by_hand(**SEED)
    for name, v in values.items():
        assert trace.value(name) == pytest.approx(v, rel=1e-12, abs=1e-15)
    assert trace.loss == pytest.approx(E, rel=1e-12)
    for name, g in grads.items():
        assert trace.grad(name) == pytest.approx(g, rel=1e-12, abs=1e-15), name


def test_node_used_twice_receives_both_contributions(seed):
    """f(H1) feeds O1 and O2; ∂E/∂f(H1) is the sum of both (an overwrite keeps one)."""
    net, trace = seed
    via_O1 = trace.grad("O1") * SEED["w3"]
    via_O2 = trace.grad("O2") * SEED["w5"]
    assert via_O1 != 0 and via_O2 != 0
    assert trace.grad("fH1") == pytest.approx(via_O1 + via_O2, rel=1e-14)


def test_a_name_used_twice_in_one_expression():
    net = nets.loads("params: {w: 0.7}\nnodes: {s: w * w + w}\nloss: s^2\n")
    trace = net.build().run()
    w = 0.7
    assert trace.grad("w") == pytest.approx(2 * (w * w + w) * (2 * w + 1), rel=1e-14)


@pytest.mark.parametrize("config", EQUATION_CONFIGS)
def test_every_config_gradient_matches_central_differences(config):
    net = nets.load(str(CONFIGS / config))
    trace = net.build().run()
    for name, kind, value in net.leaves():
        numeric = central_diff(loss_as_function_of(net, name), value)
        assert_close_rel(trace.grad(name), numeric, rtol=1e-7, atol=1e-11)


@pytest.mark.parametrize("config", SCALAR_CONFIGS)
def test_sum_over_paths_equals_backward_for_every_name(config):
    net = nets.load(str(CONFIGS / config))
    trace = net.build().run()
    for name in trace.graph.index:
        c = explain.chain(net, trace, name)
        assert c.agrees, (name, c.total, c.backward)
        if c.count <= explain.MAX_PATHS:
            assert math.fsum(p.product for p in c.paths) == pytest.approx(c.backward, rel=1e-12,
                                                                         abs=1e-15)


def test_grad_wrt_w1_has_the_notes_two_paths(seed):
    net, trace = seed
    c = explain.chain(net, trace, "w1")
    assert [p.nodes for p in c.paths] == [("E", "fO1", "O1", "fH1", "H1", "w1"),
                                          ("E", "fO2", "O2", "fH1", "H1", "w1")]
    assert [f.symbol for f in c.paths[0].factors] == [
        "fO1 − y1", "fO1·(1 − fO1)", "w3", "fH1·(1 − fH1)", "x"]
    _, _, grads = seed_by_hand(**SEED)
    assert c.total == pytest.approx(grads["w1"], rel=1e-12)


def test_seed_softmax_example_as_equations():
    """Seed note §7 with a vector param: ∂E/∂z = a − y = [0.0900, −0.7553, 0.6652]."""
    net = nets.load(str(CONFIGS / "softmax-equations.yaml"))
    trace = net.build().run()
    np.testing.assert_allclose(trace.grad("z"), [0.0900, -0.7553, 0.6652], atol=5e-5)
    np.testing.assert_allclose(trace.grad("z"), trace.value("a") - [0, 1, 0], rtol=1e-12)


def test_mazur_published_forward_and_gradients():
    net = nets.load(str(CONFIGS / "mazur-2-2-2.yaml"))
    trace = net.build().run()
    # Published to 9 decimals (8 for out_o1): compare at that precision.
    assert trace.value("out_h1") == pytest.approx(0.593269992, abs=5e-10)
    assert trace.value("out_h2") == pytest.approx(0.596884378, abs=5e-10)
    assert trace.value("net_o1") == pytest.approx(1.105905967, abs=5e-10)
    assert trace.value("out_o1") == pytest.approx(0.75136507, abs=5e-9)
    assert trace.value("out_o2") == pytest.approx(0.772928465, abs=5e-10)
    assert trace.loss == pytest.approx(0.298371109, abs=5e-10)
    assert trace.grad("w5") == pytest.approx(0.082167041, abs=5e-10)
    assert trace.grad("w1") == pytest.approx(0.000438568, abs=5e-10)


def test_mazur_published_training():
    net = nets.load(str(CONFIGS / "mazur-2-2-2.yaml"))
    one = train(net, eta=0.5, steps=1)
    published = dict(w1=0.149780716, w2=0.19956143, w3=0.24975114, w4=0.29950229,
                     w5=0.35891648, w6=0.408666186, w7=0.511301270, w8=0.561370121)
    for name, w in published.items():
        assert one.params[name] == pytest.approx(w, abs=5e-9), name
    # "After repeating this process 10,000 times ... the error plummets to 0.0000351085"
    run = train(net, eta=0.5, steps=10000)
    assert run.history[-1] == pytest.approx(0.0000351085, abs=5e-11)
