"""The seed note's sign slip, per file (issue 9, part 4): the sentence about it where it
applies, and one warning from train for a loss with no lower bound."""
import pytest

import bpcli
from bpcli import nets
from bpcli.analysis.sign import negated_squares

from conftest import CONFIGS, run

BASE = ("inputs: {x: 1}\nparams: {w: 0.5}\ntargets: {y: 0.01}\nnodes:\n  o: sigmoid(w * x)\n"
        "  e: 0.5 * (o - y)^2\n")
SIGN = "Sign: E is the loss exactly as written in the file"
NOTE_LOSS = "-(0.5 * (fO1 - y1)^2 + 0.5 * (fO2 - y2)^2)"  # the note's E = −Σ½(f(O) − y)²


@pytest.mark.parametrize("loss, negated", [
    ("-0.5 * (o - y)^2", True), ("-(0.5 * (o - y)^2 + (o - y)^4)", True), ("-e", True),
    ("0 - e", True), ("-sum((o - y)^2)", True),
    ("(o - y)^2", False), ("e", False), ("-o", False), ("-(o - y)", False),
    ("-(o - y)^3", False), ("-(e + o)", False)])
def test_minus_a_sum_of_squares_is_recognised(loss, negated):
    assert negated_squares(nets.loads(BASE + f"loss: {loss}\n")) is negated


def test_the_sentence_is_printed_for_the_seed_net_and_the_notes_form_only(tmp_path):
    assert SIGN in run("grad", "--wrt", "w1").stdout  # the embedded seed net
    assert SIGN not in run("grad", CONFIGS / "sigmoid-222.yaml", "--wrt", "w1").stdout
    f = tmp_path / "note.yaml"
    f.write_text(bpcli.nets.default_text().replace(
        "loss: 0.5 * (fO1 - y1)^2 + 0.5 * (fO2 - y2)^2", f"loss: {NOTE_LOSS}"))
    assert NOTE_LOSS in f.read_text()
    assert SIGN in run("grad", f, "--wrt", "w1").stdout


def test_train_warns_once_that_such_a_loss_has_no_lower_bound(tmp_path):
    f = tmp_path / "note.yaml"
    f.write_text(bpcli.nets.default_text().replace(
        "loss: 0.5 * (fO1 - y1)^2 + 0.5 * (fO2 - y2)^2", f"loss: {NOTE_LOSS}"))
    r = run("train", f, "--save", tmp_path / "t.yaml")
    assert r.stderr == (
        f"warning: E = {NOTE_LOSS} is minus a sum of squares, so it has no lower bound: each "
        "step drives the outputs away from their targets while E falls below 0 (the seed note's "
        "sign slip); write it without the minus: 0.5 * (fO1 - y1)^2 + 0.5 * (fO2 - y2)^2\n")
    # and it does: f(O1) goes from 0.75 to 0.985 for a target of 0.01, and E below 0
    before = bpcli.forward(bpcli.load(str(f)))
    after = bpcli.forward(bpcli.load(str(tmp_path / "t.yaml")))
    assert before.values["fO1"] < 0.76 and after.values["fO1"] > 0.98 and after.loss < 0
    assert run("train", CONFIGS / "sigmoid-222.yaml").stderr == ""  # the usual form: no word


@pytest.mark.parametrize("loss, fixed", [
    ("-0.5 * (fO1 - y1)^2 - 0.5 * (fO2 - y2)^2", "0.5 * (fO1 - y1)^2 + 0.5 * (fO2 - y2)^2"),
    ("-(fO1 - y1)^2 / 2", "(fO1 - y1)^2 / 2"), ("0.5 * -(fO1 - y1)^2", "0.5 * (fO1 - y1)^2")])
def test_the_minus_written_other_ways(tmp_path, loss, fixed):
    f = tmp_path / "note.yaml"
    f.write_text(bpcli.nets.default_text().replace(
        "loss: 0.5 * (fO1 - y1)^2 + 0.5 * (fO2 - y2)^2", f"loss: {loss}"))
    r = run("train", f, "--steps", "2")
    assert r.stderr.endswith(f"write it without the minus: {fixed}\n")


def test_settings_from_the_file_are_warned_about_as_the_files(tmp_path):
    f = tmp_path / "n.yaml"
    f.write_text("inputs: {x: 1}\nparams: {w: 0.5}\nloss: (w - 2)^2\ntrain: {eta: -1, steps: 2}\n")
    assert run("train", f).stderr == ("warning: train: eta -1 is negative: every step climbs E "
                                      "instead of lowering it\n")
    assert run("train", f, "--eta", "-2").stderr.startswith("warning: --eta -2 is negative")
