"""A network file's optional `train:` section: the defaults of `bpcli train` for that net
(eta, steps or epochs, batch_size, momentum, seed, shuffle), checked like every section.

Options on the command line (or arguments of ``bpcli.train``) override them; a net saved
after training keeps the section as written.
"""
from __future__ import annotations

from ..io.yamlfile import LineMap
from ..text import did_you_mean
from .values import Checker

KEYS = ("eta", "steps", "epochs", "batch_size", "momentum", "seed", "shuffle")


def read_training(doc: LineMap, check: Checker) -> dict:
    """The `train:` section as plain values ({} without one), or a mistake naming its line."""
    if "train" not in doc or doc["train"] is None:
        return {}
    raw, line = doc["train"], doc.lines["train"]
    if not isinstance(raw, LineMap):
        check.fail(line, "train: is a mapping of train's settings, e.g. {eta: 2, steps: 2000}")
    settings: dict = {}
    for key, value in raw.items():
        at = raw.lines.get(key, line)
        if key not in KEYS:
            check.fail(at, f"unknown train setting {key!r}; {did_you_mean(key, KEYS, 'settings')}")
        if key == "eta":
            settings[key] = float(check.number(value, "train: eta", at))
        elif key == "momentum":
            settings[key] = float(check.number(value, "train: momentum", at))
            if not 0 <= settings[key] < 1:
                check.fail(at, f"train: momentum must be in [0, 1), not {value}")
        elif key == "shuffle":
            if str(value).lower() not in ("true", "false", "yes", "no"):
                check.fail(at, f"train: shuffle is true or false, not {value!r}")
            settings[key] = str(value).lower() in ("true", "yes")
        else:
            least = 1 if key == "batch_size" else 0
            settings[key] = check.integer(value, f"train: {key}", at, minimum=least)
    if "steps" in settings and "epochs" in settings:
        check.fail(line, "train: give steps or epochs, not both")
    return settings
