"""Hostile and careless input: each reproduction of the hostile-input issue gets its one
line (or its right result) within the budget, and an error of bpcli's own says it is one.

Numbers refer to the issue's table of reproductions."""
import json
import math
import os
import re
import subprocess
import sys

import numpy as np
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
    assert ("/dev/zero: is larger than the 16 MB bpcli reads; large inputs belong in an .npz "
            "data file; BPCLI_BUDGET=10") in one_line(bpcli("forward", "/dev/zero"))


def test_1_standard_input_without_end_is_refused():
    with open("/dev/zero", "rb") as zero:  # what `bpcli forward - < /dev/zero` reads
        r = subprocess.run([sys.executable, "-m", "bpcli", "forward", "-"], stdin=zero,
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("Error: <stdin>: is larger than the 16 MB")


def test_1_a_data_file_linked_to_a_device_is_refused(tmp_path):
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    net = write(tmp_path, "n.yaml", "inputs: {x: 0}\nparams: {w: 1}\ntargets: {y: 0}\n"
                                    "loss: (w * x - y)^2\ndata: {file: zero.csv}\n")
    assert f"{net}:5: data file zero.csv is not a regular file" in one_line(bpcli("forward", net))
    (tmp_path / "zero.csv").unlink()
    os.mkfifo(tmp_path / "zero.csv")  # a FIFO no one writes to: it waited for ever
    assert f"{net}:5: data file zero.csv is not a regular file" in one_line(bpcli("forward", net))


def test_a_trained_net_too_large_to_read_back_is_refused_before_training(tmp_path):
    """A million weights took 22 s to save, to a 23 MB file bpcli then refused to read."""
    net = write(tmp_path, "n.yaml", "input: {shape: [1000]}\nlayers: [{type: dense, units: "
                                    "1000}]\nloss: {type: cross_entropy, target: 0}\n")
    out = tmp_path / "out.yaml"
    assert one_line(bpcli("train", net, "--steps", "1", "--save", out)) == (
        f"Error: --save {out}: its 1,001,000 params would take about 23 MB as YAML, more than "
        "the 16 MB a network file may be; BPCLI_BUDGET=10 raises every limit tenfold (README, "
        "Limits)\n")
    assert not out.exists()


def test_check_refuses_an_eps_too_small_to_measure_anything():
    """--eps 1e-300 passed every param with a numeric of 0 (the round-off rule let it)."""
    assert one_line(bpcli("check", "--eps", "1e-300")) == (
        "Error: --eps 1e-300: is below 1e-10, where central differences in float64 measure "
        "only round-off; use 1e-8 to 1e-4\n")
    assert bpcli("check", "--eps", "1e-10").exit_code == 0


def test_closed_or_full_standard_streams_are_one_line(tmp_path):
    """Found by a hostile tester: each was 'a bug in bpcli' (exit 70), or silence."""
    def run(args, **streams):
        r = subprocess.run([sys.executable, "-m", "bpcli", *args], capture_output=False,
                           stderr=subprocess.PIPE, text=True, timeout=60, cwd=tmp_path,
                           **streams)
        return r.returncode, r.stderr
    with open("/dev/full", "w") as full:
        for args in (["forward"], ["forward", "--format", "json"], ["init", "-"]):
            assert run(args, stdout=full) == (
                2, "Error: cannot write the output: No space left on device\n"), args
        # the trained net is saved before the results are written: a full disk under
        # stdout (or a closed terminal) does not cost it
        assert run(["train", "--steps", "3", "--save", "out.yaml"], stdout=full)[0] == 2
    assert (tmp_path / "out.yaml").read_text().startswith("# Trained by bpcli")
    code, said = run(["forward", "-"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     pass_fds=(), close_fds=True, preexec_fn=lambda: os.close(0))
    assert (code, said) == (2, "Error: <stdin>: standard input is closed; give NET as a file\n")
    code, said = run(["forward"], stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(1))
    assert (code, said) == (2, "Error: standard output is closed; redirect it to a file or "
                               "/dev/null\n")


def test_the_budget_can_be_raised(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCLI_BUDGET", "0.000001")  # 16 bytes: the default net is larger
    assert "is larger than the 16 bytes bpcli reads" in one_line(
        bpcli("forward", CONFIGS / "sigmoid-222.yaml"))
    monkeypatch.setenv("BPCLI_BUDGET", "1e6")  # read in pieces: nothing set aside for 16 TB
    assert bpcli("forward", CONFIGS / "sigmoid-222.yaml").exit_code == 0
    for wrong in ("abc", "0", "-1", "nan", "1e308", "1e12"):  # were taken as 1, or a bug
        monkeypatch.setenv("BPCLI_BUDGET", wrong)
        assert one_line(bpcli("forward")) == (
            "Error: BPCLI_BUDGET must be a number above 0 and at most 1e+06 (it multiplies "
            f"every limit; README, Limits), not {wrong!r}\n")


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


def test_a_table_lists_its_first_and_last_rows_within_the_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCLI_BUDGET", "0.003")  # 10 000 rows × 0.003: 30 rows a table
    out = bpcli("train", "--steps", "100", "--every", "1").stdout.splitlines()
    rows = [s.split() for s in out[3:35]]  # under the heading and its rule
    # the first 20 rows, ⋮ for the 71 not listed, the last 9 steps, and final after a blank
    assert [r[0] if r else "" for r in rows] == ([str(k) for k in range(1, 21)] + ["⋮"]
                                                 + [str(k) for k in range(92, 101)] + ["", "final"])
    assert ("⋮ 71 rows not listed: a table lists at most 30; --format json has them all; "
            "BPCLI_BUDGET=10 raises every limit tenfold (README, Limits)") in " ".join(
                " ".join(out).split())
    # the rows listed are the run's own: the same as in the JSON, which has all 100
    history = json.loads(bpcli("train", "--steps", "100", "--format", "json").stdout)["history"]
    assert len(history) == 100
    listed = {int(r[0]): float(r[1]) for r in rows if r and r[0].isdigit()}
    assert listed == {k: round(history[k - 1]["loss"], 6) for k in listed}
    # an equation net of 60 nodes: the table of nodes ends with E, as ever
    nodes = "".join(f"  h{i}: h{i - 1} * 0.5 + w\n" for i in range(1, 60))
    net = write(tmp_path, "n.yaml", f"inputs: {{x: 1}}\nparams: {{w: 0.5}}\nnodes:\n"
                                    f"  h0: w * x\n{nodes}loss: h59\n")
    out = bpcli("forward", net).stdout
    assert re.search(r"^h58 .*\n^h59 .*\n\n^E +h59 +1.000000$", out, re.M)
    assert "⋮ 33 rows not listed" in out


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


# ------------------------------------------------------------------ 2, 16, 21: the network file

def test_2_aliases_are_counted_before_they_are_expanded(tmp_path):
    nested = "&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"
    for k in range(1, 8):  # 497 bytes that YAML would expand to 10⁸ numbers
        nested = f"&a{k} [{nested}" + f", *a{k - 1}" * 9 + "]"
    net = write(tmp_path, "bomb.yaml", f"input: {nested}\nlayers:\n  - {{type: flatten}}\n"
                                       "  - {type: dense, units: 1}\nloss: {type: mse, target: [0]}\n")
    assert (f"{net}:1: holds more than 5,000,000 values once its YAML aliases are expanded"
            in one_line(bpcli("forward", net)))
    # anywhere, not only in a tensor: a kernel, a seed, a name (82 s and 3.2 GB, then a
    # "more memory than the machine has", as a message tried to print the list)
    for where in ("  - {type: conv2d, filters: 1, kernel: %s}", "  - {type: flatten, name: %s}"):
        net = write(tmp_path, "bomb.yaml", "input: {shape: [1, 6, 6]}\nlayers:\n"
                    + where % nested + "\n  - {type: flatten}\n  - {type: dense, units: 2}\n"
                    "loss: {type: cross_entropy, target: 0}\n")
        assert f"{net}:3: holds more than 5,000,000 values" in one_line(bpcli("forward", net))
    nested = "&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"
    for k in range(1, 5):  # 10⁵ values: within the budget, and one line of a readable length
        nested = f"&a{k} [{nested}" + f", *a{k - 1}" * 9 + "]"
    net = write(tmp_path, "seed.yaml", f"seed: {nested}\ninput: [1, 2]\nlayers:\n"
                "  - {type: dense, units: 1}\nloss: {type: mse, target: [0]}\n")
    line = one_line(bpcli("forward", net))
    assert line.startswith(f"Error: {net}:1: seed must be a whole number, not [[") and \
        len(line) <= 401 and " … " in line


def test_16_a_network_file_over_16_mb_is_refused(tmp_path):
    net = tmp_path / "big.yaml"
    net.write_text("input: [" + "0.12345, " * 2_000_000 + "1]\n")  # 18 MB
    assert "is larger than the 16 MB bpcli reads; large inputs belong in an .npz data file" in (
        one_line(bpcli("forward", net)))


def test_21_nesting_thousands_deep_names_its_line(tmp_path):
    net = write(tmp_path, "deep.yaml", "name: deep\ninput: " + "[" * 10000 + "1" + "]" * 10000
                + "\nlayers:\n  - {type: flatten}\nloss: {type: mse, target: [0]}\n")
    assert f"{net}:2: lists or mappings are nested thousands of levels deep" in one_line(
        bpcli("forward", net))
    net = write(tmp_path, "deepish.yaml", "input: " + "[" * 20 + "1" + "]" * 20 + "\nlayers:\n"
                "  - {type: flatten}\nloss: {type: mse, target: [0]}\n")
    assert f"{net}:1: input is lists within lists more than 16 deep" in one_line(
        bpcli("forward", net))


def test_19_numbers_are_ascii_digits(tmp_path):
    for value in ("'١٠'", "1_000"):
        net = write(tmp_path, "n.yaml", f"params: {{w: {value}}}\nloss: w\n")
        assert f"{net}:1: param 'w' must be a number written in ASCII digits" in one_line(
            bpcli("forward", net))
    (tmp_path / "d.csv").write_text("x,y\n١,0\n")
    net = write(tmp_path, "d.yaml", "inputs: {x: 0}\nparams: {w: 1}\ntargets: {y: 0}\n"
                                    "loss: (w * x - y)^2\ndata: {file: d.csv}\n")
    assert "d.csv:2: column 'x' holds '١', not a number" in one_line(bpcli("forward", net))


# ------------------------------------------------------------------ 7–10, 20: data files

XOR = (CONFIGS / "xor.yaml").read_text().split("data:")[0]


def test_7_a_long_cell_in_a_column_the_net_does_not_use_is_read(tmp_path):
    (tmp_path / "xor.csv").write_text("x1,x2,y,note\n0,0,0," + "a" * 200_000 + "\n1,1,0,b\n")
    net = write(tmp_path, "n.yaml", XOR + "data: {file: xor.csv}\n")
    r = bpcli("forward", net)  # was a _csv.Error traceback: field larger than field limit
    assert r.exit_code == 0 and "forward pass on a data set of 2 samples" in r.stdout


def test_20_a_quote_never_closed_is_a_mistake(tmp_path):
    (tmp_path / "xor.csv").write_text("x1,x2,y\n0,0,0\n1,1,\"0")  # was read as 0
    net = write(tmp_path, "n.yaml", XOR + "data: {file: xor.csv}\n")
    assert "xor.csv:3: a quote opened here is never closed" in one_line(bpcli("forward", net))


def test_8_9_10_npz_files_that_are_empty_or_too_large(tmp_path):
    net = write(tmp_path, "n.yaml", XOR + "data: {file: d.npz}\n")
    (tmp_path / "d.npz").write_bytes(b"")  # 8: np.load's EOFError read as Ctrl-C ("Aborted!")
    assert "data file d.npz is not an .npz of number arrays" in one_line(bpcli("forward", net))
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    header["shape"] = (4_000_000_000,)  # 9: a header that claims 4·10⁹ numbers
    with open(tmp_path / "x1.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        f.write(b"\0" * 1024)
    import zipfile
    with zipfile.ZipFile(tmp_path / "d.npz", "w") as z:
        z.write(tmp_path / "x1.npy", "x1.npy")
    assert "array 'x1' holds 4,000,000,000 values, more than bpcli's 50,000,000" in one_line(
        bpcli("forward", net))
    np.savez_compressed(tmp_path / "d.npz", x1=np.zeros(60_000_000, dtype=np.uint8),
                        x2=[0], y=[0])  # 10: 60 KB that decompress to 60 million numbers
    assert "array 'x1' holds 60,000,000 values" in one_line(bpcli("forward", net))
    # 9 million float64 in 70 KB: 69 MB once decompressed, past the 64 MB a data file may be
    np.savez_compressed(tmp_path / "d.npz", x1=np.zeros(9_000_000), x2=[0], y=[0])
    assert ("data file d.npz holds 69 MB of arrays (decompressed), more than the 64 MB bpcli "
            "reads; BPCLI_BUDGET=10") in one_line(bpcli("forward", net))


def test_a_data_set_of_a_million_samples_formats_only_the_samples_shown(tmp_path, monkeypatch):
    import bpcli.render.rows as rows
    net = write(tmp_path, "n.yaml", XOR + "data: {file: d.npz}\n")
    x = np.random.default_rng(0).random(1_000_000)
    np.savez(tmp_path / "d.npz", x1=x, x2=x, y=(x > 0.5).astype(float))
    formatted = []
    monkeypatch.setattr(rows, "fmt", lambda v, p: formatted.append(v) or f"{v:.{p}f}")
    for command in ("forward", "grad"):
        out = bpcli(command, net).stdout
        assert "a data set of 1000000 samples: showing sample 0" in out
        assert len(formatted) < 50, command  # was 4 million values, 25 s, for one column
        formatted.clear()
    assert f"{x[123456]:.6f}" in bpcli("forward", net, "--sample", "123456").stdout


def test_a_reader_that_stops_early_ends_the_run_quietly():
    """`bpcli … | head`: no 'bug in bpcli', no traceback; the exit status says SIGPIPE."""
    for fmt in ("json", "table"):  # 10 000 steps: 500 KB of JSON, 180 KB of table
        p = subprocess.Popen([sys.executable, "-m", "bpcli", "train", "--steps", "10000",
                              "--every", "1", "--format", fmt],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert p.stdout.read(1)
        p.stdout.close()  # the reader goes while most of the output is still to be written
        assert p.wait(timeout=60) == 141 and p.stderr.read() == b""


# ------------------------------------------------------------------ 4, 5: Jacobians and work

def test_4_a_softmax_of_a_thousand_classes_shows_no_jacobian(tmp_path):
    net = write(tmp_path, "n.yaml", "input: [1]\nlayers:\n  - {type: dense, units: 1000}\n"
                                    "  - {type: softmax}\nloss: {type: cross_entropy, target: 0}\n")
    out = bpcli("grad", net).stdout  # was 40 546 lines in 74 s
    assert "its 1,000×1,000 Jacobian is not shown: over 32 classes; ∂E/∂z is checked against " \
           "a − y without it" in out and "✓ equal to ∂E/∂z" in out
    assert len(out.splitlines()) < 2000
    r = bpcli("grad", net, "--format", "json")
    assert r.exit_code == 0 and "softmax_jacobians" not in r.stdout
    eq = write(tmp_path, "eq.yaml", "params: {z: " + str([0.001 * k for k in range(20000)])
               + "}\ntargets: {y: " + str([1.0] + [0.0] * 19999) + "}\nnodes:\n  a: softmax(z)\n"
               "loss: -sum(y * log(a))\n")
    out = " ".join(bpcli("grad", eq).stdout.split())  # 20 000 values in equations: a traceback
    assert "its 20,000×20,000 Jacobian is not shown" in out and "20,000 values: [" in out


def test_5_a_step_of_more_work_than_the_budget_is_refused_up_front(tmp_path):
    net = write(tmp_path, "n.yaml", "input: {shape: [1, 1000, 1000]}\nlayers:\n  - {type: conv2d, "
                                    "filters: 1, kernel: 100}\n  - {type: flatten}\n  - {type: "
                                    "dense, units: 1}\nloss: {type: mse, target: [0]}\n")
    assert (f"{net}:3: layer 1 (conv2d conv1): one step would take about 2.4e+10 multiply-adds, "
            "more than bpcli's 2e+09") in one_line(bpcli("forward", net))


# ------------------------------------------------------------------ 11, 22: data sections

def test_11_a_csv_column_list_that_names_nothing(tmp_path):
    write(tmp_path, "t.csv", "a,label\n1,0\n2,1\n")
    net = write(tmp_path, "n.yaml", "data: {file: t.csv, input: [], target: label}\n"
                                    "layers:\n  - {type: dense, units: 1}\nloss: {type: mse}\n")
    assert one_line(bpcli("forward", net)) == (f"Error: {net}:1: data input names no column; "
                                               "give one or more, e.g. input: [a, b]\n")


def test_generated_images_for_a_net_of_vectors_are_refused_before_they_are_made(tmp_path):
    """5 million images were made (5 s, 1.4 GB) before the shape mistake was found."""
    net = write(tmp_path, "n.yaml", "data: {generate: bars, samples: 5000000, size: 3}\n"
                                    "layers:\n  - {type: dense, units: 3}\nloss: {type: cross_entropy}\n")
    assert one_line(bpcli("forward", net)) == (
        f"Error: {net}:1: generated data are images (N×1×H×W), but this network takes N "
        "vectors; begin it with conv2d or a pool, or with {type: flatten}\n")
    net.write_text("data: {generate: bars, samples: 30, size: 3}\nlayers:\n  - {type: flatten}\n"
                   "  - {type: dense, units: 3}\nloss: {type: cross_entropy}\n")
    assert bpcli("forward", net).exit_code == 0


def test_22_noise_that_overflows_the_images(tmp_path):
    net = write(tmp_path, "n.yaml", (CONFIGS / "bars.yaml").read_text().replace("noise: 0.1",
                                                                                "noise: 1e308"))
    assert one_line(bpcli("forward", net)) == (
        f"Error: {net}:7: noise 1e+308 makes images that are not finite; use a smaller noise, "
        "e.g. 0.1\n")


# ------------------------------------------------------------------ 12, 13, 18: edge cases

def test_12_a_tiny_fused_cross_entropy_keeps_its_digits(tmp_path):
    net = write(tmp_path, "n.yaml", "input: [1, 2, 0, 3]\nlayers:\n  - {type: dense, units: 2, "
                                    "weight: [[1, 2, 3, 4], [0, 0, 0, 0]], bias: [0, 0]}\n"
                                    "loss: {type: cross_entropy, target: 0}\n")
    doc = json.loads(bpcli("grad", net, "--format", "json").stdout)
    # logits [17, 0]: E = −log σ(17) = log(1 + e^(−17)), in math's log1p; ∂E/∂z0 = −σ(−17)
    assert doc["loss"] == pytest.approx(math.log1p(math.exp(-17)), rel=1e-15)
    sig = 1 / (1 + math.exp(17))
    assert doc["grads"]["fc1.weight"][0] == pytest.approx([-sig, -2 * sig, 0, -3 * sig],
                                                           rel=1e-12)
    r = bpcli("check", net)  # was a false FAIL: the numeric E lost its digits
    assert r.exit_code == 0 and "pass: every checked gradient agrees" in r.stdout


GRADIENT = ("∂E/∂p = nan, the first gradient that is not finite: a local derivative is undefined "
            "there (sqrt or log at 0, a power of 0)")


def test_13_an_undefined_derivative_is_nan_with_one_warning_everywhere(tmp_path):
    net = write(tmp_path, "n.yaml", "params: {p: 0.0, q: 2.0}\nnodes: {n: p^p, m: p^q}\n"
                                    "loss: n + m\n")
    r = bpcli("grad", net, "--format", "json")  # ∂E/∂p was a silent 0
    assert r.stderr == f"warning: {GRADIENT}\n" and json.loads(r.stdout)["grads"]["p"] is None
    r = bpcli("grad", net, "--wrt", "p")
    assert r.stderr == f"warning: {GRADIENT}\n"
    r = bpcli("check", net)  # the differences are nan too (p − eps < 0): nothing to check
    assert r.exit_code == 1 and r.stderr == f"warning: {GRADIENT}\n"
    assert "p            nan        nan         nan         nan   undefined" in r.stdout
    assert "undefined: the derivative of E by p is undefined at these values" in r.stdout
    r = bpcli("train", net, "--steps", "5")  # stops: the update would make p nan
    assert r.stderr == (f"warning: at step 1, {GRADIENT}; training stopped at step 2 and kept the "
                        "params of step 1, the last with a finite E (E = 1)\n")
    doc = json.loads(bpcli("train", net, "--steps", "5", "--format", "json").stdout)
    assert doc["params"] == {"p": 0.0, "q": 2.0} and doc["final_loss"] == 1.0


def test_13_a_power_of_zero_with_a_positive_exponent_has_a_slope_in_its_exponent():
    from bpcli.engine.ops.arithmetic import pow_backward
    # d(a^b)/db = a^b·ln a → 0 as a → 0 for b > 0; undefined at b ≤ 0 (0^b jumps at b = 0)
    a, b = np.array([0.0, 0.0, 0.0]), np.array([2.0, 0.0, -1.0])
    with np.errstate(all="ignore"):
        _, db = pow_backward(np.ones(3), (a, b, a ** b))
    assert db[0] == 0.0 and np.isnan(db[1]) and np.isnan(db[2])


def test_18_training_stops_at_the_first_e_not_finite_and_saves_the_last_finite_params(tmp_path):
    net = write(tmp_path, "n.yaml", "params: {w: 2}\nloss: log(w - 1)\n")
    out = tmp_path / "out.yaml"
    r = bpcli("train", net, "--eta", "3", "--steps", "50", "--save", out)
    # step 1: E = log 1 = 0, ∂E/∂w = 1, w ← 2 − 3 = −1, and log(−2) is nan at step 2
    assert r.exit_code == 1 and r.stderr == (
        "warning: E became nan at step 2: the update before it took the params where the loss "
        "is undefined (log or sqrt of a value ≤ 0, 0/0); it stopped there and kept the params of "
        "step 1, the last with a finite E (E = 0); try a smaller --eta\n")
    assert "    3" not in r.stdout
    assert "w: 2.0" in out.read_text() and bpcli("forward", out).exit_code == 0


# ------------------------------------------------------------------ 14: saving a net from stdin

def test_14_a_net_from_stdin_saved_elsewhere_still_finds_its_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "lin.csv", "x,y\n0,1\n1,3\n2,5\n")
    text = "inputs: {x: 0}\nparams: {w: 0.5, b: 0}\ntargets: {y: 0}\nloss: (w * x + b - y)^2\n" \
           "data: {file: lin.csv}\n"
    (tmp_path / "sub").mkdir()
    r = bpcli("train", "-", "--steps", "3", "--save", "sub/out.yaml", stdin=text)
    assert r.exit_code == 0, r.stderr
    assert "file: ../lin.csv" in (tmp_path / "sub" / "out.yaml").read_text()
    assert bpcli("forward", "sub/out.yaml").exit_code == 0


# ------------------------------------------------------------------ 15: safe saving

def test_15_save_replaces_another_file_only_with_force(tmp_path):
    net, other = tmp_path / "n.yaml", write(tmp_path, "other.yaml", "mine\n")
    bpcli("init", net)
    err = one_line(bpcli("train", net, "--steps", "1", "--save", other))
    assert err == f"Error: --save {other} exists; pass --force to replace it, or name another file\n"
    assert other.read_text() == "mine\n"  # refused before any training
    assert bpcli("train", net, "--steps", "1", "--save", other, "--force").exit_code == 0
    assert other.read_text().startswith("# Trained by bpcli")
    before = net.read_text()  # the input itself needs no --force (README: train on in place)
    assert bpcli("train", net, "--steps", "1", "--save", net).exit_code == 0
    assert net.read_text() != before


def test_15_save_keeps_permissions_and_refuses_a_read_only_file(tmp_path):
    net, private = tmp_path / "n.yaml", tmp_path / "private.yaml"
    bpcli("init", net)
    bpcli("init", private)
    private.chmod(0o600)
    assert bpcli("train", net, "--steps", "1", "--save", private, "--force").exit_code == 0
    assert private.stat().st_mode & 0o777 == 0o600 and "Trained" in private.read_text()
    private.chmod(0o444)  # read-only: refused even with --force (and even to root)
    err = one_line(bpcli("train", net, "--steps", "1", "--save", private, "--force"))
    assert err == (f"Error: --save {private} is read-only; make it writable (chmod u+w) or name "
                   "another file\n")
    assert one_line(bpcli("init", private, "--force")).startswith(f"Error: {private} is read-only")
    assert "Trained" in private.read_text()


def test_15_save_writes_through_a_symlink_and_not_onto_a_device(tmp_path):
    net = tmp_path / "n.yaml"
    bpcli("init", net)
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.yaml"
    link.symlink_to(tmp_path / "real" / "trained.yaml")
    assert bpcli("train", net, "--steps", "1", "--save", link).exit_code == 0  # new: no --force
    assert link.is_symlink() and "Trained" in (tmp_path / "real" / "trained.yaml").read_text()
    assert one_line(bpcli("train", net, "--steps", "1", "--save", link)).startswith(
        f"Error: --save {link} exists; pass --force")
    assert bpcli("train", net, "--steps", "1", "--save", link, "--force").exit_code == 0
    assert link.is_symlink()
    assert one_line(bpcli("train", net, "--save", "/dev/null", "--force")) == (
        "Error: --save /dev/null is not a regular file (a device or a pipe); name a file\n")


def test_help_and_version_to_a_full_disk_are_one_line():
    with open("/dev/full", "w") as full:
        for args in ([], ["--version"], ["forward", "--help"]):
            r = subprocess.run([sys.executable, "-m", "bpcli", *args], stdout=full,
                               stderr=subprocess.PIPE, text=True, timeout=60)
            assert (r.returncode, r.stderr) == (
                2, "Error: cannot write the output: No space left on device\n"), args
