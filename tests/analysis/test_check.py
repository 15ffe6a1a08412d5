"""`check`: every config passes, a broken gradient fails (beside a kink too), round-off and
kinks are told apart from failures."""
import json

import pytest

from bpcli.engine import FUNCTIONS, OPS, register

from conftest import CONFIGS, run


@pytest.mark.parametrize("config", sorted(p.name for p in CONFIGS.glob("*.yaml")))
def test_check_passes_on_every_config(config):
    doc = json.loads(run("check", CONFIGS / config, "--format", "json").stdout)
    assert doc["passed"] and all(p["status"] in ("pass", "kink") for p in doc["params"].values())


@pytest.fixture
def broken_op(monkeypatch):
    """A test-only function badsq(x) = x² whose backward is wrong by a factor 2."""
    monkeypatch.setitem(OPS, "badsq", None)
    monkeypatch.setitem(FUNCTIONS, "badsq", "x² with a wrong gradient (tests only)")
    register("badsq", lambda x: (x * x, x), lambda dout, x: (dout * x,), lambda out, x: (x,), 1)


def test_check_fails_on_a_broken_gradient(tmp_path, broken_op):
    f = tmp_path / "broken.yaml"
    f.write_text("params: {w: 0.7, v: 0.3}\nloss: badsq(w) + v^2\n")
    r = run("check", f, code=1)
    assert "FAIL: w disagrees with central differences" in r.stdout
    doc = json.loads(run("check", f, "--format", "json", code=1).stdout)
    assert doc["params"]["w"]["status"] == "FAIL" and doc["params"]["v"]["status"] == "pass"
    assert doc["params"]["w"]["analytic"] == pytest.approx(0.7)
    assert doc["params"]["w"]["numeric"] == pytest.approx(1.4)


def test_a_broken_gradient_beside_a_kink_still_fails(tmp_path, broken_op):
    f = tmp_path / "broken.yaml"
    # relu(w) sits at its kink (w = 0); the wrong badsq gradient must not hide behind it
    # (one-sided slopes 6 and 7; the broken analytic value 3 + 1 = 4 lies outside them)
    f.write_text("params: {w: 0.0}\nnodes: {r: relu(w)}\nloss: badsq(w + 3) + r\n")
    doc = json.loads(run("check", f, "--format", "json", code=1).stdout)
    assert doc["params"]["w"]["status"] == "FAIL"


def test_check_with_a_small_eps_is_not_fooled_by_round_off():
    doc = json.loads(run("check", CONFIGS / "bars.yaml", "--eps", "1e-8", "--format", "json").stdout)
    assert doc["passed"]


def test_check_reports_a_kink_as_a_kink(tmp_path):
    # relu(w) at w = 0: the ±eps step crosses the kink; ReLU'(0) = 1 is a convention there
    f = tmp_path / "kink.yaml"
    f.write_text("input: [[0.0]]\nlayers:\n  - {type: conv2d, weight: [[[[1.0]]]], bias: [0.0]}\n"
                 "  - {type: relu}\n  - {type: flatten}\nloss: {type: half_sse, target: [-1]}\n")
    doc = json.loads(run("check", f, "--format", "json").stdout)
    assert doc["params"]["conv1.bias"]["status"] == "kink" and doc["passed"] and doc["kinks"] >= 1
    out = run("check", f).stdout
    assert "kink (1)" in out and "pass, but" in out and "kink" in out.split("pass, but")[1]
