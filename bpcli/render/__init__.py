"""Formatting reports: Rich tables, JSON documents, the loss curve as a picture.

Nothing here computes what a report holds; a new output format is one module here
with a function per report type.  Each name is imported when first read, so that JSON
needs no Rich and a table no JSON.
"""
from ..lazy import attribute

LAZY = {"document": "bpcli.render.json", "fmt": "bpcli.render.numbers",
        "json_value": "bpcli.render.numbers", "renderable": "bpcli.render.table",
        "markdown": "bpcli.render.markdown", "latex": "bpcli.render.latex"}
__all__ = ["document", "fmt", "json_value", "renderable"]


def __getattr__(name: str) -> object:
    return attribute(__name__, LAZY, name)
