"""The fuzz test's body: random network files, expressions, layer specs, CSV and .npz
bytes through load → forward → grad, each run held to the promise of the command line.

Not collected by itself: tests/test_fuzz.py runs it in a subprocess under a memory
limit. Every run must end with exit 0, 1 or 2; a 2 is one line on stderr and nothing on
stdout; no run prints a traceback, calls itself a bug in bpcli, runs out of memory (the
budget refuses first) or takes longer than SECONDS. Deterministic by default (the same
examples on every machine); BPCLI_FUZZ_EXAMPLES=2000 BPCLI_FUZZ_RANDOM=1 explores.
"""
import io
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpcli.cli import main

EXAMPLES = int(os.environ.get("BPCLI_FUZZ_EXAMPLES", "150"))
SECONDS = 20  # one command on one small file
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                derandomize=not os.environ.get("BPCLI_FUZZ_RANDOM"),
                suppress_health_check=list(HealthCheck))

NAMES = ["x", "x1", "x2", "w", "w1", "b", "y", "h", "o", "E", "sum", "input", "conv1", "fc1"]
FUNCTIONS = ["exp", "log", "sqrt", "sigmoid", "tanh", "relu", "leaky_relu", "sum", "mean",
             "softmax", "sin", "Sigmoid"]
LAYERS = ["dense", "conv2d", "maxpool", "meanpool", "flatten", "relu", "leaky_relu", "sigmoid",
          "tanh", "softmax", "Conv2d", "pool", None]
SETTINGS = ["units", "filters", "kernel", "stride", "padding", "size", "slope", "weight", "bias",
            "init", "grad_at_zero", "name", "type", "unit"]
LOSSES = ["mse", "half_sse", "cross_entropy", "nll", None]

sizes = st.one_of(st.integers(-2, 6), st.sampled_from([0, 10**6, 10**9, 2**63, 10**30]))
odd_numbers = st.sampled_from([0.0, -0.0, 1e-308, 5e-324, 1e308, -1e308, "1e400", "nan", ".inf",
                               "-.inf", "0x10", "1_000", "١٠", "1e-400", "+1", "1.", ".5", "2e"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 12), odd_numbers,
                    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(NAMES),
                    st.text(max_size=6))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(NAMES + SETTINGS), inner,
                                                 max_size=3)), max_leaves=10)
expressions = st.recursive(
    st.one_of(st.sampled_from(NAMES), st.integers(-2, 9).map(str), odd_numbers.map(str),
              st.sampled_from(["", "(", ")", "x[", "x[0]", "@", "1e400", "-", "w w", "x,y"])),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^", " ", ","]), inner)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda e: f"-{e}")),
    max_leaves=8)


def _dump(doc) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode()


@st.composite
def equation_nets(draw):
    """Nets that mostly hold together (numbers where numbers go, nodes of the names given),
    with an odd value, name, expression or section here and there."""
    wild = draw(st.integers(0, 3)) == 0
    number = st.one_of(st.floats(-5, 5), st.integers(-3, 3))
    leaves = st.one_of(scalars, st.lists(number, max_size=5)) if wild else st.one_of(
        number, st.lists(number, min_size=1, max_size=4), odd_numbers.filter(
            lambda v: isinstance(v, float)))
    inputs = draw(st.dictionaries(st.sampled_from(["x", "x1", "x2"]), leaves, min_size=1,
                                  max_size=2))
    params = draw(st.dictionaries(st.sampled_from(["w", "w1", "b"]), leaves, min_size=1,
                                  max_size=2))
    targets = draw(st.dictionaries(st.just("y"), leaves, max_size=1))
    known = sorted(inputs) + sorted(params) + sorted(targets)
    nodes = {}
    for name in draw(st.lists(st.sampled_from(["h", "o", "h2"]), unique=True, max_size=3)):
        nodes[name] = draw(_expressions(known + list(nodes), wild))
    doc = {"inputs": inputs, "params": params, "targets": targets, "nodes": nodes,
           "loss": draw(_expressions(known + list(nodes), wild))}
    if wild:
        for section in draw(st.sets(st.sampled_from(list(doc)), max_size=2)):
            del doc[section]  # a section missing
    if draw(st.integers(0, 3)) == 0:
        doc["data"] = draw(st.one_of(
            st.just({"file": "d.csv"}), st.just({"file": "d.npz"}), values,
            st.dictionaries(st.sampled_from(known), st.lists(st.floats(-3, 3), min_size=1,
                                                               max_size=4), max_size=3)))
    return _dump(doc)


