"""Reading files within the budget, and writing them whole or not at all."""
from __future__ import annotations

import os
import tempfile
from typing import BinaryIO, Callable

from ..budget import limit, raise_hint


class TooLarge(Exception):
    """A file past the budget's bytes; ``str()`` says how large bpcli reads."""

    def __init__(self, kind: str = "file_bytes"):
        advice = "; large inputs belong in an .npz data file" if kind == "network_bytes" else ""
        most = limit(kind)
        size = f"{most / 2**20:g} MB" if most >= 2**20 else f"{most:,} bytes"
        super().__init__(f"is larger than the {size} bpcli reads{advice}; {raise_hint()}")


def read_bounded(f: BinaryIO, kind: str = "file_bytes") -> bytes:
    """All of ``f``, or :class:`TooLarge` past the budget's ``kind`` of bytes (a device that
    never ends too)."""
    most = limit(kind)
    data = f.read(most + 1)
    if len(data) > most:
        raise TooLarge(kind)
    return data


def ordinary_mode(path: str) -> None:
    """mkstemp makes 0600 files; what bpcli saves is an ordinary file (0666 less umask)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def write_atomic_with(path: str, write: Callable[[str], None], suffix: str = ".tmp") -> None:
    """Have ``write(tmp)`` write a temporary file beside ``path``, then rename it into
    place: ``path`` is whole or not there, never half-written."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".bpcli-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        write(tmp)
        ordinary_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (UTF-8)."""
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    write_atomic_with(path, write)
