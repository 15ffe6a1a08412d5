"""Data sets: CSV and NPZ files give the same run as inline data, every mistake in them is one
line naming the network file's line (and the CSV's), the generated bars are reproducible."""
import numpy as np
import pytest

from bpcli import nets
from bpcli.io.data import bars

from conftest import CONFIGS, assert_one_line_error, run, train_json


def test_bars_are_deterministic_and_balanced():
    x1, y1 = bars(90, 8, 0.1, 3)
    x2, y2 = bars(90, 8, 0.1, 3)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert x1.shape == (90, 1, 8, 8) and np.bincount(y1).tolist() == [30, 30, 30]
    assert not np.array_equal(x1, bars(90, 8, 0.1, 4)[0])
    # The same on every machine: NumPy keeps PCG64's streams stable across versions and
    # platforms.  This checksum of configs/bars.yaml's set was computed with NumPy 2.4.6
    # when the generator was written; a change of generator or of NumPy's streams shows here.
    x, y = bars(300, 8, 0.1, 0)
    assert float(x.sum()) == pytest.approx(1829.7835457576057, rel=1e-12)
    assert y[:12].tolist() == [0, 0, 2, 2, 2, 0, 2, 2, 0, 2, 0, 2]


XOR_HEAD = (CONFIGS / "xor.yaml").read_text().split("data:")[0]
XOR_TRAIN = next(line for line in (CONFIGS / "xor.yaml").read_text().splitlines()
                 if line.startswith("train:")) + "\n"  # the same defaults as the inline net


def test_csv_and_npz_give_the_same_run_as_inline(tmp_path):
    (tmp_path / "xor.csv").write_text("y,x1,x2,extra\n0,0,0,9\n1,0,1,9\n1,1,0,9\n0,1,1,9\n")
    np.savez(tmp_path / "xor.npz", x1=[0, 0, 1, 1], x2=[0, 1, 0, 1], y=[0, 1, 1, 0])
    inline = train_json(CONFIGS / "xor.yaml", "--steps", "20")
    for name in ("xor.csv", "xor.npz"):
        (tmp_path / f"{name}.yaml").write_text(XOR_HEAD + f"data: {{file: {name}}}\n" + XOR_TRAIN)
        assert train_json(tmp_path / f"{name}.yaml", "--steps", "20") == inline


def test_layer_net_data_from_npz_and_csv(tmp_path):
    x, y = bars(30, 6, 0.05, 1)
    np.savez(tmp_path / "b.npz", images=x, labels=y)
    layers = (CONFIGS / "bars.yaml").read_text().split("layers:")[1]
    (tmp_path / "n.yaml").write_text("data: {file: b.npz, input: images, target: labels}\nlayers:"
                                     + layers)
    net = nets.load(str(tmp_path / "n.yaml"))
    assert net.input.shape == (30, 1, 6, 6) and net.target.shape == (30, 3)
    rows = ["a,b,label"] + [f"{i % 3},{i % 2},{i % 3}" for i in range(9)]
    (tmp_path / "v.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "v.yaml").write_text(
        "data: {file: v.csv, input: [a, b], target: label}\nlayers:\n  - {type: dense, units: 3}\n"
        "loss: {type: cross_entropy}\n")
    v = nets.load(str(tmp_path / "v.yaml"))
    assert v.input.shape == (9, 2) and v.target.argmax(axis=1).tolist() == [i % 3 for i in range(9)]


@pytest.mark.parametrize("csv, message", [
    ("x1,y\n0,0\n1,1\n", "data xor.csv has no column 'x2' (it has x1, y)"),
    ("x1,x2,y\n0,0,0\n0,1\n", "xor.csv:3: 2 cells, but the header has 3"),
    ("x1,x2,y\n0,0,0\n0,one,1\n", "xor.csv:3: column 'x2' holds 'one', not a number"),
    ("x1,x2,y\n", "needs a header row naming the columns and at least one row"),
    ("x1,x2,y,x1\n0,0,0,1\n", "xor.csv:1: column 'x1' is named twice"),
    ("x1,x2,y\n0,0,0\n0,nan,1\n", "xor.csv:3: column 'x2' holds nan, not a finite number"),
])
def test_csv_mistakes(tmp_path, csv, message):
    (tmp_path / "xor.csv").write_text(csv)
    (tmp_path / "n.yaml").write_text(XOR_HEAD + "data: {file: xor.csv}\n")
    r = run("train", tmp_path / "n.yaml", code=2)
    assert_one_line_error(r, tmp_path / "n.yaml", XOR_HEAD.count("\n") + 1, message)


