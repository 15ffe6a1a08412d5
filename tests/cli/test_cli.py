"""Every command and format through Click's CliRunner, and every user mistake."""
import json
import re
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from bpcli import __version__, nets
from bpcli.cli import main

from conftest import CONFIGS, assert_bad_file_refused

SEED = str(CONFIGS / "sigmoid-222.yaml")


def run(*args, ok=True):
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": "100"})
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
        assert result.stderr == ""
    return result


def engine(path=None):
    net = nets.load(path) if path else nets.load_default()
    return net, net.build().run()


# ------------------------------------------------------------------ forward

def test_forward_table_lists_every_name_in_order_then_E():
    out = run("forward").stdout
    net, trace = engine()
    rows = [line.split()[0] for line in out.splitlines()[3:] if line.strip()]
    assert rows == [*(n for n, _, _ in net.leaves()), *net.nodes, "E"]
    assert f"{float(trace.loss):.6f}" in out.splitlines()[-1]
    assert "0.537430" in out  # f(H1) = σ(0.15)


def test_forward_json_is_full_precision_and_plain():
    doc = json.loads(run("forward", SEED, "--format", "json").stdout)
    net, trace = engine(SEED)
    assert doc["loss"] == float(trace.loss)
    assert doc["values"]["fO1"] == float(trace.value("fO1"))
    assert set(doc["values"]) == set(trace.graph.index) - {"E"}


def test_precision_option():
    out = run("forward", "--precision", "3").stdout
    assert " 0.537\n" in out and "0.537430" not in out


# ------------------------------------------------------------------ grad

def test_grad_table_has_every_node_and_param():
    out = run("grad").stdout
    _, trace = engine()
    for name in ["E", "fO1", "O1", "fH1", "H1", "x"]:
        assert any(line.split()[:1] == [name] for line in out.splitlines()), name
    w5 = next(line for line in out.splitlines() if line.startswith("w5 "))
    assert w5.split()[-1] == f"{float(trace.grad('w5')):.6f}"


def test_grad_json():
    doc = json.loads(run("grad", "--format", "json").stdout)
    _, trace = engine()
    assert set(doc) == {"loss", "grads", "node_grads"}
    assert doc["grads"] == {w: float(trace.grad(w)) for w in ["w1", "w2", "w3", "w4", "w5", "w6"]}
    assert doc["node_grads"]["fH1"] == float(trace.grad("fH1"))


def test_grad_wrt_w1_shows_two_paths_whose_sum_is_the_backward_value():
    out = run("grad", "--wrt", "w1").stdout
    _, trace = engine()
    assert "2 paths from E down to w1" in out
    assert "E → fO1 → O1 → fH1 → H1 → w1" in out and "E → fO2 → O2 → fH1 → H1 → w1" in out
    assert f"∂E/∂w1 = {float(trace.grad('w1')):.6f}   ✓ equal to the sum over all 2 paths" in out
    assert "−∂E/∂w" in out  # the one-sentence sign convention


def test_grad_wrt_json_chain():
    doc = json.loads(run("grad", "--wrt", "w1", "--wrt", "w3", "--format", "json").stdout)
    _, trace = engine()
    w1 = doc["chain"]["w1"]
    assert w1["value"] == float(trace.grad("w1"))
    assert len(w1["paths"]) == 2
    assert sum(p["product"] for p in w1["paths"]) == pytest.approx(w1["value"], rel=1e-12)
    first = w1["paths"][0]
    assert first["nodes"] == ["E", "fO1", "O1", "fH1", "H1", "w1"]
    assert [f["symbol"] for f in first["factors"]][:2] == ["fO1 − y1", "fO1·(1 − fO1)"]
    assert first["product"] == pytest.approx(np.prod([f["value"] for f in first["factors"]]))
    assert len(doc["chain"]["w3"]["paths"]) == 1


def test_grad_wrt_a_node_an_input_and_E():
    out = run("grad", "--wrt", "fH1", "--wrt", "x", "--wrt", "E").stdout
    assert "2 paths from E down to fH1 (node)" in out
    assert "4 paths from E down to x (input)" in out
    assert "1 path from E down to E (loss)" in out


# ------------------------------------------------------------------ train

