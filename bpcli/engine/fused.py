"""One generated Python function per scalar graph: forward and backward as straight-line
code, for the training loop of equation nets.

The graph walk (:meth:`Graph.forward`, :meth:`Graph.backward`) calls each op's functions
through the plans, packs caches in tuples and adds gradients into a list: for a net of
numbers that bookkeeping costs more than the arithmetic.  Here the plans are written out
once, as Python source built from the compiled graph alone — node numbers and the ops'
registered ``scalar`` templates, never a user's text — and run as one function.

Same numbers, bit for bit: values are Python floats, whose + − · / are the same IEEE
operations as NumPy's on float64; every function that is not one of those (exp, log,
tanh, √, powers) is NumPy's own, as in the op; gradients are added in the backward
plan's order, each sum started from 0.0 as ``Graph.backward`` starts it.  Where Python's
floats would raise instead (a division by 0, a power that overflows), the caller goes
back to the graph walk for that step: :meth:`Graph.step`.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .registry import OPS

FUSE_MAX = 2000  # ops: past it, the graph walk (a longer function costs more to build than it saves)


def fuse(graph) -> Callable | None:
    """``step(vals) -> {leaf: ∂E/∂leaf}`` for the wanted leaves of a compiled graph whose
    every leaf is a number and every op has a scalar template; it also sets vals[loss].
    None when the graph is not such (a net of tensors, an op without a template)."""
    if graph.backward_plan is None or len(graph.forward_plan) > FUSE_MAX:
        return None
    if any(np.ndim(v) for v in graph.leaf_values if v is not None):
        return None
    if any(OPS[n.op].scalar is None for n in graph.nodes if n.op is not None):
        return None
    needed = {graph.loss}
    for i, _, ins in reversed(graph.forward_plan):
        if i in needed:
            needed.update(ins)
    leaves = sorted(i for i in needed if graph.nodes[i].op is None)
    lines = ["def step(vals):"]
    lines += [f"    v{i} = float(vals[{i}])" for i in leaves]
    for i, _, ins in graph.forward_plan:
        if i in needed:
            fwd = OPS[graph.nodes[i].op].scalar[0]
            lines.append(f"    v{i} = " + fwd.format(*[f"v{j}" for j in ins], out=f"v{i}"))
    lines.append(f"    vals[{graph.loss}] = v{graph.loss}")
    lines.append(f"    g{graph.loss} = 1.0")
    started = {graph.loss}
    for i, _, ins in graph.backward_plan:
        rules = OPS[graph.nodes[i].op].scalar[1]
        if i not in started:  # no consumer handed it anything: 0.0, as the graph's list holds
            lines.append(f"    g{i} = 0.0")
            started.add(i)
        for j, rule in zip(ins, rules):
            if j in graph.skipped:
                continue  # nobody reads it (an input's, a constant's)
            term = rule.format(*[f"v{k}" for k in ins], out=f"v{i}", d=f"g{i}")
            lines.append(f"    g{j} = {'g%d' % j if j in started else '0.0'} + ({term})")
            started.add(j)
    wanted = [i for i, n in enumerate(graph.nodes) if n.op is None and i not in graph.skipped]
    lines.append("    return {" + ", ".join(f"{i}: g{i}" if i in started else f"{i}: 0.0"
                                          for i in wanted) + "}")
    env = {"np": np, "math": math}
    for name in {n.op for n in graph.nodes if n.op is not None}:
        env.update(OPS[name].scalar[2])
    exec(compile("\n".join(lines), "<bpcli fused step>", "exec"), env)  # noqa: S102 (our own code)
    return env["step"]
