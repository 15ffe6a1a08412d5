"""YAML in and out: mappings and lists that remember their lines, PyYAML's errors told
the way a person would say them, and output that diffs well."""
from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
import yaml

from ..errors import NetError


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Mappings one entry a line (they diff well); lists of numbers on one line.  LibYAML's
    emitter where PyYAML has it: the same text, 4 times as fast (700 000 weights: 4.8 s,
    was 19 s)."""


_Dumper.add_representer(list, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=not any(isinstance(x, (list, dict)) for x in v)))
_Dumper.add_representer(dict, lambda d, v: d.represent_mapping(
    "tag:yaml.org,2002:map", v, flow_style=False))


def dump_yaml(doc: dict) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


# ------------------------------------------------------------------ YAML with lines

class LineMap(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line = 0
    lines: dict = {}  # (each loaded mapping gets its own; this default serves built ones)


# Left as text for bpcli to read: numbers, yes/no, and dates (a date is no number either)
_AS_TEXT = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:timestamp")


class _Loader(yaml.SafeLoader):
    """Safe YAML, with numbers and yes/no left as text for bpcli to read.

    YAML 1.1 would read 010 as 8, 1:30 as 90, on/yes as true and 2001-12-14 as a date;
    here every plain scalar but null stays a string, and bpcli reads the numbers itself
    (1e-3 included), so nothing is quietly reinterpreted.
    """

    yaml_implicit_resolvers = {
        first: kept for first, kept in (
            (first, [(tag, rx) for tag, rx in resolvers if tag not in _AS_TEXT])
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items())
        if kept}  # a scalar whose first character has no resolver left is text at once


def _mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    m = LineMap()
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


class LineList(list):
    """A YAML sequence that remembers its line (1-based)."""

    line = 0


def _sequence(loader, node, deep=False):
    # a plain scalar's value is its text (bpcli reads numbers itself): no construct_object
    # call per number, which is most of the time a long list of numbers takes
    text = "tag:yaml.org,2002:str"
    seq = LineList(child.value if child.tag == text and isinstance(child, yaml.ScalarNode)
                   else loader.construct_object(child, deep=True) for child in node.value)
    seq.line = node.start_mark.line + 1
    return seq


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)

if getattr(yaml, "CSafeLoader", None) is not None:  # PyYAML built with LibYAML
    class _CLoader(yaml.CSafeLoader):
        """The same reading as _Loader, parsed by LibYAML."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

    _CLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _CLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
    from yaml.cyaml import CParser as _CParser
else:
    _CLoader = _CParser = None


# ------------------------------------------------------------------ the plain file, fast

class _Unusual(Exception):
    """Something :func:`_plain_load` leaves to the full loaders."""


_MAX_FAST_DEPTH = 64  # deeper: the full loaders (and their RecursionError) decide
_NULL = "tag:yaml.org,2002:null"
_RESOLVERS = _Loader.yaml_implicit_resolvers  # (no wildcard: nothing under None)
_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_KEY = object()  # a mapping waiting for its next key


def _resolved(value: str) -> str | None:
    """A plain scalar that a resolver claims: null (None); a merge key << or = is left to
    the full loaders (``Resolver.resolve`` reads it)."""
    for tag, rx in _RESOLVERS.get(value[:1], ()):
        if rx.match(value):
            if tag != _NULL:
                raise _Unusual
            return None
    return value


def _plain_load(text: str) -> object:
    """What ``yaml.load(text, Loader=_CLoader)`` returns, built straight from LibYAML's
    events: no node tree, no constructor call per scalar (a 10⁵-line file: 0.4 s, was 1.3 s).

    Only for plain documents: an anchor, alias, tag, merge key, key that is not a scalar,
    key given twice, second document or mistake raises :class:`_Unusual` (or the parser's
    own error), and the full loaders read the file again, messages and all."""
    get = _CParser(text).get_event
    get()  # the stream's start
    ev = get()
    if type(ev) is yaml.StreamEndEvent:
        return None
    stack: list = []  # [container, the key waiting for its value (or _KEY), key's line]
    ev = get()  # past the document's start
    while True:
        kind = type(ev)
        if kind is yaml.ScalarEvent:
            if ev.anchor is not None or ev.tag is not None:
                raise _Unusual
            value = ev.value
            if ev.implicit[0] and value[:1] in _RESOLVERS:  # plain, and maybe null
                value = _resolved(value)
        elif kind in _OPENING:
            if ev.anchor is not None or ev.tag is not None or len(stack) > _MAX_FAST_DEPTH or (
                    stack and stack[-1][1] is _KEY):  # a list or mapping as a key
                raise _Unusual
            if kind is yaml.MappingStartEvent:
                c = LineMap()
                c.lines = {}
            else:
                c = LineList()
            c.line = ev.start_mark.line + 1
            stack.append([c, _KEY if kind is yaml.MappingStartEvent else None, 0])
            ev = get()
            continue
        elif kind in _CLOSING:
            value = stack.pop()[0]
        else:  # an alias
            raise _Unusual
        if not stack:
            break
        top = stack[-1]
        c = top[0]
        if type(c) is LineList:
            c.append(value)
        elif top[1] is _KEY:
            if value in c.lines:
                raise _Unusual
            top[1], top[2] = value, ev.start_mark.line + 1
        else:
            c[top[1]] = value
            c.lines[top[1]] = top[2]
            top[1] = _KEY
        ev = get()
    if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
        raise _Unusual
    return value


