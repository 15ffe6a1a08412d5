"""YAML → Network: every name, value and expression checked, errors pointing at file:line."""
from __future__ import annotations

import math
import os
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import yaml

from .expr import Expr, ExprError, calls, evaluate, names, parse, to_text
from .graph import LOSS, Graph
from .ops import FUNCTIONS
from .suggest import closest, did_you_mean

DEFAULT_SOURCE = "default.yaml"
SECTIONS = ("name", "inputs", "params", "targets", "nodes", "loss", "data")
REQUIRED = ("params", "loss")
RESERVED = {LOSS} | set(FUNCTIONS)
_SECTION_KIND = {"inputs": "input", "params": "param", "targets": "target"}


class NetError(Exception):
    """A mistake in a network file: ``str()`` is the one line shown to the user."""

    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class Network:
    name: str
    inputs: dict[str, np.float64]
    params: dict[str, np.float64]
    targets: dict[str, np.float64]
    nodes: dict[str, tuple[str, Expr]]  # name -> (text as written, parsed)
    loss: tuple[str, Expr]
    path: str = "<default>"
    lines: dict[str, int] = field(default_factory=dict)  # name -> line it is defined on
    data: dict | None = None  # a data set: input/target name -> one value per sample
    data_doc: object = None  # the data section as written (for saving)

    def leaves(self):
        """(name, kind, value) of every input, param and target, in file order; the
        inputs and targets of a data set hold all its samples."""
        for section, kind in _SECTION_KIND.items():
            for name, value in getattr(self, section).items():
                yield name, kind, (self.data[name] if self.data and name in self.data else value)

    def samples(self):
        """(N, {leaf name: array with the N samples first}) of the training set."""
        if not self.data:
            return 1, {}
        return len(next(iter(self.data.values()))), dict(self.data)

    def build(self) -> Graph:
        """The graph of this network, compiled and ready to run (built once per command)."""
        g = Graph()
        for name, kind, value in self.leaves():
            g.add_leaf(name, kind, value)
        for name, (_, e) in self.nodes.items():
            g.add_named(name, "node", e)
        if self.data:  # the loss expression per sample; E is its mean over the samples
            g.add_op(LOSS, "loss", "mean", [g.lower(self.loss[1])])
        else:
            g.add_named(LOSS, "loss", self.loss[1])
        return g.compile()

    def at_sample(self, k) -> "Network":
        """This net on sample k of its data set alone: E is then the loss at sample k."""
        new = Network(**{**self.__dict__})
        new.inputs = {n: np.float64(self.data[n][k]) if n in self.data else v
                      for n, v in self.inputs.items()}
        new.targets = {n: np.float64(self.data[n][k]) if n in self.data else v
                       for n, v in self.targets.items()}
        new.data = new.data_doc = None
        return new

    def with_params(self, params) -> "Network":
        new = Network(**{**self.__dict__})
        new.params = {k: _value(params[k]) for k in self.params}
        return new

    def to_yaml(self, header: str = "") -> str:
        def plain(v):
            return np.asarray(v).tolist()  # a float, or nested lists of them

        doc = {"name": self.name,
               "inputs": {k: plain(v) for k, v in self.inputs.items()},
               "params": {k: plain(v) for k, v in self.params.items()},
               "targets": {k: plain(v) for k, v in self.targets.items()},
               "nodes": {k: text for k, (text, _) in self.nodes.items()},
               "loss": self.loss[0]}
        if self.data_doc is not None:
            doc["data"] = self.data_doc
        doc = {k: v for k, v in doc.items() if v or k in REQUIRED}
        return header + dump_yaml(doc)


# ------------------------------------------------------------------ YAML out

class _Dumper(yaml.SafeDumper):
    """Mappings one entry a line (they diff well); lists of numbers on one line."""


_Dumper.add_representer(list, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=not any(isinstance(x, (list, dict)) for x in v)))
_Dumper.add_representer(dict, lambda d, v: d.represent_mapping(
    "tag:yaml.org,2002:map", v, flow_style=False))


