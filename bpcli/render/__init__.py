"""Formatting reports: Rich tables, JSON documents, the loss curve as a picture.

Nothing here computes what a report holds; a new output format is one module here
with a function per report type.
"""
from .json import document
from .numbers import fmt, json_value
from .table import renderable

__all__ = ["document", "fmt", "json_value", "renderable"]