# ------------------------------------------------------------------ long runs of `name: text`
# A big network file is mostly one section of `  name: expression` lines (nodes:), two
# events, each with two marks, a line for LibYAML.  A run of at least RUN_LINES such lines,
# each a plain scalar of the characters below (no quote, colon, comment, bracket, tab or
# other line break), under a top-level key with nothing after it and followed by a line
# that starts at column 0, is read here by a regex; LibYAML reads the rest of the file with
# the run's lines left empty (every line keeps its number) and finds the key null there.
# Anything else (the key not where it was cut, or not null, a name given twice, a value a
# resolver claims) and the whole text is read as before.

RUN_LINES = 64
_RUN_VALUE = r"[A-Za-z0-9_(.][A-Za-z0-9_.()+\-*/^ ]*"
_OTHER_BREAKS = "\r\x85\u2028\u2029"  # line breaks to YAML, not to str.count


@functools.cache
def _run_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """A run; one line of it; a name first (no {...} around the whole file).  Compiled when a
    file long enough to hold a run is first read (a millisecond of every start-up else)."""
    return (re.compile(rf"^([A-Za-z_]\w*):[ ]*\n((  +)[A-Za-z_]\w*: +{_RUN_VALUE}\n"
                       rf"(?:\3[A-Za-z_]\w*: +{_RUN_VALUE}\n){{{RUN_LINES - 1},}})"
                       r"(?![\s\x85\u2028\u2029\ufeff])", re.MULTILINE | re.ASCII),
            re.compile(r"^ +([A-Za-z_]\w*): +([^\n]*[^\n ])", re.MULTILINE | re.ASCII),
            re.compile(r"(?:[ ]*(?:#[^\n]*)?\n)*[A-Za-z_]"))
# what a resolver claims of the words a run's names and values start with (null's words;
# tests/io/test_yaml_reading.py checks that no other resolver claims such a word)
RUN_NULLS = frozenset(["null", "Null", "NULL"])


def _runs_load(text: str) -> object:
    """What :func:`_plain_load` gives for ``text``, its long runs read by a regex."""
    if text.count("\n") < RUN_LINES:  # (too short to hold one)
        return _plain_load(text)
    run_re, line_re, block_root = _run_patterns()
    runs = list(run_re.finditer(text))
    if not runs or not block_root.match(text) or any(
            text.find(c, 0, runs[-1].start()) >= 0 for c in _OTHER_BREAKS):
        return _plain_load(text)
    cut, at = [], 0
    for run in runs:
        cut += [text[at:run.start(2)], "\n" * run.group(2).count("\n")]
        at = run.end(2)
    doc = _plain_load("".join(cut) + text[at:])
    for run in runs:
        key, line = run.group(1), text.count("\n", 0, run.start()) + 1
        names, values = zip(*line_re.findall(run.group(2)))
        if (key in RUN_NULLS or not isinstance(doc, LineMap) or doc.lines.get(key) != line
                or doc[key] is not None or not RUN_NULLS.isdisjoint(names)
                or not RUN_NULLS.isdisjoint(values) or len(set(names)) != len(names)):
            raise _Unusual
        m = doc[key] = LineMap(zip(names, values))
        m.line, m.lines = line + 1, dict(zip(names, range(line + 1, line + 1 + len(names))))
    return doc


def _deep_line(text: str) -> int:
    """The line where brackets first open 100 levels deep (roughly: quotes are not read)."""
    depth = 0
    for line_no, line in enumerate(text.splitlines(), 1):
        for ch in line:
            depth += (ch in "[{") - (ch in "]}")
            if depth > 100:
                return line_no
    return 1


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


def read_yaml(text: str, path: str) -> object:
    """Safe YAML with line numbers (:class:`LineMap`, :class:`LineList`); a mistake is a
    :class:`NetError` naming ``path`` and the line to look at.  None for an empty file.

    LibYAML's C parser reads a large file tens of times faster than PyYAML's own; a file it
    refuses is read again by PyYAML's, whose messages :func:`_yaml_error` knows."""
    if _CParser is not None:
        try:
            return _runs_load(text)
        except Exception:  # noqa: BLE001 — anything unusual: the full loaders decide, as before
            pass
    try:
        if _CLoader is not None:
            try:
                return yaml.load(text, Loader=_CLoader)
            except (yaml.YAMLError, ValueError, _Duplicate):
                pass
        doc = yaml.load(text, Loader=_Loader)
    except RecursionError:
        raise NetError(path, _deep_line(text), "lists or mappings are nested thousands of levels "
                                               "deep here; a network file needs a few") from None
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
    return doc


def plain_data(v: object) -> Any:
    """YAML-loaded values (line-aware dicts and lists, numbers as text) and arrays → plain
    Python data, ready to dump."""
    if isinstance(v, dict):
        return {k: plain_data(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain_data(x) for x in v]
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return v
        return int(f) if re.fullmatch(r"[+-]?\d+", v.strip()) else f
    return v