def test_train_json_history_means_loss_before_each_update():
    doc = json.loads(run("train", "--eta", "0.5", "--steps", "5", "--format", "json").stdout)
    assert [h["step"] for h in doc["history"]] == [1, 2, 3, 4, 5]
    net, trace = engine()
    assert doc["history"][0]["loss"] == float(trace.loss)
    # Step k's loss is E with the params after k − 1 updates: replay them by hand.
    params = dict(net.params)
    for k in range(5):
        t = net.with_params(params).build().run()
        assert doc["history"][k]["loss"] == pytest.approx(float(t.loss), rel=1e-14)
        params = {w: params[w] - 0.5 * t.grad(w) for w in params}
    final = net.with_params(params).build().run()
    assert doc["final_loss"] == pytest.approx(float(final.loss), rel=1e-14)
    assert doc["params"] == pytest.approx({w: float(v) for w, v in params.items()}, rel=1e-14)


def test_train_lowers_the_loss_and_table_shows_sampled_steps():
    out = run("train", "--eta", "0.5", "--steps", "100", "--every", "25").stdout
    table = re.split(r"\n\nE (?:\(log scale\) )?by step", out)[0]  # the table, up to the curve
    steps = [line.split()[0] for line in table.splitlines()[3:] if line.strip()]
    assert steps == ["1", "25", "50", "75", "100", "final", "E"]  # E: the note below
    assert "E (log scale) by step" in out or "E by step" in out
    doc = json.loads(run("train", "--steps", "100", "--format", "json").stdout)
    losses = [h["loss"] for h in doc["history"]]
    assert all(b < a for a, b in zip(losses, losses[1:]))


def test_train_save_writes_a_loadable_net_with_the_trained_params(tmp_path):
    out = tmp_path / "trained.yaml"
    doc = json.loads(run("train", SEED, "--steps", "50", "--save", str(out), "--format", "json").stdout)
    saved = nets.load(str(out))
    assert {w: float(v) for w, v in saved.params.items()} == doc["params"]
    assert saved.nodes.keys() == nets.load(SEED).nodes.keys()
    # Loading the saved net gives the final loss bit for bit.
    assert float(saved.build().run().loss) == doc["final_loss"]
    assert yaml.safe_load(out.read_text())["loss"] == "0.5 * (fO1 - y1)^2 + 0.5 * (fO2 - y2)^2"
    assert not list(tmp_path.glob(".bpcli-*"))  # no temporary file left behind


def test_train_save_into_a_missing_folder_fails_before_training(tmp_path):
    r = run("train", "--save", str(tmp_path / "no" / "out.yaml"), ok=False)
    assert r.exit_code == 2
    assert "cannot write into" in r.stderr and r.stdout == ""


def test_train_zero_steps():
    doc = json.loads(run("train", "--steps", "0", "--format", "json").stdout)
    _, trace = engine()
    assert doc["history"] == [] and doc["final_loss"] == float(trace.loss)


def test_divergence_warning_names_the_step(tmp_path):
    f = tmp_path / "quartic.yaml"
    f.write_text("params: {w: 3}\nloss: w^4\n")
    r = run("train", str(f), "--eta", "1", "--steps", "8", ok=False)
    assert r.exit_code == 1  # it stopped: not the run asked for
    # w ← w − 4w³: 3, −105, 4.6e6, … ; E = w⁴ overflows at step 6 (w ≈ 2.5e62 from step 5)
    w = 3.0
    for _ in range(4):
        w -= 4 * w ** 3
    assert r.stderr.strip() == ("warning: E became inf at step 6: training diverged; it stopped "
                                "there and kept the params of step 5, the last with a finite E "
                                f"(E = {w ** 4:.6g}); try a smaller --eta")
    assert "(E is not finite at step 6: the curve stops before it)" in r.stdout
    assert "    6            inf" in r.stdout and "    7" not in r.stdout  # it stopped there


def test_wrt_in_a_net_with_vectors_gives_the_gradient_and_says_why_no_paths():
    net = nets.load(str(CONFIGS / "softmax-equations.yaml"))
    dz = net.build().run().grad("z")
    out = run("grad", str(CONFIGS / "softmax-equations.yaml"), "--wrt", "z").stdout
    assert out.startswith(f"{net.name} — ∂E/∂name\n")
    assert "[" + ", ".join(f"{v:.6f}" for v in dz) + "]" in out
    # z is the softmax's input: the Jacobian route, and the a − y of cross-entropy, checked
    assert "∂E/∂z by the Jacobian route through a = softmax(z)" in out
    assert "Jᵀ·∂E/∂a = [0.090031, -0.755272, 0.665241]   ✓ equal" in out
    assert "with cross-entropy, a − y = [0.090031, -0.755272, 0.665241]   ✓ equal" in out
    out = run("grad", str(CONFIGS / "softmax-equations.yaml"), "--wrt", "a").stdout
    assert "a: this net has vectors, so a path's factors would be Jacobians" in " ".join(out.split())
    doc = json.loads(run("grad", str(CONFIGS / "softmax-equations.yaml"), "--wrt", "z",
                         "--format", "json").stdout)
    assert doc["chain"]["z"]["value"] == dz.tolist()
    route = doc["chain"]["z"]["jacobian_route"]
    assert route["verdict"] == "equal" and route["a_minus_y"]["verdict"] == "equal"
    assert np.allclose(route["value"], dz)


