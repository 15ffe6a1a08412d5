"""Layer networks: YAML `layers:` → checked layers with shapes → graph nodes.

Shapes follow PyTorch so numbers move between the two: images are C×H×W (N×C×H×W
for a batch), dense weights units × inputs, conv weights filters × channels × kh × kw.
Inside the graph every tensor has a leading batch axis N; a net given one sample
(not a batch) shows and indexes its tensors without it.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import numpy as np

from .graph import LOSS, Graph
from .suggest import did_you_mean

SECTIONS = ("name", "input", "layers", "loss", "seed", "data")
LAYER_KEYS = {
    "conv2d": ("filters", "kernel", "stride", "padding", "weight", "bias", "init"),
    "dense": ("units", "weight", "bias", "init"),
    "maxpool": ("size", "stride"),
    "meanpool": ("size", "stride"),
    "relu": ("grad_at_zero",),
    "sigmoid": (),
    "tanh": (),
    "flatten": (),
    "softmax": (),
}
DEFAULT_NAME = {"conv2d": "conv", "dense": "fc", "maxpool": "pool", "meanpool": "pool"}
LOSSES = ("cross_entropy", "half_sse", "mse")
IMAGE_LAYERS = ("conv2d", "maxpool", "meanpool")
MAX_VALUES = 50_000_000  # per tensor: 400 MB of float64; bpcli is for nets a person can follow


@dataclass
class Layer:
    type: str
    name: str
    line: int
    spec: dict  # the YAML mapping as given (for saving)
    attrs: dict = field(default_factory=dict)  # op settings: stride, padding, size
    params: tuple[str, ...] = ()  # "conv1.weight", "conv1.bias"
    shape: tuple = ()  # output shape of one sample
    in_shape: tuple = ()  # input shape of one sample
    kernel: tuple = ()  # conv2d: kh, kw

    @property
    def op(self):
        if self.type == "relu":
            return "relu" if self.attrs.get("grad_at_zero", 1) == 1 else "relu0"
        return self.type


@dataclass
class LayerNetwork:
    name: str
    path: str
    input: np.ndarray  # N×… (a leading batch axis always)
    batched: bool  # was the input given as a batch?
    layers: list[Layer]
    loss_type: str
    target: np.ndarray  # N×K (class indices made one-hot)
    params: dict[str, np.ndarray]
    input_doc: object  # the input as written (nested lists, or {shape, init})
    target_doc: object  # the target as written
    seed: int = 0
    lines: dict[str, int] = field(default_factory=dict)
    fused: bool = False  # cross-entropy from logits (no softmax layer before it)
    data_doc: object = None  # the data section as written, when a data set is the input

    @property
    def loss_text(self):
        return {"cross_entropy": "−Σ y·log a" if not self.fused else "−Σ y·log softmax(z)",
                "half_sse": "½Σ(a − y)²", "mse": "mean of (a − y)²"}[self.loss_type] + (
            ", mean over samples" if self.batched else "")

    @property
    def loss_op(self):
        if self.loss_type == "cross_entropy":
            return "logits_cross_entropy" if self.fused else "cross_entropy"
        return self.loss_type

    def leaves(self):
        yield "input", "input", self.input
        for name, value in self.params.items():
            yield name, "param", value
        yield "target", "target", self.target

    def samples(self):
        """(N, {leaf name: array with the N samples first}) of the training set."""
        return self.input.shape[0], {"input": self.input, "target": self.target}

    def build(self) -> Graph:
        g = Graph()
        for name, kind, value in self.leaves():
            g.add_leaf(name, kind, value)
        prev = g.index["input"]
        for layer in self.layers:
            ins = [prev] + [g.index[p] for p in layer.params]
            attrs = {k: v for k, v in layer.attrs.items() if k != "grad_at_zero"}
            prev = g.add_op(layer.name, "layer", layer.op, ins, attrs)
        g.add_op(LOSS, "loss", self.loss_op, [prev, g.index["target"]])
        return g.compile()

    def display_shape(self, name):
        """The shape a user sees: without the batch axis for a single sample."""
        if name in self.params:
            return self.params[name].shape
        shape = self.input.shape if name == "input" else (
            self.target.shape if name == "target" else
            (self.input.shape[0],) + next(l.shape for l in self.layers if l.name == name))
        return shape if self.batched else shape[1:]

    def show(self, name, value):
        """A tensor as the user sees it (the batch axis dropped for a single sample)."""
        value = np.asarray(value)
        if name in self.params or name == LOSS or self.batched:
            return value
        return value[0]

    def with_params(self, params) -> "LayerNetwork":
        new = copy.copy(self)
        new.params = {k: np.asarray(params[k], dtype=np.float64) for k in self.params}
        return new

    def to_yaml(self, header: str = "") -> str:
        layers = []
        for layer in self.layers:
            spec = {k: _plain(v) for k, v in layer.spec.items() if k not in ("weight", "bias", "init")}
            spec.setdefault("name", layer.name)
            for p in layer.params:
                spec[p.split(".", 1)[1]] = self.params[p].tolist()
            layers.append(spec)
        doc = {"name": self.name, "seed": self.seed, "input": _plain(self.input_doc),
               "layers": layers, "loss": {"type": self.loss_type, "target": _plain(self.target_doc)}}
        if self.data_doc is not None:  # the data set stands in for input and target
            doc["data"] = self.data_doc
            del doc["input"]
            del doc["loss"]["target"]
        if not self.name:
            del doc["name"]
        from .netfile import dump_yaml

        return header + dump_yaml(doc)


def _plain(v):
    """YAML-loaded values (line-aware dicts and lists, numbers as text) → plain data."""
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return v
        return int(f) if re.fullmatch(r"[+-]?\d+", v.strip()) else f
    return v


# ------------------------------------------------------------------ loading

def from_doc(doc, path) -> LayerNetwork:
    from .netfile import NetError, _Map

    def fail(line, message):
        raise NetError(path, line, message)

    for key in doc:
        if key not in SECTIONS:
            fix = did_you_mean(key, SECTIONS, "sections")
            if key in ("inputs", "params", "targets", "nodes"):  # an equation net's section
                fix = ("a layer network (it has layers:) takes no equation sections: its "
                       "params are the layers' weight and bias; write the net one way or the other")
            fail(doc.lines[key], f"unknown section {key!r} in a layer network; {fix}")
    for key in ("input", "layers", "loss"):
        if key not in doc and not (key == "input" and "data" in doc):
            fail(None, f"missing section {key!r}; a layer network needs input (or data), "
                       "layers and loss")
    title = doc.get("name", "")
    if not isinstance(title, str):
        fail(doc.lines["name"], "'name' must be text")
    seed = _integer(doc.get("seed", 0), "seed", doc.lines.get("seed"), fail, minimum=0)

    raw_layers = doc["layers"]
    if not isinstance(raw_layers, list) or not raw_layers:
        fail(doc.lines["layers"], "'layers' must be a list of layers, e.g. - {type: dense, units: 3}")
    image = _image_input(raw_layers)
    data_doc, data_target = None, None
    if "data" in doc and "input" in doc:
        fail(doc.lines["input"], "give the input in 'input:' or in 'data:', not both")
    if "data" in doc and isinstance(doc.get("loss"), dict) and "target" in doc["loss"]:
        fail(doc["loss"].lines["target"], "with 'data:', the targets come from the data; "
                                          "remove the loss's target")
    if "data" in doc:  # a training set: its samples are the input (a batch) and the targets
        x, data_target = _data(doc["data"], doc.lines["data"], image, path, fail)
        input_doc, data_doc = None, _plain(doc["data"])
        if image and x.ndim == 3:  # N×H×W: one channel each
            x = x[:, None]
        if x.ndim != (4 if image else 2):
            fail(doc.lines["data"], f"the data's input is {_shape_text(x.shape)}; this network "
                                    "takes " + ("N×C×H×W or N×H×W images" if image else "N vectors"))
    else:
        x, input_doc = _input(doc["input"], doc.lines["input"], image, seed, fail)
    batched = x.ndim == (4 if image else 2)
    if not batched:
        x = x[None]
    if image and x.ndim == 3:  # H×W: one channel
        x = x[:, None]

    layers, params, lines = [], {}, {"input": doc.lines.get("input", doc.lines.get("data"))}
    counters: dict[str, int] = {}
    shape = x.shape[1:]
    for k, raw in enumerate(raw_layers, 1):
        line = getattr(raw, "line", doc.lines["layers"])
        if not isinstance(raw, _Map):
            fail(line, f"layer {k} must be a mapping such as {{type: relu}}")
        layer, shape = _layer(raw, k, shape, counters, params, seed, fail, x.shape[0])
        if layer.name in lines or layer.name in ("input", "target", LOSS):
            fail(layer.line, f"layer name {layer.name!r} is used twice; rename one")
        lines[layer.name] = layer.line
        for p in layer.params:
            lines[p] = layer.line
        layers.append(layer)

    loss = doc["loss"]
    loss_line = doc.lines["loss"]
    if not isinstance(loss, _Map):
        fail(loss_line, "'loss' must be a mapping such as {type: cross_entropy, target: 1}")
    for key in loss:
        if key not in ("type", "target"):
            fail(loss.lines[key], f"unknown loss setting {key!r}; a loss has type and target")
    kind = loss.get("type")
    if kind not in LOSSES:
        fix = did_you_mean(kind, LOSSES, "losses")
        fail(loss.lines.get("type", loss_line), f"unknown loss type {kind!r}; {fix}")
    if "target" not in loss and data_target is None:
        fail(loss_line, "the loss needs a target: a class index, a vector, or one per sample")
    if kind == "cross_entropy" and len(shape) != 1:
        fail(loss_line, f"cross_entropy needs a vector of class scores, but the last layer gives "
                        f"{_shape_text(shape)}; add flatten and dense")
    if kind == "cross_entropy" and shape[0] < 2:
        fail(loss_line, "cross_entropy needs at least 2 classes; the last layer gives 1 (E would "
                        "be 0 whatever the weights): use half_sse or mse for one output")
    if data_target is not None:
        target = _target(data_target, kind, shape, x.shape[0], True, doc.lines["data"], fail)
    else:
        target = _target(loss["target"], kind, shape, x.shape[0], batched,
                         loss.lines["target"], fail)
    fused = kind == "cross_entropy" and layers[-1].type != "softmax"
    earlier = [l for l in layers if l.type == "softmax"]
    if fused and earlier:
        fail(earlier[-1].line, f"{earlier[-1].name} is a softmax, but layers follow it, and "
                               "cross_entropy from the last layer applies softmax again; make "
                               "the softmax the last layer")
    lines[LOSS] = loss_line
    lines["target"] = loss.lines.get("target", doc.lines.get("data"))
    net = LayerNetwork(title, path, x, batched, layers, kind, target, params, input_doc,
                       _plain(loss.get("target")), seed, lines, fused)
    net.data_doc = data_doc
    return net


def _data(raw, line, image, path, fail):
    """A layer net's training set → (inputs with the samples first, targets as written)."""
    from .data import bars, column, read_file
    from .netfile import _Map

    if not isinstance(raw, _Map):
        fail(line, "data is a mapping: {input: [...], target: [...]}, {file: d.npz}, or "
                   "{generate: bars, samples: 300}")
    if "generate" in raw:
        allowed = ("generate", "samples", "size", "noise", "seed")
        for key in raw:
            if key not in allowed:
                fail(raw.lines[key], f"unknown setting {key!r} for generated data; it takes "
                                     + ", ".join(allowed[1:]))
        if raw["generate"] != "bars":
            fail(raw.lines["generate"], f"unknown data generator {raw['generate']!r}; "
                                        "bpcli generates 'bars'")
        n = _integer(raw.get("samples", 300), "samples", raw.lines.get("samples", line), fail, 3)
        size = _integer(raw.get("size", 8), "size", raw.lines.get("size", line), fail, 3)
        noise_arr = _array(raw.get("noise", "0.1"), "noise", raw.lines.get("noise", line), fail)
        if noise_arr.ndim or noise_arr < 0:
            fail(raw.lines.get("noise", line), "noise is one number ≥ 0, e.g. noise: 0.1")
        noise = float(noise_arr)
        seed = _integer(raw.get("seed", 0), "seed", raw.lines.get("seed", line), fail, 0)
        _check_size((n, size, size), "the generated data", line, fail)
        x, y = bars(n, size, noise, seed)
        return x, y
    if "file" in raw:
        for key in raw:
            if key not in ("file", "input", "target"):
                fail(raw.lines[key], f"unknown data setting {key!r}; a file takes input and target")
        shown = str(raw["file"])
        where = raw.lines["file"]
        arrays = read_file(shown, path, fail, where)
        xs, ts = raw.get("input", "input"), raw.get("target", "target")
        if shown.endswith(".csv"):  # columns: input a list of columns, target one or a list
            cols = xs if isinstance(xs, list) else [xs]
            x = np.stack([column(arrays, str(c), shown, fail, where) for c in cols], axis=1)
            tcols = ts if isinstance(ts, list) else [ts]
            t = np.stack([column(arrays, str(c), shown, fail, where) for c in tcols], axis=1)
            return x, (t[:, 0] if not isinstance(ts, list) else t)
        return column(arrays, str(xs), shown, fail, where), column(arrays, str(ts), shown, fail, where)
    for key in raw:
        if key not in ("input", "target"):
            fail(raw.lines[key], f"unknown data setting {key!r}; inline data has input and target")
    for key in ("input", "target"):
        if key not in raw:
            fail(line, f"data needs {key}: one per sample")
    x = _array(raw["input"], "data input", raw.lines["input"], fail)
    t = _array(raw["target"], "data target", raw.lines["target"], fail)
    for what, a in (("input", x), ("target", t)):
        if a.ndim == 0:
            fail(raw.lines[what], f"data {what} is a list with one entry per sample")
    if len(x) != len(t):
        fail(raw.lines["target"], f"data has {len(x)} inputs but {len(t)} targets")
    return x, t


