"""Layer networks end to end: values against a naive reference written here with loops,
gradients against central finite differences, element breakdowns against backward,
the seed's softmax example, batches, and bad shapes."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from bpcli import nets, render
from bpcli.analysis import explain
from bpcli.cli import main
from bpcli.analysis.train import train

from conftest import CONFIGS, assert_bad_file_refused, assert_close_rel, central_diff

LAYER_CONFIGS = sorted(p.name for p in CONFIGS.glob("*.yaml") if "layers:" in p.read_text())
BIG = "conv-mnist-shape.yaml"  # the benchmark stack: spot-checked, not checked element by element
# nets small enough to check every element (the data sets of bars.yaml and BIG are not)
SMALL_CONFIGS = [c for c in LAYER_CONFIGS
                 if sum(np.size(v) for _, _, v in nets.load(str(CONFIGS / c)).leaves()) < 2000]


def load(name):
    return nets.load(str(CONFIGS / name))


def _loss_with(net, leaf):
    graph = net.build()
    slot = graph.index[leaf]

    def f(v):
        vals = graph.initial_values()
        vals[slot] = v
        graph.forward(vals)
        return float(vals[graph.loss])
    return f


@pytest.mark.parametrize("config", SMALL_CONFIGS)
def test_every_param_and_input_gradient_matches_central_differences(config):
    net = load(config)
    trace = net.build().run()
    for name, kind, value in net.leaves():
        if kind == "target":
            continue
        assert_close_rel(trace.grad(name), central_diff(_loss_with(net, name), value))


@pytest.mark.parametrize("config", SMALL_CONFIGS)
def test_every_element_breakdown_sums_to_the_backward_value(config):
    net = load(config)
    trace = net.build().run()
    names = ["input", *net.params, *(layer.name for layer in net.layers)]
    for name in names:
        shape = net.display_shape(name)
        for index in list(np.ndindex(shape))[:40]:
            c = explain.element_chain(net, trace, name, index)
            assert c.agrees, (name, index, c.total, c.backward)
            assert c.count >= 1


def test_big_stack_spot_checks():
    """The benchmark stack (64 images): random param entries against central differences,
    and element breakdowns, including a conv weight that feeds 43 264 units."""
    net = load(BIG)
    graph = net.build()
    trace = graph.run()
    rng = np.random.default_rng(0)
    kinked = 0
    for name in net.params:
        value = net.params[name]
        checked = 0
        while checked < 3:
            idx = tuple(int(rng.integers(n)) for n in value.shape)

            def f(v, idx=idx, name=name, value=value):
                vals = graph.initial_values()
                w = value.copy()
                w[idx] = v
                vals[graph.index[name]] = w
                graph.forward(vals)
                return float(vals[graph.loss])
            # A conv weight moves 43 264 pre-activations: one may sit on a relu or max-pool
            # kink within the step.  Two step sizes that disagree betray it; pick another.
            a = central_diff(f, value[idx], eps=1e-6)
            b = central_diff(f, value[idx], eps=3e-7)
            if not np.isclose(a, b, rtol=1e-6, atol=1e-10):
                kinked += 1
                continue
            assert_close_rel(trace.grad(name)[idx], a, rtol=1e-6, atol=1e-10)
            checked += 1
    assert kinked <= 6
    c = explain.element_chain(net, trace, "conv1.weight", (3, 0, 1, 2))
    assert c.count == 64 * 26 * 26 and c.agrees
    assert explain.element_chain(net, trace, "input", (5, 0, 10, 10)).agrees


# ------------------------------------------------------------------ a naive reference

def naive_conv(x, w, b, stride=1, padding=0):
    c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.zeros((c, h + 2 * padding, wd + 2 * padding))
    xp[:, padding:padding + h, padding:padding + wd] = x
    oh, ow = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((f, oh, ow))
    for k in range(f):
        for i in range(oh):
            for j in range(ow):
                total = b[k]
                for ch in range(c):
                    for p in range(kh):
                        for q in range(kw):
                            total += w[k, ch, p, q] * xp[ch, i * stride + p, j * stride + q]
                out[k, i, j] = total
    return out


def naive_maxpool(x, size, stride):
    c, h, w = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((c, oh, ow))
    for ch in range(c):
        for i in range(oh):
            for j in range(ow):
                out[ch, i, j] = max(x[ch, i * stride + p, j * stride + q]
                                    for p in range(size) for q in range(size))
    return out


def test_mixed_small_forward_matches_a_naive_reference():
    net = load("mixed-small.yaml")
    trace = net.build().run()
    x = net.input[0]
    conv = naive_conv(x, net.params["conv1.weight"], net.params["conv1.bias"])
    assert conv[0, 0, 0] == pytest.approx(1 * 1 + 0 * -1 + 0 * 0.5 + 1.5 * 0 + 0.1)  # by hand
    np.testing.assert_allclose(trace.value("conv1")[0], conv, rtol=1e-15)
    pool = naive_maxpool(np.maximum(conv, 0), 2, 1)
    np.testing.assert_allclose(trace.value("pool1")[0], pool, rtol=1e-15)
    z = net.params["fc1.weight"] @ pool.ravel() + net.params["fc1.bias"]
    a = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(trace.value("softmax1")[0], a, rtol=1e-14)
    assert trace.loss == pytest.approx(-np.log(a[0]), rel=1e-14)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (1, 2)])
def test_conv_stride_and_padding_match_the_naive_reference(stride, padding):
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 5, 6)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    text = (f"input: {x.tolist()}\nlayers:\n  - {{type: conv2d, weight: {w.tolist()}, "
            f"bias: {b.tolist()}, stride: {stride}, padding: {padding}}}\n  - {{type: flatten}}\n"
            f"loss: {{type: half_sse, target: 0}}\n")
    net = nets.loads(text.replace("target: 0", "target: " + str(
        np.zeros(naive_conv(x, w, b, stride, padding).size).tolist())))
    trace = net.build().run()
    np.testing.assert_allclose(trace.value("conv1")[0], naive_conv(x, w, b, stride, padding),
                               rtol=1e-13)


def test_mazur_published_values_as_a_layer_net():
    # The numbers Matt Mazur published for his 2-2-2 example (see tests/test_seed.py),
    # reached by the layer ops (dense, sigmoid, half_sse) instead of equations.
    net = nets.load(str(CONFIGS / "mazur-layers.yaml"))
    trace = net.build().run()
    assert trace.loss == pytest.approx(0.298371109, abs=5e-10)
    np.testing.assert_allclose(trace.value("sigmoid1")[0], [0.593269992, 0.596884378], atol=5e-10)
    np.testing.assert_allclose(trace.value("sigmoid2")[0], [0.75136507, 0.772928465], atol=5e-9)
    assert trace.grad("fc2.weight")[0, 0] == pytest.approx(0.082167041, abs=5e-10)  # w5
    assert trace.grad("fc1.weight")[0, 0] == pytest.approx(0.000438568, abs=5e-10)  # w1
    one = train(net, eta=0.5, steps=1).params
    np.testing.assert_allclose(one["fc1.weight"], [[0.149780716, 0.19956143],
                                                   [0.24975114, 0.29950229]], atol=5e-9)
    np.testing.assert_allclose(one["fc2.weight"], [[0.35891648, 0.408666186],
                                                   [0.511301270, 0.561370121]], atol=5e-9)


def test_seed_softmax_example_through_the_softmax_head():
    """Seed note §7: outputs softmax([1,2,3]), target class 1 → ∂E/∂z = a − y
    = [0.0900, −0.7553, 0.6652] (the note's 0.0903 is a rounding slip)."""
    net = load("softmax-head.yaml")
    trace = net.build().run()
    np.testing.assert_allclose(trace.value("fc1")[0], [1.0, 2.0, 3.0])
    np.testing.assert_allclose(trace.grad("fc1")[0], [0.0900, -0.7553, 0.6652], atol=5e-5)
    a = trace.value("softmax1")[0]
    np.testing.assert_allclose(trace.grad("fc1")[0], a - [0, 1, 0], rtol=1e-12)


def test_cross_entropy_from_logits_equals_softmax_then_cross_entropy():
    head = load("softmax-head.yaml")
    fused = nets.loads((CONFIGS / "softmax-head.yaml").read_text()
                          .replace("  - {type: softmax}\n", ""))
    assert fused.fused and not head.fused
    a, b = head.build().run(), fused.build().run()
    assert a.loss == pytest.approx(b.loss, rel=1e-14)
    np.testing.assert_allclose(a.grad("fc1.weight"), b.grad("fc1.weight"), rtol=1e-12)


BATCH = """
input: {data}
layers:
  - {{type: conv2d, name: conv1, filters: 2, kernel: 2, init: {{uniform: [-1, 1], seed: 4}}}}
  - {{type: tanh}}             # smooth: no kink for the differences to straddle
  - {{type: meanpool, size: 2}}
  - {{type: flatten}}
  - {{type: dense, name: fc1, units: 3, init: {{normal: [0, 0.5], seed: 5}}}}
  - {{type: softmax}}
loss: {{type: cross_entropy, target: {target}}}
"""


def test_a_batch_loss_is_the_mean_over_samples():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(3, 1, 5, 5))
    targets = [2, 0, 1]
    batch = nets.loads(BATCH.format(data=x.tolist(), target=targets))
    assert batch.batched and batch.input.shape == (3, 1, 5, 5)
    tb = batch.build().run()
    singles = [nets.loads(BATCH.format(data=x[n].tolist(), target=t)).build().run()
               for n, t in enumerate(targets)]
    assert tb.loss == pytest.approx(np.mean([s.loss for s in singles]), rel=1e-13)
    np.testing.assert_allclose(tb.grad("fc1.weight"),
                               np.mean([s.grad("fc1.weight") for s in singles], axis=0), rtol=1e-12)
    for name, kind, value in batch.leaves():
        if kind != "target":
            assert_close_rel(tb.grad(name), central_diff(_loss_with(batch, name), value))


