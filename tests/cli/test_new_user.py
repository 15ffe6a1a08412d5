"""A narrow terminal and the small things a new user meets first (the hostile-input issue's
last part): names never disappear from a table at 60 columns, the progress bar stays
readable, NET's default is never a surprise, and a misspelt layer type is called that."""
import io
import re

import pytest
from click.testing import CliRunner
from rich.console import Console

from bpcli import terminal
from bpcli.cli import main

from conftest import CONFIGS


def at(columns, *args, code=0):
    r = CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": str(columns)})
    assert r.exit_code == code, r.output + r.stderr
    return r.stdout


def rows(out, header):
    """The lines under the rule that follows ``header`` up to the next blank line."""
    lines = out.splitlines()
    start = next(i for i, s in enumerate(lines) if s.split()[:1] == [header])
    end = next((i for i in range(start + 2, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 2:end]


def test_names_stay_in_a_table_of_long_vectors_at_60_columns():
    out = at(60, "grad", CONFIGS / "softmax-equations.yaml")
    assert max(map(len, out.splitlines())) <= 60
    # every node and param row starts with its name, and its numbers are still there (cut)
    assert [r.split()[0] for r in rows(out, "name")[:3]] == ["E", "a", "y"]
    assert " ".join(rows(out, "name")[3:]).split() == (
        "(numbers shortened to fit 60 columns: rounded, or a vector's first entries; a wider "
        "terminal or --format json shows them whole)").split()
    assert [r.split()[0] for r in rows(out, "param")[:1]] == ["z"]
    assert re.search(r"^a +softmax\(z\) +\[0\.090031, ", out, re.M)
    # the Jacobian's numbers fit and are not cut
    assert re.search(r"^a1 +-0\.022033 +0\.184836 +-0\.162803 +-4\.086161$", out, re.M)


def test_a_check_of_tensors_at_60_columns_puts_the_worst_element_under_its_name():
    out = at(60, "check", CONFIGS / "conv-pool.yaml")
    assert max(map(len, out.splitlines())) <= 60
    table = rows(out, "param")[:8]  # four tensors of two lines each
    assert rows(out, "param")[8].startswith("pass: every checked")
    names = [s.split()[0] for s in table[::2]]
    assert names == ["conv1.weight", "conv1.bias", "fc1.weight", "fc1.bias"]
    assert all(s.split()[-1] == "pass" for s in table[::2])
    # the second line of a tensor: its worst element, and how many of its elements were checked
    assert re.fullmatch(r"\[\d+,\d+,\d+,\d+\]", table[1].strip())
    assert re.fullmatch(r"\[\d+,\d+\] 20/24", table[5].strip())
    assert "under a tensor: its worst element" in out
    # at 100 columns the element and the count have columns of their own
    wide = at(100, "check", CONFIGS / "conv-pool.yaml")
    assert wide.splitlines()[1].split() == ["param", "worst", "checked", "analytic", "numeric",
                                            "abs", "error", "rel", "error", "result"]


def test_a_heading_wraps_at_its_space_before_its_numbers_are_cut():
    out = at(60, "check", CONFIGS / "conv-pool.yaml")
    first, second = out.splitlines()[1:3]
    assert first.split() == ["abs", "rel"] and second.split()[-3:] == ["error", "error", "result"]
    # "∂E/∂name" has no space: it stays whole and its numbers are cut instead
    out = at(60, "grad", CONFIGS / "softmax-equations.yaml")
    assert "∂E/∂name" in out


class _Time:
    """A clock the test moves by hand."""
    now = 1000.0

    def perf_counter(self):
        return self.now


def progress_line(monkeypatch, width):
    """The bar's line after 50 of 1000 steps in 5 s, read 1 s later."""
    clock = _Time()
    monkeypatch.setattr(terminal, "time", clock)
    # not a terminal: the bar draws nothing by itself, and its line is read here
    console = Console(file=io.StringIO(), width=width)
    bar = terminal.ProgressBar(console, "table", 1000)
    clock.now += 5
    bar(50, 0.1234567)
    clock.now += 1
    with console.capture() as captured:
        console.print(bar.bar.make_tasks_table(bar.bar.tasks))
    bar.__exit__(None, None, None)
    return captured.get().rstrip("\n")


def test_the_progress_bar_labels_its_times_and_is_compact_below_80_columns(monkeypatch):
    narrow = progress_line(monkeypatch, 60)
    assert len(narrow) <= 60 and "\n" not in narrow
    # 50 steps in 5 s: 950 more take 95 s, of which 1 has gone
    assert narrow.endswith("50/1000 E 0.123457 elapsed 0:06  left 1:34")
    assert "training" not in narrow and "steps/s" not in narrow
    wide = progress_line(monkeypatch, 100)
    assert wide.startswith("training ") and len(wide) <= 100
    assert wide.endswith("50/1000 E 0.123457 10 steps/s elapsed 0:06  left 1:34")
    assert [terminal.clock(s) for s in (7.9, 68, 3723)] == ["0:07", "1:08", "1:02:03"]


# ------------------------------------------------------------------ NET omitted

def test_a_bare_bpcli_prints_its_help_and_succeeds():
    r = CliRunner().invoke(main, [], prog_name="bpcli")
    assert r.exit_code == 0 and r.stderr == ""
    assert r.stdout.startswith("Usage: bpcli [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in r.stdout


@pytest.mark.parametrize("command", ["forward", "grad", "train", "check"])
def test_every_command_says_what_omitting_net_does(command):
    text = " ".join(at(100, command, "--help").split())
    assert ("NET is a network file in YAML, or - for standard input. Without NET, bpcli uses "
            "the embedded seed net (the seed note's 2-2-2 sigmoid net, which `bpcli init` "
            "writes out), even where ./net.yaml exists.") in text


@pytest.mark.parametrize("command", ["forward", "grad", "train", "check"])
def test_a_net_yaml_in_the_folder_is_named_when_net_is_omitted(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    alone = runner.invoke(main, [command])
    assert alone.stderr == ""  # no net.yaml here: nothing to say
    (tmp_path / "net.yaml").write_text((CONFIGS / "xor.yaml").read_text())
    r = runner.invoke(main, [command])
    assert r.exit_code == alone.exit_code and r.stdout == alone.stdout  # the embedded net
    assert r.stderr == ("note: NET not given, so this is the embedded seed net, not "
                        f"./net.yaml; to use that file: bpcli {command} net.yaml\n")
    named = runner.invoke(main, [command, "net.yaml"])
    assert named.stderr == "" and named.stdout.startswith("XOR")


# ------------------------------------------------------------------ layer types

LAYER_NET = """input: {shape: [1, 6, 6], init: {uniform: [0, 1]}}
layers:
%s
loss: {type: cross_entropy, target: 0}
"""


@pytest.mark.parametrize("layers, line, message", [
    # before flatten, the type decides whether the input is an image: it was blamed on the shape
    ("  - {type: Conv2d, filters: 2, kernel: 3}\n  - {type: flatten}\n  - {type: dense, units: 2}",
     3, "layer 1: unknown type 'Conv2d'; did you mean 'conv2d'?"),
    ("  - {type: conv2d, filters: 2, kernel: 3}\n  - {type: MaxPool, size: 2}\n"
     "  - {type: flatten}\n  - {type: dense, units: 2}",
     4, "layer 2: unknown type 'MaxPool'; did you mean 'maxpool'?"),
    ("  - {type: flatten}\n  - dense: {units: 2, weight: [[1, 2]]}",
     4, "layer 2 has no type; write it as {type: dense, units: 2, weight: […]}"),
    ("  - {type: flatten}\n  - {units: 2}",
     4, "layer 2 has no type; give one, e.g. {type: dense, units: 3}; types are sigmoid, tanh, "
        "relu, leaky_relu, flatten, softmax, conv2d, dense, maxpool, meanpool"),
    ("  - {type: flatten}\n  - {type: }", 4, "layer 2: its type is a name such as dense, not empty"),
    ("  - flatten\n  - {type: dense, units: 2}", 2,
     "layer 1 must be a mapping: write it as {type: flatten}"),
    ("  - [1, 2]", 3, "layer 1 must be a mapping such as {type: relu}"),
    ("  - {type: flatten}\n  - {type: dense, units: 2, name: E}", 4,
     "layer name 'E' is reserved (E is the loss, input and target the data's); choose another"),
])
def test_a_misspelt_layer_type_is_called_that_wherever_it_stands(tmp_path, layers, line, message):
    path = tmp_path / "net.yaml"
    path.write_text(LAYER_NET % layers)
    r = CliRunner().invoke(main, ["forward", str(path)])
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == f"Error: {path}:{line}: {message}\n"


# ------------------------------------------------------------------ numbers that fit

def test_a_number_is_rounded_to_its_column_never_cut():
    from bpcli.render.numbers import fit
    assert fit("0.012915", 6) == "0.0129"
    assert fit("6.84e-11", 7) == "6.8e-11"  # cut, 6.84e-… would hide its magnitude
    assert fit("7.44432e-04", 7) == "0.00074"  # as many digits as 7.4e-04, and plainer
    assert fit("-4.63119e-05", 7) == "-5e-05"  # -0.0000 would say it is 0
    assert fit("123456.000000", 6) == "123456" and fit("123456.000000", 5) == "1e+05"
    assert fit("[0.090031, 0.244728, 0.665241]", 16) == "[0.090031, …]"
    assert fit("[0.090031, 0.244728]", 8) is None  # no entry fits: the table cuts it
    assert fit("nan", 2) is None and fit("conv1", 3) is None


def test_every_number_at_60_columns_is_the_json_number_rounded():
    import json
    out = at(60, "check", CONFIGS / "bars.yaml")
    doc = json.loads(at(100, "check", CONFIGS / "bars.yaml", "--format", "json"))
    for name, line in zip(["conv1.weight", "conv1.bias", "fc1.weight", "fc1.bias"],
                          rows(out, "param")[::2]):
        cells = line.split()
        assert cells[0] == name and len(cells) == 6, line
        p = doc["params"][name]
        for shown, exact in zip(cells[1:5], (p["analytic"], p["numeric"], p["abs_error"],
                                             p["rel_error"])):
            digits = len(shown.split("e")[0].lstrip("-").replace(".", "").lstrip("0"))
            assert digits >= 2, shown
            assert abs(float(shown) - exact) <= 0.51 * 10 ** (1 - digits) * abs(exact), \
                (name, shown, exact)


def test_long_names_stay_whole_and_an_expression_wraps_before_numbers_shorten(tmp_path):
    net = tmp_path / "n.yaml"
    net.write_text("inputs: {x: 1}\nparams: {hidden_layer_activation_unit_1: 0.5, "
                   "hidden_layer_activation_unit_2: -0.25}\nnodes:\n"
                   "  hidden_layer_activation_output_1: sigmoid(hidden_layer_activation_unit_1)\n"
                   "  hidden_layer_activation_output_2: tanh(hidden_layer_activation_unit_2)\n"
                   "loss: (hidden_layer_activation_output_1 - hidden_layer_activation_output_2)^2\n")
    out = at(60, "forward", net)  # the names were cut alike: hidden_layer_activ…
    assert max(map(len, out.splitlines())) <= 60
    for name in ("unit_1", "unit_2", "output_1", "output_2"):
        assert re.search(rf"^hidden_layer_activation_{name} ", out, re.M), name
    out = at(60, "check", net)  # here the name folds onto a second line, whole
    assert max(map(len, out.splitlines())) <= 60
    for k in (1, 2):
        first, second = re.search(rf"^(hidden_layer_\S+) .*pass\n(\S*unit_{k})$", out,
                                  re.M).groups()
        assert first + second == f"hidden_layer_activation_unit_{k}"
    # 20 terms of w: the expression wraps, the numbers keep all their digits
    net.write_text("inputs: {x: 1}\nparams: {w: 1.234567}\nloss: " + " + ".join(["w"] * 20) + "\n")
    out = at(80, "forward", net)
    assert re.search(r"^w +param +1\.234567$", out, re.M)
    assert re.search(r"^E +w \+ w .* 24\.691340$", out, re.M) and "rounded" not in out
    # COLUMNS=0 printed nothing at all; it is as if COLUMNS were not set
    assert at(0, "forward", net).startswith(f"{net} — forward pass")


def test_a_net_that_begins_with_flatten_takes_images(tmp_path):
    """It was told to put {type: flatten} before dense, which it did."""
    path = tmp_path / "net.yaml"
    path.write_text(LAYER_NET % "  - {type: flatten}\n  - {type: dense, units: 2}")
    out = at(100, "forward", path)
    assert "input — input → 1×6×6" in out and "flatten1 — flatten → 36" in out


def test_a_number_too_wide_for_its_column_is_an_ellipsis_never_a_cut_prefix():
    from bpcli.render.numbers import fit
    assert fit("-5.5e-04", 6) == "-6e-04" and fit("5.1e-04", 5) == "5e-04"  # a tie: the nearer
    out = at(30, "step", CONFIGS / "xor.yaml")
    rows_ = [line.split() for line in out.splitlines() if line[:2] in ("w1", "w3", "b2")]
    assert len(rows_) == 3
    for cells in rows_:
        for cell in cells[1:]:
            assert cell == "…" or float(cell) == float(cell), cells  # a number, or …
    assert "numbers shortened to fit 30 columns" in " ".join(out.split())
