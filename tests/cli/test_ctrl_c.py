"""Ctrl-C during `train`: the run stops after the current step, prints and saves what was
reached, and exits 130, however often it is pressed."""
import json
import signal
import subprocess
import sys
import time

import pytest

from bpcli import nets

from conftest import CONFIGS


# An impatient user presses again at once, and again while the results are being written: the
# test does not read stdout until the end, so the JSON (over 64 KB) fills the pipe and the writer
# waits in write() when the last press lands. Neither press may cut the output or skip the save.
@pytest.mark.parametrize("pauses", [[], [0.02, 0.5]], ids=["once", "three times"])
def test_ctrl_c_stops_after_the_step_saves_and_exits_130(tmp_path, pauses):
    out = tmp_path / "partial.yaml"
    p = subprocess.Popen([sys.executable, "-m", "bpcli", "train", str(CONFIGS / "conv-mnist-shape.yaml"),
                          "--steps", "100000", "--save", str(out), "--format", "json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(5)  # start-up and loading take well under a second; the run takes minutes
    p.send_signal(signal.SIGINT)
    for pause in pauses:
        time.sleep(pause)
        p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 130, stderr
    doc = json.loads(stdout)
    assert doc["interrupted"] and 0 < doc["steps"] == len(doc["history"]) < 100000
    assert "interrupted: stopped after step" in stderr and "Traceback" not in stderr
    saved = nets.load(str(out))
    assert saved.params["fc1.bias"].tolist() == doc["params"]["fc1.bias"]
