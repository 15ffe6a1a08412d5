"""`forward --unit` (one conv or dense unit as its sum, the window it sees) and element
breakdowns by position (issue 10, part 2)."""
import json

import numpy as np
import pytest

import bpcli

from conftest import CONFIGS, run

STRIDED = """
name: two channels, stride 2, padding 1
input: {shape: [2, 5, 5], init: {uniform: [-1, 1], seed: 3}}
layers:
  - {type: conv2d, name: conv1, filters: 2, kernel: [3, 2], stride: 2, padding: 1,
     init: {uniform: [-0.5, 0.5], seed: 1}}
  - {type: relu}
  - {type: flatten}
  - {type: dense, name: fc1, units: 2}
loss: {type: mse, target: [1, 0]}
"""


@pytest.mark.parametrize("unit", ["conv1[0,0,0]", "conv1[1,2,1]", "conv1[1,1,2]"])
def test_a_conv_unit_is_its_window_times_its_filter_plus_the_bias(unit):
    net = bpcli.loads(STRIDED)
    (u,) = bpcli.forward(net, unit=unit).units
    f, i, j = (int(v) for v in unit[6:-1].split(","))
    xp = np.pad(np.asarray(net.input[0]), ((0, 0), (1, 1), (1, 1)))  # padding 1
    window = xp[:, 2 * i:2 * i + 3, 2 * j:2 * j + 2]  # stride 2, kernel 3×2
    w, b = net.params["conv1.weight"][f], net.params["conv1.bias"][f]
    assert np.array_equal(u.window, window) and np.array_equal(u.kernel, w)
    assert u.total == pytest.approx(float((window * w).sum() + b), rel=1e-12)
    assert u.total == pytest.approx(float(bpcli.run(net).values["conv1"][f, i, j]), rel=1e-12)
    assert u.verdict == "equal" and len(u.terms) == 2 * 3 * 2
    rows, cols = range(2 * i, 2 * i + 3), range(2 * j, 2 * j + 2)  # padded coordinates
    meets_padding = any(r in (0, 6) for r in rows) or any(c in (0, 6) for c in cols)
    assert any(t[0] == "padding" for t in u.terms) == meets_padding


def test_a_dense_unit_and_json():
    net = bpcli.loads(STRIDED)
    (u,) = bpcli.forward(net, unit="fc1[1]").units
    x = np.asarray(bpcli.run(net).values["flatten1"] if "flatten1" in bpcli.run(net).values
                   else next(v for k, v in bpcli.run(net).values.items() if k.startswith("flat")))
    assert u.total == pytest.approx(float(x @ net.params["fc1.weight"][1]
                                          + net.params["fc1.bias"][1]), rel=1e-12)
    doc = json.loads(run("forward", CONFIGS / "mixed-small.yaml", "--unit", "conv1[0,1,1]",
                         "--format", "json").stdout)
    entry = doc["units"]["conv1[0,1,1]"]
    assert entry["verdict"] == "equal"
    assert sum(t["product"] for t in entry["terms"]) + entry["bias"]["value"] == pytest.approx(
        entry["forward"])


def test_the_table_shows_the_window_and_every_product():
    out = run("forward", CONFIGS / "mixed-small.yaml", "--unit", "conv1[0,1,1]").stdout
    for words in ("one unit of conv2d", "the window it sees: input rows 1..2, columns 1..2",
                  "input[0,1,1]", "conv1.weight[0,0,0,0]", "Σ x·w + b over 4 products",
                  "✓ equal to the sum"):
        assert words in out, words


def test_units_that_are_not_units():
    r = run("forward", "--unit", "w1", code=2)
    assert "units are the elements of conv2d and dense layers" in r.stderr
    r = run("forward", CONFIGS / "mixed-small.yaml", "--unit", "conv1", code=2)
    assert "a unit is one element of a conv2d or dense layer, e.g. 'conv1[0,0,0]'" in r.stderr
    r = run("forward", CONFIGS / "mixed-small.yaml", "--unit", "conv9[0,0,0]", code=2)
    assert r.stderr.startswith("Error: --unit conv9[0,0,0]: no such name")


def test_an_element_breakdown_shows_its_units_by_position():
    out = run("grad", CONFIGS / "mixed-small.yaml", "--wrt", "input[0,1,1]").stdout
    assert "the products by position in conv1" in out
    grid = out.split("the products by position in conv1")[1]
    assert "·" in grid  # units the pixel does not feed, between those it does
    c = bpcli.explain(bpcli.load(CONFIGS / "mixed-small.yaml"), "input[0,1,1]")
    assert sorted(u.index for u in c.units) == [(0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1)]
