"""What `bpcli export --to pytorch` writes out, gathered once: the net (its equations, or its
layers in PyTorch's layout), its params, its data, and the training run train would make of
it (η, steps, batches, shuffling, momentum) — the settings resolved as `train` resolves them."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UsageError
from ..nets import Net
from ..symbolic import Call, Name, Num
from .train import plan_steps, resolve_settings

FUNCTIONS = {"sigmoid": "torch.sigmoid({})", "tanh": "torch.tanh({})", "relu": "torch.relu({})",
             "exp": "torch.exp({})", "log": "torch.log({})", "sqrt": "torch.sqrt({})",
             "softmax": "torch.softmax({}, dim=-1)", "sum": "torch.sum({}, dim=-1)",
             "mean": "torch.mean({}, dim=-1)", "step": "({} >= 0).double()",
             "leaky_relu": "torch.nn.functional.leaky_relu({}, 0.01)", "id": "{}"}
BINARY = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**", "powc": "**"}


def torch_expr(e) -> str:
    """An expression tree as torch code (fully parenthesised: no precedence to get wrong)."""
    if isinstance(e, Num):
        return repr(float(e.value))
    if isinstance(e, Name):
        return "v_" + e.id
    assert isinstance(e, Call)
    args = [torch_expr(a) for a in e.args]
    if e.op in BINARY:
        return f"({args[0]} {BINARY[e.op]} {args[1]})"
    if e.op == "neg":
        return f"(-{args[0]})"
    if e.op not in FUNCTIONS:
        raise UsageError(None, None, f"export does not write '{e.op}' as torch code yet")
    return FUNCTIONS[e.op].format(*args)


MAX_EXPORTED = 1_000_000  # numbers written into a script (data and params)


@dataclass
class Export:
    title: str
    source: str
    kind: str  # "equations" or "layers"
    leaves: list  # (name, kind, value) — a data column holds all its samples
    data: list  # the names whose values run over the samples
    nodes: list  # equations: (name, its torch code); layers: the Layer objects
    loss: object  # equations: the loss's torch code; layers: the loss op's name
    params: dict
    samples: int
    eta: float
    steps: int
    batch_size: int
    shuffle: bool
    seed: int
    momentum: float


def export(net: Net, **given) -> Export:
    settings = resolve_settings(net, **given)
    b, steps = plan_steps(net.samples.count, settings["batch_size"], settings["steps"],
                          settings["epochs"])
    leaves = list(net.leaves())
    size = sum(np.size(v) for _, _, v in leaves)
    if size > MAX_EXPORTED:
        raise UsageError(None, None, f"{net.title} holds {size:,} numbers; a script of more than "
                                     f"{MAX_EXPORTED:,} would not be readable (use its .npz data "
                                     "file in the script instead)")
    data = list(net.samples.data) if net.samples.several else []
    if net.expressions is not None:
        exprs = net.expressions
        kind, loss = "equations", torch_expr(exprs["E"])
        nodes = [(n, torch_expr(exprs[n])) for n in net.node_names()]
    else:
        kind, nodes, loss = "layers", list(net.layers), net.loss_op
    return Export(net.title, net.path, kind, leaves, data, nodes, loss, dict(net.params),
                  net.samples.count, float(settings["eta"]), int(steps), int(b),
                  bool(settings["shuffle"]), int(settings["seed"]), float(settings["momentum"]))