def test_relu_grad_at_zero_setting():
    # conv output exactly 0 at one position: ReLU'(0) = 1 (the note) passes the gradient, 0 stops it
    text = ("input: [[1, 0], [0, 0]]\nlayers:\n  - {type: conv2d, weight: [[[[1]]]], bias: [0]}\n"
            "  - {type: relu, grad_at_zero: G}\n  - {type: flatten}\n"
            "loss: {type: half_sse, target: [1, 1, 1, 1]}\n")
    note = nets.loads(text.replace("G", "1")).build().run()
    frameworks = nets.loads(text.replace("G", "0")).build().run()
    assert note.grad("input")[0, 0, 0, 1] == -1.0
    assert frameworks.grad("input")[0, 0, 0, 1] == 0.0


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


def test_default_names_and_pytorch_layouts():
    net = load("conv-pool.yaml")
    assert [l.name for l in net.layers] == ["conv1", "relu1", "pool1", "flatten1", "fc1", "softmax1"]
    assert net.params["conv1.weight"].shape == (2, 1, 3, 3)  # filters × channels × kh × kw
    assert net.params["fc1.weight"].shape == (3, 8)  # units × inputs


def test_generated_values_are_reproducible():
    a, b = load("conv-pool.yaml"), load("conv-pool.yaml")
    np.testing.assert_array_equal(a.input, b.input)
    np.testing.assert_array_equal(a.params["fc1.weight"], b.params["fc1.weight"])
    bound = 1 / np.sqrt(8)  # PyTorch's default bound for fc1: 1/√fan_in
    assert np.all(np.abs(a.params["fc1.weight"]) <= bound)


