"""The fuzz test (the hostile-input issue): random network files, expressions, layer
specs, CSV and .npz bytes through load → forward → grad, in a subprocess whose memory is
limited to MEMORY; tests/fuzz_cli.py has the strategies and what each run must do."""
import resource
import subprocess
import sys
from pathlib import Path

MEMORY = 3 * 2**30  # address space of the whole process: Python, NumPy and every run


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def test_random_inputs_end_in_exit_0_1_or_2_with_one_line_and_within_the_budget():
    here = Path(__file__).parent
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "-o", "addopts=", "-W", "ignore::RuntimeWarning",
                        "-W", "ignore::hypothesis.errors.HypothesisWarning", str(here / "fuzz_cli.py")],
                       cwd=here.parent, preexec_fn=_limited, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "2 passed" in r.stdout, r.stdout[-2000:]
