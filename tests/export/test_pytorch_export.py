"""`bpcli export --to pytorch` (issue 11, part 4): the script runs with a real PyTorch and prints
the same E at every step as `bpcli train` — an equation net, a conv/pool/softmax net, and a data
set in batches with momentum.  CI installs PyTorch's CPU build and sets BPCLI_REQUIRE_TORCH=1,
so there the test cannot skip; elsewhere it skips without PyTorch."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import CONFIGS, run

if importlib.util.find_spec("torch") is None:
    if os.environ.get("BPCLI_REQUIRE_TORCH"):
        raise RuntimeError("BPCLI_REQUIRE_TORCH is set but PyTorch is not installed")
    pytest.skip("PyTorch is not installed (pip install torch)", allow_module_level=True)


@pytest.mark.parametrize("net, options", [
    (None, ["--steps", "30"]),
    (CONFIGS / "mazur-2-2-2.yaml", ["--steps", "10", "--eta", "0.5"]),
    (CONFIGS / "conv-pool.yaml", ["--steps", "8"]),
    (CONFIGS / "mixed-small.yaml", ["--steps", "5", "--momentum", "0.5"]),
    (CONFIGS / "xor.yaml", ["--steps", "40", "--batch-size", "3", "--momentum", "0.9"]),
    (CONFIGS / "softmax-head.yaml", ["--steps", "6"]),
])
def test_the_script_trains_as_bpcli_does(tmp_path, net, options):
    target = tmp_path / "net.py"
    args = ([net] if net else []) + options
    run("export", *args, "--to", "pytorch", "-o", target)
    out = subprocess.run([sys.executable, str(target)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    steps = [line.split() for line in out.stdout.splitlines()]
    history = np.array([float(e) for _, e in steps])
    expected = np.array([h["loss"] for h in json.loads(
        run("train", *args, "--format", "json").stdout)["history"]])
    assert len(history) == len(expected)
    assert np.allclose(history, expected, rtol=1e-10, atol=0)


def test_the_script_is_readable_and_says_where_it_came_from(tmp_path):
    target = tmp_path / "seed.py"
    run("export", "-o", target)
    text = target.read_text()
    assert text.startswith('"""seed 2-2-2 sigmoid net, exported by bpcli')
    assert "DEVICE = 'cuda'" in text and "v_fH1 = torch.sigmoid(v_H1)" in text
    layers = tmp_path / "conv.py"
    run("export", CONFIGS / "conv-pool.yaml", "-o", layers)
    assert "nn.Conv2d(1, 2, (3, 3), stride=(1, 1), padding=(0, 0))" in layers.read_text()


def test_mistakes(tmp_path):
    assert "ending in .py" in run("export", "-o", tmp_path / "x.txt", code=2).stderr
    (tmp_path / "x.py").write_text("")
    assert "exists; pass --force" in run("export", "-o", tmp_path / "x.py", code=2).stderr
    assert "not both" in run("export", "-o", tmp_path / "y.py", "--steps", "1", "--epochs", "1",
                             code=2).stderr
