"""conv2d's whole-tensor rules (issue 10, part 2): ∂E/∂W = X̂ ⋆ δ̂ and ∂E/∂X = full(δ̂, rot180 W)
cut back by the padding, computed grid against grid — against central differences of a
scalar loss in float64, and against the op's own backward, over strides 1–3, padding 0–2,
several channels and non-square kernels."""
import itertools

import numpy as np
import pytest

from bpcli.engine import OPS
from bpcli.engine.ops.linear import conv2d_backward, conv2d_forward
from bpcli.engine.ops.tensor_rules import dilate

CASES = list(itertools.product((1, 2, 3), (0, 1, 2), ((3, 3), (2, 3), (3, 1))))


def loss_and_rules(x, w, b, s, p, r):
    """E = Σ r·conv(x): δ = r, so the rules' results are ∂E/∂W and ∂E/∂X."""
    out, _ = conv2d_forward(x, w, b, s, p)
    return float((out * r).sum()), OPS["conv2d"].rules([x, w, b], r, {"stride": (s, s),
                                                                   "padding": (p, p)})


@pytest.mark.parametrize("s, p, k", CASES)
def test_the_rules_are_the_gradient_by_central_differences(s, p, k):
    rng = np.random.default_rng(hash((s, p, k)) % 2**32)
    x, w, b = rng.normal(size=(2, 2, 7, 6)), rng.normal(size=(3, 2, *k)), rng.normal(size=3)
    out, cache = conv2d_forward(x, w, b, s, p)
    r = rng.normal(size=out.shape)
    _, rules = loss_and_rules(x, w, b, s, p, r)
    eps = 1e-6
    for arr, key in ((w, "weight"), (x, "input")):
        for idx in [tuple(rng.integers(n) for n in arr.shape) for _ in range(6)]:
            plus, minus = arr.copy(), arr.copy()
            plus[idx] += eps
            minus[idx] -= eps
            args = {"weight": lambda a: (x, a, b), "input": lambda a: (a, w, b)}[key]
            numeric = (loss_and_rules(*args(plus), s, p, r)[0]
                       - loss_and_rules(*args(minus), s, p, r)[0]) / (2 * eps)
            assert rules[key][idx] == pytest.approx(numeric, rel=1e-6, abs=1e-8), (key, idx)
    dx, dw, _ = conv2d_backward(r, cache)  # and the op's own backward, every element
    assert np.allclose(rules["weight"], dw, rtol=1e-12, atol=1e-12)
    assert np.allclose(rules["input"], dx, rtol=1e-12, atol=1e-12)


def test_dilation_puts_stride_minus_one_zeros_between_entries():
    d = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)
    dd = dilate(d, (2, 3))
    assert dd.shape == (1, 1, 3, 7)
    assert dd[0, 0].tolist() == [[1, 0, 0, 2, 0, 0, 3], [0] * 7, [4, 0, 0, 5, 0, 0, 6]]


def test_the_kernel_turned_180_degrees():
    w = np.arange(6.0).reshape(1, 1, 2, 3)
    rules = OPS["conv2d"].rules([np.zeros((1, 1, 3, 3)), w, np.zeros(1)], np.zeros((1, 1, 2, 1)), {})
    assert rules["kernel_turned"][0, 0].tolist() == [[5, 4, 3], [2, 1, 0]]
