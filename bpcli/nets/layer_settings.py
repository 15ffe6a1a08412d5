"""One layer of a network file → a :class:`Layer`, through its type's registered spec.

Each layer type (:data:`bpcli.engine.LAYER_TYPES`) reads its own settings through a
:class:`LayerSettings`, which checks every value and names the file's line on a
mistake; what is common to all layers (type, name, unknown settings, the output's
size) is checked here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import numpy as np

from ..engine import LAYER_TYPES
from ..io.yamlfile import LineMap
from ..text import did_you_mean, shape_phrase
from .values import Checker, shown_raw

BIAS_LAYOUT = "one per unit or filter"


@dataclass
class Layer:
    type: str
    name: str
    line: int
    spec: dict  # the YAML mapping as given (for saving)
    op: str  # the op that computes it
    attrs: dict  # the op's settings: stride, padding, size
    params: tuple[str, ...]  # "conv1.weight", "conv1.bias"
    shape: tuple  # output shape of one sample
    in_shape: tuple  # input shape of one sample
    text: str  # how tables describe it: "conv2d 2@3×3, stride 1, padding 0"
    work: int = 0  # multiply-adds of its forward pass, one sample


def layer_type(check: Checker, raw: LineMap, k: int) -> str:
    """Layer ``k``'s type, one of :data:`LAYER_TYPES`, or a mistake naming its line."""
    line = raw.lines.get("type", raw.line)
    if "type" not in raw:
        (key, value), *more = list(raw.items()) or [(None, None)]
        if not more and key in LAYER_TYPES and isinstance(value, dict):  # - dense: {units: 2}
            settings = "".join(f", {name}: {_as_written(v)}" for name, v in value.items())
            check.fail(line, f"layer {k} has no type; write it as {{type: {key}{settings}}}")
        check.fail(line, f"layer {k} has no type; give one, e.g. {{type: dense, units: 3}}; "
                         f"types are {', '.join(LAYER_TYPES)}")
    kind = raw["type"]
    if not isinstance(kind, str):
        check.fail(line, f"layer {k}: its type is a name such as dense, not {shown_raw(kind)}")
    if kind not in LAYER_TYPES:
        fix = did_you_mean(kind, LAYER_TYPES, "types")
        check.fail(line, f"layer {k}: unknown type {kind!r}; {fix}")
    return kind


def _as_written(value: object) -> str:
    """A setting's value near enough as YAML writes it: 2, [[1, 2], [3, 4]] → […]."""
    return value if isinstance(value, str) else "[…]" if isinstance(value, list) else "{…}"


def make_layer(check: Checker, raw: LineMap, k: int, in_shape: tuple[int, ...],
               counters: dict[str, int], seed: int, batch: int) -> tuple[Layer, dict]:
    """Layer ``k`` (1-based) of the file on inputs of ``in_shape`` (one sample) → the layer
    and its params by full name; ``counters`` counts layers by type for default names."""
    line = raw.line
    kind = layer_type(check, raw, k)
    spec = LAYER_TYPES[kind]
    for key in raw:
        if key not in ("type", "name") + spec.settings:
            allowed = ", ".join(("name",) + spec.settings)
            check.fail(raw.lines[key], f"layer {k} ({kind}): unknown setting {key!r}; "
                                       f"it takes {allowed}")
    counters[kind] = counters.get(kind, 0) + 1
    number = sum(v for t, v in counters.items() if LAYER_TYPES[t].prefix == spec.prefix)
    name = raw.get("name", f"{spec.prefix}{number}")
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        check.fail(raw.lines.get("name", line), f"layer {k}: {name!r} is not a valid name; use "
                                                "letters, digits and _ (like conv1)")
    settings = LayerSettings(check, raw, f"layer {k} ({kind} {name})", tuple(int(n) for n in in_shape),
                             seed + k)
    made = spec.make(settings)
    check.check_size((batch, *made.out), f"{settings.what}: its output", line)
    params = {f"{name}.{suffix}": value for suffix, value in made.params.items()}
    layer = Layer(kind, name, line, raw, made.op, made.attrs, tuple(params),
                  tuple(int(n) for n in made.out), settings.in_shape, made.text, made.work)
    return layer, params


