"""`bpcli mark` at the command line: exit statuses, JSON with the table's content, and a
bad WORK file as one line naming its line (issue 9, part 1)."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from bpcli.cli import main
from conftest import CONFIGS


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "100"})

RIGHT = "values: {H1: 0.15, fH1: 0.5374}\ngrads: {w1: 0.0042}\n"


def test_all_right_exits_0_and_something_wrong_exits_1(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(RIGHT)
    r = run("mark", good)
    assert r.exit_code == 0, r.output
    assert "3 numbers: 3 right" in r.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("values: {H1: 0.15, fH1: 0.5374}\ngrads: {w1: -0.0042}\n")
    r = run("mark", bad)
    assert r.exit_code == 1
    assert "3 numbers: 2 right, 1 wrong — first wrong step: ∂E/∂w1" in r.stdout
    assert "First wrong step: ∂E/∂w1" in r.stdout and "wrong sign" in r.stdout


def test_the_worked_example_in_configs_has_its_one_planted_slip():
    r = run("mark", CONFIGS / "work" / "seed-work.yaml", "--format", "json")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    wrong = [n for n in doc["numbers"] if n["verdict"] == "wrong"]
    assert len(wrong) == 1 and doc["first_wrong"]["step"] == wrong[0]["step"]
    assert doc["first_wrong"]["diagnosis"]
    assert doc["counts"]["right given your earlier numbers"] >= 3


def test_json_holds_what_the_table_shows(tmp_path):
    f = tmp_path / "w.yaml"
    f.write_text("grads: {fO1: -0.6049, O1: -0.1432}\n")
    doc = json.loads(run("mark", f, "--format", "json").stdout)
    table = run("mark", f, "--precision", "4").stdout
    assert doc["summary"] in table
    for n in doc["numbers"]:
        assert n["step"] in table and n["written"] in table and f"{n['right']:.4f}" in table
    assert doc["numbers"][0]["line"] == 1 and doc["numbers"][0]["tolerance"] == pytest.approx(5e-5)


def test_a_net_then_work(tmp_path):
    f = tmp_path / "w.yaml"
    f.write_text("values: {net_h1: 0.3775}\n")
    assert run("mark", CONFIGS / "mazur-2-2-2.yaml", f).exit_code == 0


@pytest.mark.parametrize("text, line, words", [
    ("values: {fh1: 0.5}\n", 1, "did you mean 'fH1'"),
    ("grads:\n  w1: 0.1\n  w9: 0.2\n", 3, "no such name"),
    ("values: {dE/dw1: 0.1}\n", 1, "a gradient; write it under grads: as w1"),
    ("grads: {fO1/O1: 0.2}\n", 1, "looks like a local factor"),
    ("grads:\n  w1: abc\n", 2, "must be a finite number, not 'abc'"),
    ("factors: {\"O1/H1\": 0.2}\n", 1, "O1 does not use 'H1' directly"),
    ("update: {x: 0.1}\n", 1, "x is not a param"),
    ("valuse: {H1: 0.1}\n", 1, "did you mean 'values'"),
    ("values: {H1: 0.1, H1: 0.2}\n", 1, "defined twice"),
    ("values: {H1: [0.1, 0.2]}\n", 1, "one number, not a list"),
])
def test_a_bad_work_file_is_one_line_naming_its_line(tmp_path, text, line, words):
    f = tmp_path / "w.yaml"
    f.write_text(text)
    r = run("mark", f)
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in r.output
    assert f"{f}:{line}:" in err and words in err, err


def test_mistakes_of_the_command_line(tmp_path):
    net = CONFIGS / "conv-pool.yaml"
    assert "this is a network file, not a WORK file" in run("mark", net).stderr
    assert run("mark").exit_code == 2 and "give WORK, or NET then WORK" in run("mark").stderr
    f = tmp_path / "w.yaml"
    f.write_text("factors: {\"a/b\": 1}\n")
    r = run("mark", net, f)
    assert r.exit_code == 2 and f"{f}:1: factors: are for nets of numbers" in r.stderr
    f.write_text("values: {conv1: 0.5}\n")
    r = run("mark", net, f)
    assert r.exit_code == 2 and "give one element, as conv1[0,0,0]" in r.stderr
    r = run("mark", CONFIGS / "xor.yaml", f)
    assert r.exit_code == 2 and "give --sample K" in r.stderr
    f.write_text("values: {H1: 0.6, fH1: 0.6457}\n")  # sample 2 is x1 = 1, x2 = 0
    r = run("mark", CONFIGS / "xor.yaml", f, "--sample", "2")
    assert r.exit_code == 0 and "XOR, a 2-2-1 sigmoid net, sample 2" in r.stdout, r.output
    assert "2 numbers: 2 right" in r.stdout
    w = tmp_path / "w2.yaml"
    w.write_text("values: {H1: 0.15}\n")
    r = run("mark", w, CONFIGS / "sigmoid-222.yaml")  # the two the other way round
    assert r.exit_code == 2 and "is a WORK file" in r.stderr and "give the net first" in r.stderr
    assert "both be standard input" in run("mark", "-", "-").stderr


def test_a_work_file_past_the_budget_is_refused_before_the_runs(tmp_path):
    net = tmp_path / "big.yaml"  # one 200×200 image: about 2.3e7 multiply-adds a run
    net.write_text("input: {shape: [1, 200, 200], init: {uniform: [-1, 1], seed: 0}}\n"
                   "layers:\n  - {type: conv2d, name: conv1, filters: 8, kernel: 5}\n"
                   "  - {type: flatten}\n  - {type: dense, units: 1}\n"
                   "loss: {type: mse, target: [1]}\n")
    f = tmp_path / "w.yaml"
    f.write_text("values:\n" + "".join(f'  "conv1[0,{i},{j}]": 0.1\n'
                                        for i in range(25) for j in range(20)))
    r = run("mark", net, f)
    assert r.exit_code == 2 and "marking 500 numbers takes 1,002 runs" in r.stderr, r.output
    f.write_text("values:\n  input: " + json.dumps(np.zeros((1, 200, 200)).tolist()) + "\n")
    r = run("mark", net, f)
    assert r.exit_code == 2 and f"{f}:2: more than 2,000 numbers" in r.stderr


def test_a_work_file_past_a_megabyte_is_refused_unread(tmp_path):
    f = tmp_path / "w.yaml"
    f.write_text("values:\n" + "  # a comment that pads the file\n" * 40_000)
    r = run("mark", f)
    assert r.exit_code == 2 and "is larger than the 1 MB bpcli reads" in r.stderr
