"""The engine: ops with their rules, the graph that runs them forward and backward.

Importing it registers every op (:mod:`bpcli.engine.ops`).
"""
from . import ops
from .calculus import derivative, evaluate
from ..text import LOSS
from .graph import Graph, Node, Trace, check_arity
from .ops import softmax_jacobian
from ..lazy import attribute
from .registry import FUNCTIONS, LAYER_TYPES, OPS, LayerType, Made, Op, lowered, register

__all__ = ["FUNCTIONS", "Graph", "LAYER_TYPES", "LOSS", "LayerType", "Made", "Node", "OPS", "Op",
           "Site", "Trace", "check_arity", "derivative", "evaluate", "lowered", "ops", "register",
           "softmax_jacobian"]
LAZY = {"Site": "bpcli.engine.site"}  # (explanations of single elements alone make one)


def __getattr__(name: str) -> object:
    return attribute(__name__, LAZY, name)
