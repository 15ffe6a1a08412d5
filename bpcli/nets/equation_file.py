"""A network file written as equations → a checked :class:`EquationNet`.

Every name, value and expression is checked in the order a reader meets them; the
first mistake stops loading with one line naming the file and line.
"""
from __future__ import annotations

import numpy as np

from ..engine import FUNCTIONS, LOSS, evaluate
from ..io.data import column, read_file
from ..io.yamlfile import LineMap, plain_data
from ..symbolic import calls, names, to_text
from ..text import did_you_mean
from .equations import REQUIRED, SECTION_KIND, EquationNet
from .training import read_training
from .expressions import ExprError, parse_names
from .values import Checker, shown_raw

SECTIONS = ("name", "inputs", "params", "targets", "nodes", "loss", "data", "train")
RESERVED = {LOSS} | set(FUNCTIONS)


def equation_net(doc: LineMap, path: str) -> EquationNet:
    """Check a YAML document of the equation sections and build the net."""
    check = Checker(path)
    _check_sections(doc, check)
    title = check.title(doc)
    defined: dict[str, int] = {}  # name -> line
    sections = {section: _leaves(doc, section, kind, defined, check)
                for section, kind in SECTION_KIND.items()}
    shared: dict = {}  # one Name per name, for every expression of the file
    nodes = _nodes(doc, defined, check, shared)
    loss_line = doc.lines["loss"]
    loss = _expression(doc["loss"], loss_line, check, shared)[:2]
    _check_uses(loss[1], "loss", loss_line, defined, {}, check)
    data, data_doc = None, None
    if "data" in doc:
        data, data_doc = _data(doc["data"], doc.lines["data"], sections, path, check)
        _check_per_sample(sections, nodes, loss, defined, loss_line, check)
    _check_shapes(sections, nodes, loss, defined, loss_line, check, data)
    lines = dict(defined)
    lines[LOSS] = loss_line
    return EquationNet(title, sections["inputs"], sections["params"], sections["targets"],
                       nodes, loss, path, lines, data, data_doc, read_training(doc, check))


def _check_sections(doc, check):
    for key in doc:
        if key not in SECTIONS:
            fix = did_you_mean(key, SECTIONS, "if it is a node, indent it under 'nodes:'; "
                                              "sections are " + ", ".join(SECTIONS))
            check.fail(doc.lines[key], f"unknown section {key!r}; {fix}")
    # A section indented under another one reads as a name there: say so before
    # calling the section missing.
    for section in ("inputs", "params", "targets", "nodes"):
        m = doc.get(section)
        for key in m if isinstance(m, LineMap) else ():
            if key in SECTIONS:
                check.fail(m.lines[key], f"{key!r} is a section name; if it is that section, "
                                         "un-indent it to the start of the line, else rename it")
    for key in REQUIRED:
        if key not in doc:
            check.fail(None, f"missing section {key!r}; add it (see `bpcli init` for an example)")


def _leaves(doc, section, kind, defined, check) -> dict:
    """An inputs, params or targets section: name -> number (or vector)."""
    m = doc.get(section)
    if m is None:
        return {}
    if not isinstance(m, LineMap):
        check.fail(doc.lines[section], f"'{section}' must be a mapping of name: number, "
                                       f"e.g. {section}: {{a: 0.5}}")
    values = {}
    for name, raw in m.items():
        line = m.lines[name]
        _check_name(name, line, defined, check)
        if isinstance(raw, list):  # a vector, for softmax, sum, mean
            values[name] = check.array(raw, f"{kind} {name!r}", line)
            if values[name].ndim != 1:
                check.fail(line, f"{kind} {name!r} must be a number or a vector (a flat list); "
                                 "tensors belong in layer networks")
        else:
            values[name] = check.number(raw, f"{kind} {name!r}", line)
        defined[name] = line
    return values


def _nodes(doc, defined, check, shared) -> dict:
    raw_nodes = doc.get("nodes")
    if raw_nodes is None:  # absent, or "nodes:" with nothing under it
        raw_nodes = LineMap()
        raw_nodes.lines = {}
    if not isinstance(raw_nodes, LineMap):
        check.fail(doc.lines["nodes"],
                   "'nodes' must be a mapping of name: expression, e.g. H1: w1 * x")
    later = raw_nodes.lines  # every node's line
    nodes = {}
    for name, raw in raw_nodes.items():
        line = later[name]
        _check_name(name, line, defined, check)
        text, e, uses = _expression(raw, line, check, shared, name)
        for used in uses:
            if used not in defined:  # a mistake: say which
                _check_uses(e, f"node {name!r}", line, defined, later, check)
        nodes[name] = (text, e)
        defined[name] = line
    return nodes


