"""Element breakdowns of layer nets: every element's sum over the units it feeds equals the
backward value, on every small config and spot-checked on the 64-image stack."""
import numpy as np
import pytest

from bpcli.analysis import explain

from conftest import BIG, SMALL_CONFIGS, assert_close_rel, central_diff, load


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


@pytest.mark.slow
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
