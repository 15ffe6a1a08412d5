"""--format markdown (issue 11, part 2): parsed with a real Markdown parser (markdown-it-py,
which Rich brings) and its math with matplotlib's mathtext; the numbers are those of the JSON
of the same run."""
import json
import re

import pytest
from markdown_it import MarkdownIt

from conftest import CONFIGS, run

PARSER = MarkdownIt("commonmark").enable("table")


def tables(text):
    """Every pipe table as a list of rows of cell texts (the header first)."""
    tokens, out, row, inside = PARSER.parse(text), [], None, False
    for t in tokens:
        if t.type == "table_open":
            out.append([])
        elif t.type == "tr_open":
            row = []
        elif t.type == "tr_close":
            out[-1].append(row)
        elif t.type == "inline" and row is not None and inside:
            row.append(t.content)
        elif t.type in ("th_open", "td_open"):
            inside = True
        elif t.type in ("th_close", "td_close"):
            inside = False
    return out


def math_blocks(text):
    return re.findall(r"\$\$\n(.*?)\n\$\$", text, re.S)


def check_math(block):
    """Each line of an aligned block is math that mathtext parses."""
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    body = block.replace(r"\begin{aligned}", "").replace(r"\end{aligned}", "")
    for line in body.split(r"\\"):
        piece = line.replace("&", "").strip()
        if piece:
            parser.parse(f"${piece}$")


@pytest.mark.parametrize("args", [["forward"], ["grad"], ["grad", "--wrt", "w1"],
                                  ["train", "--steps", "20"], ["check"], ["step"],
                                  ["forward", CONFIGS / "conv-pool.yaml"],
                                  ["grad", CONFIGS / "xor.yaml", "--wrt", "w1", "--sample", "2"],
                                  ["grad", CONFIGS / "conv-two-channels.yaml", "--wrt",
                                   "conv1.weight", "--wrt", "conv1", "--wrt", "input[0,1,1]"],
                                  ["grad", CONFIGS / "softmax-equations.yaml", "--wrt", "z"],
                                  ["mark", CONFIGS / "work" / "seed-work.yaml"]])
def test_every_command_writes_markdown_that_parses(args):
    out = run(*args, "--format", "markdown", code=1 if args[0] == "mark" else 0).stdout
    assert out.startswith("## ") and tables(out)
    for block in math_blocks(out):
        check_math(block)


def test_grad_numbers_are_the_jsons():
    md = run("grad", "--format", "markdown").stdout
    doc = json.loads(run("grad", "--format", "json").stdout)
    params = {row[0]: float(row[2]) for row in tables(md)[1][1:]}
    assert params == pytest.approx({k: v for k, v in doc["grads"].items()}, abs=5e-7)


def test_the_chain_rule_as_math_with_the_paths_numbers():
    md = run("grad", "--wrt", "w1", "--format", "markdown").stdout
    doc = json.loads(run("grad", "--wrt", "w1", "--format", "json").stdout)["chain"]["w1"]
    (block,) = math_blocks(md)
    assert r"\frac{\partial E}{\partial \mathrm{w1}}" in block
    for p in doc["paths"]:
        assert f"{p['product']:.6f}" in block.replace("(", "").replace(")", "")
    paths = tables(md)[0][1:]
    assert [row[0] for row in paths] == [" → ".join(p["nodes"]) for p in doc["paths"]]
    assert "What the backward pass computed" in md and "✓ equal" in md


def test_mark_and_its_summary():
    r = run("mark", CONFIGS / "work" / "seed-work.yaml", "--format", "markdown", code=1)
    doc = json.loads(run("mark", CONFIGS / "work" / "seed-work.yaml", "--format", "json",
                         code=1).stdout)
    rows = tables(r.stdout)[0][1:]
    assert [row[0] for row in rows] == [n["step"] for n in doc["numbers"]]
    assert f"**{doc['summary']}**" in r.stdout


def test_conv_grids_as_tables_hold_the_rules_numbers():
    md = run("grad", CONFIGS / "conv-two-channels.yaml", "--wrt", "conv1.weight",
             "--format", "markdown", "--precision", "6").stdout
    doc = json.loads(run("grad", CONFIGS / "conv-two-channels.yaml", "--wrt", "conv1.weight",
                         "--format", "json").stdout)
    result = doc["conv_rules"]["conv1"]["weight"]["result"]  # F×C×kh×kw
    dw = md.split("**∂E/∂W[0,1,:,:]**")[1]
    grid = tables(dw)[0]
    shown = [float(x) for row in grid[1:] for x in row[1:]]
    assert shown == pytest.approx([x for row in result[0][1] for x in row], abs=5e-7)