def test_init_dash_writes_to_stdout_and_dash_reads_stdin():
    text = run("init", "-").stdout
    assert text == nets.default_text()
    changed = text.replace("w1: 0.15", "w1: 0.3")
    r = CliRunner().invoke(main, ["forward", "-", "--format", "json"], input=changed)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["values"]["w1"] == 0.3
    r = CliRunner().invoke(main, ["grad", "-"], input="params: {w: 1}\n")
    assert r.exit_code == 2 and r.stderr.startswith("Error: <stdin>: missing section 'loss'")


def test_nothing_to_train_or_check_without_params(tmp_path):
    f = tmp_path / "fixed.yaml"
    f.write_text("inputs: {x: 2}\nparams: {}\nloss: x^2\n")
    run("forward", str(f))  # a net of constants can still be evaluated
    for command, verb in (("train", "train"), ("check", "check")):
        r = run(command, str(f), ok=False)
        assert r.exit_code == 2 and r.stderr == (f"Error: {f}: the network has no params, so there "
                                                 f"is nothing to {verb}; give some under params:\n")


@pytest.mark.parametrize("config, size, said", [
    ("sigmoid-222.yaml", "2", "the 1 sample of this net (it has no data set): every step takes it"),
    ("xor.yaml", "10", "the 4 samples of the data set: every step takes them all")])
def test_a_batch_larger_than_the_set_is_said(config, size, said):
    r = run("train", str(CONFIGS / config), "--batch-size", size, "--steps", "1", ok=False)
    assert r.exit_code == 0 and r.stderr == f"warning: --batch-size {size} is more than {said}\n"


def test_a_loss_outside_its_domain_at_the_start_is_not_called_divergence(tmp_path):
    f = tmp_path / "domain.yaml"
    f.write_text("params: {w: 0.5}\nloss: log(w - 1)\n")
    r = run("train", str(f), "--steps", "3", ok=False)
    assert r.exit_code == 1 and "diverged" not in r.stderr
    assert r.stderr.startswith("warning: E is nan at the start: the starting values put the loss "
                               "outside its domain")
    assert r.stderr.strip().endswith("nothing was trained")
    assert "    1   nan" in r.stdout and "    2" not in r.stdout  # stopped at step 1
    out = tmp_path / "out.yaml"
    r = run("train", str(f), "--steps", "3", "--save", str(out), ok=False)
    assert r.exit_code == 1 and "diverged" not in r.stderr and not out.exists()
    assert r.stderr.splitlines()[-1] == (f"Error: --save {out}: not saved, E was not finite from "
                                         "the first step on, so nothing was trained; change the "
                                         "starting values")


def test_nonfinite_value_warning(tmp_path):
    f = tmp_path / "log.yaml"
    f.write_text("params: {w: -1}\nnodes: {a: log(w), b: a * 2}\nloss: b^2\n")
    r = run("forward", str(f), ok=False)
    assert r.exit_code == 0
    assert r.stderr.startswith("warning: a = nan, the first value that is not finite")
    assert len(r.stderr.splitlines()) == 1


# ------------------------------------------------------------------ init, version, help

def test_init_writes_the_default_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "net.yaml"
    r = run("init", str(out))
    assert out.read_text() == nets.default_text()
    assert f"wrote {out}" in r.stdout
    r = run("init", str(out), ok=False)
    assert r.exit_code == 2 and "exists; pass --force" in r.stderr
    out.write_text("changed")
    run("init", str(out), "--force")
    assert out.read_text() == nets.default_text()
    assert oct(out.stat().st_mode & 0o777) != "0o600"  # an ordinary file, not mkstemp's 0600


def test_init_default_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("init")
    assert (tmp_path / "net.yaml").exists()


def test_version():
    assert run("--version").stdout.strip() == f"bpcli, version {__version__}"