def _expressions(names, wild):
    atoms = st.one_of(st.sampled_from(names or ["x"]), st.integers(0, 3).map(str),
                      st.sampled_from(["0.5", "1e-3", "2"]))
    if wild:
        return expressions
    return st.recursive(atoms, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^"]), inner)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(FUNCTIONS[:-2]), inner).map(lambda t: f"{t[0]}({t[1]})")),
        max_leaves=6)


SMALL = st.integers(1, 4)
SPECS = {  # settings of each type that make sense, in sizes that run in an instant
    "dense": {"units": SMALL}, "conv2d": {"filters": SMALL, "kernel": SMALL,
                                          "stride": SMALL, "padding": st.integers(0, 2)},
    "maxpool": {"size": SMALL, "stride": SMALL}, "meanpool": {"size": SMALL},
    "leaky_relu": {"slope": st.floats(-1, 1)}, "relu": {"grad_at_zero": st.floats(0, 1)},
    "flatten": {}, "sigmoid": {}, "tanh": {}, "softmax": {}}

REQUIRED = {"dense": ["units"], "conv2d": ["filters", "kernel"], "maxpool": ["size"],
            "meanpool": ["size"]}


@st.composite
def layer_specs(draw):
    if draw(st.integers(0, 3)) == 0:  # wild: any type, any settings
        spec = {"type": draw(st.sampled_from(LAYERS))}
        for key in draw(st.lists(st.sampled_from(SETTINGS), max_size=3)):
            spec[key] = draw(st.one_of(sizes, values))
        return spec
    kind = draw(st.sampled_from(sorted(SPECS)))
    chosen = set(draw(st.sets(st.sampled_from(sorted(SPECS[kind])),
                              max_size=len(SPECS[kind]))) if SPECS[kind] else ())
    chosen |= set(REQUIRED.get(kind, ()))
    return {"type": kind, **{key: draw(SPECS[kind][key]) for key in sorted(chosen)}}


@st.composite
def layer_nets(draw):
    wild = draw(st.integers(0, 3)) == 0
    shape = draw(st.lists(sizes if wild else st.integers(1, 7), min_size=0 if wild else 1,
                          max_size=4 if wild else 3))
    given_input = draw(st.one_of(
        st.just({"shape": shape}),
        st.just({"shape": shape, "init": draw(values if wild else st.sampled_from(
            [{"uniform": [-1, 1]}, {"normal": [0, 1], "seed": 3}]))}),
        st.lists(st.floats(-3, 3), max_size=6), *([values] if wild else [])))
    layers = draw(st.lists(layer_specs(), min_size=0 if wild else 1, max_size=4))
    if not wild and draw(st.booleans()):  # a head that can classify
        layers += [{"type": "flatten"}, {"type": "dense", "units": draw(SMALL)}]
    doc = {"input": given_input, "layers": draw(values) if wild and draw(st.booleans())
           else layers,
           "loss": {"type": draw(st.sampled_from(LOSSES if wild else LOSSES[:3])),
                    "target": draw(st.one_of(st.integers(-1, 4), values) if wild else
                                   st.integers(0, 3))}}
    if draw(st.integers(0, 3)) == 0:
        doc["data"] = draw(st.one_of(
            st.just({"file": "d.npz", "input": "x", "target": "y"}),
            st.just({"file": "d.csv", "input": ["x1", "x2"], "target": "y"}),
            st.builds(lambda n, s, z: {"generate": "bars", "samples": n, "size": s, "noise": z},
                      sizes, sizes, st.one_of(scalars, st.floats(0, 1e309)))))
        doc.pop("input")
        doc["loss"].pop("target")
    return _dump(doc)


csv_texts = st.one_of(
    st.text(alphabet="0123456789.,-+eE\n\r\"x12y; \t", max_size=200),
    st.lists(st.lists(st.one_of(st.integers(-3, 3).map(str), odd_numbers.map(str),
                                st.text(max_size=4)), min_size=3, max_size=3), max_size=6)
    .map(lambda rows: "x1,x2,y\n" + "\n".join(",".join(r) for r in rows)))