@pytest.mark.parametrize("config", LAYER_CONFIGS)
def test_save_round_trips_a_layer_net(tmp_path, config):
    net = load(config)
    trained = net.with_params({k: v * 1.5 + 0.1 for k, v in net.params.items()})
    back = nets.loads(trained.to_yaml())
    for k, v in trained.params.items():
        assert back.params[k].tobytes() == v.tobytes()
    np.testing.assert_array_equal(back.input, net.input)
    np.testing.assert_array_equal(back.target, net.target)
    assert [l.name for l in back.layers] == [l.name for l in net.layers]


# ------------------------------------------------------------------ the CLI

def run(*args, code=0):
    r = CliRunner().invoke(main, list(args), env={"COLUMNS": "100"})
    assert r.exit_code == code, r.output + r.stderr
    return r


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


def test_train_a_layer_net_and_save(tmp_path):
    out = tmp_path / "trained.yaml"
    doc = json.loads(run("train", str(CONFIGS / "mixed-small.yaml"), "--steps", "20", "--eta", "0.1",
                         "--save", str(out), "--format", "json").stdout)
    losses = [h["loss"] for h in doc["history"]]
    assert losses[-1] < losses[0]
    saved = nets.load(str(out))
    assert saved.params["fc1.weight"].tolist() == doc["params"]["fc1.weight"]
    assert float(saved.build().run().loss) == doc["final_loss"]
    table = run("train", str(CONFIGS / "mixed-small.yaml"), "--steps", "5").stdout
    assert "conv1.weight" in table and "‖" in table


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