def _image_input(raw_layers):
    """Images if a conv or pool comes before the first dense or flatten."""
    for raw in raw_layers:
        kind = raw.get("type") if isinstance(raw, dict) else None
        if kind in IMAGE_LAYERS:
            return True
        if kind in ("dense", "flatten"):
            return False
    return False


def _input(raw, line, image, seed, fail):
    from .netfile import _Map

    if isinstance(raw, _Map):
        for key in raw:
            if key not in ("shape", "init"):
                fail(raw.lines[key], f"unknown input setting {key!r}; use shape and init")
        if "shape" not in raw:
            fail(line, "a generated input needs a shape, e.g. {shape: [1, 6, 6], init: ...}")
        shape = _shape(raw["shape"], "input shape", raw.lines["shape"], fail)
        _check_size(shape, "the input", raw.lines["shape"], fail)
        init = raw.get("init", _Map({"uniform": ["-1", "1"]}))
        x = _init(init, shape, seed, raw.lines.get("init", line), fail)
        doc = {"shape": list(shape), "init": _plain(init)}
    else:
        x = _array(raw, "input", line, fail)
        doc = x.tolist()
    want = ("H×W, C×H×W or N×C×H×W (a batch)" if image else
            "a vector, or N vectors (a batch); for images, begin with conv2d or a pool, or "
            "put {type: flatten} before dense")
    if x.ndim not in ((2, 3, 4) if image else (1, 2)):
        fail(line, f"the input is {x.ndim}-dimensional; this network takes {want}")
    return x, doc