def dump_yaml(doc) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


# ------------------------------------------------------------------ YAML with lines

class _Map(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line = 0
    lines: dict = {}  # (each loaded mapping gets its own; this default serves built ones)


class _Loader(yaml.SafeLoader):
    """Safe YAML, with numbers and yes/no left as text for bpcli to read.

    YAML 1.1 would read 010 as 8, 1:30 as 90 and on/yes as true; here every plain
    scalar but null stays a string, and a value is a number exactly when Python's
    float() reads it (1e-3 included), so nothing is quietly reinterpreted.
    """

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers
                if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                               "tag:yaml.org,2002:bool")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    m = _Map()
    m.line = node.start_mark.line + 1
    m.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            first = m.lines.get(key)
        except TypeError:
            raise yaml.MarkedYAMLError(problem="a key must be a plain name",
                                       problem_mark=key_node.start_mark) from None
        if first is not None:
            raise _Duplicate(key, first, line)
        m[key] = loader.construct_object(value_node, deep=True)
        m.lines[key] = line
    return m


class _Duplicate(Exception):
    def __init__(self, key, first, line):
        self.key, self.first, self.line = key, first, line


class _Seq(list):
    """A YAML sequence that remembers its line (1-based)."""

    line = 0


def _construct_sequence(loader, node, deep=False):
    seq = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    seq.line = node.start_mark.line + 1
    return seq


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


# PyYAML's words for the usual slips, and what a person would say instead.
_YAML_PROBLEMS = [
    ("found character '\\t'", "a tab; YAML indents with spaces only"),
    ("expected <block end>", "the indentation does not match the lines above"),
    ("mapping values are not allowed", "an unexpected ':'; check the indentation, "
                                       "or quote a value that holds ': '"),
    ("could not find expected ':'", "a line without 'name: value'"),
    ("expected ',' or '}'", "a {...} mapping is not closed, or lacks a comma"),
    ("expected ',' or ']'", "a [...] list is not closed, or lacks a comma"),
    ("found undefined alias", "'*' starts a YAML alias; quote an expression that starts with *"),
]


def _yaml_problem(e) -> str:
    problem = (e.problem or e.context or "").strip()
    for needle, plain in _YAML_PROBLEMS:
        if needle in problem:
            return plain
    return f"{problem}; check indentation, colons and quotes on this line"


def _yaml_error(e, path) -> NetError:
    """The line to look at: for a quote or bracket left open, the line that opened it
    (PyYAML marks where it gave up, often the next line or the end of the file)."""
    problem = e.problem_mark.line + 1 if e.problem_mark else None
    opened = e.context_mark.line + 1 if e.context_mark else None
    context = e.context or ""
    if "quoted scalar" in context and opened:
        return NetError(path, opened, "malformed YAML: a quoted value opened on this line is "
                                      "never closed; add the closing quote")
    if "flow" in context and opened and problem and problem != opened:
        kind = "{...} mapping" if "mapping" in context else "[...] list"
        return NetError(path, opened, f"malformed YAML: the {kind} opened on this line is not "
                                      f"closed, or lacks a comma (YAML gave up on line {problem})")
    line = problem or opened
    return NetError(path, line, "malformed YAML: " + _yaml_problem(e))


def _read_yaml(text, path):
    try:
        doc = yaml.load(text, Loader=_Loader)
    except _Duplicate as d:
        raise NetError(path, d.line, f"{d.key!r} is defined twice (first on line {d.first}); "
                                     "remove or rename one") from None
    except yaml.MarkedYAMLError as e:
        raise _yaml_error(e, path) from None
    except yaml.reader.ReaderError as e:  # a control character, or bytes that are not text
        line = text.count("\n", 0, e.position) + 1 if isinstance(e.position, int) else None
        what = (f"character #x{e.character:04x}" if isinstance(e.character, int)
                else "a character")
        raise NetError(path, line, f"{what} is not allowed in YAML; delete it") from None
    except (yaml.YAMLError, ValueError) as e:  # ValueError: an integer of over 4300 digits
        raise NetError(path, None, f"malformed YAML: {str(e).splitlines()[0]}") from None
    if doc is None:
        raise NetError(path, None, "the file is empty; start from `bpcli init`")
    if not isinstance(doc, _Map):
        raise NetError(path, 1, "a network file is a mapping with sections "
                                + ", ".join(SECTIONS))
    return doc


