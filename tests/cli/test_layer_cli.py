"""Layer nets through the command line: grids and shapes, softmax Jacobians, element
breakdowns, --wrt and --sample, big maps, and every bad shape as one line."""
import json

import numpy as np
import pytest

from bpcli import nets, render

from conftest import BIG, CONFIGS, assert_bad_file_refused, load, run


def test_pool_leftovers_are_dropped_as_in_pytorch_and_said(tmp_path):
    text = ("input: {shape: [1, 5, 5]}\nlayers:\n  - {type: maxpool, size: 2}\n"
            "  - {type: flatten}\nloss: {type: mse, target: [0, 0, 0, 0]}\n")
    net = nets.loads(text)
    trace = net.build().run()
    assert net.display_shape("pool1") == (1, 2, 2)
    assert not np.any(trace.grad("input")[0, 0, 4, :]) and not np.any(trace.grad("input")[0, 0, :, 4])
    f = tmp_path / "leftover.yaml"
    f.write_text(text)
    out = run("forward", str(f)).stdout
    assert "pool1 — maxpool 2×2, stride 2 (1 row(s), 1 column(s) of its input unused) → 1×2×2" in out
    r = run("grad", str(f), "--wrt", "input[0,4,4]")
    assert "no unit of pool1 uses it (no window reaches it), so ∂E/∂input[0,4,4] = 0" in r.stdout


