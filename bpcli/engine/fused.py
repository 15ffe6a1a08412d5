"""One generated Python function per graph: a training step's forward and backward as
straight-line code.

The graph walk (:meth:`Graph.forward`, :meth:`Graph.backward`) calls each op's functions
through the plans, packs caches in tuples and adds gradients into a list: for a net of
numbers, or of small tensors, that bookkeeping costs as much as the arithmetic.  Here
the plans are written out once, as Python source built from the compiled graph alone —
node numbers, the plans' functions and the ops' registered ``scalar`` templates, never a
user's text — and run as one function.

Same numbers, bit for bit.  On a graph of numbers, values are Python floats, whose
+ − · / are the same IEEE operations as NumPy's on float64; every function that is not
one of those (exp, log, tanh, √, powers) is NumPy's own, as in the op; gradients are
added in the backward plan's order, each sum started from 0.0 as ``Graph.backward``
starts it.  Where Python's floats would raise instead (a division by 0, a power that
overflows), the caller goes back to the graph walk for that step: :meth:`Graph.step`.
Any other graph calls the very functions the walk calls, in its order.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .registry import OPS

FUSE_MAX = 2000  # ops: past it, the graph walk (a longer function costs more to build than it saves)


def fuse(graph) -> Callable | None:
    """``step(vals, out=None) -> {leaf: ∂E/∂leaf}`` for the wanted leaves of a compiled
    graph; it also sets vals[loss].  ``out`` (a graph of tensors): each wanted leaf's
    array to write its ∂E into (the same sums, by np.add's out=).

    A graph of numbers whose every op has a scalar template runs on Python floats; any
    other calls the plans' own forward and backward functions in the plans' order, their
    caches and gradients in local variables rather than lists (the sums as
    :meth:`Graph.step` starts them).  None past FUSE_MAX ops."""
    if graph.backward_plan is None or len(graph.forward_plan) > FUSE_MAX:
        return None
    needed = {graph.loss}
    for i, _, ins in reversed(graph.forward_plan):
        if i in needed:
            needed.update(ins)
    scalar = (not any(np.ndim(v) for v in graph.leaf_values if v is not None)
              and all(OPS[n.op].scalar is not None for n in graph.nodes if n.op is not None))
    env = {"np": np, "math": math, "ONE": np.float64(1.0)}
    body = [f"v{i} = {'float(vals[%d])' % i if scalar else 'vals[%d]' % i}"
            for i in sorted(needed) if graph.nodes[i].op is None]
    for i, fwd, ins in graph.forward_plan:
        args = [f"v{j}" for j in ins]
        if i not in needed:
            continue
        if scalar:
            body.append(f"v{i} = " + OPS[graph.nodes[i].op].scalar[0].format(*args, out=f"v{i}"))
        else:
            env[f"f{i}"] = fwd
            body.append(f"v{i}, c{i} = f{i}({', '.join(args)})")
    body += [f"vals[{graph.loss}] = v{graph.loss}", f"g{graph.loss} = {'1.0' if scalar else 'ONE'}"]
    started = _backward(graph, scalar, body, env)
    wanted = [i for i, n in enumerate(graph.nodes) if n.op is None and i not in graph.skipped]
    ret = "return {" + ", ".join(f"{i}: g{i}" if i in started else f"{i}: 0.0" for i in wanted) + "}"
    source = _function("step(vals)" if scalar else "step(vals, out=None)", body + [ret], False,
                       [] if scalar else ["if out is not None:", "    return into(vals, out)"])
    if not scalar:  # a wanted leaf E does not depend on: ∂E = 0 in its array too
        unset = [f"out[{i}][...] = 0.0" for i in wanted if i not in started]
        source += _function("into(vals, out)", body + unset + [ret], True, [])
    for name in {n.op for n in graph.nodes if n.op is not None} if scalar else ():
        env.update(OPS[name].scalar[2])
    exec(compile(source, "<bpcli fused step>", "exec"), env)  # noqa: S102 (our own code)
    env["step"].on_floats = scalar  # Graph.step: its floats may raise where NumPy would not
    return env["step"]


def _backward(graph, scalar: bool, body: list, env: dict) -> set:
    """The backward plan's lines onto ``body``; the nodes whose ∂E they start."""
    started = {graph.loss}
    for i, bwd, ins in graph.backward_plan:
        if i not in started:  # no consumer handed it anything: 0.0, as the graph's list holds
            body.append(f"g{i} = 0.0")
            started.add(i)
        if scalar:
            rules = OPS[graph.nodes[i].op].scalar[1]
            terms = [rule.format(*[f"v{k}" for k in ins], out=f"v{i}", d=f"g{i}") for rule in rules]
        else:
            env[f"b{i}"] = bwd
            body.append(f"t = b{i}(g{i}, c{i})")
            terms = [f"t[{k}]" for k in range(len(ins))]
        for j, term in zip(ins, terms):
            if j in graph.skipped:
                continue  # nobody reads it (an input's, a constant's)
            if j in started or scalar or graph.nodes[j].op is None:  # a sum, started at 0.0
                body.append((j, f"g{j}" if j in started else "0.0", term))
            else:  # an op node's first term, as it is (see Graph.step)
                body.append(f"g{j} = {term}")
            started.add(j)
    return started


def _function(signature: str, body: list, into: bool, head: list[str]) -> str:
    """Python source of a function; a sum ``(j, total, term)`` of the body is written
    ``g = total + term``, or into out[j] when ``into`` and j is a wanted leaf."""
    lines = [f"def {signature}:"] + [f"    {line}" for line in head]
    for line in body:
        if isinstance(line, tuple):
            j, total, term = line
            line = (f"g{j} = np.add({total}, {term}, out=out[{j}]) if {j} in out else "
                    f"{total} + ({term})") if into else f"g{j} = {total} + ({term})"
        lines.append(f"    {line}")
    return "\n".join(lines) + "\n"
