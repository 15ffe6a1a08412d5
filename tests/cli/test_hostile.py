"""Hostile and careless input: each reproduction of the hostile-input issue gets its one
line (or its right result) within the budget, and an error of bpcli's own says it is one.

Numbers refer to the issue's table of reproductions."""
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bpcli.cli import main

from conftest import CONFIGS


def bpcli(*args, stdin=None, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin,
                              env={"COLUMNS": "100", **(env or {})})


def one_line(r, code=2):
    """The run ended with exit ``code`` and one line on stderr, nothing on stdout."""
    assert r.exit_code == code, r.output + r.stderr
    assert r.stdout == "" and len(r.stderr.splitlines()) == 1, r.stderr
    return r.stderr


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


# ------------------------------------------------------------------ 1: reading without end

def test_1_a_device_without_end_is_refused_after_the_budget():
    assert "/dev/zero: is larger than the 64 MB bpcli reads; BPCLI_BUDGET=10" in one_line(
        bpcli("forward", "/dev/zero"))


def test_1_standard_input_without_end_is_refused():
    with open("/dev/zero", "rb") as zero:  # what `bpcli forward - < /dev/zero` reads
        r = subprocess.run([sys.executable, "-m", "bpcli", "forward", "-"], stdin=zero,
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("Error: <stdin>: is larger than the 64 MB")


def test_1_a_data_file_linked_to_a_device_is_refused(tmp_path):
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    net = write(tmp_path, "n.yaml", "inputs: {x: 0}\nparams: {w: 1}\ntargets: {y: 0}\n"
                                    "loss: (w * x - y)^2\ndata: {file: zero.csv}\n")
    assert f"{net}:5: data file zero.csv is larger than the 64 MB" in one_line(bpcli("forward", net))


def test_the_budget_can_be_raised(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCLI_BUDGET", "0.000001")  # 67 bytes: the default net is larger
    assert "is larger than the 0 MB bpcli reads" in one_line(
        bpcli("forward", CONFIGS / "sigmoid-222.yaml"))


# ------------------------------------------------------------------ 3, 6: sizes without a square

def test_3_class_indices_need_no_square_one_hot(tmp_path):
    net = write(tmp_path, "n.yaml", "input: [1]\nlayers:\n  - {type: dense, units: 100000}\n"
                                    "loss: {type: cross_entropy, target: 0}\n")
    r = bpcli("grad", net, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert "too many to list" in bpcli("forward", net).stdout


def test_6_a_million_filters_are_summarised(tmp_path):
    net = write(tmp_path, "n.yaml", "input: {shape: [1, 5, 5]}\nlayers:\n  - {type: conv2d, filters: "
                                    "1000000, kernel: 3}\n  - {type: flatten}\n  - {type: dense, "
                                    "units: 2}\nloss: {type: mse, target: [0, 0]}\n")
    out = bpcli("forward", net).stdout
    assert "the other 999,872 maps' values: min" in out
    assert len(out.splitlines()) < 2000


# ------------------------------------------------------------------ a bug of ours

def test_an_internal_error_says_it_is_a_bug_in_one_line(monkeypatch):
    from bpcli import api

    def broken(*a, **k):
        raise ZeroDivisionError("a planted bug")

    monkeypatch.setattr(api.analysis, "forward_report", broken)
    err = one_line(bpcli("forward"), code=70)
    assert err == ("Error: internal error, a bug in bpcli (please report it): ZeroDivisionError: "
                   "a planted bug; BPCLI_DEBUG=1 shows the traceback\n")
    with pytest.raises(ZeroDivisionError):  # the traceback, for whoever fixes it
        CliRunner().invoke(main, ["forward"], env={"BPCLI_DEBUG": "1"}, catch_exceptions=False)
