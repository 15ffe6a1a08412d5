"""`bpcli quiz` end to end: through a pseudo-terminal as a learner types, through stdin as a
script pipes answers, and as a worksheet with its answer key (issue 9, part 2)."""
import json
import math
import os
import re
import select
import subprocess
import sys

import pytest
from click.testing import CliRunner

import bpcli
from bpcli.cli import main
from conftest import CONFIGS


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env={"COLUMNS": "100"})


def right_answers(*args, **kw):
    q = bpcli.quiz(bpcli.default() if "net" not in kw else kw.pop("net"), *args, **kw)
    return q, [f"{x.right:.6g}" for x in q.questions]


def test_answers_from_stdin_all_right_score_and_exit_0():
    q, answers = right_answers(None, 6, 2)
    r = run("quiz", "--count", "6", "--seed", "2", input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    assert r.stdout.count("✓ right") == 6 and "Score: 6 of 6" in r.stdout
    for i, x in enumerate(q.questions, 1):
        assert f"Q{i}. {x.prompt} = ? {answers[i - 1]}" in r.stdout


def test_a_wrong_answer_gets_its_slip_and_the_breakdown():
    q = bpcli.quiz(bpcli.default(), "grad", 1, 0)
    x = q.questions[0]
    r = run("quiz", "--ask", "grad", "--count", "1", input=f"{-x.right:.6g}\n")
    assert r.exit_code == 1
    assert "✗ wrong: wrong sign" in r.stdout
    assert f"the right answer is {x.right:.6f}: {x.formula}" in r.stdout
    assert "Score: 0 of 1" in r.stdout


def test_answers_that_run_out_and_one_that_is_not_a_number():
    _, answers = right_answers(None, 3, 0)
    r = run("quiz", "--count", "3", input=f"{answers[0]}\nabc\n")
    assert r.exit_code == 1
    assert "✗ not a number: 'abc'" in r.stdout and "Score: 1 of 3 (1 not answered)" in r.stdout


def test_json_has_every_question_answer_and_the_score():
    q, answers = right_answers("update", 2, 5)
    r = run("quiz", "--ask", "update", "--count", "2", "--seed", "5", "--format", "json",
            input=f"{answers[0]}\n0\n")
    doc = json.loads(r.stdout)
    assert doc["score"] == {"right": 1, "asked": 2, "answered": 2}
    assert [e["verdict"] for e in doc["questions"]] == ["right", "wrong"]
    assert doc["questions"][0]["right"] == pytest.approx(q.questions[0].right)


def test_through_a_pseudo_terminal(tmp_path):
    """The quiz asks at a prompt and marks each answer as it is typed."""
    q, answers = right_answers("value", 2, 1)
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "bpcli", "quiz", "--ask", "value",
                             "--count", "2", "--seed", "1"], stdin=slave, stdout=slave,
                            stderr=slave, env={**os.environ, "COLUMNS": "100"})
    os.close(slave)
    seen = b""

    def read_until(pattern):
        nonlocal seen
        while not re.search(pattern, seen.decode("utf-8", "replace")):
            ready, _, _ = select.select([master], [], [], 20)
            assert ready, seen.decode("utf-8", "replace")
            try:
                seen += os.read(master, 4096)
            except OSError:
                break

    read_until(r"Q1\. .* = \?")
    os.write(master, (answers[0] + "\n").encode())
    read_until(r"Q2\. .* = \?")
    os.write(master, b"12345\n")
    read_until("Score: 1 of 2")
    proc.wait(20)
    out = seen.decode("utf-8", "replace")
    assert proc.returncode == 1
    assert "✓ right" in out and "✗ wrong" in out and q.questions[1].formula in out
    os.close(master)


