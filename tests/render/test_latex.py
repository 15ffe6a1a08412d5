"""--format latex (issue 11, part 2): a fragment whose display math and inline math parse
with matplotlib's mathtext, whose tables are well formed, and whose numbers are the JSON's."""
import json
import re

import pytest
from matplotlib.mathtext import MathTextParser

from conftest import CONFIGS, run

PARSER = MathTextParser("path")


def check(fragment):
    assert fragment.startswith("% bpcli")
    assert fragment.count(r"\begin{tabular}") == fragment.count(r"\end{tabular}") > 0
    for block in re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", fragment, re.S):
        for line in block.split(r"\\"):
            piece = line.replace("&", "").strip()
            if piece:
                PARSER.parse(f"${piece}$")
    outside = re.sub(r"\\begin\{align\*\}.*?\\end\{align\*\}", "", fragment, flags=re.S)
    for inline in re.findall(r"\$([^$]+)\$", outside):
        PARSER.parse(f"${inline}$")
    for row in re.findall(r"\\begin\{tabular\}\{([lr]+)\}\n(.*?)\\end\{tabular\}", fragment, re.S):
        cols, body = row
        for line in body.strip().splitlines():
            cells = re.split(r"(?<!\\)&", line.replace(r"\\ \hline", "").rstrip("\\ "))
            assert len(cells) == len(cols), line


@pytest.mark.parametrize("args", [["forward"], ["grad"], ["grad", "--wrt", "w1"],
                                  ["train", "--steps", "20"], ["check"], ["step"],
                                  ["grad", CONFIGS / "xor.yaml", "--wrt", "w1", "--sample", "2"],
                                  ["grad", CONFIGS / "conv-two-channels.yaml", "--wrt",
                                   "conv1.weight"],
                                  ["grad", CONFIGS / "softmax-equations.yaml", "--wrt", "z"],
                                  ["mark", CONFIGS / "work" / "seed-work.yaml"]])
def test_every_command_writes_latex_that_parses(args):
    check(run(*args, "--format", "latex", code=1 if args[0] == "mark" else 0).stdout)


def test_the_chain_rule_and_its_numbers():
    tex = run("grad", "--wrt", "w1", "--format", "latex").stdout
    doc = json.loads(run("grad", "--wrt", "w1", "--format", "json").stdout)["chain"]["w1"]
    assert r"\frac{\partial E}{\partial \mathrm{w1}} &= \sum_{\mathrm{paths}}" in tex
    for p in doc["paths"]:
        assert f"{abs(p['product']):.6f}" in tex
    assert f"{doc['value']:.6f}" in tex


def test_text_is_escaped():
    tex = run("forward", CONFIGS / "mazur-2-2-2.yaml", "--format", "latex").stdout
    assert r"net\_h1" in tex and "net_h1" not in tex.replace(r"net\_h1", "")
