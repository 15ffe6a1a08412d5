"""`bpcli step` (issue 9, part 3): one update written out, w, ∂E/∂w, η·∂E/∂w, w′; checked
against Mazur's published step, central differences, a forward run of w′, and train."""
import json

import numpy as np
import pytest

import bpcli

from conftest import CONFIGS, central_diff, load, run

# Matt Mazur, "A Step by Step Backpropagation Example" (2015): the weights after one step
# with η = 0.5 (w5…w8 from the output layer's section, w1…w4 from the hidden layer's)
MAZUR = {"w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
         "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121}


def test_mazurs_published_step():
    r = bpcli.step(load("mazur-2-2-2.yaml"), eta=0.5)
    new = {x.name: x.new for x in r.rows}
    for name, published in MAZUR.items():
        assert new[name] == pytest.approx(published, abs=5e-9), name
    assert r.loss_before == pytest.approx(0.298371109, abs=1e-9)
    assert r.agreement == "equal"


@pytest.mark.parametrize("config", ["sigmoid-222.yaml", "conv-pool.yaml", "xor.yaml"])
def test_every_number_of_the_step_checked_a_second_way(config):
    net = load(config)
    r = bpcli.step(net, eta=0.3, wrt=None)
    eta = 0.3
    new = {}
    for p, w in net.params.items():  # ∂E/∂w by central differences, independent of backward
        w = np.asarray(w, dtype=np.float64)
        g = central_diff(lambda v: bpcli.forward(net.with_params({p: v})).loss, w)
        new[p] = w - eta * g
    for x in r.rows:
        w = np.asarray(net.params[x.name], dtype=np.float64)
        if r.by_norm:
            assert x.new == pytest.approx(np.linalg.norm(new[x.name]), rel=1e-6)
            assert x.w == pytest.approx(np.linalg.norm(w))
        else:
            np.testing.assert_allclose(x.new, new[x.name], rtol=1e-6, atol=1e-9)
            np.testing.assert_allclose(x.change, eta * np.asarray(x.grad), rtol=1e-15)
    # E after is E of a forward run with w′, and train's first step gives the same w′
    stepped = net.with_params(new)
    assert r.loss_after == pytest.approx(bpcli.forward(stepped).loss, rel=1e-8)
    assert r.agreement == "equal"


def test_a_tensor_element_by_element_and_momentum_from_rest():
    r = bpcli.step(load("conv-pool.yaml"), eta=0.5, wrt="conv1.bias")
    bias = load("conv-pool.yaml").params["conv1.bias"]
    grads = bpcli.grad(load("conv-pool.yaml")).param_grads["conv1.bias"]
    assert [x.name for x in r.rows] == ["conv1.bias[0]", "conv1.bias[1]"]
    assert [x.new for x in r.rows] == pytest.approx(list(bias - 0.5 * grads), rel=1e-15)
    # from rest, v = μ·0 + ∂E/∂w: the first step is the same with any momentum
    plain, heavy = bpcli.step(load("xor.yaml")), bpcli.step(load("xor.yaml"), momentum=0.9)
    assert [x.new for x in plain.rows] == [x.new for x in heavy.rows]
    assert plain.eta == 2.0  # xor.yaml's train: section
    out = run("step", CONFIGS / "xor.yaml", "--momentum", "0.9").stdout
    assert out.splitlines()[1].split() == ["param", "w", "∂E/∂w", "v", "η·v", "w′"]
    assert "E before: 0.126005   E after: " in out and "on the whole set of 4 samples" in out


def test_the_command_table_and_json_agree():
    doc = json.loads(run("step", CONFIGS / "sigmoid-222.yaml", "--format", "json").stdout)
    out = run("step", CONFIGS / "sigmoid-222.yaml").stdout
    assert doc["same_as_train"] and "train's first step gives w′ too: ✓ equal" in out
    for name, p in doc["params"].items():
        assert f"{p['new']:.6f}" in [line.split()[-1] for line in out.splitlines()
                                     if line.startswith(name + " ")], name
    by_norm = run("step", CONFIGS / "conv-pool.yaml").stdout.splitlines()[1].split()
    assert by_norm == ["param", "shape", "‖w‖", "‖∂E/∂w‖", "‖η·∂E/∂w‖", "‖w′‖"]


def test_mistakes_are_one_line(tmp_path):
    r = run("step", CONFIGS / "conv-pool.yaml", "--wrt", "conv9.weight", code=2)
    assert r.stderr.startswith("Error: --wrt conv9.weight: step writes out a param's elements; "
                               "params are conv1.weight, conv1.bias, fc1.weight, fc1.bias")
    assert run("step", "--eta", "nan", code=2).stderr == (
        "Error: Invalid value for '--eta': must be a finite number; see bpcli step --help\n")
    f = tmp_path / "n.yaml"
    f.write_text("inputs: {x: 1}\nparams: {}\nloss: x^2\n")
    assert "the network has no params, so there is nothing to step" in run(
        "step", f, code=2).stderr


def test_a_step_that_leaves_e_not_finite_is_not_called_unequal(tmp_path):
    f = tmp_path / "n.yaml"
    f.write_text("inputs: {x: 1}\nparams: {w: 0.5}\nloss: log(w)\n")
    r = bpcli.step(bpcli.load(str(f)), eta=1)  # w′ = 0.5 − 1·2 = −1.5, where log is nan
    assert r.rows[0].new == -1.5 and r.agreement == "not finite"
    assert r.warnings == ["E after the step is nan: the update took the params where E is not "
                          "finite; try a smaller --eta"]


def test_an_equation_net_with_a_vector_param_keeps_its_signs(tmp_path):
    f = tmp_path / "n.yaml"
    f.write_text("inputs: {x: [1, 2]}\nparams: {w: -0.5, v: [0.2, -0.3]}\n"
                 "loss: (w + sum(v * x))^2\n")
    r = bpcli.step(bpcli.load(str(f)), eta=0.5)
    assert not r.by_norm and r.rows[0].w == -0.5 and r.rows[0].new == pytest.approx(
        -0.5 - 0.5 * 2 * (-0.5 + 0.2 - 0.6))
    assert list(r.rows[1].new) == pytest.approx([0.2 + 0.9, -0.3 + 1.8])