# ------------------------------------------------------------------ loading

def load(path: str) -> Network:
    """Read and check a network file ("-": standard input); raises :class:`NetError` on
    any mistake."""
    if path == "-":  # data files it names are then relative to the current folder
        return loads(sys.stdin.read(), "<stdin>")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise NetError(path, None, "no such file") from None
    except IsADirectoryError:
        raise NetError(path, None, "is a directory, not a network file") from None
    except UnicodeDecodeError:
        raise NetError(path, None, "is not UTF-8 text; a network file is YAML") from None
    except OSError as e:
        raise NetError(path, None, f"cannot read: {e.strerror}") from None
    return loads(text, path)


def load_default() -> Network:
    return loads(default_text(), "<default>")


def default_text() -> str:
    return resources.files("bpcli").joinpath(DEFAULT_SOURCE).read_text(encoding="utf-8")


def loads(text: str, path: str = "<string>"):
    """A Network (equations) or a LayerNetwork (a `layers:` list), checked."""
    doc = _read_yaml(text, path)
    # A layer net by its sections, even with "layers" misspelt (then from_doc says so).
    if any(k in ("layers", "input") or (isinstance(k, str) and closest(k, ["layers"], 0.8))
           for k in doc):
        from .layers import from_doc

        return from_doc(doc, path)
    return _equations(doc, path)


def _equations(doc, path) -> Network:
    def fail(line, message):
        raise NetError(path, line, message)

    for key in doc:
        if key not in SECTIONS:
            fix = did_you_mean(key, SECTIONS, "if it is a node, indent it under 'nodes:'; "
                                              "sections are " + ", ".join(SECTIONS))
            fail(doc.lines[key], f"unknown section {key!r}; {fix}")
    # A section indented under another one reads as a name there: say so before
    # calling the section missing.
    for section in ("inputs", "params", "targets", "nodes"):
        m = doc.get(section)
        for key in m if isinstance(m, _Map) else ():
            if key in SECTIONS:
                fail(m.lines[key], f"{key!r} is a section name; if it is that section, "
                                   "un-indent it to the start of the line, else rename it")
    for key in REQUIRED:
        if key not in doc:
            fail(None, f"missing section {key!r}; add it (see `bpcli init` for an example)")

    title = doc.get("name", "")
    if not isinstance(title, str):
        fail(doc.lines["name"], "'name' must be text")

    defined: dict[str, int] = {}  # name -> line
    sections = {}
    for section, kind in _SECTION_KIND.items():
        m = doc.get(section)
        if m is None:
            sections[section] = {}
            continue
        if not isinstance(m, _Map):
            fail(doc.lines[section], f"'{section}' must be a mapping of name: number, "
                                     f"e.g. {section}: {{a: 0.5}}")
        values = {}
        for name, raw in m.items():
            line = m.lines[name]
            _check_name(name, line, defined, fail)
            if isinstance(raw, list):  # a vector, for softmax, sum, mean
                from .layers import _array

                values[name] = _array(raw, f"{kind} {name!r}", line, fail)
                if values[name].ndim != 1:
                    fail(line, f"{kind} {name!r} must be a number or a vector (a flat list); "
                               "tensors belong in layer networks")
            else:
                values[name] = _number(raw, f"{kind} {name!r}", line, fail)
            defined[name] = line
        sections[section] = values

    nodes = {}
    raw_nodes = doc.get("nodes")
    if raw_nodes is None:  # absent, or "nodes:" with nothing under it
        raw_nodes = _Map()
        raw_nodes.lines = {}
    if not isinstance(raw_nodes, _Map):
        fail(doc.lines["nodes"], "'nodes' must be a mapping of name: expression, e.g. H1: w1 * x")
    later = {n: raw_nodes.lines[n] for n in raw_nodes}
    for name, raw in raw_nodes.items():
        line = raw_nodes.lines[name]
        _check_name(name, line, defined, fail)
        text, e = _expression(raw, f"node {name!r}", line, fail)
        _check_uses(e, f"node {name!r}", line, defined, later, fail)
        nodes[name] = (text, e)
        defined[name] = line

    loss_line = doc.lines["loss"]
    loss = _expression(doc["loss"], "loss", loss_line, fail)
    _check_uses(loss[1], "loss", loss_line, defined, {}, fail)
    data, data_doc = None, None
    if "data" in doc:
        data, data_doc = _data(doc["data"], doc.lines["data"], sections, path, fail)
        vectors = [n for s in sections.values() for n, v in s.items() if np.ndim(v)]
        if vectors:
            fail(defined[vectors[0]], f"{vectors[0]!r} is a vector, but with a data set every "
                                      "input, param and target is a number (the samples are "
                                      "the vectors)")
        for name, (text, e) in [*nodes.items(), (LOSS, loss)]:
            for op in ("sum", "mean", "softmax"):
                if next(calls(e, op), None) is not None:
                    fail(loss_line if name == LOSS else defined[name],
                         f"{op}(...) in {text!r} would run across the samples of the data set; "
                         "write the loss for one sample (E is its mean over the samples)")
    _check_shapes(sections, nodes, loss, defined, loss_line, fail, data)

    lines = dict(defined)
    lines[LOSS] = loss_line
    return Network(title, sections["inputs"], sections["params"], sections["targets"],
                   nodes, loss, path, lines, data, data_doc)


