"""What an op's ``feeds`` rule sees of a node (:mod:`bpcli.engine.registry`): made by the
explanations of single elements, apart from the op table, which every command imports."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Site:
    """What an op's ``feeds`` rule sees of one of its nodes after a run.

    ``inputs`` and ``out`` are the node's values with the batch axis first; ``label(k, index)``
    names element ``index`` of input ``k`` as the user sees it (``input[0,2,3]``)."""

    inputs: list
    out: object
    attrs: dict
    label: Callable[[int, tuple], str]
