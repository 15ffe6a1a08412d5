"""What `bpcli report` puts on its page, computed once: the picture, the forward and grad
reports, and each param's explanation (its chain rule, or a layer's tensor and conv rule)."""
from __future__ import annotations

from dataclasses import dataclass

from ..nets import Net
from .picture import Picture, picture
from .save import read_history
from .grads import GradReport, grad_report
from .reports import ForwardReport, forward_report
from .tracing import traced


@dataclass
class ReportPage:
    title: str
    source: str  # the network file's text
    picture: Picture
    forward: ForwardReport
    grad: GradReport
    chains: list  # (label, explanation) of each param
    warnings: list
    history: list = None  # E by step of the training that saved the file (train --save)
    every: int = 1  # the steps between its points


def report_page(net: Net, source: str, where: str) -> ReportPage:
    trace, warnings = traced(net.build())
    targets = [net.resolve(p, where) for p in net.params]
    explained = grad_report(net, trace, targets, None, warnings).explanations
    chains = []
    for e in explained:
        label = (getattr(e, "wrt", None) or getattr(getattr(e, "at_sample", None), "wrt", None)
                 or getattr(e, "name", None)
                 or (f"{e.layer}: its rule" if hasattr(e, "layer") else "every param"))
        chains.append((label, e))
    history, every = read_history(source)
    return ReportPage(net.title, source, picture(net), forward_report(net, trace, warnings),
                      grad_report(net, trace, (), None, warnings), chains, list(warnings),
                      history, every)
