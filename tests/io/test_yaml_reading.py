"""Reading YAML three ways gives one answer: the plain-file reader built on LibYAML's events
(most network files), PyYAML's loader over LibYAML, and PyYAML's own pure-Python loader (its
messages).  Same data, same lines, same one-line errors; a file the plain reader does not
take (an alias, a tag, a duplicate key, a mistake) is read the full way, as before."""
import random

import pytest
import yaml

from bpcli.errors import NetError
from bpcli.io import yamlfile
from bpcli.io.yamlfile import LineList, LineMap, read_yaml

from conftest import CONFIGS

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without LibYAML")

GOOD = [
    "", "# a comment only\n", "---\n", "--- \n...\n", "just text\n", "- 1\n- 2\n",
    "a: 1\nb:\n  a: 1\n  c: 2\n", "a: ~\nb: null\nc:\nd: NULL\ne: nulls\nf: Null\n", "~: 1\n",
    "a: 'null'\nb: \"~\"\nc: 'it''s'\nd: \"q\\\"\"\n", "a: |\n  x\n  y\nb: >-\n  p\n\n  q\n",
    "a:\n  - [1, 2]\n  - [3, [4, 5]]\n  - {x: [6]}\n", "[[[[1]]]]\n", "a: {}\nb: []\n",
    "a:\n- 1\n- 2\n", "a: 1\n...\n", "%YAML 1.1\n---\na: 1\n", "a: 1 # comment\nb: x#y\n",
    "'a b': 1\n\"c\": 2\n", "1: one\n2.5: x\ntrue: y\n",
    "a: 0x10\nb: 010\nc: 1e3\nd: yes\ne: 2001-12-14\nf: 1:30\n", "a: \"\\u00e9\"\nb: é\n",
    "a: [a, b, c,]\n", "a: [b: 1, c]\n", "- - 1\n  - 2\n- - 3\n", "a: b\n  c\n",
    "a: 1\r\nb: 2\r\n", "\ufeffa: 1\n", "a: 1\n\n\n\nb: 2\n", "a:   spaced value   \n", "? a\n",
    "a: 9" + "9" * 5000 + "\n", "a: " + "[" * 60 + "1" + "]" * 60 + "\n",
    "inputs: {x: 0.5}\nparams: {w: 0.9, b: 0.1}\nnodes:\n  n1: tanh(w * x + b)\nloss: n1^2\n",
]
UNUSUAL = [  # read the full way: the plain reader leaves them
    "x: &a [1, 2]\ny: *a\n", "base: &b {p: 1}\nother:\n  <<: *b\n  q: 2\n", "a: !!str 1\n",
    "a: ! 1\n", "= : 1\n", "<<: {a: 1}\n", "a: &x\n  b: 1\nc: *x\n", "a: !!map {b: 1}\n",
    "a: !!null ''\n", "a: !!binary aGk=\n", "a: !!set {x}\n", "a: !<tag:yaml.org,2002:str> x\n",
    "a: " + "[" * 80 + "1" + "]" * 80 + "\n", "a: " + "{b: " * 80 + "1" + "}" * 80 + "\n",
]
BAD = [
    "a: 1\n---\nb: 2\n", "a: 1\na: 2\n", "a: {b: 1, b: 2}\n", "x: *a\n", "a: !foo 1\n", "a: =\n",
    "a: <<\n", "null: 1\nNull: 2\n", "? [a, b]\n: c\n", "{[a]: 1}\n", "? {a: 1}\n: 2\n",
    "\ta: 1\n", "a: b: c\n", "a: [1, 2\nb: 3\n", "a: {x: 1\nb: 2\n", "a: 'open\nb: 1\n",
    "a: \"open\n", "a: 1\n b: 2\n", "a:\n  b: 1\n c: 2\n", "- a\nb: 1\n", "a: \x01\n", "a: \x7f\n",
    "a: b\x00\n", "%TAG ! tag:x,2000:\n---\na: !b 1\n", "...\n", "&r [*r]\n", "a: *\n",
    "a: [*x]\n", "a: !!int x\n", "a: !!python/object:os.system x\n", "? a\n? a\n", "a: [\n",
    "a: -1\nb: - 1\n", "\"a\nb\": 1\n", "[a, b]: 1\n", "{a: 1, a: 2}\n",
    "a: " + "[" * 10000 + "]" * 10000 + "\n",
    "inputs: {x: 0.5}\nparams: {w: 0.9}\nnodes:\n  n1: tanh(w * x)\n  n1: x\nloss: n1\n",
]