@pytest.mark.parametrize("command", ["forward", "grad", "train", "init"])
def test_every_command_has_help_with_an_example(command):
    out = run(command, "--help").stdout
    assert "Example:" in out and f"bpcli {command}" in out


def test_python_dash_m():
    r = subprocess.run([sys.executable, "-m", "bpcli", "forward", "--format", "json"],
                       capture_output=True, text=True, check=True)
    assert json.loads(r.stdout)["loss"] == pytest.approx(0.2439960398570548, rel=1e-15)


# ------------------------------------------------------------------ user mistakes

BAD = {
    # a quote or bracket left open: the line that opened it, not where YAML gave up
    "malformed.yaml": ("params: {w: 1\nloss: w\n", 1, "malformed YAML: the {...} mapping opened "
                       "on this line is not closed, or lacks a comma (YAML gave up on line 2)"),
    "open-list.yaml": ("name: n\nparams: {w: 2}\ninputs:\n  x: [1, 2\nloss: w\n", 4,
                       "the [...] list opened on this line is not closed"),
    "open-quote.yaml": ('name: "abc\nparams: {w: 2}\nloss: w\n', 1,
                        "a quoted value opened on this line is never closed; add the closing quote"),
    "missing-comma.yaml": ("params: {w: 2,\n   v: 3\n   u: 4}\nloss: w\n", 1,
                           "not closed, or lacks a comma (YAML gave up on line 3)"),
    "noloss.yaml": ("params: {w: 1}\n", None, "missing section 'loss'"),
    "noparams.yaml": ("loss: 1\n", None, "missing section 'params'"),
    "unknown.yaml": ("params: {w: 1}\nnodes:\n  a: w * q\nloss: a\n", 3, "unknown name 'q'"),
    "typo.yaml": ("params: {w1: 1}\nloss: w2\n", 2, "unknown name 'w2'; did you mean 'w1'?"),
    "dup-key.yaml": ("params: {w: 1, w: 2}\nloss: w\n", 1, "'w' is defined twice"),
    "dup-section.yaml": ("inputs: {w: 1}\nparams: {w: 2}\nloss: w\n", 2,
                         "'w' is defined twice (first on line 1)"),
    "dup-node.yaml": ("params: {w: 1}\nnodes:\n  a: w\n  a: w\nloss: a\n", 4,
                      "'a' is defined twice (first on line 3)"),
    "before.yaml": ("params: {w: 1}\nnodes:\n  a: b * w\n  b: w\nloss: a\n", 3,
                    "uses 'b' before it is defined (line 4); move 'b' above it"),
    "function.yaml": ("params: {w: 1}\nnodes:\n  a: sigmod(w)\nloss: a\n", 3,
                      "node 'a': unknown function 'sigmod' in 'sigmod(w)'; did you mean 'sigmoid'?"),
    "tab.yaml": ("params: {w: 1}\nnodes:\n\ta: w\nloss: a\n", 3,
                 "malformed YAML: a tab; YAML indents with spaces only"),
    "indent.yaml": ("params: {w: 1}\nnodes:\n  a: w\n   b: w\nloss: a\n", 4,
                    "malformed YAML: an unexpected ':'"),
    "loss-indented.yaml": ("params: {w: 1}\nnodes:\n  a: w\n  loss: a\n", 4,
                           "'loss' is a section name; if it is that section, un-indent it"),
    "node-unindented.yaml": ("params: {w: 1}\nnodes:\n  a: w\nb: a\nloss: a\n", 4,
                             "unknown section 'b'; if it is a node, indent it under 'nodes:'"),
    "decimal-comma.yaml": ("params: {w: 1,5}\nloss: w\n", 1, "(a decimal comma? numbers take a point"),
    "empty-value.yaml": ("params:\n  w:\nloss: w\n", 2, "param 'w' must be a number, not empty"),
    "nonnumeric.yaml": ("params: {w: abc}\nloss: w\n", 1, "param 'w' must be a number, not 'abc'"),
    "boolean.yaml": ("inputs: {x: yes}\nparams: {w: 1}\nloss: w\n", 1,
                     "input 'x' must be a number, not 'yes'"),
    "vector-loss.yaml": ("params: {w: [1, 2]}\nloss: w\n", 2,
                         "the loss must be one number, but it is (2,); wrap it in sum(...)"),
    "mapping-value.yaml": ("params: {w: {a: 1}}\nloss: w\n", 1, "must be a number, not a mapping"),
    "nan.yaml": ("params: {w: nan}\nloss: w\n", 1, "must be a finite number"),
    "sexagesimal.yaml": ("params: {w: 1:30}\nloss: w\n", 1, "must be a number, not '1:30'"),
    "huge.yaml": ("params: {w: 1" + "0" * 400 + "}\nloss: w\n", 1, "must be a finite number, not '100000"),
    "control.yaml": ("params: {w: 1}\nloss: w \x07\n", 2, "character #x0007 is not allowed"),
    "nodes-not-map.yaml": ("params: {w: 1}\nnodes: 0\nloss: w\n", 2, "'nodes' must be a mapping"),
    "big-literal.yaml": ("params: {w: 1}\nloss: w * 1e400\n", 2, "the number 1e400 is too large"),
    "arabic-digits.yaml": ("params: {w: 1}\nloss: w * \u0661\n", 2, "unexpected character"),
    "section.yaml": ("params: {w: 1}\nnodez: {a: w}\nloss: w\n", 2,
                     "unknown section 'nodez'; did you mean 'nodes'?"),
    "reserved.yaml": ("params: {E: 1}\nloss: E\n", 1, "'E' is reserved for the loss"),
    "reserved-fn.yaml": ("params: {exp: 1}\nloss: exp\n", 1, "'exp' is reserved for a function"),
    "badname.yaml": ("params: {2w: 1}\nloss: 1\n", 1, "'2w' is not a valid name"),
    "syntax.yaml": ("params: {w: 1}\nloss: w *\n", 2, "loss: expected a number, a name or '('"),
    "not-mapping.yaml": ("params: 3\nloss: 1\n", 1, "'params' must be a mapping"),
    "top-list.yaml": ("- 1\n- 2\n", 1, "a network file is a mapping"),
    "empty.yaml": ("", None, "the file is empty"),
    "expr-list.yaml": ("params: {w: 1}\nnodes: {a: [w]}\nloss: a\n", 2,
                       "node 'a' must be an expression"),
}


