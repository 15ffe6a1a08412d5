"""bpcli: a backpropagation calculator — every value, every partial derivative, every step.

As a library (see :mod:`bpcli.api`)::

    import bpcli
    net = bpcli.load("configs/xor.yaml")
    bpcli.show(bpcli.grad(net, wrt="w1"))
"""
from .api import (Chain, CheckReport, ElementChain, ForwardReport, GradReport, MarkReport, Quiz,
                  Run, SampleChain, StepReport, TensorGrad, TrainResult, VectorGrads, answer,
                  check, default, document, explain, forward, grad, load, loads, mark, picture, quiz,
                  random_net, run, save, show, step, train)
from .errors import BpcliError, NetError, UsageError
from .version import __version__

__all__ = ["BpcliError", "Chain", "CheckReport", "ElementChain", "ForwardReport", "GradReport",
           "MarkReport", "NetError", "Quiz", "Run", "SampleChain", "StepReport", "TensorGrad",
           "TrainResult", "UsageError", "VectorGrads", "__version__", "answer", "check",
           "default", "document", "explain", "forward", "grad", "load", "loads", "mark", "picture", "quiz",
           "random_net", "run", "save", "show", "step", "train"]
