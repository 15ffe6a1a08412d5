"""Saving a network: whole or not at all, its data file still found from where it lands."""
from __future__ import annotations

import numpy as np

from ..budget import limit, raise_hint
from ..errors import ResultError, UsageError
from ..io.files import Unwritable, write_atomic
from ..nets import Net
from ..text import plural
from ..version import __version__
from .train import TrainResult


def write_text(path: str, text: str) -> None:
    """Write a file atomically (through a symlink, keeping the permissions of a file it
    replaces); a file or folder that cannot be written is one clear line."""
    try:
        write_atomic(path, text)
    except Unwritable as e:
        raise UsageError(None, None, str(e)) from None
    except OSError as e:
        raise UsageError(None, None, f"cannot write {path}: {e.strerror or e}") from None


def save(net: Net, path: str, header: str = "") -> None:
    """Write ``net`` as a loadable YAML file (``header``: comment lines on top); a data file
    it names is given relative to ``path``'s folder.  Params that are not finite would not
    load back: they are not saved."""
    bad = next((name for name, w in net.params.items() if not np.all(np.isfinite(w))), None)
    if bad is not None:
        raise ResultError("save", path, f"not saved, param {bad!r} is not finite")
    text = net.relocated(path).to_yaml(header)
    if len(text.encode()) > limit("network_bytes"):  # a file bpcli would refuse to read
        raise ResultError("save", path, f"not saved: it would be {len(text.encode()) / 2**20:.0f}"
                                        f" MB, more than the {_mb()} a network file may be; "
                                        f"{raise_hint()}")
    write_text(path, text)


BYTES_PER_VALUE = 24  # a float64 as a saved net writes it, at most ("-1.2345678901234567e-05, ")


def check_savable(net: Net, path: str) -> None:
    """Before training: a net whose params, written out, would exceed what bpcli reads back
    (a million weights: 23 MB, and 22 s to write) is refused at once."""
    values = sum(int(np.size(w)) for w in net.params.values())
    if values * BYTES_PER_VALUE > limit("network_bytes"):
        raise UsageError("save", path, f"its {values:,} params would take about "
                                       f"{values * BYTES_PER_VALUE / 2**20:.0f} MB as YAML, more "
                                       f"than the {_mb()} a network file may be; {raise_hint()}")


def _mb() -> str:
    return f"{limit('network_bytes') / 2**20:g} MB"


def save_trained(result: TrainResult, path: str, source: str) -> None:
    """Save a training run's network, with a header saying how it was trained from
    ``source``; params that are not finite are not saved, nor a run whose E was never finite
    (nothing was trained)."""
    if result.halted is not None and result.halted[0] == 1:
        raise ResultError("save", path, "not saved, E was not finite from the first step on, so "
                                        "nothing was trained; change the starting values")
    if not all(np.all(np.isfinite(w)) for w in result.params.values()):
        raise ResultError("save", path, "not saved, the trained params are not finite; train "
                                        "again with a smaller --eta")
    save(result.net, path, trained_header(result, source))


def trained_header(result: TrainResult, source: str) -> str:
    """'# Trained by bpcli …: N steps of gradient descent, eta = …, from SOURCE.' and E."""
    source = " ".join(source.splitlines())  # a comment line stays one line
    how = f"eta = {result.eta:g}"
    if result.momentum:
        how += f", momentum = {result.momentum:g} (its velocity is not saved)"
    if result.batch_size < result.samples:
        how += f", batches of {result.batch_size}, " + (f"shuffled with seed {result.seed}"
                                                       if result.shuffle else "in order")
    stopped = ""
    if result.halted is not None:
        k, e, _ = result.halted
        stopped = (f"# E was {e} at step {k}: training stopped, and these are the params of "
                   f"step {k - 1}, the last with a finite E.\n")
    return (f"# Trained by bpcli {__version__}: {plural(result.updates, 'step')} of gradient "
            f"descent, {how}, from {source}.\n{stopped}"
            f"# E{' on the whole set' if result.samples > 1 else ''}: "
            f"{result.final_loss!r} after training.\n" + history_comment(result.history))


HISTORY_MARK = "# E by step"  # what `bpcli report` looks for in a saved net's header
MAX_HISTORY = 2000  # points of the loss curve a saved file keeps (every k-th step past it)


def history_comment(history: list) -> str:
    """E at every step (every k-th of a long run), as comment lines for `bpcli report`'s
    loss curve: '# E by step 1, 2, …: 0.2440, …'."""
    if not history:
        return ""
    every = -(-len(history) // MAX_HISTORY)
    kept = [f"{e:.6g}" for e in history[::every]]
    head = f"{HISTORY_MARK}" + (f" (a point every {every} steps)" if every > 1 else "") + ":"
    lines, line = [], head
    for text in kept:
        if len(line) + len(text) + 2 > 100:
            lines.append(line)
            line = "#  "
        line += f" {text}"
    return "\n".join(lines + [line]) + "\n"


def read_history(text: str) -> tuple[list, int]:
    """(E by step, the step between points) from a saved net's header; ([], 1) if none."""
    values, every, inside = [], 1, False
    for line in text.splitlines():
        if line.startswith(HISTORY_MARK):
            inside = True
            head, _, rest = line.partition(":")
            if "every" in head:
                every = int("".join(ch for ch in head.split("every")[1] if ch.isdigit()) or 1)
        elif inside and line.startswith("#  "):
            rest = line[1:]
        else:
            if inside:
                break
            continue
        for word in rest.split():
            try:
                values.append(float(word))
            except ValueError:
                return [], 1
    return values, every
