"""A network file's `train:` section: train's defaults for that net, options over them,
kept by --save; its mistakes are one line naming the line (issue 9, part 5)."""
import json

import pytest
from click.testing import CliRunner

import bpcli
from bpcli.cli import main

from conftest import CONFIGS, load, run

EQUATIONS = "inputs: {x: 1}\nparams: {w: 0.5}\nloss: (w * x - 2)^2\n"
LAYERS = "input: [1, 2]\nlayers:\n  - {type: dense, units: 1}\nloss: {type: mse, target: [1]}\n"


def doc(*args):
    return json.loads(run("train", *args, "--format", "json").stdout)


@pytest.mark.parametrize("net", [EQUATIONS, LAYERS], ids=["equations", "layers"])
def test_the_file_gives_train_its_defaults_and_options_override(tmp_path, net):
    f = tmp_path / "n.yaml"
    f.write_text(net + "train: {eta: 0.1, steps: 7, momentum: 0.5}\n")
    from_file = doc(f)
    assert from_file["steps"] == 7
    # the same run as the file without its section and the options written out
    f.with_name("plain.yaml").write_text(net)
    assert from_file == doc(f.with_name("plain.yaml"), "--eta", "0.1", "--steps", "7",
                            "--momentum", "0.5")
    # an option wins; --epochs replaces the file's steps
    assert doc(f, "--steps", "3")["steps"] == 3
    assert doc(f, "--epochs", "2")["steps"] == 2
    assert doc(f, "--eta", "0.2") != from_file
    title = " ".join(run("train", f).stdout.split("\n\n")[0].split())  # it may wrap
    assert "training: η = 0.1, 7 steps, momentum 0.5 step E" in title


def test_xor_learns_as_it_stands():
    out = run("train", CONFIGS / "xor.yaml").stdout
    assert "training: η = 2, 2000 steps" in out and "100.0% after" in out


def test_save_keeps_the_section_and_the_library_reads_it(tmp_path):
    out = tmp_path / "t.yaml"
    run("train", CONFIGS / "xor.yaml", "--steps", "5", "--save", out)
    assert bpcli.load(str(out)).training == {"eta": 2.0, "steps": 2000}
    result = bpcli.train(load("xor.yaml"))  # the file's eta and steps
    assert (result.eta, result.steps) == (2.0, 2000)
    assert bpcli.train(load("xor.yaml"), steps=3).steps == 3


@pytest.mark.parametrize("section, line, message", [
    ("train: {eta: fast}", 4, "train: eta must be a number, not 'fast'"),
    ("train: {stesp: 5}", 4, "unknown train setting 'stesp'; did you mean 'steps'?"),
    ("train: {steps: 5, epochs: 2}", 4, "train: give steps or epochs, not both"),
    ("train: {shuffle: maybe}", 4, "train: shuffle is true or false, not 'maybe'"),
    ("train: {momentum: 1}", 4, "train: momentum must be in [0, 1), not 1"),
    ("train: {batch_size: 0}", 4, "train: batch_size must be at least 1, not 0"),
    ("train: [1, 2]", 4, "train: is a mapping of train's settings, e.g. {eta: 2, steps: 2000}"),
    ("train:\n  eta: 1\n  seed: -1", 6, "train: seed must be at least 0, not -1"),
])
def test_a_mistake_in_the_section_names_its_line(tmp_path, section, line, message):
    f = tmp_path / "n.yaml"
    f.write_text(EQUATIONS + section + "\n")
    r = CliRunner().invoke(main, ["forward", str(f)])
    assert r.exit_code == 2 and r.stderr == f"Error: {f}:{line}: {message}\n"
