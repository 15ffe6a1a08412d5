"""Layer networks: values against a naive reference written here with loops, gradients
against central finite differences, published numbers, batches, layouts, saving."""
import numpy as np
import pytest

from bpcli import nets
from bpcli.analysis.train import train

from conftest import (CONFIGS, LAYER_CONFIGS, SMALL_CONFIGS, assert_close_rel, central_diff,
                      load, loss_as_function_of as _loss_with)


@pytest.mark.parametrize("config", SMALL_CONFIGS)
def test_every_param_and_input_gradient_matches_central_differences(config):
    net = load(config)
    trace = net.build().run()
    for name, kind, value in net.leaves():
        if kind == "target":
            continue
        assert_close_rel(trace.grad(name), central_diff(_loss_with(net, name), value))


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
