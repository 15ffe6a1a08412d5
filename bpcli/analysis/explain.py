"""--wrt: which explanation each name gets, by the kind of net and of name.

This is the one place that chooses between the explanations:

* a name of a net written as equations → :class:`Chain`, the chain rule along every
  path of named nodes (on a data set, :class:`SampleChain`: one sample's paths, then
  how each sample's share adds up);
* a net written as equations with vectors → :class:`VectorGrads` (a path's factors
  would be Jacobians, not numbers);
* a whole tensor of a layer net → :class:`TensorGrad`;
* one element of a layer net's tensor → :class:`ElementChain`, the units it feeds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..engine import LOSS, Trace
from ..nets import Net
from .elements import ElementChain, Unit, element_chain, label
from .softmax import softmax_checks
from .tensor_rules import ConvRule, conv_rule
from .paths import (MAX_PATHS, Chain, Factor, Path, SampleChain, SampleRuns, chain,
                    sample_chain)

__all__ = ["ConvRule", "MAX_PATHS", "Chain", "ElementChain", "Factor", "Path", "SampleChain", "SampleRuns",
           "TensorGrad", "Unit", "VectorGrads", "by_paths", "chain", "element_chain", "explanations", "label",
           "sample_chain"]


@dataclass(frozen=True)
class TensorGrad:
    """∂E/∂ a whole tensor of a layer net (a layer, a param, the input), or ∂E/∂E."""

    name: str
    value: object  # as the user sees it (no hidden batch axis)
    shape: tuple
    per_sample: bool  # its first axis runs over the samples of a batch


@dataclass(frozen=True)
class VectorGrads:
    """∂E/∂name of each name asked for, in a net written as equations with vectors; for a
    name that is a softmax's input z, the Jacobian route ∂E/∂z = Jᵀ·∂E/∂a (``routes``)."""

    grads: tuple  # (name, ∂E/∂name) pairs
    routes: tuple = ()  # SoftmaxCheck of each softmax whose input was asked for


def by_paths(net: Net, trace: Trace) -> bool:
    """Does --wrt explain this net's names by paths of named nodes (an equation net whose
    values are numbers, or one sample of a data set)?"""
    return net.expressions is not None and (
        net.samples.several or not any(np.ndim(v) for v in trace.vals))


def explanations(net: Net, trace: Trace, targets: Sequence[tuple[str, tuple | None]],
                 sample: int | None = None, runs: SampleRuns | None = None) -> list:
    """The explanation of each (name, element index or None) in ``targets`` (from
    ``net.resolve``), read off ``trace``, a full run of ``net``.  ``sample``: the sample
    whose chain rule a data set shows (default 0); ``runs``: the extra runs a data set
    needs, shared with the caller so that each is made once."""
    if not targets:
        return []
    several = net.samples.several
    if net.expressions is not None and not by_paths(net, trace):
        asked = {name for name, _ in targets}
        routes = tuple(c for c in softmax_checks(trace, net.expressions) if c.z in asked)
        return [VectorGrads(tuple((name, trace.grad(name)) for name, _ in targets), routes)]
    runs = runs or SampleRuns(net, trace.graph)
    out = []
    for name, index in targets:
        if index is not None:
            out.append(element_chain(net, trace, name, index))
        elif net.expressions is None:
            value = net.as_seen(name, trace.grad(name))
            out.append(TensorGrad(name, value, np.shape(value), net.per_sample(name)))
            rule = conv_rule(net, trace, name)  # a conv layer's: its rule, grid by grid
            if rule is not None:
                out.append(rule)
        elif several and name != LOSS:
            out.append(sample_chain(runs, trace, name, sample or 0))
        else:
            out.append(chain(net, trace, name))
    return out
