"""Training a layer net updates all params as one vector (analysis.train.Flat) and runs each
step as one generated function: the history and the params are those of the plain loop —
graph walk, then w ← w − η·g param by param — bit for bit."""
from pathlib import Path

import numpy as np
import pytest

from bpcli import nets
from bpcli.analysis.train import train

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def _plain(net, eta, steps, momentum):
    """The loop as it was before: forward, backward, then each param on its own."""
    g = net.build().compile(wanted=net.params)
    vals = g.initial_values()
    slots = [g.index[name] for name in net.params]
    velocity = {i: 0.0 for i in slots}
    history = []
    with np.errstate(all="ignore"):
        for _ in range(steps):
            grads = g.backward(g.forward(vals))
            history.append(float(vals[g.loss]))
            for i in slots:
                step = grads[i]
                if momentum:
                    velocity[i] = momentum * velocity[i] + step
                    step = velocity[i]
                vals[i] = vals[i] - np.float64(eta) * step
    return history, {name: vals[g.index[name]] for name in net.params}


@pytest.mark.parametrize("config", ["mazur-layers", "softmax-head", "conv-pool"])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_flat_updates_are_the_plain_loops_bit_for_bit(config, momentum):
    net = nets.load(CONFIGS / f"{config}.yaml")
    result = train(net, eta=0.7, steps=12, momentum=momentum)
    history, params = _plain(net, 0.7, 12, momentum)
    assert np.array(result.history).tobytes() == np.array(history).tobytes()
    for name, w in params.items():
        assert np.asarray(result.params[name]).tobytes() == np.asarray(w).tobytes(), name
        assert np.shape(result.params[name]) == np.shape(net.params[name])
    assert all(not np.shares_memory(net.params[n], result.params[n]) for n in net.params)
