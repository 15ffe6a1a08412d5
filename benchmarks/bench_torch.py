"""The PyTorch side of benchmarks/run.py's rows: the same nets, initial weights, data, batches,
loss and η as bpcli's, in float64, eager on the CPU, written as a PyTorch user writes them.
Imported only when PyTorch is installed."""
from __future__ import annotations

import time
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

torch.set_default_dtype(torch.float64)


def mazur(cfg: dict, steps: int, eta: float = 0.5) -> tuple[list, float]:
    """Mazur's 2-2-2 net (configs/mazur-2-2-2.yaml, read as ``cfg``): ``steps`` SGD steps on
    eight 0-d weights.  Returns (E of each step before its update, E after the last)."""
    inputs = {k: torch.tensor(float(v)) for k, v in {**cfg["inputs"], **cfg["targets"]}.items()}
    i1, i2, b1, b2, t1, t2 = (inputs[k] for k in ("i1", "i2", "b1", "b2", "t1", "t2"))
    w = [torch.tensor(float(cfg["params"][f"w{k}"]), requires_grad=True) for k in range(1, 9)]

    def loss(w1, w2, w3, w4, w5, w6, w7, w8):
        out_h1 = torch.sigmoid(w1 * i1 + w2 * i2 + b1)
        out_h2 = torch.sigmoid(w3 * i1 + w4 * i2 + b1)
        out_o1 = torch.sigmoid(w5 * out_h1 + w6 * out_h2 + b2)
        out_o2 = torch.sigmoid(w7 * out_h1 + w8 * out_h2 + b2)
        return 0.5 * (t1 - out_o1) ** 2 + 0.5 * (t2 - out_o2) ** 2

    history = []
    for _ in range(steps):
        e = loss(*w)
        e.backward()
        history.append(e.item())
        with torch.no_grad():
            for p in w:
                p -= eta * p.grad
                p.grad = None
    with torch.no_grad():
        return history, loss(*w).item()


def load_params(model: nn.Module, params: dict) -> nn.Module:
    """``model`` (float64) with bpcli's initial params, by name (`fc1.weight` → module fc1)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(np.asarray(params[name], dtype=np.float64)))
    return model


def mlp(params: dict) -> nn.Module:
    """The 2-16-16-1 ReLU MLP of benchmarks/moons-mlp.yaml."""
    return load_params(nn.Sequential(dict_modules(
        fc1=nn.Linear(2, 16), relu1=nn.ReLU(), fc2=nn.Linear(16, 16), relu2=nn.ReLU(),
        fc3=nn.Linear(16, 1))), params)


def dict_modules(**modules) -> OrderedDict:
    return OrderedDict(modules)  # the layers named as bpcli names them


def conv_stack(params: dict) -> nn.Module:
    """configs/conv-mnist-shape.yaml's stack up to the logits (the loss is separate)."""
    return load_params(nn.Sequential(dict_modules(
        conv1=nn.Conv2d(1, 8, 3), relu1=nn.ReLU(), pool1=nn.MaxPool2d(2),
        conv2=nn.Conv2d(8, 16, 3), relu2=nn.ReLU(), pool2=nn.MaxPool2d(2),
        flatten1=nn.Flatten(), fc1=nn.Linear(400, 10))), params)


def digits_net(params: dict) -> nn.Module:
    """The digits net of benchmarks/workloads.py, up to the logits."""
    return load_params(nn.Sequential(dict_modules(
        conv1=nn.Conv2d(1, 8, 3, padding=1), relu1=nn.ReLU(), pool1=nn.MaxPool2d(2),
        flatten1=nn.Flatten(), fc1=nn.Linear(8 * 4 * 4, 10))), params)


def train(model: nn.Module, loss_fn, x: np.ndarray, y: np.ndarray, eta: float, batches) -> tuple:
    """SGD on ``model``, one step a batch of indices from ``batches`` (None: the whole set,
    every step).  Returns (E of each step before its update, E on the whole set after)."""
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.SGD(model.parameters(), lr=eta)
    history = []
    for idx in batches:
        xb, yb = (x, y) if idx is None else (x[idx], y[idx])
        e = loss_fn(model(xb), yb)
        opt.zero_grad()
        e.backward()
        opt.step()
        history.append(e.item())
    with torch.no_grad():
        return history, loss_fn(model(x), y).item()


def step_grads(model: nn.Module, x, y) -> dict:
    """One forward+backward of the conv stack with cross-entropy (softmax fused, mean over the
    batch): each param's gradient, as numpy."""
    model.zero_grad(set_to_none=True)
    nn.functional.cross_entropy(model(x), y).backward()
    return {name: p.grad.numpy() for name, p in model.named_parameters()}


def per_layer(model: nn.Module, x, y) -> dict:
    """Seconds of each layer's forward and backward on one pass, by layer name (the loss,
    softmax and cross-entropy fused as PyTorch computes them, as `softmax1 + E`): each layer
    runs on a detached copy of its input so that its backward can be timed alone."""
    ins, outs, times = [], [], {}
    h = x
    for name, layer in list(model.named_children()) + [("softmax1 + E", None)]:
        h = h.detach().requires_grad_(name != "conv1")
        t0 = time.perf_counter()
        out = layer(h) if layer is not None else nn.functional.cross_entropy(h, y)
        times[name] = [time.perf_counter() - t0, 0.0]
        ins.append(h)
        outs.append(out)
        h = out
    grad = None
    for (name, t), h, out in reversed(list(zip(times.items(), ins, outs))):
        t0 = time.perf_counter()
        out.backward(grad)
        t[1] = time.perf_counter() - t0
        grad = h.grad
    return times
