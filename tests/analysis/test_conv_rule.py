"""`grad --wrt conv1.weight` / `--wrt conv1` on a layer net: the conv rule shown as grids and
checked against the backward pass (issue 10, part 2); the numbers against central
differences of E."""
import json

import numpy as np
import pytest

import bpcli
from bpcli.analysis import ConvRule

from conftest import CONFIGS, run

TWO_CHANNELS = """
name: two channels, stride 2, padding 1
input: {shape: [2, 5, 5], init: {uniform: [-1, 1], seed: 3}}
layers:
  - {type: conv2d, name: conv1, filters: 2, kernel: [3, 2], stride: 2, padding: 1,
     init: {uniform: [-0.5, 0.5], seed: 1}}
  - {type: relu}
  - {type: conv2d, name: conv2, filters: 1, kernel: 2}
  - {type: flatten}
  - {type: dense, units: 2}
loss: {type: mse, target: [1, 0]}
"""


def rules(net, name):
    return [e for e in bpcli.grad(net, name).explanations if isinstance(e, ConvRule)]


def test_the_weight_rule_is_the_gradient():
    net = bpcli.loads(TWO_CHANNELS)
    (rule,) = rules(net, "conv1.weight")
    assert rule.which == "weight" and rule.verdict == "equal"
    assert rule.stride == (2, 2) and rule.padding == (1, 1)
    w = net.params["conv1.weight"]
    for idx in [(0, 0, 0, 0), (1, 1, 2, 1), (0, 1, 1, 0)]:
        plus, minus = w.copy(), w.copy()
        plus[idx] += 1e-6
        minus[idx] -= 1e-6
        numeric = (bpcli.run(net.with_params({"conv1.weight": plus})).loss
                   - bpcli.run(net.with_params({"conv1.weight": minus})).loss) / 2e-6
        assert rule.result[idx] == pytest.approx(numeric, rel=1e-6, abs=1e-10)


def test_the_input_rule_is_what_the_layer_hands_back():
    net = bpcli.loads(TWO_CHANNELS)
    (rule,) = rules(net, "conv2")  # conv2 hands ∂E back to the relu before it
    assert rule.which == "input" and rule.input_name != "input" and rule.verdict == "equal"
    assert np.allclose(rule.result[0], bpcli.run(net).grads[rule.input_name])
    (first,) = rules(net, "conv1")  # and conv1 to the input
    assert first.input_name == "input" and first.verdict == "equal"


def test_a_batch_sums_the_weight_rule_over_its_samples():
    net = bpcli.load(CONFIGS / "conv-mnist-shape.yaml")
    (rule,) = rules(net, "conv2.weight")
    assert rule.samples == 64 and rule.verdict == "equal"


def test_tables_show_the_grids_and_json_the_same():
    out = run("grad", CONFIGS / "mixed-small.yaml", "--wrt", "conv1.weight").stdout
    for words in ("the rule as the note writes it", "X[0,:,:]", "δ[0,:,:]", "∂E/∂W[0,0,:,:]",
                  "✓ equal (every element)"):
        assert words in out, words
    doc = json.loads(run("grad", CONFIGS / "mixed-small.yaml", "--wrt", "conv1",
                         "--format", "json").stdout)
    entry = doc["conv_rules"]["conv1"]["input"]
    assert entry["verdict"] == "equal" and entry["of"] == "input"
    assert "kernel_turned" in entry and "x_padded" not in entry and "delta_dilated" not in entry
    assert list(doc["chain"]) == ["conv1"]  # the tensor itself, as before


def test_other_names_get_no_rule():
    net = bpcli.load(CONFIGS / "mixed-small.yaml")
    assert rules(net, "fc1.weight") == [] and rules(net, "conv1.bias") == []


def test_a_batch_shows_the_samples_own_correlation_then_the_sum():
    net = bpcli.loads(TWO_CHANNELS.replace("input: {shape: [2, 5, 5]", "input: {shape: [3, 2, 5, 5]")
                      .replace("target: [1, 0]", "target: [[1, 0], [0, 1], [1, 0]]"))
    (rule,) = rules(net, "conv1.weight")
    per = rule.grids["weight_per_sample"]
    assert per.shape[0] == 3 and np.allclose(per.sum(axis=0), rule.result)
    out = bpcli.grad(net, "conv1.weight", sample=2)
    from bpcli.render import renderable
    from rich.console import Console
    console = Console(width=100, record=True)
    with console.capture() as captured:
        console.print(renderable(out, 6, 100))
    out = captured.get()
    assert "sample 2's own X̂[c] ⋆ δ̂[f]" in out and "the sum of that over the 3 samples" in out