def same(a, b):
    """Equal data, types and lines, all the way down."""
    if isinstance(a, (dict, list)):
        if type(a) is not type(b) or a.line != b.line or len(a) != len(b):
            return False
        if isinstance(a, dict):
            return a.lines == b.lines and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
        return all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def outcome(text, monkeypatch, *, c_parser=True, c_loader=True):
    """read_yaml's result (or its message), with the plain reader and LibYAML's loader
    available or not."""
    with monkeypatch.context() as m:
        if not c_parser:
            m.setattr(yamlfile, "_CParser", None)
        if not c_loader:
            m.setattr(yamlfile, "_CLoader", None)
        try:
            return "ok", read_yaml(text, "n.yaml")
        except NetError as e:
            return "error", str(e)


def agree(a, b):
    return a[0] == b[0] and (same(a[1], b[1]) if a[0] == "ok" else a[1] == b[1])


@needs_libyaml
@pytest.mark.parametrize("text", GOOD + [p.read_text() for p in sorted(CONFIGS.rglob("*.yaml"))])
def test_the_plain_reader_gives_what_pyyaml_gives(text):
    doc = yamlfile._plain_load(text)
    assert same(doc, yaml.load(text, Loader=yamlfile._CLoader))
    assert same(doc, yaml.load(text, Loader=yamlfile._Loader))


@needs_libyaml
def test_lines_are_kept():
    doc = yamlfile._plain_load("# top\nname: n\nnodes:\n\n  a: x\n  b: [1,\n    2]\nlist:\n- {k: 1}\n")
    assert isinstance(doc, LineMap) and doc.line == 2
    assert doc.lines == {"name": 2, "nodes": 3, "list": 8}
    assert doc["nodes"].line == 5 and doc["nodes"].lines == {"a": 5, "b": 6}
    assert isinstance(doc["nodes"]["b"], LineList) and doc["nodes"]["b"].line == 6
    assert doc["list"].line == 9 and doc["list"][0].lines == {"k": 9}


@needs_libyaml
@pytest.mark.parametrize("text", UNUSUAL + BAD)
def test_what_the_plain_reader_leaves_is_read_as_before(text, monkeypatch):
    with pytest.raises(Exception):
        yamlfile._plain_load(text)
    assert agree(outcome(text, monkeypatch), outcome(text, monkeypatch, c_parser=False))


@needs_libyaml
@pytest.mark.parametrize("text", BAD)
def test_mistakes_are_told_as_pure_python_pyyaml_tells_them(text, monkeypatch):
    got = outcome(text, monkeypatch)
    assert got[0] == "error"
    assert got == outcome(text, monkeypatch, c_parser=False, c_loader=False)


def test_an_alias_is_one_list_and_null_is_none():
    doc = read_yaml("x: &a [1, 2]\ny: *a\nz:\n", "n.yaml")
    assert doc["x"] is doc["y"] and doc["x"] == ["1", "2"] and doc["z"] is None


@needs_libyaml
def test_random_texts_read_the_same_as_before(monkeypatch):
    """Snippets of YAML put together at random: whatever the plain reader takes is what
    PyYAML's loader gives; read_yaml agrees with the full loaders alone, data or message."""
    pieces = ["a", "b", "null", "~", ": ", ":", "- ", "[", "]", "{", "}", ", ", "&x ", "*x",
              "!!str ", "#c", "'q'", '"d"', "\n", "\n  ", "\n    ", " ", "|\n  t", "? ", "<<",
              "=", "1.5", "\t", "---\n", "...\n", "x y"]
    rng = random.Random(12)
    taken = 0
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 20)))
        try:
            doc = yamlfile._plain_load(text)
        except Exception:
            pass
        else:
            taken += 1
            assert same(doc, yaml.load(text, Loader=yamlfile._CLoader)), text
        assert agree(outcome(text, monkeypatch), outcome(text, monkeypatch, c_parser=False)), text
    assert taken > 200


# Long runs of `name: text` lines (a big nodes: section) are read by a regex, the rest of the
# file by LibYAML: the same data and lines as the plain reader, or else the whole file the
# plain (or full) way.
def _run(n=yamlfile.RUN_LINES + 6, indent="  ", line=lambda k: f"n{k}: tanh(w * n{k - 1} + b)"):
    return "".join(f"{indent}{line(k)}\n" for k in range(1, n + 1))


