"""Ctrl-C during `train`: the run stops after the current step, prints and saves what was
reached, and exits 130, however often it is pressed; SIGTERM (from `timeout` or a
scheduler) does the same and exits 143."""
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bpcli import nets

from conftest import CONFIGS

COMMAND = [sys.executable, "-m", "bpcli", "train", str(CONFIGS / "conv-mnist-shape.yaml"),
           "--format", "json"]


@pytest.fixture(scope="module")
def start_up_cpu():
    """CPU seconds of the same run with no steps: start-up, loading, building, a final
    forward pass and the output.  A run that has used more is training, with its Ctrl-C
    handler in place (it is set just before the first step)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(COMMAND + ["--steps", "0"], capture_output=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _wait_until_training(p, start_up_cpu):
    """Until ``p`` has used 0.2 s of CPU more than its start-up takes (read from /proc);
    where there is no /proc, 5 s of wall time, which start-up never takes."""
    stat = Path(f"/proc/{p.pid}/stat")
    if not stat.exists():
        time.sleep(5)
        return
    tick = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command's name
        if (int(fields[11]) + int(fields[12])) / tick > start_up_cpu + 0.2:  # utime + stime
            return
        time.sleep(0.02)
    pytest.fail("the training run never got going")


# An impatient user presses again at once, and again while the results are being written: the
# test does not read stdout until the end, so the JSON (over 64 KB) fills the pipe and the writer
# waits in write() when the last press lands. Neither press may cut the output or skip the save.
@pytest.mark.slow
@pytest.mark.parametrize("sig, pauses", [(signal.SIGINT, []), (signal.SIGINT, [0.02, 0.5]),
                                         (signal.SIGTERM, [0.5]), (signal.SIGHUP, [])],
                         ids=["ctrl-c once", "ctrl-c three times", "sigterm twice", "sighup"])
def test_ctrl_c_stops_after_the_step_saves_and_exits_130(tmp_path, sig, pauses, start_up_cpu):
    out = tmp_path / "partial.yaml"
    p = subprocess.Popen(COMMAND + ["--steps", "100000", "--save", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_until_training(p, start_up_cpu)  # the run takes minutes
    p.send_signal(sig)
    for pause in pauses:
        time.sleep(pause)
        p.send_signal(sig)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 128 + sig, stderr  # 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP
    doc = json.loads(stdout)
    assert doc["interrupted"] and 0 < doc["steps"] == len(doc["history"]) < 100000
    assert "interrupted: stopped after step" in stderr and "Traceback" not in stderr
    saved = nets.load(str(out))
    assert saved.params["fc1.bias"].tolist() == doc["params"]["fc1.bias"]