@st.composite
def npz_bytes(draw):
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=300))  # not an .npz at all
    arrays = {}
    for name in draw(st.lists(st.sampled_from(["x", "y", "x1", "x2", "z"]), max_size=4)):
        dtype = draw(st.sampled_from(["f8", "f4", "i8", "u1", "?", "c16", "U3", "f2"]))
        shape = tuple(draw(st.lists(st.integers(0, 4), max_size=3)))
        arrays[name] = np.asarray(draw(st.sampled_from([0, 1, np.nan, np.inf, 7]))).astype(
            dtype, copy=False) * np.ones(shape, dtype=dtype) if dtype not in ("U3",) \
            else np.full(shape, "ab", dtype=dtype)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data = buffer.getvalue()
    if draw(st.booleans()):  # a byte flipped, or the file cut short
        k = draw(st.integers(0, max(0, len(data) - 1)))
        data = data[:k] + bytes([data[k] ^ 0xFF]) + data[k + 1:] if draw(st.booleans()) \
            else data[:k]
    return data


@st.composite
def mutated_configs(draw):
    """A shipped example with a few characters replaced, removed or repeated."""
    configs = sorted((Path(__file__).parent.parent / "configs").glob("*.yaml"))
    text = draw(st.sampled_from(configs)).read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, len(text) - 1))
        piece = draw(st.sampled_from([b"", b"9", b"-", b"[", b"]", b":", b"\n", b"  ", b"&a ",
                                      b"*a", b"{", b"0", b"e9", b"\t", b"\xff", b"x"]))
        text = text[:k] + piece + text[k + draw(st.integers(0, 3)):]
    return text


def _commands(draw, net):
    commands = [["forward", net], ["grad", net]]
    extra = draw(st.lists(st.one_of(
        st.just(["--format", "json"]), st.builds(lambda k: ["--sample", str(k)], st.integers(0, 5)),
        st.builds(lambda n: ["--wrt", n], st.one_of(st.sampled_from(
            NAMES + ["conv1.weight", "fc1.bias[0]", "input[0,0,0]", "w[", "w[0]"]),
            st.text(max_size=5)))), max_size=2))
    commands += [["grad", net, *sum(extra, [])]]
    return commands


def check_runs(files: dict[str, bytes], draw):
    with tempfile.TemporaryDirectory() as folder:
        for name, data in files.items():
            Path(folder, name).write_bytes(data)
        for args in _commands(draw, str(Path(folder, "net.yaml"))):
            start = time.perf_counter()
            r = CliRunner().invoke(main, args, env={"COLUMNS": "80"})
            seconds = time.perf_counter() - start
            said = r.stdout + r.stderr
            shown = f"{args[0]} {' '.join(args[2:])} on\n{files['net.yaml'].decode(errors='replace')}"
            assert r.exception is None or isinstance(r.exception, SystemExit), shown
            assert r.exit_code in (0, 1, 2), f"exit {r.exit_code}: {said[-500:]}\n{shown}"
            for bad in ("Traceback", "bug in bpcli", "more memory than"):
                assert bad not in said, f"{said[-800:]}\n{shown}"
            if r.exit_code == 2:
                assert r.stdout == "" and len(r.stderr.splitlines()) == 1, f"{said}\n{shown}"
                assert r.stderr.startswith("Error: "), f"{said}\n{shown}"
            assert seconds < SECONDS, f"{seconds:.1f} s\n{shown}"


@FUZZ
@given(st.data(), st.one_of(equation_nets(), layer_nets()), csv_texts, npz_bytes())
def test_networks_with_their_data_files(data, net, csv, npz):
    check_runs({"net.yaml": net, "d.csv": csv.encode(), "d.npz": npz}, data.draw)


@FUZZ
@given(st.data(), st.one_of(mutated_configs(), st.binary(max_size=200),
                            st.dictionaries(st.text(max_size=8), values, max_size=5).map(_dump)))
def test_any_bytes_as_a_network_file(data, net):
    check_runs({"net.yaml": net}, data.draw)
