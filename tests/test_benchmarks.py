"""benchmarks/run.py (issue 12): each row, on tiny sizes, computes the same numbers on both
sides — bpcli and PyTorch — before it times them, and its table reaches README.  Nothing here
judges a time: only that the rows run and that the two sides agree.  Without PyTorch the bpcli
half still runs; CI installs PyTorch and sets BPCLI_REQUIRE_TORCH=1, so there both halves do."""
import importlib.util
import os
import sys

import numpy as np
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_rows  # noqa: E402
import workloads  # noqa: E402
from bench_util import load_torch  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
run = importlib.util.module_from_spec(_spec)  # the script, under a name no test module takes
_spec.loader.exec_module(run)

if importlib.util.find_spec("torch") is None and os.environ.get("BPCLI_REQUIRE_TORCH"):
    raise RuntimeError("BPCLI_REQUIRE_TORCH is set but PyTorch is not installed")
TORCH = load_torch()


def _same_numbers(row):
    """With PyTorch the row compared the two sides and found them equal; without, it timed
    bpcli alone."""
    assert row.ours is not None and len(row.ours.runs) == 1
    if TORCH is None:
        assert row.theirs is None and row.same is None
    else:
        assert row.same is True, row.check
        assert len(row.theirs.runs) == 1


def test_mazur_through_the_command_line_as_pytorch_computes_it():
    _same_numbers(bench_rows.mazur(steps=20, repeat=1, torch=TORCH, per_round=1))


def test_the_mlp_trains_as_in_pytorch():
    _same_numbers(bench_rows.mlp(steps=5, repeat=1, torch=TORCH))


def test_the_conv_stack_has_pytorch_gradients_and_times_every_op():
    row = bench_rows.conv(repeat=1, torch=TORCH)
    _same_numbers(row)
    names = [name for name, *_ in row.details]
    assert names[:3] == ["conv1", "relu1", "pool1"] and "E" in names
    if TORCH is not None:
        assert names[-1] == "softmax1 + E" and all(t is not None for t in row.details[-1][1:])


def test_digits_batches_as_train_shuffles_them():
    # 40 random 8×8 "digits" (sklearn need not be installed), 2 epochs of batches of 16: the
    # last batch of each epoch is short, and PyTorch must see the same shuffled batches
    rng = np.random.default_rng(0)
    data = (rng.integers(0, 17, (40, 8, 8)), rng.integers(0, 10, 40))
    _same_numbers(bench_rows.digits(epochs=2, samples=40, batch=16, repeat=1, torch=TORCH,
                                    data=data))


def test_digits_without_scikit_learn_is_skipped_saying_why(monkeypatch):
    monkeypatch.setattr(bench_rows, "digits_data", lambda: "scikit-learn is not installed")
    row = bench_rows.digits(torch=TORCH)
    assert row.skipped and row.ours is None
    table = run.markdown([row], "a machine")
    assert "| skipped |" in table and "scikit-learn is not installed" in table


def test_the_chain_forward_gives_the_chains_value():
    row = bench_rows.chain(50, goal=1.0, repeat=1)
    assert row.same is True, row.check
    assert row.absolute and row.ratio is None


def test_the_mlp_file_is_what_workloads_writes():
    assert (ROOT / "benchmarks" / "moons-mlp.yaml").read_text() == workloads.moons_yaml()


def test_the_markdown_table_goes_between_readmes_markers(tmp_path, monkeypatch):
    row = bench_rows.mlp(steps=2, repeat=1, torch=TORCH)
    table = run.markdown([row], "a machine")
    assert table.splitlines()[0].startswith("Measured on ") and "| workload |" in table
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n## Performance\n\ntext\n\n{run.START}\nold\n{run.END}\n\n## Tests\n")
    monkeypatch.setattr(run, "README", readme)
    run.write_readme(table)
    assert readme.read_text() == (f"# x\n\n## Performance\n\ntext\n\n{run.START}\n{table}{run.END}"
                                  f"\n\n## Tests\n")


def test_readme_has_the_performance_section_before_tests():
    text = (ROOT / "README.md").read_text()
    assert text.index("## Performance") < text.index(run.START) < text.index(run.END)
    assert text.index(run.END) < text.index("## Tests")


def test_rows_are_picked_by_name():
    assert run.parse_rows(["mlp,conv", "chain"]) == ["mlp", "conv", "chain"]
    assert run.parse_rows(None) == run.ROWS
    with pytest.raises(SystemExit, match="unknown row 'nope'"):
        run.parse_rows(["nope"])


def test_a_row_that_fails_says_so_and_readme_is_left_alone(monkeypatch, capsys):
    def broken(*args):
        raise RuntimeError("bpcli exited 70")
    monkeypatch.setattr(bench_rows, "startup", broken)
    monkeypatch.setattr(run, "write_readme", lambda table: pytest.fail("README written"))
    with pytest.raises(SystemExit, match="failed: startup"):
        run.main(["--rows", "startup", "--readme"])
    assert "| startup | failed |" in capsys.readouterr().out
