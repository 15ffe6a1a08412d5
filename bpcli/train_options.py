"""train's options, checked before any training: files it would write, and settings (from
the command line or the file's train: section) that would not do what was meant."""
from __future__ import annotations

import importlib.util
import os


from .errors import BpcliError
from .io.files import Unwritable, save_target
from .render.plot import SUFFIXES
from .stdout import warn
from .text import plural


def warn_settings(settings: dict, eta: float | None, batch_size: int | None, samples) -> None:
    """Settings that will not do what their giver meant, named as given: an option, or the
    file's train: section."""
    said = {k: f"--{k.replace('_', '-')}" if v is not None else f"train: {k}"
            for k, v in (("eta", eta), ("batch_size", batch_size))}
    if settings["eta"] < 0:
        warn(f"{said['eta']} {settings['eta']:g} is negative: every step climbs E instead of "
              "lowering it")
    b, n = settings["batch_size"], samples.count
    if b is not None and b > n:
        warn(f"{said['batch_size']} {b} is more than the {plural(n, 'sample')} of "
              f"{'the data set' if samples.several else 'this net (it has no data set)'}: "
              f"every step takes {'it' if n == 1 else 'them all'}")


def check_save(save: str, net: str | None, force: bool) -> None:
    """--save replaces an existing file only when it is NET itself, or with --force."""
    if force or not os.path.exists(save):
        return
    if net not in (None, "-") and os.path.exists(net) and os.path.samefile(save, net):
        return
    raise BpcliError(f"--save {save} exists; pass --force to replace it, or name another file")


def check_train_options(steps, epochs, save, plot):
    """Mistakes in train's options, found before any training."""
    if steps is not None and epochs is not None:
        raise BpcliError("give --steps or --epochs, not both")
    for option, path in (("--save", save), ("--plot", plot)):
        if path:
            try:
                save_target(path)
            except Unwritable as e:
                raise BpcliError(f"{option} {e}") from None
    if plot and not plot.lower().endswith(SUFFIXES):
        raise BpcliError(f"--plot {plot}: name a picture file ending in .png, .pdf or .svg")
    if save and not save.lower().endswith((".yaml", ".yml")):
        raise BpcliError(f"--save {save}: the trained network is written as YAML; name a file "
                        "ending in .yaml or .yml")
    if plot and importlib.util.find_spec("matplotlib") is None:
        raise BpcliError("--plot needs matplotlib, which is not installed: run pip install "
                        "matplotlib, or from bpcli's folder pip install '.[plot]'")
