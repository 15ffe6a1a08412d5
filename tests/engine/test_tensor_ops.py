"""Every tensor op's backward against central finite differences (float64), over a grid
of shapes: channels, stride, padding, batch, odd sizes.  Inputs are kept away from
kinks: relu's 0, and max-pool near-ties (values at least 0.05 apart)."""
import zlib

import numpy as np
import pytest

from bpcli.engine import OPS, softmax_jacobian

from conftest import assert_close_rel, central_diff


def _spread(rng, shape):
    """Distinct values at least 0.05 apart, in random order: no near-ties for max-pool."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.05 - n * 0.025).reshape(shape)


def _away_from_zero(rng, shape):
    x = rng.uniform(-2, 2, size=shape)
    return np.where(np.abs(x) < 0.05, 0.5, x)


def _probabilities(rng, shape):
    # no probability below ~1/(2K): log p's high derivatives stay small for the stencil
    p = rng.uniform(1.0, 2.0, size=shape)
    return p / p.sum(axis=-1, keepdims=True)


def _one_hot(rng, shape):
    return np.eye(shape[-1])[rng.integers(0, shape[-1], size=shape[0])]


# op -> list of ([(maker, shape) per input], attrs).  A loss's second input is its target,
# a constant: TARGET_INPUT below skips its gradient.
CONV = [  # (N, C, H, W), (F, kh, kw), stride, padding
    ((1, 1, 5, 5), (2, 3, 3), 1, 0),
    ((2, 3, 6, 5), (4, 3, 2), 1, 1),
    ((2, 2, 7, 7), (3, 3, 3), 2, 0),
    ((3, 1, 6, 6), (2, 2, 2), 2, 1),
    ((1, 2, 4, 5), (1, 1, 1), 1, 0),
    ((2, 1, 5, 6), (2, 3, 2), (2, 1), (1, 0)),
]
POOL = [  # (N, C, H, W), size, stride
    ((1, 1, 4, 4), 2, None),
    ((2, 3, 6, 6), 3, None),
    ((2, 2, 5, 5), 3, 1),      # overlapping windows: a pixel in several
    ((1, 2, 6, 4), 2, 2),
    ((3, 1, 7, 7), 3, 2),
]
CASES = {
    "conv2d": [([(_away_from_zero, (n, c, h, w)), (_away_from_zero, (f, c, kh, kw)),
                 (_away_from_zero, (f,))], {"stride": s, "padding": p})
               for (n, c, h, w), (f, kh, kw), s, p in CONV],
    "maxpool": [([(_spread, shape)], {"size": k, "stride": s}) for shape, k, s in POOL],
    "meanpool": [([(_away_from_zero, shape)], {"size": k, "stride": s}) for shape, k, s in POOL],
    "dense": [([(_away_from_zero, (n, d)), (_away_from_zero, (u, d)), (_away_from_zero, (u,))], {})
              for n, d, u in [(1, 3, 2), (4, 5, 3), (2, 1, 1)]],
    "flatten": [([(_away_from_zero, s)], {}) for s in [(1, 2, 3, 3), (3, 2, 2, 1)]],
    "relu0": [([(_away_from_zero, s)], {}) for s in [(2, 5), (2, 3, 4, 4)]],
    "softmax": [([(_away_from_zero, s)], {}) for s in [(1, 3), (4, 5), (2, 1)]],
    "cross_entropy": [([(_probabilities, s), (_one_hot, s)], {}) for s in [(1, 3), (4, 5)]]
                     + [([(_probabilities, (3, 4)), (_probabilities, (3, 4))], {})],
    "logits_cross_entropy": [([(_away_from_zero, s), (_one_hot, s)], {}) for s in [(1, 3), (4, 5)]]
                            + [([(_away_from_zero, (3, 4)), (_probabilities, (3, 4))], {})],
    "half_sse": [([(_away_from_zero, s), (_away_from_zero, s)], {}) for s in [(1, 3), (4, 2)]],
    "mse": [([(_away_from_zero, s), (_away_from_zero, s)], {}) for s in [(1, 3), (4, 2)]],
}
TARGET_INPUT = {"cross_entropy", "logits_cross_entropy", "half_sse", "mse"}  # input 1: a constant


def _cases():
    for op, cases in CASES.items():
        for k, case in enumerate(cases):
            yield pytest.param(op, case, f"{op}-{k}", id=f"{op}-{k}")


@pytest.mark.parametrize("op, case, name", list(_cases()))
def test_backward_matches_central_differences(op, case, name):
    makers, attrs = case
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # the same inputs every run
    xs = [make(rng, shape) for make, shape in makers]
    forward = lambda *a: OPS[op].forward(*a, **attrs)  # noqa: E731
    out, cache = forward(*xs)
    dout = rng.uniform(0.5, 1.5, size=np.shape(out))
    grads = OPS[op].backward(dout, cache)
    assert len(grads) == len(xs)
    for k, g in enumerate(grads):
        assert np.shape(g) == np.shape(xs[k])
        if op in TARGET_INPUT and k == 1:
            continue

        def f(xk, k=k):
            args = list(xs)
            args[k] = xk
            return float(np.sum(dout * forward(*args)[0]))
        assert_close_rel(g, central_diff(f, xs[k]))


def test_conv2d_is_cross_correlation_with_pytorch_layout():
    # By hand: a 1×1×3×3 input, one 2×2 filter, no flip of the kernel.
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    out, _ = OPS["conv2d"].forward(x, w, np.array([0.5]))
    # top-left: 0·1 + 1·2 + 3·3 + 4·4 + 0.5
    np.testing.assert_array_equal(out[0, 0], [[27.5, 37.5], [57.5, 67.5]])


def test_conv2d_input_gets_gradient_only_from_the_outputs_it_fed():
    x = np.zeros((1, 1, 4, 4))
    w = np.ones((1, 1, 2, 2))
    _, cache = OPS["conv2d"].forward(x, w, np.zeros(1), stride=2)
    dout = np.array([[[[1.0, 10.0], [100.0, 1000.0]]]])
    dx, _, _ = OPS["conv2d"].backward(dout, cache)
    # stride 2, 2×2 kernel: each input pixel feeds exactly one output, through weight 1
    np.testing.assert_array_equal(dx[0, 0], np.kron(dout[0, 0], np.ones((2, 2))))


def test_maxpool_routes_the_whole_gradient_to_the_winner():
    x = np.array([[[[1.0, 3.0], [2.0, 0.0]]]])
    out, cache = OPS["maxpool"].forward(x, size=2)
    (dx,) = OPS["maxpool"].backward(np.array([[[[5.0]]]]), cache)
    assert out[0, 0, 0, 0] == 3.0
    np.testing.assert_array_equal(dx[0, 0], [[0.0, 5.0], [0.0, 0.0]])


def test_maxpool_ties_go_to_the_first_in_row_major_order():
    x = np.array([[[[1.0, 4.0], [4.0, 4.0]]]])
    _, cache = OPS["maxpool"].forward(x, size=2)
    (dx,) = OPS["maxpool"].backward(np.ones((1, 1, 1, 1)), cache)
    np.testing.assert_array_equal(dx[0, 0], [[0.0, 1.0], [0.0, 0.0]])


@pytest.mark.parametrize("diverged", [False, True])
@pytest.mark.parametrize("size, stride", [(2, None), (3, None), (2, 1), (3, 2), ((2, 3), (1, 2)),
                                          ((1, 2), (2, 1)), ((3, 1), (1, 3))])
def test_maxpool_winners_match_argmax_over_windows_full_of_ties(size, stride, diverged):
    # Values from {0, 1, 2}: most windows hold ties, at every offset, offset 0 included;
    # with a few NaNs and infinities as after a diverged run.  The reference is np.argmax
    # over each window laid out in row-major order (the first NaN, if any, wins).
    x = np.random.default_rng(7).integers(0, 3, size=(3, 2, 7, 8)).astype(float)
    if diverged:
        x[0, 0, 1:3, 1:4] = [[np.nan, 2.0, np.nan], [np.inf, np.nan, -np.inf]]
    out, (_, arg, k, s) = OPS["maxpool"].forward(x, size=size, stride=stride)
    win = np.lib.stride_tricks.sliding_window_view(x, k, axis=(2, 3))[:, :, ::s[0], ::s[1]]
    flat = win.reshape(*win.shape[:4], -1)
    np.testing.assert_array_equal(arg, flat.argmax(axis=-1))
    np.testing.assert_array_equal(out, flat.max(axis=-1))


def test_meanpool_gives_each_pixel_one_nth_and_keeps_the_total():
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    _, cache = OPS["meanpool"].forward(x, size=3)
    dout = np.array([[[[9.0, 18.0], [27.0, 36.0]]]])
    (dx,) = OPS["meanpool"].backward(dout, cache)
    # a 3×3 window has n = 9 pixels, each gets 1/9 (the note's "1/n", n = k·k)
    np.testing.assert_array_equal(dx[0, 0, :3, :3], np.full((3, 3), 1.0))
    np.testing.assert_array_equal(dx[0, 0, 3:, 3:], np.full((3, 3), 4.0))
    assert dx.sum() == dout.sum()


def test_seed_softmax_example():
    """The seed note, §7: logits [1, 2, 3], target class 1 (0-based) → a − y.

    The note prints softmax as [0.0903, 0.2447, 0.665]; the true value is
    [0.0900, 0.2447, 0.6652] (../shared/seed/README.md: a rounding slip)."""
    z = np.array([[1.0, 2.0, 3.0]])
    y = np.array([[0.0, 1.0, 0.0]])
    a, cache = OPS["softmax"].forward(z)
    np.testing.assert_allclose(a[0], [0.0900, 0.2447, 0.6652], atol=5e-5)
    e, ce_cache = OPS["cross_entropy"].forward(a, y)
    (dz,) = OPS["softmax"].backward(OPS["cross_entropy"].backward(1.0, ce_cache)[0], cache)
    np.testing.assert_allclose(dz[0], [0.0900, -0.7553, 0.6652], atol=5e-5)
    np.testing.assert_allclose(dz, a - y, rtol=1e-12)
    # the fused form from logits gives the same gradient
    dz_fused = OPS["logits_cross_entropy"].backward(1.0, OPS["logits_cross_entropy"].forward(z, y)[1])[0]
    np.testing.assert_allclose(dz_fused, a - y, rtol=1e-12)


def test_softmax_jacobian_entries():
    a = np.array([0.2, 0.3, 0.5])
    j = softmax_jacobian(a)
    assert j[1, 1] == pytest.approx(0.3 * (1 - 0.3))  # a_j(1 − a_j)
    assert j[0, 2] == pytest.approx(-0.2 * 0.5)  # −a_j a_i
    np.testing.assert_allclose(j.sum(axis=0), 0.0, atol=1e-15)  # Σ_j a_j = 1 is constant


def test_conv2d_gathers_its_windows_or_adds_each_offsets_product_alike(monkeypatch):
    """Past IM2COL_MAX cells conv adds one product per kernel offset instead of gathering
    the windows: the same numbers, summed in another order."""
    from bpcli.engine.ops import linear

    rng = np.random.default_rng(5)
    x, w, b = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    gathered, _ = OPS["conv2d"].forward(x, w, b, stride=(2, 1), padding=1)
    monkeypatch.setattr(linear, "IM2COL_MAX", 0)
    added, _ = OPS["conv2d"].forward(x, w, b, stride=(2, 1), padding=1)
    np.testing.assert_allclose(added, gathered, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("size, stride", [(2, None), (3, 2), ((2, 3), (1, 2)), (2, 3)])
def test_maxpool_backward_is_the_winners_scatter_bit_for_bit(size, stride):
    # The reference adds each window's gradient onto its winner, from +0.0, with np.add.at
    # (−0.0 becomes +0.0, as an addition onto zeros does); a non-finite δ reaches its
    # winner only, never the other cells of its window.
    rng = np.random.default_rng(3)
    x = rng.integers(0, 3, size=(2, 3, 7, 8)).astype(float)
    out, cache = OPS["maxpool"].forward(x, size=size, stride=stride)
    dout = rng.normal(size=out.shape)
    dout[0, 0, 0, :3] = [np.inf, -0.0, np.nan]
    (dx,) = OPS["maxpool"].backward(dout, cache)
    _, arg, (kh, kw), (sh, sw) = cache
    n, c, a, b = np.indices(out.shape)
    ref = np.zeros(x.shape)
    np.add.at(ref, (n, c, a * sh + arg // kw, b * sw + arg % kw), dout)
    assert dx.tobytes() == ref.tobytes()


@pytest.mark.parametrize("padding", [0, 1, (2, 1)])
def test_conv2d_stride_one_col2im_by_rows_matches_the_per_offset_sums(padding, monkeypatch):
    """A stride-1 conv adds Wᵀ·δ back one contiguous run per kernel offset (δ widened by
    zero columns); the per-offset path (past IM2COL_MAX) adds each offset's own product."""
    from bpcli.engine.ops import linear

    rng = np.random.default_rng(6)
    x, w, b = rng.normal(size=(3, 2, 7, 9)), rng.normal(size=(4, 2, 3, 2)), rng.normal(size=4)
    out, cache = OPS["conv2d"].forward(x, w, b, stride=1, padding=padding)
    dout = rng.normal(size=out.shape)
    rows = OPS["conv2d"].backward(dout, cache)
    monkeypatch.setattr(linear, "IM2COL_MAX", 0)
    _, cache = OPS["conv2d"].forward(x, w, b, stride=1, padding=padding)
    for got, want in zip(rows, OPS["conv2d"].backward(dout, cache)):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
