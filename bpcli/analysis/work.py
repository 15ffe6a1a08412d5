"""A learner's derivation, read from a WORK file against the network it derives.

    values:  {H1: 0.15, fH1: 0.5374}        # forward values, by name
    grads:   {fO1: 0.6049, w1: 0.0042}      # ∂E/∂name
    factors: {"fO1/O1": 0.2368}             # local ∂a/∂b (nets written as equations)
    update:  {eta: 0.5, w3: 0.3615}         # params after one step of gradient descent

A layer net's numbers are elements (``conv1.weight[0,0,1,1]: 0.12``) or whole grids.  Every
number keeps the text it was written as: its last decimal says how far it was rounded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..budget import limit, raise_hint
from ..errors import NetError, UsageError
from ..io.files import read_source
from ..io.yamlfile import LineMap, read_yaml
from ..nets import Net
from ..symbolic import names as names_in
from ..text import did_you_mean, parse_number, shape_text

SECTIONS = ("values", "grads", "factors", "update")
KIND = {"values": "value", "grads": "grad", "factors": "factor", "update": "update"}
NET_SECTIONS = ("inputs", "params", "nodes", "loss", "layers", "input", "targets")
_WRITTEN = re.compile(r"[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_DERIVATIVE = re.compile(r"^(?:∂|d)E\s*/\s*(?:∂|d)(.+)$")


@dataclass(frozen=True)
class Claim:
    """One number of the learner's: ∂E/∂name (grad), name's value, ∂name/∂wrt (factor) or
    name after one step (update); ``index``: the element, as the user indexes it."""

    kind: str
    name: str
    index: tuple | None
    given: float
    half_unit: float  # half a unit in the last place written: the rounding it admits
    text: str
    line: int | None
    wrt: str | None = None  # a factor's b in ∂a/∂b

    @property
    def key(self) -> tuple:
        return (self.kind, self.name) if self.wrt is None else (self.kind, self.name, self.wrt)

    @property
    def label(self) -> str:
        at = "" if self.index is None else "[" + ",".join(map(str, self.index)) + "]"
        return {"value": f"{self.name}{at}", "grad": f"∂E/∂{self.name}{at}",
                "factor": f"∂{self.name}/∂{self.wrt}" + (" (local)" if self.name == "E" else ""),
                "update": f"{self.name}{at}′"}[self.kind]


@dataclass
class Work:
    path: str
    claims: list[Claim] = field(default_factory=list)
    eta: float | None = None  # the update's η, as written
    eta_line: int | None = None


def half_unit(text: str) -> float:
    """Half a unit in the last place of a number as written: 0.5374 → 0.00005, 12 → 0.5,
    1.25e-3 → 0.000005."""
    m = _WRITTEN.fullmatch(text.strip())
    if not m:
        return 0.0
    decimals = len(m.group(2) or "") - int(m.group(3) or 0)
    return 0.5 * 10.0 ** -decimals


def read_work(path: str, net: Net, shapes: dict) -> Work:
    """The WORK file at ``path`` (``-``: standard input), checked against ``net`` (``shapes``:
    of every name's value as the user sees it)."""
    text, shown = read_source(path, "WORK file", "WORK", "work_bytes")
    return reads_work(text, net, shapes, shown)


def reads_work(text: str, net: Net, shapes: dict, path: str = "<string>") -> Work:
    """A WORK file's text, checked against ``net``; every mistake a NetError at its line."""
    doc = read_yaml(text, path)
    if doc is None:
        raise NetError(path, None, "the file is empty; a WORK file has values:, grads:, "
                                   "factors: or update:, each mapping names to your numbers")
    if not isinstance(doc, LineMap):
        raise NetError(path, 1, "a WORK file is a mapping with sections " + ", ".join(SECTIONS))
    if any(k in NET_SECTIONS for k in doc) and not any(k in SECTIONS for k in doc):
        raise NetError(path, doc.line, "this is a network file, not a WORK file; give both: "
                                       f"bpcli mark {path} WORK.yaml")
    work = Work(path)
    reader = _Reader(net, shapes, path, work)
    for section, body in doc.items():
        line = doc.lines[section]
        if section not in SECTIONS:
            raise NetError(path, line, f"unknown section {section!r}; "
                                       + did_you_mean(section, SECTIONS, "sections"))
        if not isinstance(body, LineMap):
            raise NetError(path, line, f"{section}: maps names to your numbers, e.g. "
                                       f"{section}: {{w1: 0.1478}}")
        for key, raw in body.items():
            reader.entry(section, str(key), raw, body.lines[key])
    if not work.claims:
        raise NetError(path, None, "holds no numbers to mark; write some under "
                                   + ", ".join(SECTIONS))
    return work


class _Reader:
    def __init__(self, net, shapes, path, work):
        self.net, self.shapes, self.path, self.work = net, shapes, path, work
        self.seen = {}

    def fail(self, line, message):
        raise NetError(self.path, line, message)

    def entry(self, section, key, raw, line):
        if section == "update" and key in ("eta", "η"):
            self.work.eta, self.work.eta_line = self.number(raw, f"update: {key}", line)[0], line
            return
        if section == "factors":
            return self.factor(key, raw, line)
        key = self.spelt(section, key, line)
        name, index = self.resolve(section, key, line)
        kind = KIND[section]
        if section == "update" and name not in self.net.params:
            self.fail(line, f"update: {name} is not a param; the update gives params after "
                            "one step: " + ", ".join(self.net.params))
        shape = self.shapes[name]
        if index is None and shape and not isinstance(raw, list):
            if int(np.prod(shape)) != 1:
                one = ("" if self.net.expressions is not None else  # equations: no indices
                       f"give one element, as {name}[{','.join('0' * len(shape))}], or ")
                self.fail(line, f"{section}: {name} is {shape_text(shape)}; {one}give all of "
                                "it as " + ("a list" if len(shape) == 1 else "nested lists"))
            index = (0,) * len(shape)  # a tensor of one value: that value
        if isinstance(raw, list):
            self.grid(kind, name, index, raw, line)
        else:
            self.add(Claim(kind, name, index, *self.number(raw, f"{section}: {key}", line), line),
                     line)

    def spelt(self, section, key, line):
        """∂E/∂w1 under grads: is w1; under values: it is a gradient, and a factor's
        a/b anywhere but factors: is out of place."""
        if re.fullmatch(r"(?:∂|d)E\s*/\s*(?:∂|d)?\s*", key):
            self.fail(line, f"{section}: {key!r}: write the name after ∂E/∂, e.g. ∂E/∂w1, or just w1")
        m = _DERIVATIVE.match(key)
        if m:
            if section != "grads":
                self.fail(line, f"{section}: {key} is a gradient; write it under grads: as "
                                f"{m.group(1).strip()}")
            return m.group(1).strip()
        if "/" in key and section != "factors":
            self.fail(line, f"{section}: {key} looks like a local factor ∂a/∂b; write it under "
                            "factors:")
        return key

    def resolve(self, section, key, line):
        try:
            name, index = self.net.resolve(key, "the default net" if self.net.path == "<default>"
                                           else self.net.path)
        except UsageError as e:  # said for --wrt: here it is a WORK file's name
            self.fail(line, f"{section}: {key}: " + e.reason.replace("--wrt takes", "name"))
        return name, index

    def grid(self, kind, name, index, raw, line):
        """A whole tensor written out: one claim per element."""
        shape = self.shapes[name]
        if index is not None or not shape:
            self.fail(line, f"{name}{'' if index is None else list(index)} is one number, "
                            "not a list")
        cells = _cells(raw, line)
        if cells is None or np.shape(np.empty(_shape(raw))) != shape:
            self.fail(line, f"{name} is {shape_text(shape)}; write all of it as nested lists "
                            f"of that shape, or single elements as {name}[{','.join('0' * len(shape))}]")
        section = {v: k for k, v in KIND.items()}[kind]
        for idx, (text, at) in zip(np.ndindex(shape), cells):
            where = f"{section}: {name}[{','.join(map(str, idx))}]"
            self.add(Claim(kind, name, idx, *self.number(text, where, at), at), at)

    def factor(self, key, raw, line):
        exprs = self.net.expressions
        if exprs is None or any(np.ndim(v) for _, _, v in self.net.leaves()):
            self.fail(line, "factors: are for nets of numbers written as equations (in a net "
                            "of vectors or layers a local factor is a Jacobian); give values: "
                            "and grads:")
        known = set(self.net.names())

        def bare(part):  # "∂fO1" or "dfO1" for fO1
            part = part.strip()
            return part[1:] if part[:1] in ("∂", "d") and part not in known \
                and part[1:] in known else part

        parts = [bare(p) for p in key.split("/")]
        if len(parts) != 2 or not all(parts):
            self.fail(line, f"factors: {key!r}: write a local factor ∂a/∂b as \"a/b\", "
                            "e.g. \"fO1/O1\"")
        a, b = parts
        if a in known and a not in exprs:
            self.fail(line, f"factors: {key}: {a} is given, not computed: a local factor ∂a/∂b "
                            "is of a node a (or E) on a name its expression uses")
        if a not in exprs:
            self.fail(line, f"factors: {key}: {a!r} is not a node of the net; "
                            + did_you_mean(a, list(exprs), "nodes"))
        uses = sorted(set(names_in(exprs[a])), key=self.net.names().index)
        if b not in uses:
            self.fail(line, f"factors: {key}: {a} does not use {b!r} directly; a factor ∂{a}/∂b "
                            f"is for b in {', '.join(uses) or 'nothing'}"
                            + (f" ({did_you_mean(b, uses, '')})" if did_you_mean(b, uses, '')
                               else ""))
        self.add(Claim("factor", a, None, *self.number(raw, f"factors: {key}", line), line, b),
                 line)

    def number(self, raw, what, line):
        if raw is None:
            self.fail(line, f"{what} has no number; write one, or leave the name out")
        if isinstance(raw, (dict, list)) or isinstance(raw, bool):
            self.fail(line, f"{what} must be a number, not a " +
                      ("mapping" if isinstance(raw, dict) else "list"))
        text = str(raw).strip()
        v = parse_number(text)
        if v is None or not np.isfinite(v):
            self.fail(line, f"{what} must be a finite number, not {text!r}")
        return float(v), half_unit(text), text

    def add(self, claim, line):
        most = limit("marked_numbers")
        if len(self.work.claims) >= most:
            self.fail(line, f"more than {most:,} numbers; bpcli marks at most {most:,} (a "
                            f"derivation by hand has fewer); {raise_hint()}")
        at = (claim.key, claim.index)
        if at in self.seen:
            self.fail(line, f"{claim.label} is given twice (first on line {self.seen[at]})")
        self.seen[at] = line
        self.work.claims.append(claim)


def _shape(raw):
    shape = []
    while isinstance(raw, list):
        shape.append(len(raw))
        raw = raw[0] if raw else None
    return tuple(shape)


def _cells(raw, line):
    """(text, line) of each cell of a rectangular nested list, in row-major order (a cell's
    line: its innermost list's); None when ragged."""
    shape = _shape(raw)
    out = []

    def walk(v, depth, at):
        if depth == len(shape):
            if isinstance(v, list):
                return False
            out.append((v, at))
            return True
        return isinstance(v, list) and len(v) == shape[depth] and all(
            walk(x, depth + 1, getattr(v, "line", 0) or at) for x in v)

    return out if walk(raw, 0, line) else None