def _data(raw, line, sections, path, fail):
    """An equation net's data set: one column per input and target, all of one length."""
    from .data import column, read_file
    from .layers import _array, _plain

    names = [*sections["inputs"], *sections["targets"]]
    if not names:
        fail(line, "data needs inputs or targets to fill; this net has none")
    if isinstance(raw, _Map) and "file" in raw:
        for key in raw:
            if key != "file":
                fail(raw.lines[key], f"unknown data setting {key!r}; a data file is {{file: path}}")
        shown = str(raw["file"])
        columns = read_file(shown, path, fail, raw.lines["file"])
        data = {n: column(columns, n, shown, fail, raw.lines["file"]) for n in names}
    elif isinstance(raw, _Map):
        for key in raw:
            if key not in names:
                fail(raw.lines[key], f"data column {key!r} is not an input or target of this net "
                                     f"({', '.join(names)})")
        missing = [n for n in names if n not in raw]
        if missing:
            fail(line, f"data has no column {missing[0]!r}; give one per input and target")
        data = {n: _array(raw[n], f"data column {n!r}", raw.lines[n], fail) for n in names}
    else:
        fail(line, "data is a mapping: one list per input and target, or {file: data.csv}")
    for n, v in data.items():
        if v.ndim != 1:
            fail(line, f"data column {n!r} must hold one number per sample")
        if np.ndim(sections["inputs"].get(n, sections["targets"].get(n))) != 0:
            fail(line, f"{n!r} is a vector; a data set fills inputs and targets that are numbers")
    counts = {len(v) for v in data.values()}
    if len(counts) != 1:
        fail(line, "data columns differ in length: " +
             ", ".join(f"{n} has {len(v)}" for n, v in data.items()))
    return data, _plain(raw)


