"""A long equation chain (benchmarks/chain.py, issue 12) loads, builds and runs on the quick
roads: LibYAML's events, the quick expression parser, one op node per operator.  Nothing here
judges a time (benchmarks/ measures); it checks that no step takes a slower road and that the
numbers are the chain's."""
import importlib.util
import json
import math

import pytest
import yaml

from bpcli import nets
from bpcli.nets import expressions

from conftest import ROOT, run

_spec = importlib.util.spec_from_file_location("chain", ROOT / "benchmarks" / "chain.py")
chain = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(chain)

N = 10_000


def by_hand(n):
    """n_k = tanh(w·n_{k−1} + b) from n_0 = x; E = (n_N − y)²."""
    v = 0.5
    for _ in range(n):
        v = math.tanh(0.9 * v + 0.1)
    return v, (v - 0.2) ** 2


@pytest.fixture
def quick_roads_only(monkeypatch):
    """The full YAML loaders and the careful parser (the roads for unusual files and for
    mistakes) may not be taken."""
    def refuse(*args, **kwargs):
        raise AssertionError("a slow road was taken")

    monkeypatch.setattr(yaml, "load", refuse)
    monkeypatch.setattr(expressions, "_Parser", refuse)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without LibYAML")
def test_a_chain_of_10_000_nodes_takes_the_quick_roads(quick_roads_only, monkeypatch):
    parsed = []  # texts the quick parser read: the others were made by their shape's function
    quick = expressions._quick
    monkeypatch.setattr(expressions, "_quick", lambda text, *a: parsed.append(text) or quick(text, *a))
    net = nets.loads(chain.chain_yaml(N), "chain.yaml")
    assert len(parsed) <= expressions._SHAPE_MADE_AT + 1  # (+ the loss)
    assert list(net.nodes)[:2] == ["n1", "n2"] and len(net.nodes) == N
    assert net.lines["n1"] == 6 and net.lines[f"n{N}"] == N + 5
    graph = net.build()
    ops = [node.op for node in graph.nodes if node.op is not None]  # one op node per operator
    assert ops.count("tanh") == N and len(ops) == 3 * N + 2 and len(graph.leaf_values) == len(graph.nodes)
    trace = graph.run(backward=False)
    last, loss = by_hand(N)
    assert float(trace.value(f"n{N}")) == pytest.approx(last, rel=1e-12)
    assert float(trace.loss) == pytest.approx(loss, rel=1e-12)


def test_forward_json_of_a_long_chain(tmp_path):
    path = tmp_path / "chain.yaml"
    path.write_text(chain.chain_yaml(N))
    doc = json.loads(run("forward", path, "--format", "json").stdout)
    assert list(doc["values"])[:5] == ["x", "w", "b", "y", "n1"] and len(doc["values"]) == N + 4
    last, loss = by_hand(N)
    assert doc["values"][f"n{N}"] == pytest.approx(last, rel=1e-12)
    assert doc["loss"] == pytest.approx(loss, rel=1e-12)


def test_an_entry_made_by_its_quick_init_is_the_dataclass_it_was():
    """nets.Entry's own __init__ (a forward table makes one per name) makes what the frozen
    dataclass's made: fields, equality, hash, text, and no assignment afterwards."""
    import dataclasses

    from bpcli.nets import Entry

    @dataclasses.dataclass(frozen=True)
    class Plain:
        name: str
        kind: str
        text: str

    for args, kwargs in [(("n1", "node", "tanh(w * x + b)"), {}),
                         (("w",), {"kind": "param", "text": "param"})]:
        e, p = Entry(*args, **kwargs), Plain(*args, **kwargs)
        assert dataclasses.astuple(e) == dataclasses.astuple(p) and vars(e) == vars(p)
        assert repr(e) == repr(p).replace(Plain.__qualname__, "Entry") and hash(e) == hash(p)
        assert e == Entry(*args, **kwargs) and e != Entry("other", "node", "x")
        with pytest.raises(dataclasses.FrozenInstanceError):
            e.name = "changed"
    with pytest.raises(TypeError):
        Entry("too", "few")