HEAD = "# a chain\ninputs: {x: 0.5}\nparams:\n  w: 0.9\n  b: 0.1\nnodes:\n"
RUNS_TAKEN = [
    HEAD + _run() + "loss: n70^2\n", HEAD + _run(), HEAD + _run(indent="    ") + "#\nloss: x\n",
    HEAD + _run(line=lambda k: f"v_{k}:   ( x * 2.5e-3 )-y/z^2   ") + "loss: x\n",
    "\n# c\nnodes:   \n" + _run() + "loss: x\nmore:\n" + _run(line=lambda k: f"m{k}: null_{k}"),
    HEAD + _run(line=lambda k: f"n{k}: nulls") + "loss: x\n",
]
RUNS_LEFT = [  # the regex finds no run, or what it finds is not what YAML reads there
    HEAD + _run() + "    + 1\nloss: x\n", HEAD + _run() + "\n    + 1\nloss: x\n",
    HEAD + _run() + "# c\n  n999: x\nloss: x\n", HEAD + _run() + "  n1: dup\nloss: x\n",
    HEAD + _run(line=lambda k: f"n{k % 50}: x") + "loss: x\n",
    HEAD + _run(line=lambda k: "null: x" if k == 3 else f"n{k}: x") + "loss: x\n",
    HEAD + _run(line=lambda k: f"n{k}: Null" if k == 3 else f"n{k}: x") + "loss: x\n",
    'a: "x\nnodes:\n' + _run() + '"\n', 'a: "x\nnodes:\n' + _run() + '"\nnodes:\nloss: x\n',
    "{a: 1,\nnodes:\n" + _run() + "}\n",
    "a: {b: 1,\nnodes:\n" + _run() + "}\n", HEAD.replace("\n", "\r\n") + _run() + "loss: x\n",
    "a: b\u2028" + HEAD + _run() + "loss: x\n", "---\n" + HEAD + _run() + "loss: x\n",
    "nodes:\n" + _run() + "nodes:\n" + _run(), "a: |\n  t\nnodes:\n" + _run() + "b: 1\n",
    HEAD + _run() + "\tloss: x\n", "- a\nnodes:\n" + _run() + "b: 1\n",
    HEAD + _run(line=lambda k: f"n{k}: - x") + "loss: x\n",
]


@needs_libyaml
@pytest.mark.parametrize("text", RUNS_TAKEN)
def test_a_long_run_is_read_as_libyaml_reads_it(text, monkeypatch):
    read = []  # what LibYAML was given: the text with the runs' lines left empty
    plain = yamlfile._plain_load
    monkeypatch.setattr(yamlfile, "_plain_load", lambda t: read.append(t) or plain(t))
    assert same(yamlfile._runs_load(text), plain(text))
    assert len(read) == 1 and read[0] != text and read[0].count("\n") == text.count("\n")
    assert same(yamlfile._runs_load(text), yaml.load(text, Loader=yamlfile._Loader))


@needs_libyaml
@pytest.mark.parametrize("text", RUNS_LEFT)
def test_what_looks_like_a_run_but_is_not_is_read_as_before(text, monkeypatch):
    try:
        doc = yamlfile._runs_load(text)
    except Exception:
        pass
    else:
        assert same(doc, yamlfile._plain_load(text))
    assert agree(outcome(text, monkeypatch), outcome(text, monkeypatch, c_parser=False))


def test_no_resolver_but_nulls_claims_a_word_a_run_holds():
    """A run's names and values start with a letter, digit, _, ( or .: of the resolvers left,
    only null's claims such words, and only RUN_NULLS."""
    starts = [c for c in yamlfile._RESOLVERS if c and (c.isalnum() or c in "_(.")]
    assert {tag for c in starts for tag, _ in yamlfile._RESOLVERS[c]} == {"tag:yaml.org,2002:null"}
    words = ["null", "Null", "NULL", "nulls", "none", "None", "n", "N", "nULL", "NuLL"]
    assert {w for w in words if yamlfile._resolved(w) is None} == yamlfile.RUN_NULLS


@needs_libyaml
def test_random_texts_around_runs_read_the_same_as_before(monkeypatch):
    pieces = ["a", "nodes", ":", ": ", "\n", "\n  ", " ", "{", "}", "[", "]", ", ", "#c", '"',
              "'", "|\n", "- ", "null", "x y", "\t", "---\n", "&x ", "*x", "\u2028", "\r\n",
              "nodes:\n" + _run(), _run(), "nodes:\n" + _run(line=lambda k: f"n{k % 60}: x"),
              "n:\n" + _run(indent="   ", line=lambda k: f"a{k}: {k}")]
    lines = ["a: 1\n", "b: {x: 1}\n", "# c\n", "\n", "c:\n  - 1\n", "loss: x\n", "a:\n",
             "nodes:\n" + _run(), "more:\n" + _run(line=lambda k: f"m{k}: ({k})"), "d: |\n  t\n"]
    rng = random.Random(5)
    taken = 0
    for _ in range(400):
        text = "".join(rng.choice(pieces if rng.random() < 0.2 else lines)
                       for _ in range(rng.randint(1, 8)))
        try:
            doc = yamlfile._runs_load(text)
        except Exception:
            pass
        else:
            taken += bool(list(yamlfile._run_patterns()[0].finditer(text)))
            assert same(doc, yamlfile._plain_load(text)), text
        assert agree(outcome(text, monkeypatch), outcome(text, monkeypatch, c_parser=False)), text
    assert taken > 20
