"""Every activation, as a function in an equation net and as a layer, end to end: forward,
the chain rule or an element breakdown checked against the backward pass, `check`, and
training.  An activation registered with its op is covered here without a line more."""
import json

import pytest

from bpcli import nets
from bpcli.engine import FUNCTIONS, LAYER_TYPES, OPS

from conftest import run

# softmax is a function and a layer too, but of a vector, not elementwise
ACTIVATIONS = sorted(set(FUNCTIONS) & set(LAYER_TYPES) - {"softmax"})
KINKED = [name for name in ACTIVATIONS if OPS[name].kinks is not None]


def test_the_activations_are_found():
    assert {"relu", "sigmoid", "tanh"} <= set(ACTIVATIONS) and "relu" in KINKED


@pytest.mark.parametrize("f", ACTIVATIONS)
def test_as_a_function(tmp_path, f):
    net = tmp_path / "f.yaml"
    net.write_text("inputs: {x: 0.7}\nparams: {w: 0.4, v: 1.3}\nnodes:\n  h: w * x\n"
                   f"  a: {f}(h)\n  o: v * a\nloss: 0.5 * (o - 0.2)^2\n")
    assert f"a      {f}(h)" in run("forward", net).stdout
    out = run("grad", net, "--wrt", "w").stdout
    assert "∂a/∂h" in out and "✓ equal to the path product" in out
    assert json.loads(run("check", net, "--format", "json").stdout)["passed"]
    losses = [h["loss"] for h in json.loads(run("train", net, "--steps", "5", "--format", "json")
                                            .stdout)["history"]]
    assert losses[-1] < losses[0]


LAYER_NET = """input: [1, -2, 0.5]
layers:
  - {{type: dense, name: fc1, weight: [[0.3, 0.1, -0.2], [-0.5, 0.2, 0.4], [0.1, 0.1, 0.1]], bias: [0.2, 0.1, -0.1]}}
  - {{type: {f}}}
  - {{type: dense, name: fc2, weight: [[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]], bias: [0.05, 0]}}
loss: {{type: half_sse, target: [0.1, 0.3]}}
"""


@pytest.mark.parametrize("f", ACTIVATIONS)
def test_as_a_layer(tmp_path, f):
    net, saved = tmp_path / "l.yaml", tmp_path / "saved.yaml"
    net.write_text(LAYER_NET.format(f=f))
    layer = nets.load(str(net)).layers[1]
    assert layer.type == f and f"{layer.name} — {layer.text} → 3" in run("forward", net).stdout
    for k in range(3):  # each unit of fc1 feeds one unit of the activation
        out = run("grad", net, "--wrt", f"fc1[{k}]").stdout
        assert f"it feeds 1 unit of {layer.name}" in out and "✓ equal to the sum" in out
    assert json.loads(run("check", net, "--format", "json").stdout)["passed"]
    doc = json.loads(run("train", net, "--steps", "5", "--save", saved, "--format", "json").stdout)
    assert doc["history"][-1]["loss"] < doc["history"][0]["loss"]
    assert float(nets.load(str(saved)).build().run().loss) == doc["final_loss"]


@pytest.mark.parametrize("f", KINKED)
def test_a_check_at_the_kink_says_kink(tmp_path, f):
    net = tmp_path / "k.yaml"  # the activation's input is exactly 0
    net.write_text("input: [[0.0]]\nlayers:\n  - {type: conv2d, weight: [[[[1.0]]]], bias: [0.0]}\n"
                   f"  - {{type: {f}}}\n  - {{type: flatten}}\nloss: {{type: half_sse, target: [-1]}}\n")
    doc = json.loads(run("check", net, "--format", "json").stdout)
    assert doc["passed"] and doc["params"]["conv1.bias"]["status"] == "kink"