def _layer(raw, k, shape, counters, params, seed, fail, batch=1):
    line = raw.line
    kind = raw.get("type")
    if kind not in LAYER_KEYS:
        fix = did_you_mean(kind, LAYER_KEYS, "types")
        fail(raw.lines.get("type", line), f"layer {k}: unknown type {kind!r}; {fix}")
    for key in raw:
        if key not in ("type", "name") + LAYER_KEYS[kind]:
            allowed = ", ".join(("name",) + LAYER_KEYS[kind]) or "name"
            fail(raw.lines[key], f"layer {k} ({kind}): unknown setting {key!r}; it takes {allowed}")
    counters[kind] = counters.get(kind, 0) + 1
    prefix = DEFAULT_NAME.get(kind, kind)
    default = f"{prefix}{sum(v for t, v in counters.items() if DEFAULT_NAME.get(t, t) == prefix)}"
    name = raw.get("name", default)
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        fail(raw.lines.get("name", line), f"layer {k}: {name!r} is not a valid name; use letters, "
                                          "digits and _ (like conv1)")
    layer = Layer(kind, name, line, raw, in_shape=tuple(int(n) for n in shape))
    what = f"layer {k} ({kind} {name})"

    def setting(key, default=None, positive=True, pair=False):
        if key not in raw:
            return default
        v = raw[key]
        if pair and isinstance(v, list) and len(v) == 2:
            vals = tuple(_integer(x, f"{what}: {key}", raw.lines[key], fail) for x in v)
        else:
            vals = (_integer(v, f"{what}: {key}", raw.lines[key], fail),) * (2 if pair else 1)
        low = 1 if positive else 0
        if any(x < low for x in vals):
            fail(raw.lines[key], f"{what}: {key} must be at least {low}")
        return vals if pair else vals[0]

    if kind in ("conv2d", "maxpool", "meanpool"):
        if len(shape) != 3:
            fail(line, f"{what} needs images (C×H×W), but gets {_shape_text(shape)}")
    if kind == "conv2d":
        c, h, w = shape
        filters = setting("filters")
        kernel = setting("kernel", pair=True)
        stride = setting("stride", 1, pair=True)
        padding = setting("padding", 0, positive=False, pair=True)
        weight = _given_weight(raw, 4, what, fail)
        filters = _count_or_weight(filters, weight, "filters", what, line, fail)
        if kernel is None:
            if weight is None or weight.ndim != 4:
                fail(line, f"{what} needs a kernel size, e.g. kernel: 3")
            kernel = weight.shape[2:]
        kh, kw = kernel
        (sh, sw), (ph, pw) = _as_pair(stride), _as_pair(padding)
        if kh > h + 2 * ph or kw > w + 2 * pw:
            fail(line, f"{what}: the {kh}×{kw} kernel is larger than its {h}×{w} input"
                       + (f" padded by {ph}×{pw}" if ph or pw else "") + "; use a smaller kernel")
        wshape = (filters, c, kh, kw)
        _check_size(wshape, f"{what}: the weight", line, fail)
        params_ = _weights(raw, name, wshape, (filters,), c * kh * kw, seed + k, what, fail)
        layer.attrs = {"stride": (sh, sw), "padding": (ph, pw)}
        layer.kernel = (kh, kw)
        out = (filters, (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1)
    elif kind in ("maxpool", "meanpool"):
        c, h, w = shape
        size = setting("size", pair=True)
        if size is None:
            fail(line, f"{what} needs a window size, e.g. size: 2")
        stride = setting("stride", size, pair=True)
        (kh, kw), (sh, sw) = size, _as_pair(stride)
        if kh > h or kw > w:
            fail(line, f"{what}: the {kh}×{kw} window is larger than its {h}×{w} input; "
                       "use a smaller size")
        # Windows that would run past the edge are dropped, as in PyTorch: the rows and
        # columns they leave over get no gradient (forward says so, see unused()).
        layer.attrs = {"size": (kh, kw), "stride": (sh, sw)}
        params_ = {}
        out = (c, (h - kh) // sh + 1, (w - kw) // sw + 1)
    elif kind == "dense":
        if len(shape) != 1:
            fail(line, f"{what} needs a vector, but gets {_shape_text(shape)}; "
                       "add {type: flatten} before it")
        (d,) = shape
        units = setting("units")
        weight = _given_weight(raw, 2, what, fail)
        units = _count_or_weight(units, weight, "units", what, line, fail)
        _check_size((units, d), f"{what}: the weight", line, fail)
        params_ = _weights(raw, name, (units, d), (units,), d, seed + k, what, fail)
        out = (units,)
    else:
        if kind == "relu":
            g = raw.get("grad_at_zero", "1")
            if str(g) not in ("0", "1", "0.0", "1.0"):
                fail(raw.lines.get("grad_at_zero", line),
                     f"{what}: grad_at_zero is 1 (the seed note's ReLU'(0) = 1) or 0 (frameworks')")
            layer.attrs = {"grad_at_zero": int(float(g))}
        if kind == "softmax" and len(shape) != 1:
            fail(line, f"{what} needs a vector of scores, but gets {_shape_text(shape)}; "
                       "add flatten and dense before it")
        params_ = {}
        out = (int(np.prod(shape)),) if kind == "flatten" else shape
    _check_size((batch, *out), f"{what}: its output", line, fail)
    layer.params = tuple(params_)
    params.update(params_)
    layer.shape = tuple(int(n) for n in out)
    return layer, layer.shape


def unused(layer, in_shape):
    """(rows, columns) of a conv or pool input that no window reaches (stride leftovers)."""
    if layer.type not in ("conv2d", "maxpool", "meanpool"):
        return 0, 0
    h, w = in_shape[1:]
    (sh, sw) = layer.attrs["stride"]
    ph, pw = layer.attrs.get("padding", (0, 0))
    oh, ow = layer.shape[1:]
    kh, kw = layer.attrs["size"] if "size" in layer.attrs else layer.kernel

    def uncovered(n, pad, k, s, o):  # input lines no window touches: leftovers, and gaps if s > k
        starts = np.arange(o) * s - pad
        covered = (np.arange(n)[:, None] >= starts) & (np.arange(n)[:, None] < starts + k)
        return int((~covered.any(axis=1)).sum())

    return uncovered(h, ph, kh, sh, oh), uncovered(w, pw, kw, sw, ow)


def _given_weight(raw, ndim, what, fail):
    """A weight given in the file, of the layer's number of axes (None if not given)."""
    weight = _param(raw, "weight", raw.line, fail)
    if weight is not None and weight.ndim != ndim:
        fail(raw.lines["weight"], f"{what}: weight must be "
                                  f"{_layout('weight', what)}, not {_shape_text(weight.shape)}")
    return weight


def _count_or_weight(count, weight, key, what, line, fail):
    """filters/units as given, or read off the weight's first axis."""
    if count is not None:
        return count
    if weight is None:
        fail(line, f"{what} needs {key} (how many), or a weight")
    return weight.shape[0]


def _as_pair(v):
    return v if isinstance(v, tuple) else (v, v)


def _param(raw, key, line, fail):
    if key not in raw:
        return None
    return _array(raw[key], key, raw.lines[key], fail)


def _weights(raw, name, wshape, bshape, fan_in, seed, what, fail):
    """The layer's weight and bias: as given (shapes checked), or initialized."""
    out = {}
    for key, shape in (("weight", wshape), ("bias", bshape)):
        given = _param(raw, key, raw.line, fail)
        if given is not None:
            if given.shape != shape:
                fail(raw.lines[key], f"{what}: {key} is {_shape_text(given.shape)}, but must be "
                                     f"{_shape_text(shape)} ({_layout(key, what)})")
            out[f"{name}.{key}"] = given
        elif key == "weight":
            if "init" in raw:
                out[f"{name}.weight"] = _init(raw["init"], shape, seed, raw.lines["init"], fail)
            else:  # PyTorch's default bound, 1/√fan_in, from our seeded generator
                bound = 1.0 / np.sqrt(fan_in)
                out[f"{name}.weight"] = np.random.default_rng(seed).uniform(-bound, bound, shape)
        else:
            out[f"{name}.bias"] = np.zeros(shape)
    return out


def _layout(key, what):
    if key == "bias":
        return "one per unit or filter"
    return "filters × channels × kh × kw" if "conv2d" in what else "units × inputs"


def _init(raw, shape, seed, line, fail):
    from .netfile import _Map

    if not isinstance(raw, _Map) or len([k for k in raw if k != "seed"]) != 1:
        fail(line, "init is {uniform: [low, high]} or {normal: [mean, std]}, with an optional seed")
    kind = next(k for k in raw if k != "seed")
    where = raw.lines.get(kind, line)
    if kind not in ("uniform", "normal"):
        fail(where, f"unknown init {kind!r}; use uniform: [low, high] or normal: [mean, std]")
    args = _array(raw[kind], f"init {kind}", where, fail)
    if args.shape != (2,):
        fail(where, f"init {kind} takes two numbers, e.g. {kind}: [-1, 1]")
    rng = np.random.default_rng(_integer(raw.get("seed", seed), "init seed",
                                         raw.lines.get("seed", line), fail, minimum=0))
    a, b = args
    if kind == "uniform" and not (a <= b and np.isfinite(float(b) - float(a))):
        fail(where, f"init uniform: [low, high] needs low ≤ high, not [{a:g}, {b:g}]")
    if kind == "normal" and b < 0:
        fail(where, f"init normal: [mean, std] needs std ≥ 0, not {b:g}")
    _check_size(shape, "the generated tensor", where, fail)
    return rng.uniform(a, b, shape) if kind == "uniform" else rng.normal(a, b, shape)


def _target(raw, kind, out_shape, n, batched, line, fail):
    """The loss target as N×K: class indices become one-hot rows."""
    t = _array(raw, "target", line, fail)
    per = tuple(out_shape)
    if kind != "cross_entropy" and t.ndim == (1 if batched else 0) and per != (1,) and per != ():
        example = [0] * int(np.prod(per))
        example[:1] = [1]
        fail(line, f"{kind} compares the output with a target of the same shape: "
                   f"{_count(per)} per sample, e.g. {example}; class indices are for cross_entropy")
    if kind == "cross_entropy":
        (classes,) = out_shape
        per_sample = t.ndim == (1 if batched else 0)
        if per_sample:  # class indices
            idx = t.reshape(-1)
            if batched and idx.shape[0] != n:
                fail(line, f"the target has {idx.shape[0]} class indices for {n} samples")
            if np.any(idx != np.round(idx)) or np.any(idx < 0) or np.any(idx >= classes):
                fail(line, f"a class index must be a whole number from 0 to {classes - 1}")
            return np.eye(classes)[idx.astype(int)]
    want = (n,) + tuple(out_shape) if batched else tuple(out_shape)
    if t.shape != want and not (not batched and t.size == np.prod(want) and t.ndim <= 1):
        fail(line, f"the target has {_count(t.shape)}, but the output has {_count(want)}"
                   + (" (a class index or one-hot vector per sample)" if kind == "cross_entropy"
                      else ""))
    t = t.reshape(want)
    if kind == "cross_entropy" and np.any(t < 0):
        fail(line, "a cross-entropy target vector holds probabilities (a one-hot row, or "
                   "weights ≥ 0), not negative numbers")
    return t if batched else t[None]


def _array(raw, what, line, fail):
    """Nested lists of numbers (YAML text) → a float64 array, rectangular and finite."""
    if isinstance(raw, np.ndarray):  # already numbers (a data file, a generated set)
        raw = raw.astype(np.float64).tolist()

    def conv(v):
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            fail(getattr(v, "line", line), f"{what} must hold numbers only")
        try:
            return float(v)
        except (ValueError, OverflowError):
            fail(line, f"{what} must hold numbers only, not {v!r}")

    try:
        a = np.array(conv(raw), dtype=np.float64)
    except ValueError:
        fail(_ragged_line(raw, line), f"{what} is ragged: every row must have the same length")
    if not np.all(np.isfinite(a)):
        fail(line, f"{what} must hold finite numbers")
    if a.size == 0:
        fail(line, f"{what} is empty; it needs numbers")
    return a


def _ragged_line(raw, line):
    """The line of the first list whose length differs from its siblings'."""
    if isinstance(raw, list) and raw and all(isinstance(r, list) for r in raw):
        lengths = [len(r) for r in raw]
        for r in raw:
            if len(r) != max(set(lengths), key=lengths.count):
                return getattr(r, "line", line) or line
        for r in raw:
            inner = _ragged_line(r, None)
            if inner:
                return inner
    return line


def _integer(v, what, line, fail, minimum=None):
    try:
        f = float(v)
    except (TypeError, ValueError):
        fail(line, f"{what} must be a whole number, not {v!r}")
    if not np.isfinite(f) or f != int(f):
        fail(line, f"{what} must be a whole number, not {v}")
    if minimum is not None and f < minimum:
        fail(line, f"{what} must be at least {minimum}, not {int(f)}")
    return int(f)


def _check_size(shape, what, line, fail):
    if int(np.prod([float(n) for n in shape])) > MAX_VALUES:
        fail(line, f"{what} would hold {_shape_text(shape)} values, more than bpcli's "
                   f"{MAX_VALUES:,}; use smaller sizes")


def _shape(raw, what, line, fail):
    if not isinstance(raw, list) or not raw:
        fail(line, f"{what} is a list of sizes, e.g. [1, 6, 6]")
    dims = tuple(_integer(v, what, line, fail) for v in raw)
    if any(d < 1 for d in dims):
        fail(line, f"{what}: every size must be at least 1")
    return dims


def _count(shape):
    """'3 values' for a vector, '2×3 values' for more."""
    if len(shape) == 0:
        return "one value"
    return f"{_shape_text(shape)} values"


def _shape_text(shape):
    return "×".join(str(int(n)) for n in shape) if len(shape) else "a number"
