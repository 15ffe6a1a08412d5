"""A softmax head written as equations (issue 10, part 4): the a − y check the layer net
shows, and --wrt z by the Jacobian route — each checked against the backward pass here and
against central differences of E."""
import numpy as np
import pytest

import bpcli

from conftest import CONFIGS, run

NET = """
params:  {z: [1.0, 2.0, 3.0]}
targets: {y: %s}
nodes:
  a: softmax(z)
loss: %s
"""


def central_dz(net):
    z = np.asarray(net.params["z"])
    out = []
    for i in range(z.size):
        plus, minus = z.copy(), z.copy()
        plus[i] += 1e-6
        minus[i] -= 1e-6
        out.append((bpcli.run(net.with_params({"z": plus})).loss
                    - bpcli.run(net.with_params({"z": minus})).loss) / 2e-6)
    return np.array(out)


@pytest.mark.parametrize("loss", ["-sum(y * log(a))", "-sum(log(a) * y)", "sum(-y * log(a))",
                                  "0 - sum(y * log(a))"])
def test_the_a_minus_y_check_however_cross_entropy_is_written(loss):
    net = bpcli.loads(NET % ("[0.0, 1.0, 0.0]", loss))
    (check,) = bpcli.grad(net).softmax
    assert check.forms == ("a − y",) and check.verdicts == ("equal",)
    a = np.asarray(bpcli.run(net).values["a"])
    assert np.allclose(check.expected, a - np.array([0, 1, 0]))
    assert np.allclose(check.expected, central_dz(net), atol=1e-8)
    assert check.route_verdict == "equal" and np.allclose(check.route, central_dz(net), atol=1e-8)


def test_a_target_that_does_not_sum_to_one():
    net = bpcli.loads(NET % ("[0.5, 1.0, 0.0]", "-sum(y * log(a))"))
    (check,) = bpcli.grad(net).softmax
    assert check.forms == ("a·Σy − y",) and check.verdicts == ("equal",)
    assert np.allclose(check.expected, central_dz(net), atol=1e-8)


@pytest.mark.parametrize("loss", ["sum(y * log(a))", "-sum(y * a)", "0.5 * sum((a - y)^2)"])
def test_other_losses_get_no_a_minus_y_check(loss):
    (check,) = bpcli.grad(bpcli.loads(NET % ("[0.0, 1.0, 0.0]", loss))).softmax
    assert check.expected is None and check.route_verdict == "equal"


def test_the_config_shows_it():
    out = run("grad", CONFIGS / "softmax-equations.yaml").stdout
    assert "with cross-entropy, a − y = [0.090031, -0.755272, 0.665241]   ✓ equal to ∂E/∂z" in out


@pytest.mark.parametrize("loss", ["-sum(a * log(a))", "-sum(t * log(a))"])
def test_no_a_minus_y_for_a_computed_y(loss):
    """Entropy −Σ a·log a, or a y computed from z, is not cross-entropy with a target."""
    net = bpcli.loads("params: {z: [1.0, 2.0, 3.0]}\nnodes:\n  a: softmax(z)\n  t: 0.1 * z\n"
                      f"loss: {loss}\n")
    (check,) = bpcli.grad(net).softmax
    assert check.expected is None and check.route_verdict == "equal"


def test_z_used_elsewhere_too_checks_the_part_through_the_softmax():
    net = bpcli.loads(NET % ("[0.0, 1.0, 0.0]", "-sum(y * log(a)) + 0.1 * sum(z * z)"))
    (check,) = bpcli.grad(net).softmax
    assert check.partial and check.route_verdict == "equal" and check.expected is None
    z = np.asarray(net.params["z"])
    assert np.allclose(check.route + 0.2 * z, central_dz(net), atol=1e-8)  # route + the L2 part
