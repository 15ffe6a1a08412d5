"""bpcli: a backpropagation calculator — every value, every partial derivative, every step.

As a library (see :mod:`bpcli.api`)::

    import bpcli
    net = bpcli.load("configs/xor.yaml")
    bpcli.show(bpcli.grad(net, wrt="w1"))

The API's names are read from :mod:`bpcli.api` when first used, so that `import bpcli`
(and the command line, which imports it first) costs little.
"""
from typing import TYPE_CHECKING

from .errors import BpcliError, NetError, UsageError
from .lazy import attribute
from .version import __version__

if TYPE_CHECKING:
    from .api import (Chain, CheckReport, ElementChain, ForwardReport, GradReport, MarkReport,
                      Quiz, Run, SampleChain, StepReport, TensorGrad, TrainResult, VectorGrads,
                      answer, check, default, document, explain, forward, grad, load, loads,
                      mark, picture, quiz, random_net, run, save, show, step, train)

__all__ = ["BpcliError", "Chain", "CheckReport", "ElementChain", "ForwardReport", "GradReport",
           "MarkReport", "NetError", "Quiz", "Run", "SampleChain", "StepReport", "TensorGrad",
           "TrainResult", "UsageError", "VectorGrads", "__version__", "answer", "check",
           "default", "document", "explain", "forward", "grad", "load", "loads", "mark", "picture", "quiz",
           "random_net", "run", "save", "show", "step", "train"]
LAZY = dict.fromkeys([n for n in __all__ if n not in globals()], "bpcli.api")


def __getattr__(name: str) -> object:
    return attribute(__name__, LAZY, name)


def __dir__() -> list[str]:
    return sorted({*globals(), *LAZY})
