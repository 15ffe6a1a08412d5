"""Reading files within the budget, and writing them whole or not at all."""
from __future__ import annotations

import os
import stat
import sys
from typing import BinaryIO, Callable

from ..budget import limit, raise_hint
from ..errors import NetError


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
    most, pieces, size = limit(kind), [], 0
    while size <= most:  # in pieces: a raised budget sets nothing aside for a small file
        piece = f.read(min(most + 1 - size, 2**20))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    if size > most:
        raise TooLarge(kind)
    return b"".join(pieces)


def read_source(path: str, what: str, arg: str, kind: str = "network_bytes") -> tuple[str, str]:
    """(text, the name messages give it) of a YAML file bpcli reads whole, ``what`` ("network
    file", "WORK file") and ``arg`` (NET, WORK) naming it in messages; "-" reads standard
    input.  Within the budget's ``kind`` of bytes (a device without end too); every failure
    a NetError in one line."""
    shown = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            if sys.stdin is None:  # started with stdin closed (<&-)
                raise NetError(shown, None, f"standard input is closed; give {arg} as a file")
            stream = getattr(sys.stdin, "buffer", None)
            data = (read_bounded(stream, kind) if stream is not None
                    else _encoded(sys.stdin.read(), kind))
        else:
            with open(path, "rb") as f:
                data = read_bounded(f, kind)
        return data.decode("utf-8"), shown
    except FileNotFoundError:
        raise NetError(path, None, "no such file") from None
    except IsADirectoryError:
        raise NetError(path, None, f"is a directory, not a {what}") from None
    except UnicodeDecodeError:
        raise NetError(shown, None, f"is not UTF-8 text; a {what} is YAML") from None
    except TooLarge as e:
        raise NetError(shown, None, str(e)) from None
    except OSError as e:
        raise NetError(path, None, f"cannot read: {e.strerror}") from None


def _encoded(text: str, kind: str) -> bytes:
    """A text stream's content (a caller's sys.stdin without bytes), within the budget."""
    data = text.encode("utf-8")
    if len(data) > limit(kind):
        raise TooLarge(kind)
    return data


class Unwritable(Exception):
    """A file that bpcli will not or cannot replace; ``str()`` says why and what to do."""


def save_target(path: str) -> str:
    """The file a save to ``path`` writes: ``path``, or the file its symlinks lead to (a
    link stays a link).  :class:`Unwritable` if that is a folder or a device, read-only, or
    in a folder that does not exist or cannot be written."""
    target = os.path.realpath(path)
    shown = path if target == os.path.abspath(path) else f"{path} (a link to {target})"
    if os.path.isdir(target):
        raise Unwritable(f"{shown} is a folder; name a file")
    if os.path.exists(target):
        if not os.path.isfile(target):
            raise Unwritable(f"{shown} is not a regular file (a device or a pipe); name a file")
        # no write bit: read-only even to root, whom os.access lets write anything
        if not os.access(target, os.W_OK) or not os.stat(target).st_mode & 0o222:
            raise Unwritable(f"{shown} is read-only; make it writable (chmod u+w) or name "
                             "another file")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
        raise Unwritable(f"{shown}: cannot write into {folder}; name a file in an existing, "
                         "writable folder")
    return target


def _mode_for(target: str) -> int:
    """The permissions of the file being replaced (a private 0600 file stays private), or an
    ordinary new file's: 0666 less the umask (mkstemp makes 0600 files)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_atomic_with(path: str, write: Callable[[str], None], suffix: str = ".tmp") -> None:
    """Have ``write(tmp)`` write a temporary file beside the file ``path`` names, then rename
    it into place: that file is whole or as it was, never half-written.  Through a symlink,
    the file it leads to is replaced; the replaced file's permissions are kept; a file that
    cannot be replaced is :class:`Unwritable` before anything is written."""
    import tempfile  # here, not above: only saving needs it (it imports shutil, random, …)

    target = save_target(path)
    mode = _mode_for(target)
    fd, tmp = tempfile.mkstemp(prefix=".bpcli-", suffix=suffix, dir=os.path.dirname(target))
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (UTF-8)."""
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    write_atomic_with(path, write)
