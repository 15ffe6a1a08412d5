"""Every op's backward against central finite differences (float64), and against its
own symbolic local derivative.  The grid covers every registered op: an op added
without a domain here fails ``test_every_op_is_checked``."""
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcli.engine import OPS, evaluate
from bpcli.symbolic import Name

from conftest import assert_close_rel, central_diff

# Input domains kept away from kinks and undefined points: relu and step at 0,
# log and sqrt at 0, a^b for a <= 0.
DOMAINS = {
    "add": [(-3, 3), (-3, 3)],
    "sub": [(-3, 3), (-3, 3)],
    "mul": [(-3, 3), (-3, 3)],
    "div": [(-3, 3), (0.5, 3)],
    "pow": [(0.5, 2.5), (-2, 3)],
    "powc": [(0.5, 2.5), (-2, 3)],
    "neg": [(-3, 3)],
    "id": [(-3, 3)],
    "sigmoid": [(-8, 8)],
    "tanh": [(-3, 3)],
    "relu": [(-3, 3)],
    "leaky_relu": [(-3, 3)],
    "step": [(-3, 3)],
    "exp": [(-3, 3)],
    "log": [(0.2, 5)],
    "sqrt": [(0.2, 5)],
    "sum": [(-3, 3)],
    "mean": [(-3, 3)],
}
# Ops whose input(s) the graph never differentiates (constant exponent): FD does not apply.
CONSTANT_INPUTS = {"powc": {1}}
KINKED = {"relu", "leaky_relu", "step"}


def test_every_op_is_checked():
    from test_tensor_ops import CASES  # the tensor ops' grid

    assert set(OPS) == set(DOMAINS) | set(CASES)


def _sample(rng, op, shape):
    xs = []
    for lo, hi in DOMAINS[op]:
        x = rng.uniform(lo, hi, size=shape)
        if op in KINKED:  # at least 1e-2 away from the kink at 0
            x = np.where(np.abs(x) < 1e-2, 0.5, x)
        xs.append(x)
    return xs


def _loss_through(op, xs, weights, k):
    """A scalar function of input k: Σ weights · op(inputs); its gradient is backward(weights)."""
    def f(xk):
        args = list(xs)
        args[k] = xk
        return float(np.sum(weights * OPS[op].forward(*args)[0]))
    return f


@pytest.mark.parametrize("op", sorted(DOMAINS))
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_backward_matches_central_differences(op, shape):
    rng = np.random.default_rng(zlib.crc32(f"{op}{shape}".encode()))  # same every run
    xs = _sample(rng, op, shape)
    out, cache = OPS[op].forward(*xs)
    weights = rng.uniform(0.5, 1.5, size=np.shape(out))  # a random dout
    grads = OPS[op].backward(weights, cache)
    assert len(grads) == len(xs)
    for k, g in enumerate(grads):
        if k in CONSTANT_INPUTS.get(op, ()):
            assert np.all(np.asarray(g) == 0)
            continue
        numeric = central_diff(_loss_through(op, xs, weights, k), xs[k])
        assert np.shape(g) == np.shape(xs[k])
        assert_close_rel(g, numeric)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow"])
def test_broadcast_gradient_sums_back_to_each_input_shape(op):
    rng = np.random.default_rng(7)
    (lo_a, hi_a), (lo_b, hi_b) = DOMAINS[op]
    a = rng.uniform(lo_a, hi_a, size=(2, 3))
    b = np.float64(rng.uniform(lo_b, hi_b))  # a scalar broadcast against a matrix
    out, cache = OPS[op].forward(a, b)
    weights = rng.uniform(0.5, 1.5, size=out.shape)
    da, db = OPS[op].backward(weights, cache)
    assert np.shape(db) == ()
    assert_close_rel(da, central_diff(_loss_through(op, [a, b], weights, 0), a))
    assert_close_rel(db, central_diff(_loss_through(op, [a, b], weights, 1), b))


