"""Renderers format a report and compute nothing: a report written by hand comes out as
written, and the table and the JSON of one report show the same numbers."""
import json

import numpy as np
import pytest
from rich.console import Console

import bpcli
from bpcli.analysis import ForwardReport
from bpcli.nets import Entry, Samples
from bpcli.render import document, fmt, renderable

from conftest import CONFIGS, run

SCALAR = ["sigmoid-222.yaml", "mazur-2-2-2.yaml"]


def text(report, width=100, **kw):
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    console.print(renderable(report, 6, width, **kw))
    return console.export_text()


def test_a_hand_written_report_comes_out_as_written():
    # numbers no net computes: had a renderer called the engine, they would not appear
    report = ForwardReport("by hand", "rows", [Entry("a", "param", "param"),
                                               Entry("b", "node", "a * 7")],
                           {"a": np.float64(1.25), "b": np.float64(-3.5)}, 42.0, "b^2",
                           Samples(1, False, {}, "data set", ""))
    shown = text(report)
    assert "by hand — forward pass" in shown
    assert [line.split() for line in shown.splitlines()[3:5]] == [
        ["a", "param", "1.250000"], ["b", "a", "*", "7", "-3.500000"]]
    assert "42.000000" in shown
    assert document(report) == {"values": {"a": 1.25, "b": -3.5}, "loss": 42.0}


@pytest.mark.parametrize("config", SCALAR)
def test_grad_table_and_json_show_the_same_numbers(config):
    report = bpcli.grad(bpcli.load(str(CONFIGS / config)))
    doc = document(report)
    rows = {line.split()[0]: line.split() for line in text(report).splitlines() if line.split()}
    for name, g in doc["node_grads"].items():
        assert rows[name][-1] == fmt(g, 6), name
    for name, g in doc["grads"].items():
        assert rows[name][-1] == fmt(g, 6), name
    assert doc == json.loads(run("grad", CONFIGS / config, "--format", "json").stdout)


def test_an_element_breakdown_table_and_json_agree():
    net = bpcli.load(str(CONFIGS / "mixed-small.yaml"))
    report = bpcli.grad(net, wrt="conv1.weight[0,0,1,0]")
    entry = document(report)["chain"]["conv1.weight[0,0,1,0]"]
    shown = text(report)
    assert f"backward pass: ∂E/∂conv1.weight[0,0,1,0] = {fmt(entry['value'], 6)}" in shown
    for unit in entry["units"]:
        assert any(line.split()[:1] == [unit["unit"]] and line.split()[-1] == fmt(unit["product"], 6)
                   for line in shown.splitlines()), unit["unit"]


def test_a_log_scale_curve_plots_and_says_it_plots_the_geometric_mean():
    from bpcli.render.training import loss_curve
    # 120 steps in 60 columns, two steps a column: columns of (1e3, 1e3), then (1e-2, 1e2),
    # then (1e-3, 1e-3). The middle one's geometric mean is 1 = 10^0, the middle of the
    # log axis (10^3 … 10^-3); its mean 50 would sit 2 of the 10 rows from the top.
    h = [1e3] * 40 + [1e-2, 1e2] * 20 + [1e-3] * 40
    console = Console(width=74, record=True)
    console.print(loss_curve(h, width=74))
    lines = console.export_text().splitlines()
    assert lines[:2] == ["E (log scale) by step",
                         "(each column: the geometric mean of its steps' E, the mean of their log E)"]
    plot = [s.split("│", 1)[1] for s in lines[2:12]]
    assert [r for r, s in enumerate(plot) if s[25] == "•"] == [4]  # column 26: row 4.5 rounds to 4
    assert [r for r, s in enumerate(plot) if s[0] == "•"] == [0]
    assert [r for r, s in enumerate(plot) if s[59] == "•"] == [9]
    linear = Console(width=74, record=True)
    linear.print(loss_curve([3.0, 2.0, 1.0], width=74))
    assert linear.export_text().splitlines()[1] == "(each column: the mean of its steps)"