def _data(raw, line, sections, path, check):
    """An equation net's data set: one column per input and target, all of one length."""
    names_ = [*sections["inputs"], *sections["targets"]]
    if not names_:
        check.fail(line, "data needs inputs or targets to fill; this net has none")
    if isinstance(raw, LineMap) and "file" in raw:
        for key in raw:
            if key != "file":
                check.fail(raw.lines[key],
                           f"unknown data setting {key!r}; a data file is {{file: path}}")
        shown = str(raw["file"])
        with check.reading_data(raw.lines["file"]):
            columns = read_file(shown, path)
            data = {n: column(columns, n, shown) for n in names_}
    elif isinstance(raw, LineMap):
        for key in raw:
            if key not in names_:
                check.fail(raw.lines[key], f"data column {key!r} is not an input or target of "
                                           f"this net ({', '.join(names_)})")
        missing = [n for n in names_ if n not in raw]
        if missing:
            check.fail(line, f"data has no column {missing[0]!r}; give one per input and target")
        data = {n: check.array(raw[n], f"data column {n!r}", raw.lines[n]) for n in names_}
    else:
        check.fail(line, "data is a mapping: one list per input and target, or {file: data.csv}")
    for n, v in data.items():
        if v.ndim != 1:
            check.fail(line, f"data column {n!r} must hold one number per sample")
        if np.ndim(sections["inputs"].get(n, sections["targets"].get(n))) != 0:
            check.fail(line,
                       f"{n!r} is a vector; a data set fills inputs and targets that are numbers")
    counts = {len(v) for v in data.values()}
    if len(counts) != 1:
        check.fail(line, "data columns differ in length: " +
                   ", ".join(f"{n} has {len(v)}" for n, v in data.items()))
    return data, plain_data(raw)


def _check_per_sample(sections, nodes, loss, defined, loss_line, check):
    """With a data set the samples are the vectors: no vector leaves, no sum, mean or
    softmax (they would run across the samples)."""
    vectors = [n for s in sections.values() for n, v in s.items() if np.ndim(v)]
    if vectors:
        check.fail(defined[vectors[0]], f"{vectors[0]!r} is a vector, but with a data set "
                                        "every input, param and target is a number (the "
                                        "samples are the vectors)")
    for name, (text, e) in [*nodes.items(), (LOSS, loss)]:
        for op in ("sum", "mean", "softmax"):
            if op in text and next(calls(e, op), None) is not None:  # (a call names it)
                check.fail(loss_line if name == LOSS else defined[name],
                           f"{op}(...) in {text!r} would run across the samples of the data "
                           "set; write the loss for one sample (E is its mean over the samples)")


def _check_shapes(sections, nodes, loss, lines, loss_line, check, data=None):
    """With vectors about, evaluate once to find mismatched shapes and a loss that is
    not one number, each at its line (scalars only: nothing to check).  With a data set
    the loss is one number per sample (E is their mean)."""
    env = {k: v for s in sections.values() for k, v in s.items()}
    if data:
        env.update(data)
    exprs = [*nodes.items(), (LOSS, loss)]
    if all(np.ndim(v) == 0 for v in env.values()) and not any(
            "softmax" in text and next(calls(e, "softmax"), None) is not None
            for _, (text, e) in exprs):  # (the text of a call names it: no walk for most)
        return
    with np.errstate(all="ignore"):
        for name, (text, e) in exprs:
            line = loss_line if name == LOSS else lines[name]
            for call in calls(e, "softmax"):
                arg = evaluate(call.args[0], env)
                if np.ndim(arg) != 1:
                    check.fail(line, f"softmax takes a vector, but "
                                     f"{to_text(call.args[0], False)!r} is a number; give it a "
                                     "list, e.g. z: [1, 2, 3]")
            try:
                env[name] = evaluate(e, env)
            except ValueError as err:
                check.fail(line, f"{'the loss' if name == LOSS else repr(name)}: shapes do not "
                                 f"match in {text!r} ({str(err).split(':')[-1].strip()})")
    per_sample = (len(next(iter(data.values()))),) if data else ()
    if np.shape(env[LOSS]) not in ((), per_sample):
        check.fail(loss_line, f"the loss must be one number, but it is {np.shape(env[LOSS])}; "
                              "wrap it in sum(...) or mean(...)")


def _check_name(name, line, defined, check):
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        hint = (" (a decimal comma? numbers take a point: 1.5)"
                if str(name).isdigit() else "")
        check.fail(line, f"{name!r} is not a valid name; use letters, digits and _, "
                         f"starting with a letter or _ (like w1 or fH1){hint}")
    if name in RESERVED:
        why = "the loss" if name == LOSS else "a function"
        check.fail(line, f"{name!r} is reserved for {why}; choose another name")
    if name in defined:
        check.fail(line, f"{name!r} is defined twice (first on line {defined[name]}); "
                         "remove or rename one")


def _expression(raw, line, check, shared, node=None):
    """(text, parsed, names used) of a node's expression (the loss's without ``node``)."""
    if type(raw) is str:  # the usual: no other check
        text = raw
    elif isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        check.fail(line, f"{_what(node)} must be an expression such as 'w1 * x', "
                         f"not {shown_raw(raw)}")
    else:
        text = str(raw)
    try:
        return (text, *parse_names(text, shared))
    except RecursionError:
        check.fail(line, f"{_what(node)} is nested too deeply; split it into named nodes")
    except ExprError as e:
        check.fail(line, f"{_what(node)}: {e.message} in {text!r}" +
                   (f"; {e.fix}" if e.fix else ""))


def _what(node):
    return "loss" if node is None else f"node {node!r}"


def _check_uses(e, what, line, defined, later, check):
    for name in names(e):
        if name in defined:
            continue
        if name in later:
            check.fail(line, f"{what} uses {name!r} before it is defined (line {later[name]}); "
                             f"move {name!r} above it")
        fix = did_you_mean(name, list(defined),
                           "define it under inputs, params or targets, or as an earlier node")
        check.fail(line, f"{what} uses unknown name {name!r}; {fix}")
