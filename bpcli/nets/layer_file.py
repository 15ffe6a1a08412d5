"""A network file written as layers → a checked :class:`LayerNet`.

The sections are read in order: the input (or a data set standing in for it), each
layer through its type's spec (:mod:`bpcli.nets.layer_settings`), then the loss and its
target.  The first mistake stops loading with one line naming the file and line.
"""
from __future__ import annotations

import numpy as np

from ..budget import limit, raise_hint
from ..engine import LAYER_TYPES, LOSS
from ..io.data import bars, column, read_file
from ..io.yamlfile import LineMap, plain_data
from ..text import count_text, did_you_mean, shape_phrase
from .layer_settings import init_tensor, layer_type, make_layer
from .layers import LOSSES, LayerNet
from .training import read_training
from .values import Checker

SECTIONS = ("name", "input", "layers", "loss", "seed", "data", "train")


def layer_net(doc: LineMap, path: str) -> LayerNet:
    """Check a YAML document with a `layers:` list and build the net."""
    check = Checker(path)
    _check_sections(doc, check)
    title = check.title(doc)
    seed = check.integer(doc.get("seed", 0), "seed", doc.lines.get("seed"), minimum=0)
    raw_layers = doc["layers"]
    if not isinstance(raw_layers, list) or not raw_layers:
        check.fail(doc.lines["layers"],
                   "'layers' must be a list of layers, e.g. - {type: dense, units: 3}")
    for k, raw in enumerate(raw_layers, 1):  # every type known before any is relied on
        if not isinstance(raw, LineMap):
            fix = (f": write it as {{type: {raw}}}" if isinstance(raw, str) and raw in LAYER_TYPES
                   else " such as {type: relu}")  # - relu
            check.fail(getattr(raw, "line", doc.lines["layers"]),
                       f"layer {k} must be a mapping{fix}")
        layer_type(check, raw, k)
    x, batched, input_doc, data_doc, data_target = _samples(doc, raw_layers, seed, path, check)
    layers, params, lines = _layers(doc, raw_layers, x, seed, check)
    shape = layers[-1].shape
    kind, loss_line, loss = _loss(doc, shape, data_target is not None, check)
    if data_target is not None:
        target = _target(data_target, kind, shape, x.shape[0], True, doc.lines["data"], check)
    else:
        target = _target(loss["target"], kind, shape, x.shape[0], batched,
                         loss.lines["target"], check)
    fused = kind == "cross_entropy" and layers[-1].type != "softmax"
    earlier = [layer for layer in layers if layer.type == "softmax"]
    if fused and earlier:
        check.fail(earlier[-1].line, f"{earlier[-1].name} is a softmax, but layers follow it, and "
                                     "cross_entropy from the last layer applies softmax again; "
                                     "make the softmax the last layer")
    lines[LOSS] = loss_line
    lines["target"] = loss.lines.get("target", doc.lines.get("data"))
    return LayerNet(title, path, x, batched, layers, kind, target, params, input_doc,
                    plain_data(loss.get("target")), seed, lines, fused, data_doc,
                    read_training(doc, check))


def _check_sections(doc, check):
    for key in doc:
        if key not in SECTIONS:
            fix = did_you_mean(key, SECTIONS, "sections")
            if key in ("inputs", "params", "targets", "nodes"):  # an equation net's section
                fix = ("a layer network (it has layers:) takes no equation sections: its "
                       "params are the layers' weight and bias; write the net one way or the other")
            check.fail(doc.lines[key], f"unknown section {key!r} in a layer network; {fix}")
    for key in ("input", "layers", "loss"):
        if key not in doc and not (key == "input" and "data" in doc):
            check.fail(None, f"missing section {key!r}; a layer network needs input (or data), "
                             "layers and loss")


def _takes_images(raw_layers) -> bool:
    """Images if a conv or pool comes before the first dense or flatten."""
    takes = (LAYER_TYPES[raw["type"]].takes for raw in raw_layers)
    return next((t for t in takes if t is not None), None) == "images"


def _samples(doc, raw_layers, seed, path, check):
    """The input with a leading batch axis, whether it was given as a batch, and the
    input, data and data targets as written."""
    image = _takes_images(raw_layers)
    data_doc, data_target = None, None
    if "data" in doc and "input" in doc:
        check.fail(doc.lines["input"], "give the input in 'input:' or in 'data:', not both")
    if "data" in doc and isinstance(doc.get("loss"), dict) and "target" in doc["loss"]:
        check.fail(doc["loss"].lines["target"], "with 'data:', the targets come from the data; "
                                                "remove the loss's target")
    if "data" in doc:  # a training set: its samples are the input (a batch) and the targets
        if isinstance(doc["data"], dict) and "generate" in doc["data"] and not image:
            check.fail(doc.lines["data"], "generated data are images (N×1×H×W), but this "
                                          "network takes N vectors; begin it with conv2d or a "
                                          "pool, or with {type: flatten}")  # before making them
        x, data_target = _data(doc["data"], doc.lines["data"], path, check)
        input_doc, data_doc = None, plain_data(doc["data"])
        if image and x.ndim == 3:  # N×H×W: one channel each
            x = x[:, None]
        if x.ndim != (4 if image else 2):
            check.fail(doc.lines["data"], f"the data's input is {shape_phrase(x.shape)}; this "
                                          "network takes " + ("N×C×H×W or N×H×W images" if image
                                                              else "N vectors"))
    else:
        x, input_doc = _input(doc["input"], doc.lines["input"], image, seed, check)
    batched = x.ndim == (4 if image else 2)
    if not batched:
        x = x[None]
    if image and x.ndim == 3:  # H×W: one channel
        x = x[:, None]
    return x, batched, input_doc, data_doc, data_target


