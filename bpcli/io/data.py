"""Data sets for training: .csv and .npz files (paths relative to the network file) and a
generated image task.  Every array here has the samples on its first axis.

A mistake raises :class:`DataError` with what to fix; the network file's loader, which
knows the line of the `data:` section, turns it into a one-line error.
"""
from __future__ import annotations

import io
import os
from typing import Mapping

import numpy as np

from ..budget import limit, raise_hint
from ..text import parse_number
from .files import TooLarge, read_bounded


class DataError(Exception):
    """A mistake in a data file or column; the network file's loader adds its line."""


def resolve(path: str, netpath: str) -> str:
    """A data path as written is relative to the network file's folder."""
    if os.path.isabs(path) or netpath.startswith("<"):
        return path
    return os.path.join(os.path.dirname(os.path.abspath(netpath)), path)


class CsvColumn:
    """A CSV column as text, read as numbers only when the network uses it."""

    def __init__(self, name, cells):
        self.name, self.cells = name, cells  # [(csv line, text)]


def read_csv(path: str, shown: str) -> dict[str, CsvColumn]:
    """CSV with a header row → {column: its cells}; a used column's mistakes name the CSV line."""
    import csv  # here, not above: only a data file needs it (start-up of every command)

    if os.path.exists(path) and not os.path.isfile(path):  # a FIFO would wait for ever
        raise DataError(f"data file {shown} is not a regular file")
    try:
        with open(path, "rb") as f:
            text = read_bounded(f).decode("utf-8-sig")  # -sig: Excel's byte-order mark
        # strict: a quote never closed is a mistake, not a cell that runs to the end; a cell
        # may be as long as the file (a long note in a column the net does not use)
        csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows = []
        for row in reader:
            rows.append((reader.line_num, row))  # a record's last line
    except FileNotFoundError:
        raise DataError(f"data file {shown} does not exist (paths are relative to the network file)")
    except TooLarge as e:
        raise DataError(f"data file {shown} {e}") from None
    except csv.Error as e:
        raise DataError(f"{shown}:{reader.line_num}: {_csv_problem(e)}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"cannot read data file {shown}: {getattr(e, 'strerror', None) or e}")
    rows = [(k, r) for k, r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 2:
        raise DataError(f"data file {shown} needs a header row naming the columns and at least one row")
    (_, header), body = rows[0], rows[1:]
    header = [h.strip() for h in header]
    for c, h in enumerate(header):
        if h in header[:c]:
            raise DataError(f"{shown}:1: column {h!r} is named twice; rename one")
    for k, row in body:
        if len(row) != len(header):
            raise DataError(f"{shown}:{k}: {len(row)} cells, but the header has {len(header)}")
    return {h: CsvColumn(h, [(k, row[c]) for k, row in body]) for c, h in enumerate(header)}


def _csv_problem(e: Exception) -> str:
    """The csv module's words for a mistake (a csv.Error), as a person would say them."""
    import csv  # (read_csv has imported it)

    text = str(e)
    if "unexpected end of data" in text or "EOF" in text:
        return "a quote opened here is never closed; close it, or remove it"
    if "field larger than field limit" in text:
        return (f"a cell longer than {csv.field_size_limit():,} characters; a CSV for bpcli holds "
                "numbers")
    return f"not CSV bpcli can read ({text})"


def _numbers(col, shown):
    values = np.empty(len(col.cells))
    for r, (k, cell) in enumerate(col.cells):
        number = parse_number(cell)
        if number is None:
            raise DataError(f"{shown}:{k}: column {col.name!r} holds {cell.strip()!r}, not a number")
        values[r] = number
        if not np.isfinite(values[r]):
            raise DataError(f"{shown}:{k}: column {col.name!r} holds {cell.strip()}, not a finite number")
    return values


def read_npz(path: str, shown: str) -> dict[str, np.ndarray]:
    """An .npz of number arrays; each array's header is read first, so that one too large
    for the budget is refused before anything is decompressed."""
    import zipfile  # here, not above: only an .npz needs it (zipfile imports pathlib, urllib…)

    if os.path.exists(path) and not os.path.isfile(path):
        raise DataError(f"data file {shown} is not a regular file")
    try:
        _check_npz_headers(path, shown)
        with np.load(path, allow_pickle=False) as z:
            raw = {k: z[k] for k in z.files}
        for k, a in raw.items():
            if a.dtype.kind not in "biuf":
                raise DataError(f"data file {shown}: array {k!r} holds {a.dtype} values, not real numbers")
        arrays = {k: a.astype(np.float64) for k, a in raw.items()}
    except FileNotFoundError:
        raise DataError(f"data file {shown} does not exist (paths are relative to the network file)")
    except (OSError, ValueError, TypeError, EOFError, zipfile.BadZipFile):
        raise DataError(f"data file {shown} is not an .npz of number arrays (np.savez makes one)")
    for k, a in arrays.items():
        if not np.all(np.isfinite(a)):
            raise DataError(f"data file {shown}: array {k!r} holds nan or inf")
    return arrays


_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0,
            (2, 0): np.lib.format.read_array_header_2_0}


def _check_npz_headers(path, shown):
    """Every array's shape, read off its header, within the budget's values, and all of
    them, decompressed, within the bytes it reads."""
    import zipfile  # (read_npz has imported it)

    most = limit("tensor_values")
    with zipfile.ZipFile(path) as z:
        size, budget = sum(info.file_size for info in z.infolist()), limit("file_bytes")
        if size > budget:
            raise DataError(f"data file {shown} holds {size / 2**20:,.0f} MB of arrays "
                            f"(decompressed), more than the {budget / 2**20:g} MB bpcli reads; "
                            f"{raise_hint()}")
        for info in z.infolist():
            with z.open(info) as f:
                read_header = _HEADERS.get(np.lib.format.read_magic(f))
                if read_header is None:
                    raise ValueError("an .npy version bpcli does not read")
                shape, _, _ = read_header(f)
            values = int(np.prod(shape, dtype=float))
            if values > most:
                name = info.filename.removesuffix(".npy")
                raise DataError(f"data file {shown}: array {name!r} holds {values:,} values, more "
                                f"than bpcli's {most:,}; {raise_hint()}")


def read_file(path: str, netpath: str) -> Mapping[str, CsvColumn | np.ndarray]:
    full = resolve(path, netpath)
    if path.endswith(".csv"):
        return read_csv(full, path)
    if path.endswith(".npz"):
        return read_npz(full, path)
    raise DataError(f"data file {path}: bpcli reads .csv and .npz files")


def column(columns: Mapping[str, CsvColumn | np.ndarray], name: str, shown: str) -> np.ndarray:
    """One column (CSV) or array (NPZ) as float64, with at least one sample."""
    if name not in columns:
        what = "array" if str(shown).lower().endswith(".npz") else "column"
        raise DataError(f"data {shown} has no {what} {name!r} (it has {', '.join(columns)})")
    col = columns[name]
    values = _numbers(col, shown) if isinstance(col, CsvColumn) else col
    if values.ndim == 0 or len(values) == 0:
        raise DataError(f"data {shown}: {name!r} holds no samples")
    return values


# ------------------------------------------------------------------ a generated image task

def bars(samples: int = 300, size: int = 8, noise: float = 0.1, seed: int = 0
         ) -> tuple[np.ndarray, np.ndarray]:
    """Images of one bar on a noisy background: class 0 a horizontal bar, 1 a vertical
    bar, 2 a diagonal (either direction); position, brightness and noise vary.
    The same arguments give the same images on every machine (NumPy's PCG64).

    Returns (N×1×size×size images, N class indices).
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(samples) % 3
    rng.shuffle(labels)
    r = np.arange(size)
    pos = rng.integers(1, size - 1, samples)  # the bar's row, column or diagonal offset
    lo, hi = -(size // 3), size // 3
    offset = rng.integers(lo, hi + 1, samples)
    flip = rng.random(samples) < 0.5
    row = r[None, :, None]
    col = r[None, None, :]
    horizontal = row == pos[:, None, None]
    vertical = col == pos[:, None, None]
    d = np.where(flip[:, None, None], row + col - (size - 1), row - col)
    diagonal = d == offset[:, None, None]
    mask = np.where((labels == 0)[:, None, None], horizontal,
                    np.where((labels == 1)[:, None, None], vertical, diagonal))
    brightness = rng.uniform(0.6, 1.0, samples)[:, None, None]
    images = mask * brightness + noise * rng.standard_normal((samples, size, size))
    return images[:, None].astype(np.float64), labels
