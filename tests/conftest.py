"""Shared by every test: where the example nets are, finite differences, the command line
as a user runs it, and the shape of a one-line error."""
import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from bpcli import nets
from bpcli.cli import main

ROOT = Path(__file__).resolve().parent.parent  # the repository
CONFIGS = ROOT / "configs"  # the shipped example nets
LAYER_CONFIGS = sorted(p.name for p in CONFIGS.glob("*.yaml") if "layers:" in p.read_text())
BIG = "conv-mnist-shape.yaml"  # the benchmark stack: spot-checked, not checked element by element
# nets small enough to check every element (the data sets of bars.yaml and BIG are not)
SMALL_CONFIGS = [c for c in LAYER_CONFIGS
                 if sum(np.size(v) for _, _, v in nets.load(str(CONFIGS / c)).leaves()) < 2000]


def load(name):
    """A shipped example net by its file name."""
    return nets.load(str(CONFIGS / name))


def run(*args, code=0):
    """bpcli with these arguments, 100 columns wide; its exit status must be ``code``."""
    r = CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "100"})
    assert r.exit_code == code, r.output + r.stderr
    return r


def train_json(*args, code=0):
    return json.loads(run("train", *args, "--format", "json", code=code).stdout)


def central_diff(f, x, eps=1e-3):
    """Central finite differences of the scalar function f at the float64 array x.

    The fourth-order central stencil (f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h)) / 12h:
    its truncation error O(h⁴) and round-off O(1e-16/h) are both ~1e-12, where the
    two-point stencil's best is ~1e-10 — too coarse to hold a gradient to 1e-7
    relative when it is small.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        values = []
        for step in (-2, -1, 1, 2):
            x[idx] = old + step * eps
            values.append(f(x.copy()))
        x[idx] = old
        fm2, fm1, fp1, fp2 = values
        grad[idx] = (fm2 - 8 * fm1 + 8 * fp1 - fp2) / (12 * eps)
    return grad


def assert_close_rel(actual, expected, rtol=1e-7, atol=1e-11):
    """Relative agreement, with an absolute floor for entries that are (near) zero."""
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def assert_one_line_error(result, path, line, message):
    """A user's mistake: exit 2, nothing on stdout, one stderr line `Error: path:line: …`."""
    assert result.exit_code == 2, result.output + result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    where = f"{path}:{line}: " if line else f"{path}: "
    assert result.stderr.startswith(f"Error: {where}"), result.stderr
    assert message in result.stderr, result.stderr


def assert_bad_file_refused(tmp_path, name, text, line, message, command):
    """Write a network file with a mistake, run ``command`` on it (OUT: a file it would
    save): one line naming the file and line, exit 2, and nothing written."""
    path = tmp_path / name
    path.write_text(text)
    args = [str(tmp_path / "out.yaml") if c == "OUT" else c for c in command]
    r = CliRunner().invoke(main, [args[0], str(path), *args[1:]], env={"COLUMNS": "100"})
    assert_one_line_error(r, path, line, message)
    assert not (tmp_path / "out.yaml").exists()  # nothing written


def loss_as_function_of(net, name):
    """E as a function of one leaf's value (a number or a tensor), through a graph built
    once (for central_diff)."""
    graph = net.build()
    slot = graph.index[name]

    def f(v):
        vals = graph.initial_values()
        vals[slot] = v if np.ndim(v) else np.float64(v)
        graph.forward(vals)
        return float(vals[graph.loss])
    return f