@pytest.mark.parametrize("op", sorted(DOMAINS))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_symbolic_local_equals_backward(op, data):
    """The printed factor (ops' local rule, evaluated) equals backward with dout = 1."""
    xs = [np.float64(data.draw(st.floats(lo, hi))) for lo, hi in DOMAINS[op]]
    if op in KINKED:
        xs = [x if abs(x) > 1e-9 else np.float64(0.5) for x in xs]
    out, cache = OPS[op].forward(*xs)
    grads = OPS[op].backward(np.float64(1.0), cache)
    env = {f"a{k}": x for k, x in enumerate(xs)}
    env["out"] = out
    locals_ = OPS[op].local(Name("out"), *(Name(f"a{k}") for k in range(len(xs))))
    for k, (local, g) in enumerate(zip(locals_, grads)):
        value = local if isinstance(local, (int, float)) else evaluate(local, env)
        np.testing.assert_allclose(float(value), float(g), rtol=1e-12, atol=1e-15,
                                   err_msg=f"{op} input {k}: {local}")


def test_power_gradients_at_zero_base():
    # w^0 is the constant 1: its gradient is 0, not 0·0⁻¹ = nan.
    for op in ("pow", "powc"):
        out, cache = OPS[op].forward(np.float64(0.0), np.float64(0.0))
        assert OPS[op].backward(np.float64(1.0), cache)[0] == 0.0
    # 0^b for b > 0 is constantly 0 in b: ∂/∂b = 0, not 0·ln 0 = nan.
    with np.errstate(all="ignore"):
        out, cache = OPS["pow"].forward(np.array([0.0, 2.0]), np.array([1.5, 1.5]))
        da, db = OPS["pow"].backward(np.ones(2), cache)
    np.testing.assert_allclose(db, [0.0, 2.0 ** 1.5 * np.log(2.0)])
    np.testing.assert_allclose(da, [0.0, 1.5 * 2.0 ** 0.5])


def test_relu_follows_the_seed_note_at_zero():
    # The seed note sets ReLU'(0) = 1 (section 5).
    _, cache = OPS["relu"].forward(np.array([-1.0, 0.0, 2.0]))
    (dx,) = OPS["relu"].backward(np.ones(3), cache)
    np.testing.assert_array_equal(dx, [0.0, 1.0, 1.0])


def test_sigmoid_is_stable_in_both_tails():
    x = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    out, _ = OPS["sigmoid"].forward(x)
    assert np.all(np.isfinite(out))
    # e^-40/(1+e^-40) to full relative precision: no cancellation in the left tail.
    assert_close_rel(out[1], np.exp(-40.0) / (1 + np.exp(-40.0)), rtol=1e-15, atol=0)
    np.testing.assert_array_equal(out[[0, 2, 4]], [0.0, 0.5, 1.0])


def test_which_backward_takes_need_is_read_as_inspect_reads_it():
    """register() reads ``need`` off a backward's code object (inspect.signature cost a tenth
    of start-up): the same answer for every op, and for the odd forms of a function."""
    import functools
    import inspect

    from bpcli.engine import OPS
    from bpcli.engine.registry import register

    def plain(dout, cache, need=None): ...
    def keyword(dout, cache, *, need=None): ...
    def stars(dout, cache, *need, **rest): ...
    def more(dout, cache, **need): ...
    def without(dout, cache): ...
    def inner(dout, cache, need=None): ...
    wrapped = functools.wraps(inner)(lambda *a, **k: inner(*a, **k))
    for f in [plain, keyword, stars, more, without, wrapped, functools.partial(plain, 1),
              *(op.backward for op in OPS.values())]:
        op = register("test-need", None, f, None, 1)
        assert op.partial_backward == ("need" in inspect.signature(f).parameters), f
    OPS.pop("test-need")
    assert sum(op.partial_backward for op in OPS.values()) >= 3
