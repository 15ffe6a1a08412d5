"""`bpcli graph` (issue 11, part 1): the computation as SVG, Graphviz dot and Mermaid, drawn
from the same run as grad's tables — the SVG parsed as XML and its numbers compared with
grad's JSON."""
import json
import re
import xml.etree.ElementTree as ET

import pytest

import bpcli
from bpcli.render.graph import dot, mermaid, svg

from conftest import CONFIGS, run

NS = {"s": "http://www.w3.org/2000/svg"}


def parsed(text):
    return ET.fromstring(text)


def test_the_seed_net_with_the_paths_to_w1():
    root = parsed(svg(bpcli.picture(bpcli.default(), "w1")))
    boxes = root.findall(".//s:g[@class]", NS)
    assert len([b for b in boxes if b.get("class").startswith("node")]) == 18  # 9 leaves, 8 nodes, E
    lit = {b.get("id")[5:] for b in boxes if b.get("class") == "node lit"}
    assert lit == {"E", "fO1", "fO2", "O1", "O2", "fH1", "H1", "w1"}
    lit_edges = root.findall(".//s:path[@class='edge lit']", NS)
    assert len(lit_edges) == 8  # the two paths' edges, the shared ones once
    # each edge's label is its local factor, as grad --wrt w1 lists them
    doc = json.loads(run("grad", "--wrt", "w1", "--format", "json").stdout)
    factors = {(f["of"], f["wrt"]): f["value"] for p in doc["chain"]["w1"]["paths"]
               for f in p["factors"]}
    p = bpcli.picture(bpcli.default(), "w1")
    for e in p.edges:
        if (e.dst, e.src) in factors:
            assert e.factor == pytest.approx(factors[(e.dst, e.src)], rel=1e-12)
    labels = [t.text for t in root.findall(".//s:text[@class='factor']", NS)]
    assert "0.4000" in labels and "0.2486" in labels  # ∂O1/∂fH1 = w3, ∂fH1/∂H1 = f(1 − f)
    tips = [t.text for t in root.findall(".//s:g/s:title", NS)]
    assert any(t.startswith("fH1 = sigmoid(H1); value 0.537429") for t in tips)


def test_values_and_gradients_are_the_runs():
    p = bpcli.picture(bpcli.default())
    r = bpcli.run(bpcli.default())
    for b in p.boxes:
        if b.id != "E":
            assert float(b.value) == float(r.values[b.id]) and float(b.grad) == float(r.grads[b.id])
    assert not any(b.lit for b in p.boxes) and not any(e.lit for e in p.edges)


def test_a_layer_net_is_a_box_per_layer():
    net = bpcli.load(CONFIGS / "conv-pool.yaml")
    p = bpcli.picture(net)
    assert [b.id for b in p.boxes] == ["input"] + [l.name for l in net.layers] + ["E"]
    conv = next(b for b in p.boxes if b.id == "conv1")
    assert conv.value.shape == (2, 4, 4)  # as the tables show it: no batch axis
    assert [name for name, _, _ in conv.params] == ["conv1.weight", "conv1.bias"]
    root = parsed(svg(p))
    assert len(root.findall(".//s:path", NS)) >= len(net.layers) + 1


def test_dot_and_mermaid_hold_the_same_boxes_and_edges():
    p = bpcli.picture(bpcli.default(), "w1")
    d = dot(p)
    assert d.startswith("digraph bpcli {") and d.rstrip().endswith("}")
    assert len(re.findall(r'^  "[^"]+" \[label=', d, re.M)) == len(p.boxes)
    assert len(re.findall(r" -> ", d)) == len(p.edges)
    assert d.count('color="#d62728", fontcolor') == 8
    m = mermaid(p)
    assert m.startswith("flowchart LR")
    assert len(re.findall(r"^  n\d+\[", m, re.M)) == len(p.boxes)
    assert len(re.findall(r"^  n\d+ --", m, re.M)) == len(p.edges)


def test_too_many_boxes_draw_the_columns_and_say_so():
    nodes = "\n".join(f"  a{k}: tanh({'w' if k == 0 else f'a{k - 1}'})" for k in range(80))
    p = bpcli.picture(bpcli.loads(f"params: {{w: 0.5}}\nnodes:\n{nodes}\nloss: a79^2\n"))
    assert p.columns_only and "one box per column" in p.note and len(p.boxes) <= 82
    assert parsed(svg(p)) is not None


def test_the_command(tmp_path):
    out = tmp_path / "seed.svg"
    r = run("graph", "-o", out, "--wrt", "w1")
    assert r.stdout == f"wrote {out}\n" and parsed(out.read_text()) is not None
    r = run("graph", "-o", out, code=2)
    assert "exists; pass --force" in r.stderr
    assert run("graph", "-o", out, "--force").exit_code == 0
    for bad, words in ((tmp_path / "x.jpg", "name a file ending in .svg"),
                       (tmp_path / "no" / "x.svg", "cannot write into")):
        r = run("graph", "-o", bad, code=2)
        assert words in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run("graph", "--wrt", "zz", "-o", tmp_path / "y.svg", code=2)
    assert "no such name" in r.stderr and not (tmp_path / "y.svg").exists()
    (tmp_path / "z.mmd").write_text("")
    run("graph", CONFIGS / "conv-pool.yaml", "-o", tmp_path / "z.mmd", "--force")
    assert (tmp_path / "z.mmd").read_text().startswith("flowchart LR")


def test_a_png_through_the_plot_extra(tmp_path):
    import matplotlib.pyplot as plt

    out = tmp_path / "seed.png"
    run("graph", "-o", out, "--wrt", "w1")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = plt.imread(out)
    assert pixels.shape[0] > 300 and pixels.shape[1] > 1000
    red = (pixels[..., 0] > 0.7) & (pixels[..., 1] < 0.3) & (pixels[..., 2] < 0.3)
    assert red.sum() > 500  # the highlighted paths are drawn
    assert (pixels[..., :3].mean(axis=-1) < 0.5).sum() > 2000  # and text and lines


def test_readmes_picture_is_what_graph_draws(tmp_path):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    shown = re.search(r"```mermaid\n(.*?)```", readme, re.S).group(1)
    out = tmp_path / "seed.mmd"
    run("graph", "-o", out, "--wrt", "w1")
    assert out.read_text() == shown


def test_a_net_too_large_to_draw_is_one_line(tmp_path):
    nodes = "\n".join(f"  a{k}: tanh({'w' if k == 0 else f'a{k - 1}'})" for k in range(300))
    net = tmp_path / "long.yaml"
    net.write_text(f"params: {{w: 0.5}}\nnodes:\n{nodes}\nloss: a299^2\n")
    r = run("graph", net, "-o", tmp_path / "long.svg", code=2)
    assert "too many to draw" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "long.svg").exists()


def test_a_net_of_vectors_is_drawn_without_numbers_on_its_edges(tmp_path):
    out = tmp_path / "soft.svg"
    run("graph", CONFIGS / "softmax-equations.yaml", "-o", out)
    root = parsed(out.read_text())
    assert len(root.findall(".//s:g[@class='node']", NS)) == 4  # z, y, a, E
    assert root.findall(".//s:text[@class='factor']", NS) == []
    run("report", CONFIGS / "softmax-equations.yaml", "-o", tmp_path / "soft.html")