@pytest.mark.parametrize("size, stride, padding, unused", [
    (3, 2, 1, "0 row(s)"),       # 6×6, padding 1: only padding is left over, every input row used
    (2, 3, 0, "2 row(s), 2 column(s)"),  # stride > size: gaps between the windows
])
def test_unused_rows_count_input_rows_only(tmp_path, size, stride, padding, unused):
    f = tmp_path / "u.yaml"
    f.write_text(f"input: {{shape: [1, 6, 6]}}\nlayers:\n  - {{type: conv2d, filters: 1, kernel: {size}, "
                 f"stride: {stride}, padding: {padding}}}\n  - {{type: flatten}}\n"
                 "loss: {type: mse, target: 0}\n".replace("target: 0", "target: " + str(
                     [0] * ((6 + 2 * padding - size) // stride + 1) ** 2)))
    out = run("forward", str(f)).stdout
    net = nets.load(str(f))
    grad = net.build().run().grad("input")[0, 0]
    untouched_rows = int(np.sum(~np.any(grad != 0, axis=1)))
    if unused == "0 row(s)":
        assert "of its input unused" not in out and untouched_rows == 0
    else:
        assert f"({unused} of its input unused)" in out and untouched_rows == 2


def test_cross_entropy_check_with_a_probability_target_not_summing_to_one(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("input: [1, 2]\nlayers:\n  - {type: dense, units: 3, init: {uniform: [-1, 1]}}\n"
                 "  - {type: softmax}\nloss: {type: cross_entropy, target: [0.2, 0.3, 0.4]}\n")
    out = run("grad", str(f)).stdout
    assert "with cross-entropy, a·Σy − y = [" in out and "✓ equal to ∂E/∂z" in out


@pytest.mark.parametrize("spec, message", [("E[0]", "E is one number; write --wrt E"),
                                           ("target", "the target is a constant of the loss")])
def test_wrt_E_element_and_target(spec, message):
    r = run("grad", str(CONFIGS / "mixed-small.yaml"), "--wrt", spec, code=2)
    assert message in r.stderr


def test_forward_shows_each_layer_with_its_shape():
    out = run("forward", str(CONFIGS / "conv-pool.yaml")).stdout
    for line in ["input — input → 1×6×6", "conv1 — conv2d 2@3×3, stride 1, padding 0 → 2×4×4",
                 "pool1 — maxpool 2×2, stride 2 → 2×2×2", "fc1 — dense, 3 units → 3",
                 "conv1[1,:,:]"]:
        assert line in out, line


def test_forward_and_grad_json_use_layer_names():
    net = load("mixed-small.yaml")
    trace = net.build().run()
    fwd = json.loads(run("forward", str(CONFIGS / "mixed-small.yaml"), "--format", "json").stdout)
    assert fwd["shapes"]["conv1"] == [1, 3, 3]
    assert fwd["values"]["pool1"] == trace.value("pool1")[0].tolist()
    doc = json.loads(run("grad", str(CONFIGS / "mixed-small.yaml"), "--format", "json").stdout)
    assert doc["grads"]["conv1.weight"] == trace.grad("conv1.weight").tolist()
    assert doc["node_grads"]["input"] == trace.grad("input")[0].tolist()
    assert set(doc["node_grads"]) == {"input", "conv1", "relu1", "pool1", "flatten1", "fc1",
                                      "softmax1"}
    a = np.array(fwd["values"]["softmax1"])
    np.testing.assert_allclose(doc["softmax_jacobians"]["softmax1"], np.diag(a) - np.outer(a, a))


def test_grad_shows_the_softmax_jacobian_and_a_minus_y():
    out = run("grad", str(CONFIGS / "softmax-head.yaml")).stdout
    assert "∂a_j/∂z_i = a_j(δ_ij − a_i)" in out
    assert "with cross-entropy, a − y = [0.090031, -0.755272, 0.665241]   ✓ equal to ∂E/∂z" in out


def test_wrt_one_element_lists_the_units_it_feeds():
    path = str(CONFIGS / "mixed-small.yaml")
    out = run("grad", path, "--wrt", "conv1.weight[0,0,1,0]").stdout
    assert "∂E/∂conv1.weight[0,0,1,0] — it feeds 9 units of conv1" in out
    assert "input[0,1,0]" in out and "✓ equal to the sum" in out
    out = run("grad", path, "--wrt", "relu1[0,1,1]").stdout
    assert "1: it won the max of its window" in out
    doc = json.loads(run("grad", path, "--wrt", "input[0,2,3]", "--format", "json").stdout)
    c = doc["chain"]["input[0,2,3]"]
    assert c["consumer"] == "conv1" and c["unit_count"] == len(c["units"])
    assert sum(u["product"] for u in c["units"]) == pytest.approx(c["value"], rel=1e-12)


def test_wrt_a_whole_tensor():
    doc = json.loads(run("grad", str(CONFIGS / "mixed-small.yaml"), "--wrt", "fc1.weight",
                         "--format", "json").stdout)
    assert np.shape(doc["chain"]["fc1.weight"]["value"]) == (2, 4)


@pytest.mark.parametrize("spec, message", [
    ("conv9.weight", "no such name"),
    ("conv1.weight[0,0,2,0]", "conv1.weight is 1×1×2×2; an element is conv1.weight[0..0, 0..0, 0..1, 0..1]"),
    ("input[0,1]", "input is 1×4×4"),
    ("fc1.weight[a,b]", "an index is whole numbers"),
])
def test_bad_wrt_specs(spec, message):
    r = run("grad", str(CONFIGS / "mixed-small.yaml"), "--wrt", spec, code=2)
    assert message in r.stderr and len(r.stderr.splitlines()) == 1


BAD_SHAPES = {
    "negative probability": ("input: [1, 2]\nlayers:\n  - {type: dense, units: 2}\n"
                             "loss: {type: cross_entropy, target: [-1, 2]}\n", 4,
                             "a cross-entropy target vector holds probabilities"),
    "equation section": ("input: [1, 2]\nparams: {w: 1}\nlayers:\n  - {type: dense, units: 2}\n"
                         "loss: {type: mse, target: [0, 0]}\n", 2,
                         "unknown section 'params' in a layer network; a layer network (it has "
                         "layers:) takes no equation sections"),
    "kernel too large": ("input: [[1, 2], [3, 4]]\nlayers:\n  - {type: conv2d, filters: 1, kernel: 3}\n"
                         "loss: {type: mse, target: 0}\n", 3,
                         "the 3×3 kernel is larger than its 2×2 input"),
    "dense size mismatch": ("input: [1, 2, 3]\nlayers:\n  - {type: dense, weight: [[1, 2]], bias: [0]}\n"
                            "loss: {type: mse, target: [0]}\n", 3,
                            "weight is 1×2, but must be 1×3 (units × inputs)"),
    "window too large": ("input: {shape: [1, 2, 2]}\nlayers:\n  - {type: meanpool, size: 3}\n"
                         "loss: {type: mse, target: 0}\n", 3, "the 3×3 window is larger than its 2×2"),
    "dense on images": ("input: {shape: [1, 4, 4]}\nlayers:\n  - {type: conv2d, filters: 1, kernel: 2}\n"
                        "  - {type: dense, units: 2}\nloss: {type: mse, target: [0, 0]}\n", 4,
                        "needs a vector, but gets 1×3×3; add {type: flatten} before it"),
    "class out of range": ("input: [1, 2]\nlayers:\n  - {type: dense, units: 2}\n  - {type: softmax}\n"
                           "loss: {type: cross_entropy, target: 2}\n", 5,
                           "a class index must be a whole number from 0 to 1"),
    "ragged input": ("input: [[1, 2], [3]]\nlayers:\n  - {type: conv2d, filters: 1, kernel: 1}\n"
                     "loss: {type: mse, target: 0}\n", 1, "input is ragged"),
    "unknown layer": ("input: [1]\nlayers:\n  - {type: dens, units: 1}\nloss: {type: mse, target: [0]}\n",
                      3, "unknown type 'dens'; did you mean 'dense'?"),
    "unknown setting": ("input: [1]\nlayers:\n  - {type: dense, unit: 1}\nloss: {type: mse, target: [0]}\n",
                        3, "unknown setting 'unit'; it takes name, units, weight, bias, init"),
    "target shape": ("input: [1, 2]\nlayers:\n  - {type: dense, units: 2}\n"
                     "loss: {type: half_sse, target: [1, 2, 3]}\n", 4,
                     "the target has 3 values, but the output has 2 values"),
    "class index for half_sse": ("input: [1, 2]\nlayers:\n  - {type: dense, units: 4}\n"
                                 "loss: {type: half_sse, target: 2}\n", 4,
                                 "half_sse compares the output with a target of the same shape: "
                                 "4 values per sample, e.g. [1, 0, 0, 0]"),
    "softmax then more": ("input: [1, 2]\nlayers:\n  - {type: dense, units: 2}\n  - {type: softmax}\n"
                          "  - {type: relu}\nloss: {type: cross_entropy, target: 0}\n", 4,
                          "softmax1 is a softmax, but layers follow it"),
    "ragged row": ("input:\n  - [1, 2]\n  - [3, 4]\n  - [5]\nlayers:\n  - {type: conv2d, filters: 1, "
                   "kernel: 1}\nloss: {type: mse, target: 0}\n", 4, "input is ragged"),
    "cross_entropy on images": ("input: {shape: [1, 4, 4]}\nlayers:\n  - {type: conv2d, filters: 2, "
                                "kernel: 3}\nloss: {type: cross_entropy, target: 1}\n", 4,
                                "cross_entropy needs a vector of class scores, but the last layer "
                                "gives 2×2×2; add flatten and dense"),
    "one class": ("input: [1, 2]\nlayers:\n  - {type: dense, units: 1}\n"
                  "loss: {type: cross_entropy, target: 0}\n", 4, "cross_entropy needs at least 2 classes"),
    "negative seed": ("seed: -5\ninput: [1]\nlayers:\n  - {type: dense, units: 1}\n"
                      "loss: {type: mse, target: [0]}\n", 1, "seed must be at least 0, not -5"),
    "negative init seed": ("input: [1]\nlayers:\n  - {type: dense, units: 1, init: {uniform: [0, 1], "
                           "seed: -1}}\nloss: {type: mse, target: [0]}\n", 3, "init seed must be at least 0"),
    "negative std": ("input: [1]\nlayers:\n  - {type: dense, units: 1, init: {normal: [0, -1]}}\n"
                     "loss: {type: mse, target: [0]}\n", 3, "needs std ≥ 0, not -1"),
    "reversed range": ("input: [1]\nlayers:\n  - {type: dense, units: 1, init: {uniform: [2, 1]}}\n"
                       "loss: {type: mse, target: [0]}\n", 3, "needs low ≤ high, not [2, 1]"),
    "infinite range": ("input: [1]\nlayers:\n  - {type: dense, units: 1, init: {uniform: [-1e308, "
                       "1e308]}}\nloss: {type: mse, target: [0]}\n", 3, "needs low ≤ high"),
    "empty input": ("input: []\nlayers:\n  - {type: dense, units: 1}\nloss: {type: mse, target: [0]}\n",
                    1, "input is empty"),
    "scalar weight": ("input: [1]\nlayers:\n  - {type: dense, weight: 3}\n"
                      "loss: {type: mse, target: [0]}\n", 3, "weight must be units × inputs, not a number"),
    "huge filters": ("input: {shape: [1, 4, 4]}\nlayers:\n  - {type: conv2d, filters: 1000000000, "
                     "kernel: 3}\n  - {type: flatten}\nloss: {type: mse, target: 0}\n", 3,
                     "more than bpcli's 50,000,000; use smaller sizes"),
    "huge input": ("input: {shape: [1000000, 1000000, 1000]}\nlayers:\n  - {type: conv2d, filters: 1, "
                   "kernel: 1}\nloss: {type: mse, target: 0}\n", 1, "the input would hold"),
    "huge padding": ("input: {shape: [1, 4, 4]}\nlayers:\n  - {type: conv2d, filters: 1, kernel: 1, "
                     "padding: 30000}\nloss: {type: mse, target: 0}\n", 3, "its output would hold"),
    "misspelt layers": ("input: [1]\nlayer:\n  - {type: dense, units: 1}\n"
                        "loss: {type: mse, target: [0]}\n", 2, "unknown section 'layer' in a layer "
                        "network; did you mean 'layers'?"),
    "unknown loss": ("input: [1]\nlayers:\n  - {type: dense, units: 1}\nloss: {type: mae, target: [0]}\n",
                     4, "unknown loss type 'mae'"),
    "non-number": ("input: [1, x]\nlayers:\n  - {type: dense, units: 1}\nloss: {type: mse, target: [0]}\n",
                   1, "input must hold numbers only, not 'x'"),
    "missing layers": ("input: [1]\nlayers: []\nloss: {type: mse, target: [0]}\n", 2,
                       "'layers' must be a list of layers"),
    "type not a name": ("input: [1]\nlayers:\n  - {type: [dense], units: 1}\n"
                        "loss: {type: mse, target: [0]}\n", 3,
                        "layer 1: its type is a name such as dense, not a list"),
}


@pytest.mark.parametrize("command", [["forward"], ["grad", "--wrt", "input"],
                                     ["train", "--steps", "1", "--save", "OUT"]])
@pytest.mark.parametrize("case", sorted(BAD_SHAPES))
def test_bad_layer_nets_are_one_line_errors(tmp_path, case, command):
    assert_bad_file_refused(tmp_path, "bad.yaml", *BAD_SHAPES[case], command)


def test_big_maps_are_summarised_wide_ones_blocked_and_long_vectors_wrapped(tmp_path):
    out = run("forward", str(CONFIGS / BIG)).stdout
    assert "a batch of 64: showing sample 0 (--sample K for another)" in out
    assert "8×26×26 values: min" in out and "(too wide; --format json has all)" in out
    # a 28×28 map is too wide for 100 columns: its columns come in blocks, all of them
    lines = out.splitlines()
    grid = lines[lines.index("input[0,0,:,:]") + 1:]
    grid = grid[:grid.index("")]
    assert len(grid) % 29 == 0 and len(grid) > 29  # blocks of a header and 28 rows
    blocks = [grid[i:i + 29] for i in range(0, len(grid), 29)]
    assert sum((b[0].split() for b in blocks), []) == [str(j) for j in range(28)]
    assert all([row.split()[0] for row in b[1:]] == [str(i) for i in range(28)] for b in blocks)
    assert "…" not in out  # no cell cropped to fit (Rich would end it with …)
    f = tmp_path / "long.yaml"
    f.write_text("input: [1, 2]\nlayers:\n  - {type: dense, units: 25, init: {uniform: [0, 1]}}\n"
                 "loss: {type: mse, target: " + str([0] * 25) + "}\n")
    lines = run("forward", str(f)).stdout.splitlines()
    block = lines[lines.index(next(l for l in lines if l.startswith("fc1 — dense"))) + 1:]
    block = block[1:block.index("")]
    starts = [int(row.split()[0]) for row in block]
    assert len(starts) >= 3 and starts == list(range(0, 25, starts[1]))  # rows of equal length
    assert sum(len(row.split()) - 1 for row in block) == 25
    assert not any("…" in line for line in lines)  # no cell cropped


def test_sample_option_picks_one_sample_of_a_batch():
    out = run("forward", str(CONFIGS / BIG), "--sample", "5").stdout
    assert "showing sample 5" in out and "pool2[5,15,:,:]" in out  # as --wrt would index it
    r = run("forward", str(CONFIGS / BIG), "--sample", "64", code=2)
    assert "the batch has samples 0..63" in r.stderr
    run("forward", str(CONFIGS / "mixed-small.yaml"), "--sample", "0")  # the one sample there is
    r = run("forward", str(CONFIGS / "mixed-small.yaml"), "--sample", "1", code=2)
    assert "one sample, not a batch" in r.stderr


@pytest.mark.parametrize("config", ["conv-pool.yaml", "bars.yaml"])
def test_wrt_E_in_a_layer_net(config):
    out = run("grad", str(CONFIGS / config), "--wrt", "E", "--wrt", "fc1.bias").stdout
    assert out.startswith("∂E/∂E — scalar\n1.000000\n") and "∂E/∂fc1.bias — 3\n" in out


def test_a_max_pool_tie_is_named_as_such(tmp_path):
    f = tmp_path / "tie.yaml"
    f.write_text("input: [[1.0, 4.0], [4.0, 2.0]]\nlayers:\n  - {type: maxpool, size: 2}\n"
                 "  - {type: flatten}\nloss: {type: mse, target: [0]}\n")
    lost = run("grad", str(f), "--wrt", "input[0,1,0]").stdout
    assert "0: a tie; input[0,0,1] came first" in lost and "✓ equal to the sum" in lost
    assert "1: it won the max of its window" in run("grad", str(f), "--wrt", "input[0,0,1]").stdout
    assert "0: input[0,0,1] won the max" in run("grad", str(f), "--wrt", "input[0,0,0]").stdout


def test_wrt_a_whole_layer_of_a_batch_shows_the_sample_asked_for():
    net = nets.load(str(CONFIGS / "bars.yaml"))
    grad = net.build().run().grad("pool1")  # 300×4×4×4
    out = run("grad", str(CONFIGS / "bars.yaml"), "--wrt", "pool1", "--sample", "5").stdout
    assert "a batch of 300: showing sample 5" in out
    assert "pool1[5,3,:,:]" in out and "pool1[0," not in out and "pool1[6," not in out
    lines = out.splitlines()
    first = lines[lines.index("pool1[5,0,:,:]") + 2].split()  # the header, then row 0
    assert first == ["0"] + [render.fmt(v, 6) for v in grad[5, 0, 0]]