class LayerSettings:
    """A layer's settings as its type's spec reads them; every mistake is one line
    naming the file and the setting's line.  ``what`` names the layer in messages."""

    def __init__(self, check: Checker, raw: LineMap, what: str, in_shape: tuple, seed: int):
        self.check, self.spec, self.what = check, raw, what
        self.in_shape, self.seed, self.line = in_shape, seed, raw.line

    def fail(self, message: str, key: str | None = None) -> NoReturn:
        self.check.fail(self.spec.lines.get(key, self.line) if key else self.line, message)

    def raw(self, key: str, default: object = None) -> object:
        return self.spec.get(key, default)

    def integer(self, key: str, default: int | tuple[int, ...] | None = None, minimum: int = 1,
                pair: bool = False) -> int | tuple[int, ...] | None:
        """A whole number ≥ ``minimum`` (a (rows, columns) pair with ``pair``), or ``default``."""
        if key not in self.spec:
            return default
        v, line = self.spec[key], self.spec.lines[key]
        what = f"{self.what}: {key}"
        if pair and isinstance(v, list) and len(v) == 2:
            values = tuple(self.check.integer(x, what, line) for x in v)
        else:
            values = (self.check.integer(v, what, line),) * (2 if pair else 1)
        if any(x < minimum for x in values):
            self.check.fail(line, f"{what} must be at least {minimum}")
        return values if pair else values[0]

    def number(self, key: str, default: float | None = None) -> float | None:
        """A finite number, or ``default``."""
        if key not in self.spec:
            return default
        return float(self.check.number(self.spec[key], f"{self.what}: {key}", self.spec.lines[key]))

    def weight(self, ndim: int, layout: str) -> np.ndarray | None:
        """The weight given in the file, of ``ndim`` axes (None if not given)."""
        weight = self._given("weight")
        if weight is not None and weight.ndim != ndim:
            self.check.fail(self.spec.lines["weight"], f"{self.what}: weight must be {layout}, "
                                                       f"not {shape_phrase(weight.shape)}")
        return weight

    def count(self, count: int | None, weight: np.ndarray | None, key: str) -> int:
        """filters/units as given, or read off the weight's first axis."""
        if count is not None:
            return count
        if weight is None:
            self.fail(f"{self.what} needs {key} (how many), or a weight")
        return weight.shape[0]

    def check_size(self, shape: tuple[int, ...], what: str) -> None:
        self.check.check_size(shape, what, self.line)

    def params(self, wshape: tuple[int, ...], bshape: tuple[int, ...], fan_in: int,
               layout: str) -> dict:
        """The layer's weight and bias: as given (shapes checked), or initialized: the
        weight from ``init``, else uniform in ±1/√fan_in (PyTorch's default bound) from the
        file's seed plus the layer's number; the bias 0."""
        out = {}
        for key, shape in (("weight", wshape), ("bias", bshape)):
            given = self._given(key)
            if given is not None:
                if given.shape != shape:
                    self.check.fail(self.spec.lines[key], f"{self.what}: {key} is "
                                    f"{shape_phrase(given.shape)}, but must be "
                                    f"{shape_phrase(shape)} ({layout if key == 'weight' else BIAS_LAYOUT})")
                out[key] = given
            elif key == "weight":
                if "init" in self.spec:
                    out[key] = init_tensor(self.check, self.spec["init"], shape, self.seed,
                                           self.spec.lines["init"])
                else:
                    bound = 1.0 / np.sqrt(fan_in)
                    out[key] = np.random.default_rng(self.seed).uniform(-bound, bound, shape)
            else:
                out[key] = np.zeros(shape)
        return out

    def _given(self, key):
        if key not in self.spec:
            return None
        return self.check.array(self.spec[key], key, self.spec.lines[key])


def init_tensor(check: Checker, raw: object, shape: tuple[int, ...], seed: int,
                line: int | None) -> np.ndarray:
    """A tensor drawn as ``init`` says: {uniform: [low, high]} or {normal: [mean, std]},
    with an optional seed of its own (else ``seed``)."""
    if not isinstance(raw, LineMap) or len([k for k in raw if k != "seed"]) != 1:
        check.fail(line, "init is {uniform: [low, high]} or {normal: [mean, std]}, with an "
                         "optional seed")
    kind = next(k for k in raw if k != "seed")
    where = raw.lines.get(kind, line)
    if kind not in ("uniform", "normal"):
        check.fail(where, f"unknown init {kind!r}; use uniform: [low, high] or normal: [mean, std]")
    args = check.array(raw[kind], f"init {kind}", where)
    if args.shape != (2,):
        check.fail(where, f"init {kind} takes two numbers, e.g. {kind}: [-1, 1]")
    rng = np.random.default_rng(check.integer(raw.get("seed", seed), "init seed",
                                              raw.lines.get("seed", line), minimum=0))
    a, b = args
    if kind == "uniform" and not (a <= b and np.isfinite(float(b) - float(a))):
        check.fail(where, f"init uniform: [low, high] needs low ≤ high, not [{a:g}, {b:g}]")
    if kind == "normal" and b < 0:
        check.fail(where, f"init normal: [mean, std] needs std ≥ 0, not {b:g}")
    check.check_size(shape, "the generated tensor", where)
    return rng.uniform(a, b, shape) if kind == "uniform" else rng.normal(a, b, shape)