def test_worksheet_and_answer_key(tmp_path):
    sheet = tmp_path / "week3.md"
    r = run("quiz", "--random", "--seed", "7", "--count", "4", "--worksheet", sheet)
    assert r.exit_code == 0, r.output
    key = tmp_path / "week3.key.md"
    text, answers = sheet.read_text(), key.read_text()
    q = bpcli.quiz(bpcli.random_net(7), None, 4, 7)
    for i, x in enumerate(q.questions, 1):
        assert f"{i}. {x.prompt} = ________" in text
        assert f"{i}. {x.prompt} = **{x.right:.6f}**" in answers
        assert f"{x.right:.6f}" not in text  # the answers are on the key only
    # the worksheet's net is a network file bpcli reads back: the same numbers
    net_yaml = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    assert bpcli.run(bpcli.loads(net_yaml)).loss == pytest.approx(bpcli.run(bpcli.random_net(7)).loss)
    assert run("quiz", "--worksheet", sheet).exit_code == 2  # exists: --force to replace


def test_random_nets_are_small_sigmoid_nets_with_two_decimals_and_differ_by_seed():
    shapes, losses = set(), set()
    for seed in range(12):
        net = bpcli.random_net(seed)
        hidden = sum(n.startswith("fH") for n in net.node_names())
        outputs = sum(n.startswith("fO") for n in net.node_names())
        shapes.add((hidden, outputs))
        for _, _, v in net.leaves():
            assert float(v) == round(float(v), 2)
        assert all("sigmoid(" in net.nodes[n][0] for n in net.node_names() if n.startswith("f"))
        losses.add(round(bpcli.run(net).loss, 12))
    assert shapes == {(2, 2), (3, 1)} and len(losses) == 12


def test_a_layer_net_quiz_and_what_it_cannot_ask():
    net = bpcli.load(CONFIGS / "conv-pool.yaml")
    q = bpcli.quiz(net, "grad", 3, 0)
    assert all(x.kind == "grad" and re.search(r"\[[\d,]+\]$", x.prompt) for x in q.questions)
    report = bpcli.answer(q, 1, f"{q.questions[0].right:.6g}")
    assert report.all_right
    r = run("quiz", CONFIGS / "conv-pool.yaml", "--ask", "factor")
    assert r.exit_code == 2 and "no local factors" in r.stderr
    assert run("quiz", "--random", CONFIGS / "xor.yaml").exit_code == 2


def test_the_four_significant_digit_boundary():
    q = bpcli.quiz(bpcli.default(), "grad", 1, 0)
    x = q.questions[0]
    assert x.tolerance == pytest.approx(0.5 * 10 ** (math.floor(math.log10(abs(x.right))) - 3))
    inside, outside = x.right + 0.9 * x.tolerance, x.right + 1.5 * x.tolerance
    assert bpcli.answer(q, 1, f"{inside:.10f}").all_right
    assert not bpcli.answer(q, 1, f"{outside:.10f}").all_right
    rough = bpcli.answer(q, 1, f"{x.right:.2g}")  # right only to 2 digits
    assert not rough.all_right and "give more digits" in rough.rows[0].diagnosis
    assert bpcli.answer(q, 1, "twelve") is None


def test_quizzes_on_vectors_and_data_sets():
    r = run("quiz", CONFIGS / "softmax-equations.yaml", "--count", "3", input="")
    assert r.exit_code == 1 and "z = [1, 2, 3]" in r.stdout and "3 not answered" in r.stdout
    r = run("quiz", CONFIGS / "xor.yaml", input="")
    assert r.exit_code == 2 and "give --sample K" in r.stderr
    q = bpcli.quiz(bpcli.load(CONFIGS / "xor.yaml"), "value", 2, 0, sample=3)
    assert q.title == "XOR, a 2-2-1 sigmoid net, sample 3"
    assert bpcli.answer(q, 1, f"{q.questions[0].right:.6g}").all_right


def test_mistakes_of_the_quiz_command_line(tmp_path):
    assert "no answers to read" in run("quiz", "-", input="x: 1\n").stderr
    for name in ("-", "sheet.txt", "sheet.key.md"):
        r = run("quiz", "--worksheet", tmp_path / name if name != "-" else "-")
        assert r.exit_code == 2 and "name a Markdown file" in r.stderr, name
    r = run("quiz", "--count", "1", input="1" * 100_000 + "\n")
    assert r.exit_code == 1 and "not a number" in r.stdout and len(r.stdout) < 5_000