@pytest.mark.parametrize("command", [["forward"], ["grad", "--wrt", "w"],
                                     ["train", "--steps", "2", "--save", "OUT"]])
@pytest.mark.parametrize("name", sorted(BAD))
def test_user_mistakes_give_one_line_naming_file_and_line(tmp_path, name, command):
    assert_bad_file_refused(tmp_path, name, *BAD[name], command)


def test_a_real_process_prints_one_line_and_no_traceback(tmp_path):
    # CliRunner catches exceptions itself; a subprocess shows what a user's terminal shows.
    bad = tmp_path / "bad.yaml"
    bad.write_text("params: {w: 1}\nnodes:\n  a: sigmod(w)\nloss: a\n")
    r = subprocess.run([sys.executable, "-m", "bpcli", "grad", str(bad)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        f"Error: {bad}:3: node 'a': unknown function 'sigmod' in 'sigmod(w)'; "
        "did you mean 'sigmoid'?"]


def test_missing_file():
    r = run("forward", "no-such-net.yaml", ok=False)
    assert (r.exit_code, r.stderr) == (2, "Error: no-such-net.yaml: no such file\n")


def test_unknown_wrt_name():
    r = run("grad", "--wrt", "zz", ok=False)
    assert r.exit_code == 2
    assert r.stderr.startswith("Error: --wrt zz: no such name in the default net; names are x, w1")
    r = run("grad", "--wrt", "W1", ok=False)
    assert r.stderr == "Error: --wrt W1: no such name in the default net; did you mean 'w1'?\n"


def test_wrt_a_param_the_loss_does_not_use(tmp_path):
    f = tmp_path / "unused.yaml"
    f.write_text("params: {w: 1, v: 2}\nloss: w^2\n")
    out = run("grad", str(f), "--wrt", "v").stdout
    assert "E does not depend on v: no path leads from E down to it." in out
    assert "∂E/∂v = 0.000000   ✓ equal to 0, with no path" in out


def test_training_that_diverges_saves_the_last_params_with_a_finite_e(tmp_path):
    # Until the hostile-input issue, diverged params were not saved (they were inf); now
    # training stops at the first E that is not finite and keeps the step before's params.
    f, out = tmp_path / "quartic.yaml", tmp_path / "q.yaml"
    f.write_text("params: {w: 3}\nloss: w^4\n")
    r = run("train", str(f), "--eta", "1", "--steps", "8", "--save", str(out), ok=False)
    assert r.exit_code == 1 and "stopped there and kept the params of step 5" in r.stderr
    w = 3.0
    for _ in range(4):  # the params of step 5: four updates w ← w − 4w³
        w -= 4 * w ** 3
    text = out.read_text()
    assert text.splitlines()[:2] == [
        f"# Trained by bpcli {__version__}: 4 steps of gradient descent, eta = 1, from {f}.",
        "# E was inf at step 6: training stopped, and these are the params of step 5, the last "
        "with a finite E."]
    assert yaml.safe_load(text)["params"]["w"] == w
    doc = json.loads(run("train", str(f), "--eta", "1", "--steps", "8", "--format", "json",
                         ok=False).stdout)
    assert doc["halted"] == {"step": 6, "loss": None, "params_of_step": 5, "updates": 4}
    assert len(doc["history"]) == doc["steps"] == 6 and doc["params"]["w"] == w


@pytest.mark.parametrize("eta", ["nan", "inf"])
def test_eta_must_be_finite(eta):
    r = run("train", "--eta", eta, ok=False)
    assert r.exit_code == 2 and "must be a finite number" in r.stderr


@pytest.mark.parametrize("args, message", [
    (["train", "--eta", "abc"], "Invalid value for '--eta': 'abc' is not a valid float; "
                                "see bpcli train --help"),
    (["forward", "--precision", "20"], "20 is not in the range 0<=x<=15; see bpcli forward --help"),
    (["train", "--momentum", "1"], "1.0 is not in the range 0<=x<1; see bpcli train --help"),
    (["grad", "--wrt"], "Option '--wrt' requires an argument; see bpcli grad --help"),
    (["forward", "a.yaml", "b.yaml"], "unexpected extra argument (b.yaml); see bpcli forward --help"),
    (["fowrard"], "No such command 'fowrard'"),
    (["--bogus"], "No such option '--bogus'; see bpcli --help"),
])
def test_option_mistakes_are_one_line_too(args, message):
    # Click alone prints them as Usage / Try … --help / blank / Error: four lines
    r = run(*args, ok=False)
    assert r.exit_code == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("Error: "), r.stderr
    assert message in r.stderr


def test_write_failures_are_one_line(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    r = run("init", str(folder), "--force", ok=False)
    assert r.exit_code == 2 and r.stderr == (
        f"Error: {folder} is a folder; name a file, e.g. {folder / 'net.yaml'}\n")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root may write anyway: make the rename fail instead
            (locked / "net.yaml").mkdir()
        r = run("init", str(locked / "net.yaml"), "--force", ok=False)
        assert r.exit_code == 2 and r.stderr.startswith("Error: ")
        assert len(r.stderr.splitlines()) == 1
    finally:
        locked.chmod(0o700)


def test_save_path_is_not_markup(tmp_path):
    folder = tmp_path / "x["
    folder.mkdir()
    out = folder / "[bold]y.yaml"  # as markup: "x" then bold "y.yaml"
    r = run("train", "--steps", "1", "--save", str(out))
    assert r.stdout.splitlines()[-1] == f"saved the trained network to {out}"
    assert out.exists()


def test_negative_eta_warns():
    r = run("train", "--eta", "-0.1", "--steps", "2", ok=False)
    assert r.exit_code == 0
    assert r.stderr == "warning: --eta -0.1 is negative: every step climbs E instead of lowering it\n"


def test_piped_tables_have_natural_width_and_no_trailing_spaces():
    # CliRunner's stdout is not a terminal; without COLUMNS Rich would wrap at 80.
    r = CliRunner().invoke(main, ["grad", "--wrt", "w1"], env={"COLUMNS": None})
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert all(line == line.rstrip() for line in lines)
    assert any("E → fO1 → O1 → fH1 → H1 → w1" in line for line in lines)  # not wrapped
    assert any(line.startswith("Sign: ") and line.endswith("the descent direction.")
               for line in lines)


# ------------------------------------------------------------------ equation nets with a data set

def _cells(stdout, name):
    """The cells of the table row that starts with ``name``."""
    row = next(line for line in stdout.splitlines() if line.split()[:1] == [name])
    return row.split()[1:]


def test_forward_on_a_data_set_has_a_column_per_sample_when_they_fit():
    net = nets.load(str(CONFIGS / "xor.yaml"))
    trace = net.build().run()
    out = run("forward", str(CONFIGS / "xor.yaml")).stdout
    assert re.search(r"sample 0 +sample 1 +sample 2 +sample 3", out)
    for name in ("x1", "H1", "fO"):
        assert _cells(out, name)[-4:] == [f"{v:.6f}" for v in trace.value(name)], name
    assert _cells(out, "w5") == ["param", "0.700000"]  # shared by all samples: listed once
    per_sample = [0.5 * (o - y) ** 2 for o, y in zip(trace.value("fO"), net.data["y"])]
    assert _cells(out, "loss")[-4:] == [f"{v:.6f}" for v in per_sample]
    assert f"E = the mean of the loss over the 4 samples = {trace.loss:.6f}" in out
    assert "showing sample" not in out


def test_data_set_tables_show_one_sample_when_the_columns_do_not_fit():
    trace = nets.load(str(CONFIGS / "xor.yaml")).build().run()
    narrow = CliRunner().invoke(main, ["grad", str(CONFIGS / "xor.yaml")], env={"COLUMNS": "44"})
    assert narrow.exit_code == 0 and "showing sample 0" in narrow.stdout
    assert _cells(narrow.stdout, "fO") == [f"{trace.grad('fO')[0]:.6f}"]
    picked = run("grad", str(CONFIGS / "xor.yaml"), "--sample", "3").stdout
    assert _cells(picked, "fO") == [f"{trace.grad('fO')[3]:.6f}"]
    assert "sample 3" in picked and "sample 0" not in picked


@pytest.mark.parametrize("config, sample, message", [
    ("xor.yaml", "4", "--sample 4: the data set has samples 0..3"),
    ("sigmoid-222.yaml", "1", "--sample 1: this network has no data set: it is one sample, sample 0"),
])
def test_sample_out_of_range_is_a_one_line_error(config, sample, message):
    for command in ("forward", "grad"):
        r = run(command, str(CONFIGS / config), "--sample", sample, ok=False)
        assert r.exit_code == 2 and r.stderr == f"Error: {message}\n"


@pytest.mark.parametrize("sample", [0, 2, 3])
def test_wrt_on_a_data_set_is_one_samples_chain_then_the_mean(sample):
    from conftest import central_diff, loss_as_function_of

    net = nets.load(str(CONFIGS / "xor.yaml"))
    doc = json.loads(run("grad", str(CONFIGS / "xor.yaml"), "--wrt", "w1", "--wrt", "fH1",
                         "--sample", str(sample), "--format", "json").stdout)
    w1, fh1 = doc["chain"]["w1"], doc["chain"]["fH1"]
    # each sample's ∂E_k/∂w1, against central differences of that sample's loss alone: the
    # net written out for sample k without a data set (not through Network.at_sample)
    body = (CONFIGS / "xor.yaml").read_text().split("data:")[0]
    for k, g in enumerate(w1["per_sample"]):
        x1, x2, y = (net.data[c][k] for c in ("x1", "x2", "y"))
        text = (body.replace("inputs:  {x1: 0, x2: 0}", f"inputs:  {{x1: {x1}, x2: {x2}}}")
                    .replace("targets: {y: 0}", f"targets: {{y: {y}}}"))
        assert f"x1: {x1}" in text and f"y: {y}" in text
        numeric = central_diff(loss_as_function_of(nets.loads(text), "w1"), np.array(0.5))
        assert g == pytest.approx(float(numeric), rel=1e-7, abs=1e-12), k
    assert w1["sample"] == sample and w1["sum_over_paths"] == pytest.approx(w1["per_sample"][sample])
    assert np.mean(w1["per_sample"]) == pytest.approx(doc["grads"]["w1"], rel=1e-12)
    assert w1["value"] == doc["grads"]["w1"]
    # a node's ∂E at sample k is 1/N of sample k's own ∂E_k
    assert fh1["value"] == pytest.approx(fh1["sum_over_paths"] / 4, rel=1e-12)
    assert fh1["value"] == doc["node_grads"]["fH1"][sample]
    table = run("grad", str(CONFIGS / "xor.yaml"), "--wrt", "w1", "--sample", str(sample)).stdout
    assert f"∂E_{sample}/∂w1 by the chain rule" in table and table.count("✓ equal") == 2


SHARED_NODE = """
inputs: {x: 0}
params: {w: 0.5}
targets: {y: 0}
nodes:
  R: w * w        # made of params only: one value, shared by every sample
  L: (w * x - y)^2 + R
loss: L
data: {x: [1, 2, 3], y: [0, 1, 0]}
"""


def test_grad_table_gives_each_sample_its_share_of_a_shared_node(tmp_path):
    f = tmp_path / "shared.yaml"
    f.write_text(SHARED_NODE)
    out = run("grad", str(f)).stdout
    assert _cells(out, "R") == ["0.333333"] * 3  # ∂E/∂R = 1, a third from each sample
    # x's share at sample k: (1/3)·2(w·x − y)·w, by hand
    assert _cells(out, "x") == [f"{2 * (0.5 * x - y) * 0.5 / 3:.6f}" for x, y in [(1, 0), (2, 1), (3, 0)]]


def test_a_nan_in_a_data_set_chain_is_not_called_a_disagreement(tmp_path):
    f = tmp_path / "nan.yaml"
    f.write_text("inputs: {x: 0}\nparams: {w: 1}\ntargets: {y: 0}\nloss: (log(w * x) - y)^2\n"
                 "data: {x: [1, -2, 3], y: [0, 1, 0]}\n")
    r = run("grad", str(f), "--wrt", "w", ok=False)
    assert r.exit_code == 0 and "NOT equal" not in r.stdout
    assert "? not finite, so not comparable" in r.stdout


def test_wrt_E_on_a_data_set_is_one():
    doc = json.loads(run("grad", str(CONFIGS / "xor.yaml"), "--wrt", "E", "--format", "json").stdout)
    assert doc["chain"]["E"]["value"] == 1.0 and doc["chain"]["E"]["path_count"] == 1
    assert "backward pass: ∂E/∂E = 1.000000" in run("grad", str(CONFIGS / "xor.yaml"), "--wrt", "E").stdout


def test_at_sample_is_the_net_on_that_sample_alone():
    net = nets.load(str(CONFIGS / "xor.yaml"))
    trace = net.build().run()
    losses = [net.at_sample(k).build().run().loss for k in range(4)]
    assert np.mean(losses) == pytest.approx(trace.loss, rel=1e-15)
    assert net.at_sample(2).inputs == {"x1": 1.0, "x2": 0.0} and net.at_sample(2).data is None


@pytest.mark.parametrize("text, args", [
    # an element's units give +inf and −inf: their sum is nan (math.fsum raised)
    ("input: [1]\nlayers:\n  - {type: dense, units: 2, weight: [[1e200], [-1e200]], bias: [0, 0]}\n"
     "loss: {type: half_sse, target: [-1e200, -3e200]}\n", ["grad", "--wrt", "input[0]"]),
    # E of ±1e308: the loss curve's axis overflows (NumPy warned on stderr)
    ("inputs: {x: 1}\nparams: {w: 1e308}\nloss: w * x\ndata: {x: [1, -1]}\n",
     ["train", "--steps", "2", "--eta", "0", "--batch-size", "1", "--no-shuffle"]),
])
def test_numbers_at_the_float64_limit_give_no_traceback_and_no_numpy_warning(tmp_path, text, args):
    f = tmp_path / "huge.yaml"
    f.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy warning would fail the command here
        r = run(args[0], str(f), *args[1:], ok=False)
    assert r.exit_code == 0 and "Warning" not in r.stderr and "Traceback" not in r.output
    assert all(line.startswith("warning: ") for line in r.stderr.splitlines())


def test_a_command_runs_with_the_cycle_collector_held_off_and_restores_it(monkeypatch):
    """The collector is paused for a whole command (issue 12: after a big net was read, its
    collections walked a million objects again and again), and left as it was found."""
    import gc

    from bpcli import api
    seen = []
    forward = api.forward
    monkeypatch.setattr(api, "forward", lambda *a, **k: seen.append(gc.isenabled()) or forward(*a, **k))
    assert gc.isenabled()
    run("forward", "--format", "json")
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:  # a caller's choice is kept
        run("forward", "--format", "json")
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("args", [("train", "--steps"), ("train", str(CONFIGS / "xor.yaml"), "--steps"),
                                  ("train", str(CONFIGS / "conv-pool.yaml"), "--steps")])
def test_training_makes_no_garbage_cycles_step_by_step(args):
    """With the collector held off for the whole command, nothing may pile up as steps go by:
    the garbage cycles of 5 steps and of 200 are the same few (from the run's set-up)."""
    import gc

    def cycles(steps):
        gc.collect()
        gc.disable()
        try:
            run(*args, steps, "--format", "json")
            return gc.collect()
        finally:
            gc.enable()

    cycles(5)  # (first imports)
    assert cycles(200) <= cycles(5) + 2