def _check_shapes(sections, nodes, loss, lines, loss_line, fail, data=None):
    """With vectors about, evaluate once to find mismatched shapes and a loss that is
    not one number, each at its line (scalars only: nothing to check).  With a data set
    the loss is one number per sample (E is their mean)."""
    env = {k: v for s in sections.values() for k, v in s.items()}
    if data:
        env.update(data)
    exprs = [*nodes.items(), (LOSS, loss)]
    if all(np.ndim(v) == 0 for v in env.values()) and not any(
            list(calls(e, "softmax")) for _, (_, e) in exprs):
        return
    with np.errstate(all="ignore"):
        for name, (text, e) in exprs:
            line = loss_line if name == LOSS else lines[name]
            for call in calls(e, "softmax"):
                arg = evaluate(call.args[0], env)
                if np.ndim(arg) != 1:
                    fail(line, f"softmax takes a vector, but {to_text(call.args[0], False)!r} is "
                               "a number; give it a list, e.g. z: [1, 2, 3]")
            try:
                env[name] = evaluate(e, env)
            except ValueError as err:
                fail(line, f"{'the loss' if name == LOSS else repr(name)}: shapes do not match "
                           f"in {text!r} ({str(err).split(':')[-1].strip()})")
    per_sample = (len(next(iter(data.values()))),) if data else ()
    if np.shape(env[LOSS]) not in ((), per_sample):
        fail(loss_line, f"the loss must be one number, but it is {np.shape(env[LOSS])}; "
                        "wrap it in sum(...) or mean(...)")


def _value(v):
    v = np.asarray(v, dtype=np.float64)
    return v if v.ndim else np.float64(v)


def _check_name(name, line, defined, fail):
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        hint = (" (a decimal comma? numbers take a point: 1.5)"
                if str(name).isdigit() else "")
        fail(line, f"{name!r} is not a valid name; use letters, digits and _, "
                   f"starting with a letter or _ (like w1 or fH1){hint}")
    if name in RESERVED:
        why = "the loss" if name == LOSS else "a function"
        fail(line, f"{name!r} is reserved for {why}; choose another name")
    if name in defined:
        fail(line, f"{name!r} is defined twice (first on line {defined[name]}); "
                   "remove or rename one")


def _number(raw, what, line, fail):
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        fail(line, f"{what} must be a number, not {_show(raw)}")
    try:
        v = float(raw)  # the loader leaves plain scalars as text: 0.5, 1e-3, "2"
    except (ValueError, OverflowError):
        fail(line, f"{what} must be a number, not {_show(raw)}")
    if not math.isfinite(v):
        fail(line, f"{what} must be a finite number, not {_show(raw)}")
    return np.float64(v)


def _show(raw):
    """A YAML value as the user wrote it, near enough."""
    if raw is None:
        return "empty"
    if isinstance(raw, bool):
        return str(raw).lower()
    if isinstance(raw, (list, dict)):
        return "a list" if isinstance(raw, list) else "a mapping"
    text = repr(raw)
    return text if len(text) <= 40 else text[:36] + "…" + text[-3:]


def _expression(raw, what, line, fail):
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        fail(line, f"{what} must be an expression such as 'w1 * x', not {_show(raw)}")
    text = str(raw)
    try:
        return text, parse(text)
    except RecursionError:
        fail(line, f"{what} is nested too deeply; split it into named nodes")
    except ExprError as e:
        fail(line, f"{what}: {e.message} in {text!r}" + (f"; {e.fix}" if e.fix else ""))


def _check_uses(e, what, line, defined, later, fail):
    for name in names(e):
        if name in defined:
            continue
        if name in later:
            fail(line, f"{what} uses {name!r} before it is defined (line {later[name]}); "
                       f"move {name!r} above it")
        fix = did_you_mean(name, list(defined),
                           "define it under inputs, params or targets, or as an earlier node")
        fail(line, f"{what} uses unknown name {name!r}; {fix}")


# ------------------------------------------------------------------ saving

def ordinary_mode(path):
    """mkstemp makes 0600 files; what bpcli saves is an ordinary file (0666 less umask)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file renamed into place."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".bpcli-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        ordinary_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