def _layers(doc, raw_layers, x, seed, check):
    layers, params, lines = [], {}, {"input": doc.lines.get("input", doc.lines.get("data"))}
    counters: dict[str, int] = {}
    shape = x.shape[1:]
    for k, raw in enumerate(raw_layers, 1):
        layer, layer_params = make_layer(check, raw, k, shape, counters, seed, x.shape[0])
        params.update(layer_params)
        shape = layer.shape
        if layer.name in ("input", "target", LOSS):
            check.fail(layer.line, f"layer name {layer.name!r} is reserved ({LOSS} is the loss, "
                                   "input and target the data's); choose another")
        if layer.name in lines:
            check.fail(layer.line, f"layer name {layer.name!r} is used twice; rename one")
        lines[layer.name] = layer.line
        for p in layer.params:
            lines[p] = layer.line
        layers.append(layer)
    _check_work(layers, x.shape[0], check)
    return layers, params, lines


def _check_work(layers, batch, check):
    """One step (forward, and a backward about twice its cost) within the budget's
    multiply-adds, or one line naming the costliest layer: better than a run that hangs."""
    step = 3 * batch * sum(layer.work for layer in layers)
    most = limit("step_work")
    if step > most:
        worst = max(layers, key=lambda layer: layer.work)
        k = layers.index(worst) + 1
        check.fail(worst.line, f"layer {k} ({worst.type} {worst.name}): one step would take about "
                               f"{step:.2g} multiply-adds, more than bpcli's {most:.2g}; make "
                               f"it smaller (its kernel, image or batch); {raise_hint()}")


def _loss(doc, shape, from_data, check):
    loss = doc["loss"]
    loss_line = doc.lines["loss"]
    if not isinstance(loss, LineMap):
        check.fail(loss_line, "'loss' must be a mapping such as {type: cross_entropy, target: 1}")
    for key in loss:
        if key not in ("type", "target"):
            check.fail(loss.lines[key], f"unknown loss setting {key!r}; a loss has type and target")
    kind = loss.get("type")
    if kind not in LOSSES:
        fix = did_you_mean(kind, LOSSES, "losses")
        check.fail(loss.lines.get("type", loss_line), f"unknown loss type {kind!r}; {fix}")
    if "target" not in loss and not from_data:
        check.fail(loss_line, "the loss needs a target: a class index, a vector, or one per sample")
    if kind == "cross_entropy" and len(shape) != 1:
        check.fail(loss_line, f"cross_entropy needs a vector of class scores, but the last layer "
                              f"gives {shape_phrase(shape)}; add flatten and dense")
    if kind == "cross_entropy" and shape[0] < 2:
        check.fail(loss_line, "cross_entropy needs at least 2 classes; the last layer gives 1 (E "
                              "would be 0 whatever the weights): use half_sse or mse for one output")
    return kind, loss_line, loss


def _data(raw, line, path, check):
    """A layer net's training set → (inputs with the samples first, targets as written)."""
    if not isinstance(raw, LineMap):
        check.fail(line, "data is a mapping: {input: [...], target: [...]}, {file: d.npz}, or "
                         "{generate: bars, samples: 300}")
    if "generate" in raw:
        return _generated(raw, line, check)
    if "file" in raw:
        for key in raw:
            if key not in ("file", "input", "target"):
                check.fail(raw.lines[key],
                           f"unknown data setting {key!r}; a file takes input and target")
        shown = str(raw["file"])
        xs, ts = raw.get("input", "input"), raw.get("target", "target")
        with check.reading_data(raw.lines["file"]):
            arrays = read_file(shown, path)
            if shown.endswith(".csv"):  # columns: input a list of columns, target one or a list
                for key, names in (("input", xs), ("target", ts)):
                    if isinstance(names, list) and not names:
                        check.fail(raw.lines.get(key, line), f"data {key} names no column; "
                                   f"give one or more, e.g. {key}: [a, b]")
                cols = xs if isinstance(xs, list) else [xs]
                x = np.stack([column(arrays, str(c), shown) for c in cols], axis=1)
                tcols = ts if isinstance(ts, list) else [ts]
                t = np.stack([column(arrays, str(c), shown) for c in tcols], axis=1)
                return x, (t[:, 0] if not isinstance(ts, list) else t)
            return column(arrays, str(xs), shown), column(arrays, str(ts), shown)
    for key in raw:
        if key not in ("input", "target"):
            check.fail(raw.lines[key],
                       f"unknown data setting {key!r}; inline data has input and target")
    for key in ("input", "target"):
        if key not in raw:
            check.fail(line, f"data needs {key}: one per sample")
    x = check.array(raw["input"], "data input", raw.lines["input"])
    t = check.array(raw["target"], "data target", raw.lines["target"])
    for what, a in (("input", x), ("target", t)):
        if a.ndim == 0:
            check.fail(raw.lines[what], f"data {what} is a list with one entry per sample")
    if len(x) != len(t):
        check.fail(raw.lines["target"], f"data has {len(x)} inputs but {len(t)} targets")
    return x, t


