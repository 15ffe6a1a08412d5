"""Networks: loading a file into a checked :class:`Net`, of either kind.

``load``/``loads`` read YAML and hand it to the kind it is written as: a file with a
`layers:` list (or an `input:`) is a layer net, any other an equation net.
"""
from __future__ import annotations

import os


from ..budget import limit, raise_hint
from ..errors import NetError
from ..io.files import read_source
from ..io.yamlfile import LineMap, read_yaml
from ..lazy import Table, attribute
from ..text import closest
from .base import Entry, Net, Samples, collector_paused
from .equation_file import SECTIONS, equation_net
from .equations import EquationNet

DEFAULT_SOURCE = "default.yaml"

__all__ = ["Entry", "EquationNet", "LayerNet", "Net", "NetError", "Samples", "collector_paused",
           "default_text", "load", "load_default", "loads"]
# layer nets' modules, imported when a layer net is read (an equation net needs none of them)
LAZY = {"LayerNet": "bpcli.nets.layers", "layer_net": "bpcli.nets.layer_file"}
LAYER_NET = Table({"layer_net": LAZY["layer_net"]})


def __getattr__(name: str) -> object:
    return attribute(__name__, LAZY, name)


def load(path: str) -> Net:
    """Read and check a network file ("-": standard input); raises :class:`NetError` on
    any mistake, and on a file larger than the budget (a device without end too)."""
    return loads(*read_source(path, "network file", "NET"))


def loads(text: str, path: str = "<string>") -> Net:
    """An equation net, or a layer net (a `layers:` list), checked; ``path`` names the
    source in messages."""
    with collector_paused():
        return _net(text, path)


def _net(text: str, path: str) -> Net:
    doc = read_yaml(text, path)
    _check_expanded(doc, path)
    if doc is None:
        raise NetError(path, None, "the file is empty; start from `bpcli init`")
    if not isinstance(doc, LineMap):
        raise NetError(path, 1, "a network file is a mapping with sections " + ", ".join(SECTIONS))
    # A layer net by its sections, even with "layers" misspelt (then it says so).
    if any(k in ("layers", "input") or (isinstance(k, str) and closest(k, ["layers"], 0.8))
           for k in doc):
        return LAYER_NET["layer_net"](doc, path)
    return equation_net(doc, path)


def _check_expanded(doc: object, path: str) -> None:
    """The whole document within the budget's values once its YAML aliases are expanded
    (a list an alias repeats is counted, not copied): a few hundred bytes of nested
    aliases in any setting, a seed or a name, cannot stand for 10⁹ values."""
    most, sizes = limit("written_values"), {}

    def size(v: object) -> int:
        if not isinstance(v, (list, dict)):
            return 1
        if id(v) not in sizes:
            items = v.values() if isinstance(v, dict) else v
            sizes[id(v)] = 1 + sum([size(x) if isinstance(x, (list, dict)) else 1
                                    for x in items])
            if sizes[id(v)] > most:
                line = getattr(v, "line", None)
                raise NetError(path, line, f"holds more than {most:,} values once its YAML "
                                           f"aliases are expanded; {raise_hint()}")
        return sizes[id(v)]
    size(doc)


def load_default() -> Net:
    """The seed note's 2-2-2 sigmoid net, the network of every command given none."""
    return loads(default_text(), "<default>")


def default_text() -> str:
    """The default network's file, with its comments (what `bpcli init` writes)."""
    # the file beside the package's modules (package data): importlib.resources would cost
    # a tenth of bpcli's start-up to find it
    with open(os.path.join(os.path.dirname(os.path.dirname(__file__)), DEFAULT_SOURCE),
              encoding="utf-8") as f:
        return f.read()