@pytest.mark.parametrize("data, message", [
    ("data: {file: missing.npz}", "data file missing.npz does not exist"),
    ("data: {file: d.txt}", "bpcli reads .csv and .npz files"),
    ("data: {x1: [0, 1], x2: [0, 1]}", "data has no column 'y'"),
    ("data: {x1: [0, 1], x2: [0, 1], y: [0]}", "data columns differ in length"),
    ("data: {x1: [0, 1], x2: [0, 1], y: [0, 1], z: [1, 1]}", "data column 'z' is not an input or target"),
])
def test_data_mistakes(tmp_path, data, message):
    (tmp_path / "n.yaml").write_text(XOR_HEAD + data + "\n")
    r = run("forward", tmp_path / "n.yaml", code=2)
    assert_one_line_error(r, tmp_path / "n.yaml", XOR_HEAD.count("\n") + 1, message)


def test_csv_reads_only_the_columns_it_uses(tmp_path):
    # a BOM (Excel's "CSV UTF-8") and a text column the net does not use
    (tmp_path / "xor.csv").write_text("\ufeffx1,x2,y,note\n0,0,0,a\n0,1,1,b\n1,0,1,c\n1,1,0,d\n",
                                      encoding="utf-8")
    (tmp_path / "n.yaml").write_text(XOR_HEAD + "data: {file: xor.csv}\n" + XOR_TRAIN)
    assert train_json(tmp_path / "n.yaml", "--steps", "20") == \
        train_json(CONFIGS / "xor.yaml", "--steps", "20")


def test_csv_line_numbers_count_lines_not_records(tmp_path):
    # a quoted cell over two lines: the bad cell below is on line 4 of the file
    (tmp_path / "xor.csv").write_text('x1,x2,y,note\n0,0,0,"two\nlines"\n1,x,1,\n')
    (tmp_path / "n.yaml").write_text(XOR_HEAD + "data: {file: xor.csv}\n")
    assert "xor.csv:4: column 'x2' holds 'x'" in run("train", tmp_path / "n.yaml", code=2).stderr


@pytest.mark.parametrize("text, message", [
    ("params: {w: [0.1, 0.2]}\ninputs: {x: 0}\nloss: sum(w) * x\ndata: {x: [1, 2]}\n",
     "'w' is a vector, but with a data set every input, param and target is a number"),
    ("params: {w: 0.1}\ninputs: {x: 0}\nloss: sum(w * x)\ndata: {x: [1, 2]}\n",
     "sum(...) in 'sum(w * x)' would run across the samples of the data set"),
])
def test_equation_data_is_per_sample(tmp_path, text, message):
    (tmp_path / "n.yaml").write_text(text)
    r = run("train", tmp_path / "n.yaml", "--batch-size", "1", code=2)
    assert message in r.stderr and len(r.stderr.splitlines()) == 1


@pytest.mark.parametrize("data, message", [
    ("data: {input: 5, target: 1}", "data input is a list with one entry per sample"),
    ("data: {generate: bars, noise: [1, 2]}", "noise is one number ≥ 0"),
    ("input: [1, 2]\ndata: {input: [[1, 2]], target: [0]}", "give the input in 'input:' or in 'data:', not both"),
])
def test_layer_data_mistakes(tmp_path, data, message):
    (tmp_path / "n.yaml").write_text(data + "\nlayers:\n  - {type: flatten}\n  - {type: dense, units: 3}\n"
                                     "loss: {type: cross_entropy}\n")
    r = run("forward", tmp_path / "n.yaml", code=2)
    assert message in r.stderr and len(r.stderr.splitlines()) == 1


def test_layer_data_with_a_loss_target_too(tmp_path):
    (tmp_path / "n.yaml").write_text("data: {input: [[1, 2]], target: [0]}\nlayers:\n"
                                     "  - {type: dense, units: 3}\nloss: {type: cross_entropy, target: 1}\n")
    assert "the targets come from the data" in run("forward", tmp_path / "n.yaml", code=2).stderr


def test_empty_and_foreign_npz(tmp_path):
    np.savez(tmp_path / "e.npz", x1=[], x2=[], y=[])
    (tmp_path / "n.yaml").write_text(XOR_HEAD + "data: {file: e.npz}\n")
    assert "data e.npz: 'x1' holds no samples" in run("train", tmp_path / "n.yaml", code=2).stderr
    (tmp_path / "e.npz").write_bytes(b"not a zip file")
    r = run("train", tmp_path / "n.yaml", code=2)
    assert "is not an .npz of number arrays" in r.stderr and len(r.stderr.splitlines()) == 1
    np.savez(tmp_path / "e.npz", x1=[1j, 0], x2=[0, 1], y=[0, 1])
    r = run("train", tmp_path / "n.yaml", code=2)
    assert "array 'x1' holds complex128 values, not real numbers" in r.stderr


def test_npz_missing_array(tmp_path):
    np.savez(tmp_path / "b.npz", images=np.zeros((3, 1, 4, 4)))
    (tmp_path / "n.yaml").write_text("data: {file: b.npz, input: images, target: labels}\nlayers:\n"
                                     "  - {type: flatten}\n  - {type: dense, units: 2}\n"
                                     "loss: {type: cross_entropy}\n")
    r = run("forward", tmp_path / "n.yaml", code=2)
    assert "data b.npz has no array 'labels' (it has images)" in r.stderr