def _generated(raw, line, check):
    """``{generate: bars, ...}``: the image task bpcli makes itself (io.data.bars)."""
    allowed = ("generate", "samples", "size", "noise", "seed")
    for key in raw:
        if key not in allowed:
            check.fail(raw.lines[key], f"unknown setting {key!r} for generated data; it takes "
                                       + ", ".join(allowed[1:]))
    if raw["generate"] != "bars":
        check.fail(raw.lines["generate"],
                   f"unknown data generator {raw['generate']!r}; bpcli generates 'bars'")
    n = check.integer(raw.get("samples", 300), "samples", raw.lines.get("samples", line), 3)
    size = check.integer(raw.get("size", 8), "size", raw.lines.get("size", line), 3)
    noise = check.array(raw.get("noise", "0.1"), "noise", raw.lines.get("noise", line))
    if noise.ndim or noise < 0:
        check.fail(raw.lines.get("noise", line), "noise is one number ≥ 0, e.g. noise: 0.1")
    seed = check.integer(raw.get("seed", 0), "seed", raw.lines.get("seed", line), 0)
    check.check_size((n, size, size), "the generated data", line)
    with np.errstate(all="ignore"):
        x, y = bars(n, size, float(noise), seed)
    if not np.all(np.isfinite(x)):
        check.fail(raw.lines.get("noise", line), f"noise {float(noise):g} makes images that are "
                                                 "not finite; use a smaller noise, e.g. 0.1")
    return x, y


def _input(raw, line, image, seed, check):
    if isinstance(raw, LineMap):
        for key in raw:
            if key not in ("shape", "init"):
                check.fail(raw.lines[key], f"unknown input setting {key!r}; use shape and init")
        if "shape" not in raw:
            check.fail(line, "a generated input needs a shape, e.g. {shape: [1, 6, 6], init: ...}")
        shape = check.shape(raw["shape"], "input shape", raw.lines["shape"])
        check.check_size(shape, "the input", raw.lines["shape"])
        init = raw.get("init", LineMap({"uniform": ["-1", "1"]}))
        x = init_tensor(check, init, shape, seed, raw.lines.get("init", line))
        doc = {"shape": list(shape), "init": plain_data(init)}
    else:
        x = check.array(raw, "input", line)
        doc = x.tolist()
    want = ("H×W, C×H×W or N×C×H×W (a batch)" if image else
            "a vector, or N vectors (a batch); for images, begin with conv2d or a pool, or "
            "put {type: flatten} before dense")
    if x.ndim not in ((2, 3, 4) if image else (1, 2)):
        check.fail(line, f"the input is {x.ndim}-dimensional; this network takes {want}")
    return x, doc


def _target(raw, kind, out_shape, n, batched, line, check):
    """The loss target as N×K: class indices become one-hot rows."""
    t = check.array(raw, "target", line)
    per = tuple(out_shape)
    if kind != "cross_entropy" and t.ndim == (1 if batched else 0) and per != (1,) and per != ():
        example = [0] * int(np.prod(per))
        example[:1] = [1]
        check.fail(line, f"{kind} compares the output with a target of the same shape: "
                         f"{count_text(per)} per sample, e.g. {example}; class indices are for "
                         "cross_entropy")
    if kind == "cross_entropy":
        (classes,) = out_shape
        if t.ndim == (1 if batched else 0):  # class indices, one per sample
            idx = t.reshape(-1)
            if batched and idx.shape[0] != n:
                check.fail(line, f"the target has {idx.shape[0]} class indices for {n} samples")
            if np.any(idx != np.round(idx)) or np.any(idx < 0) or np.any(idx >= classes):
                check.fail(line, f"a class index must be a whole number from 0 to {classes - 1}")
            one_hot = np.zeros((idx.size, classes))  # N×K: never a K×K identity
            one_hot[np.arange(idx.size), idx.astype(int)] = 1.0
            return one_hot
    want = (n,) + tuple(out_shape) if batched else tuple(out_shape)
    if t.shape != want and not (not batched and t.size == np.prod(want) and t.ndim <= 1):
        check.fail(line, f"the target has {count_text(t.shape)}, but the output has "
                         f"{count_text(want)}" + (" (a class index or one-hot vector per sample)"
                                                  if kind == "cross_entropy" else ""))
    t = t.reshape(want)
    if kind == "cross_entropy" and np.any(t < 0):
        check.fail(line, "a cross-entropy target vector holds probabilities (a one-hot row, or "
                         "weights ≥ 0), not negative numbers")
    return t if batched else t[None]
