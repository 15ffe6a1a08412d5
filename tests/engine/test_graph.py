"""The engine on graphs of unusual shape: every gradient against central differences."""

import numpy as np
import pytest

from bpcli import nets
from bpcli.analysis import explain

from conftest import CONFIGS, assert_close_rel, central_diff, loss_as_function_of


ODD_NETS = {
    "alias and constant nodes": """
        params: {w: 0.3, v: -0.8}
        nodes:
          a: w          # an alias: its own slot, its own ∂E
          b: a          # an alias of an alias
          c: 2          # a constant node
          d: b * c + a * v
        loss: d^2
    """,
    "unused node and unused param": """
        params: {w: 0.3, unused: 5}
        nodes:
          a: w * 3
          dead: exp(unused)   # E does not depend on it
        loss: (a - 1)^2
    """,
    "bare-name loss": """
        params: {w: 0.3}
        nodes: {a: sigmoid(w)}
        loss: a
    """,
    "number loss": """
        params: {w: 0.3}
        loss: 4
    """,
    "diamond and reuse": """
        inputs: {x: 0.5}
        params: {w: 1.2}
        nodes:
          h: w * x
          p: tanh(h) * h      # h used twice in one node
          q: h / (1 + h^2)    # and again in another
        loss: p * q + sqrt(p^2 + 1) - log(1 + q^2)
    """,
    "variable exponent": """
        params: {a: 1.7, b: 0.6}
        loss: a^b + b^a
    """,
}




@pytest.mark.parametrize("name", sorted(ODD_NETS))
def test_odd_graphs_match_central_differences(name):
    net = nets.loads(ODD_NETS[name], name)
    trace = net.build().run()
    for leaf, _, value in net.leaves():
        assert_close_rel(trace.grad(leaf), central_diff(loss_as_function_of(net, leaf), value))
    for n in trace.graph.index:
        assert explain.chain(net, trace, n).agrees, n


def test_unused_things_have_zero_gradient():
    net = nets.loads(ODD_NETS["unused node and unused param"])
    trace = net.build().run()
    assert trace.grad("unused") == 0.0 and trace.grad("dead") == 0.0
    assert trace.value("dead") == pytest.approx(np.exp(5.0))
    assert explain.chain(net, trace, "unused").count == 0


def test_alias_nodes_each_get_their_gradient():
    net = nets.loads(ODD_NETS["alias and constant nodes"])
    trace = net.build().run()
    d = 0.3 * 2 + 0.3 * -0.8
    assert trace.grad("b") == pytest.approx(2 * d * 2, rel=1e-14)
    assert trace.grad("a") == pytest.approx(2 * d * 2 + 2 * d * -0.8, rel=1e-14)
    assert trace.grad("c") == pytest.approx(2 * d * 0.3, rel=1e-14)


def test_graph_is_built_once_and_rerun():
    """Training reuses one compiled graph; re-running with new leaf values is exact."""
    net = nets.load_default()
    graph = net.build()
    vals = graph.initial_values()
    vals[graph.index["w1"]] = np.float64(0.7)
    graph.forward(vals)
    fresh = net.with_params({**net.params, "w1": 0.7}).build().run()
    assert vals[graph.loss] == fresh.loss


@pytest.mark.parametrize("config", sorted(p.name for p in CONFIGS.glob("*.yaml")))
def test_params_only_graph_gives_the_same_param_gradients(config):
    """Training compiles with wanted=params: no ∂E/∂input (conv's and dense's backward
    skip it) and no ∂E/∂data; the params' gradients must not change by a bit."""
    net = nets.load(str(CONFIGS / config))
    full = net.build().run()
    lean_graph = net.build().compile(wanted=net.params)
    lean = lean_graph.run()
    assert lean.loss == full.loss
    for name in net.params:
        np.testing.assert_array_equal(lean.grad(name), full.grad(name), err_msg=name)
    skipped = [n for n in lean_graph.names("input", "target") if lean_graph.index[n] in lean_graph.skipped]
    assert skipped  # every config has data or an input: they are left out ...
    with pytest.raises(KeyError, match="was not computed"):
        lean.grad(skipped[0])  # ... and asking for their ∂E says so instead of giving 0
