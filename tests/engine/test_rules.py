"""What each op registers besides forward and backward: its element rule (which units one
element feeds, through what factor), its kinks, its layer type, its constant variant.

The element rules are held against each op's own backward on the tensor-op grid: for
an element x[i], Σ over the units u it feeds of factor(u) · dout[u] must be dx[i]."""
import dataclasses
import zlib

import numpy as np
import pytest

from bpcli import UsageError, nets
from bpcli.analysis import explain
from bpcli.engine import LAYER_TYPES, OPS, Site

from conftest import LAYER_CONFIGS, load
from test_ops import DOMAINS, _sample
from test_tensor_ops import CASES, TARGET_INPUT


def _grid_cases():
    """Every op with an element rule, on the grids of the op tests: the tensor ops' cases,
    and each elementwise op on a 2×3 array of its domain."""
    for op, cases in CASES.items():
        for k, (makers, attrs) in enumerate(cases):
            name = f"{op}-{k}"
            rng = np.random.default_rng(zlib.crc32(name.encode()))  # the same inputs every run
            yield pytest.param(op, [make(rng, shape) for make, shape in makers], attrs, id=name)
    for op in sorted(DOMAINS):
        if OPS[op].feeds is not None:
            rng = np.random.default_rng(zlib.crc32(op.encode()))
            yield pytest.param(op, _sample(rng, op, (2, 3)), {}, id=op)


@pytest.mark.parametrize("op, xs, attrs", list(_grid_cases()))
def test_every_element_rule_sums_to_the_ops_backward(op, xs, attrs):
    rng = np.random.default_rng(0)
    out, cache = OPS[op].forward(*xs, **attrs)
    dout = rng.uniform(0.5, 1.5, size=np.shape(out))
    grads = OPS[op].backward(dout, cache)
    site = Site(xs, out, attrs, lambda k, idx: f"x{k}{list(idx)}")
    for k, x in enumerate(xs):
        if op in TARGET_INPUT and k == 1:
            continue  # a loss's target is a constant: no rule for it
        for index in list(np.ndindex(x.shape))[::max(1, x.size // 25)]:  # ≤ ~25 elements each
            rows = OPS[op].feeds(k, index, site)
            total = sum(factor * (dout[unit] if np.ndim(dout) else dout)
                        for unit, factor, _ in rows)
            np.testing.assert_allclose(total, grads[k][index], rtol=1e-12, atol=1e-14,
                                       err_msg=f"{op} input {k} element {index}")


def test_every_op_of_a_layer_net_has_an_element_rule():
    for config in LAYER_CONFIGS:
        graph = load(config).build()
        for node in graph.nodes:
            if node.op is not None:
                assert OPS[node.op].feeds is not None, (config, node.op)


def test_an_op_without_an_element_rule_is_a_clear_message(monkeypatch):
    net = nets.loads("input: [[1, 2], [3, 4]]\nlayers:\n  - {type: conv2d, filters: 1, kernel: 1}\n"
                     "  - {type: tanh}\n  - {type: flatten}\nloss: {type: mse, target: [0, 0, 0, 0]}\n")
    trace = net.build().run()
    monkeypatch.setitem(OPS, "tanh", dataclasses.replace(OPS["tanh"], feeds=None))
    with pytest.raises(UsageError) as e:
        explain.element_chain(net, trace, "conv1", (0, 1, 1))
    assert str(e.value) == ("wrt='conv1[0,1,1]': tanh1 is computed by 'tanh', which has no element "
                            "rule: its ∂E cannot be broken down unit by unit")


def test_piecewise_ops_register_their_kinks():
    x = np.array([-1.0, 0.0, 2.0])
    for op in ("relu", "relu0"):
        _, above = OPS[op].forward(x + 1e-9)  # the 0 stepped to either side of the kink
        _, below = OPS[op].forward(x - 1e-9)
        assert OPS[op].kinks(above) != OPS[op].kinks(below), op
    _, tie = OPS["maxpool"].forward(np.array([[[[1.0, 1.0]]]]), size=(1, 2))
    _, broken = OPS["maxpool"].forward(np.array([[[[1.0, 1.0 + 1e-9]]]]), size=(1, 2))
    assert OPS["maxpool"].kinks(tie) != OPS["maxpool"].kinks(broken)
    smooth = [name for name, op in OPS.items() if op.kinks is not None]
    assert "sigmoid" not in smooth and "tanh" not in smooth


def test_a_number_exponent_lowers_to_the_constant_variant():
    ops = [n.op for n in nets.loads("params: {w: 2, v: 3}\nloss: w^2 + w^v\n").build().nodes]
    assert ops.count("powc") == 1 and ops.count("pow") == 1


def test_every_layer_type_in_the_files_is_made_by_a_registered_op():
    for config in LAYER_CONFIGS:
        net = load(config)
        for layer in net.layers:
            assert layer.type in LAYER_TYPES and layer.op in OPS, (config, layer.type)
