"""Naming a module without importing it yet, so that a command imports only what it uses
(`bpcli forward` needs neither training nor the explanations, and its JSON no Rich).

- :func:`attribute`, a package's ``__getattr__`` (PEP 562): ``analysis.traced`` imports
  ``bpcli.analysis.tracing`` when first read, as the package's ``LAZY`` table says.
- :class:`Table`, a dict whose values are imported when first read: the commands of
  `bpcli` (cli.COMMANDS), so that `bpcli forward` imports no other command's module.
- :func:`lazydispatch`, functools.singledispatch for types named only in annotations: an
  object of a type exists only once the type's module is imported, so a renderer can
  register a function for a report type without importing the module that makes it.

The tables name their modules in strings ("bpcli.analysis.train"), which
tests/test_layout.py reads as imports: they run one way and make no cycle, like any other.
"""
from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Iterator, MutableMapping
from typing import Callable


def attribute(package: str, table: dict[str, str], name: str) -> object:
    """``name`` of ``package``, from the module ``table`` maps it to: the module itself
    when it is ``package.name``, else that module's ``name``.  Kept in the package, so it
    is looked up here once."""
    try:
        target = table[name]
    except KeyError:
        raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
    module = importlib.import_module(target)
    value = module if target == f"{package}.{name}" else getattr(module, name)
    setattr(sys.modules[package], name, value)
    return value


def lazydispatch(func: Callable) -> Callable:
    """:func:`functools.singledispatch`, where ``@f.register`` reads the type from the
    first parameter's annotation; an annotation naming a type the module has not imported
    (imported under TYPE_CHECKING only) is kept by name and registered at the first call
    with an object of a bpcli type of that name."""
    dispatcher = functools.singledispatch(func)
    pending: dict[str, Callable] = {}

    def register(f: Callable) -> Callable:
        annotation = f.__annotations__[f.__code__.co_varnames[0]]
        cls = f.__globals__.get(annotation) if isinstance(annotation, str) else annotation
        if isinstance(cls, type):
            dispatcher.register(cls, f)
        else:
            pending[annotation] = f
        return f

    @functools.wraps(func)
    def call(obj, *args, **kwargs):
        if pending:
            for cls in type(obj).__mro__:
                if cls.__name__ in pending and cls.__module__.startswith("bpcli."):
                    dispatcher.register(cls, pending.pop(cls.__name__))
        return dispatcher(obj, *args, **kwargs)

    call.register, call.pending, call.registry = register, pending, dispatcher.registry
    return call


class Table(MutableMapping):
    """A dict whose keys in ``lazy`` (key → module) are looked up in their module when first
    read: Click's commands of a group, listed (for help, or 'did you mean') by name alone."""

    def __init__(self, lazy: dict[str, str]):
        self.lazy, self.loaded = lazy, {}

    def __getitem__(self, key: str) -> object:
        if key not in self.loaded and key in self.lazy:
            self.loaded[key] = getattr(importlib.import_module(self.lazy[key]), key)
        return self.loaded[key]

    def __setitem__(self, key: str, value: object) -> None:
        self.loaded[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self.loaded and key not in self.lazy:
            raise KeyError(key)
        self.loaded.pop(key, None)
        self.lazy = {k: v for k, v in self.lazy.items() if k != key}

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self.loaded, *self.lazy]))

    def __len__(self) -> int:
        return len({*self.loaded, *self.lazy})
