"""Every op, registered on import into :mod:`bpcli.engine.registry`'s tables.

The order of the imports is the order functions and layer types are listed in messages.
"""
from . import arithmetic, elementwise, vectors, linear, pooling, losses  # noqa: F401
from .vectors import softmax_jacobian

__all__ = ["softmax_jacobian"]
