"""An :class:`bpcli.analysis.export.Export` as a readable, runnable PyTorch script: the same
network (equations as a forward of torch ops, written from the parsed expressions, never from
the file's text; layers as modules in PyTorch's own layout), the same weights, loss (a mean
over a batch), data and training loop (η, batches in the same shuffled order, momentum as
v ← μ·v + ∂E/∂w, steps).  It prints E at every step, as `bpcli train` records it."""
from __future__ import annotations

import numpy as np

from ..version import __version__


def _array(v) -> str:
    return repr(np.asarray(v, dtype=float).tolist())

def script(x) -> str:
    lines = [f'"""{x.title}, exported by bpcli {__version__} from {x.source}.',
             "",
             "Run it: python this.py — it trains as `bpcli train` does and prints E at every step.",
             "On a GPU: set DEVICE = 'cuda' below (float64 is kept: the same numbers).",
             "One difference to know: PyTorch's ReLU has slope 0 at exactly 0 (bpcli's: 1).",
             '"""', "import numpy as np", "import torch", "",
             "torch.set_default_dtype(torch.float64)", "DEVICE = 'cpu'",
             f"ETA, STEPS, BATCH, MOMENTUM = {x.eta!r}, {x.steps}, {x.batch_size}, {x.momentum!r}",
             f"SHUFFLE, SEED, SAMPLES = {x.shuffle}, {x.seed}, {x.samples}", ""]
    lines += _equations(x) if x.kind == "equations" else _layers(x)
    lines += _loop(x)
    return "\n".join(lines) + "\n"


def _equations(x) -> list:
    out = ["# the network's leaves: inputs and targets (a data column holds every sample)"]
    for name, kind, value in x.leaves:
        grad = ", requires_grad=True" if kind == "param" else ""
        out.append(f"v_{name} = torch.tensor({_array(value)}, device=DEVICE{grad})  # {kind}")
    out += ["PARAMS = [" + ", ".join(f"v_{n}" for n in x.params) + "]",
            "DATA = {" + ", ".join(f"'{n}': v_{n}" for n in x.data) + "}", "", "",
            "def loss(batch):", '    """E on a batch: the mean over its samples of the loss."""']
    for n in x.data:
        out.append(f"    v_{n} = batch['{n}']")
    for name, code in x.nodes:
        out.append(f"    v_{name} = {code}")
    out += [f"    return torch.mean({x.loss})", ""]
    return out


def _layers(x) -> list:
    mods, out = [], ["import torch.nn as nn", ""]
    for layer in x.nodes:
        a = layer.attrs
        if layer.op == "conv2d":
            w = np.asarray(x.params[layer.params[0]])
            mods.append(f"nn.Conv2d({w.shape[1]}, {w.shape[0]}, {tuple(w.shape[2:])}, "
                        f"stride={tuple(a['stride'])}, padding={tuple(a['padding'])})")
        elif layer.op == "dense":
            w = np.asarray(x.params[layer.params[0]])
            mods.append(f"nn.Linear({w.shape[1]}, {w.shape[0]})")
        elif layer.op in ("maxpool", "meanpool"):
            pool = "MaxPool2d" if layer.op == "maxpool" else "AvgPool2d"
            mods.append(f"nn.{pool}({tuple(a['size'])}, stride={tuple(a['stride'])})")
        else:
            mods.append({"relu": "nn.ReLU()", "relu0": "nn.ReLU()", "sigmoid": "nn.Sigmoid()",
                         "tanh": "nn.Tanh()", "flatten": "nn.Flatten()",
                         "softmax": "nn.Softmax(dim=1)",
                         "leaky_relu": f"nn.LeakyReLU({a.get('slope', 0.01)!r})"}[layer.op])
    out += ["model = nn.Sequential(", *(f"    {m},  # {l.name}: {l.text}" for m, l in
                                        zip(mods, x.nodes)), ").to(DEVICE)",
            "with torch.no_grad():  # bpcli's weights, in PyTorch's layout"]
    for k, layer in enumerate(x.nodes):
        for p in layer.params:
            attr = p.split(".", 1)[1]
            out.append(f"    model[{k}].{attr}.copy_(torch.tensor({_array(x.params[p])}))")
    leaves = {name: value for name, _, value in x.leaves}
    out += ["PARAMS = list(model.parameters())",
            f"DATA = {{'input': torch.tensor({_array(leaves['input'])}, device=DEVICE),",
            f"        'target': torch.tensor({_array(leaves['target'])}, device=DEVICE)}}", "", "",
            "def loss(batch):", '    """E on a batch, as bpcli defines it (a mean over samples)."""',
            "    a, y = model(batch['input']), batch['target']",
            "    n = a.shape[0]"]
    out.append({"cross_entropy": "    return -torch.where(y != 0, y * torch.log(a), 0.0).sum() / n",
                "logits_cross_entropy": "    return torch.nn.functional.cross_entropy(a, y)",
                "half_sse": "    return 0.5 * ((a - y) ** 2).sum() / n",
                "mse": "    return ((a - y) ** 2).mean()"}[x.loss])
    return out + [""]


def _loop(x) -> list:
    return ["", "def batches():",
            '    """Each step\'s samples: the order drawn anew each epoch with numpy\'s',
            '    default_rng(SEED), as bpcli draws it; the whole set when a batch holds it."""',
            "    rng = np.random.default_rng(SEED)",
            "    while True:",
            "        if BATCH >= SAMPLES:",
            "            yield None",
            "            continue",
            "        order = rng.permutation(SAMPLES) if SHUFFLE else np.arange(SAMPLES)",
            "        for pos in range(0, SAMPLES, BATCH):",
            "            yield torch.as_tensor(order[pos:pos + BATCH], device=DEVICE)",
            "", "",
            "velocity = [torch.zeros_like(p) for p in PARAMS]",
            "stream = batches()",
            "for step in range(1, STEPS + 1):",
            "    idx = next(stream)",
            "    batch = DATA if idx is None else {k: v[idx] for k, v in DATA.items()}",
            "    E = loss(batch)",
            "    print(step, repr(E.item()))",
            "    for p in PARAMS:",
            "        p.grad = None",
            "    E.backward()",
            "    with torch.no_grad():  # v ← μ·v + ∂E/∂w, w ← w − η·v (from rest: v = ∂E/∂w)",
            "        for p, v in zip(PARAMS, velocity):",
            "            g = p.grad",
            "            if MOMENTUM:",
            "                v.mul_(MOMENTUM).add_(g)",
            "                g = v",
            "            p.sub_(ETA * g)"]
