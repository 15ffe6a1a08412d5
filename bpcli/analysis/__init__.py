"""What bpcli computes above the engine: runs and their diagnostics, reports, the
explanations of --wrt, training, the gradient check, saving."""
from .check import CheckReport, CheckRow, check
from .explain import (ConvRule, ElementChain, SampleChain, TensorGrad, VectorGrads, by_paths, chain,
                      element_chain, explanations)
from .paths import Chain
from .reports import ForwardReport, GradReport, SoftmaxCheck, forward_report, grad_report
from .tracing import traced
from .save import check_savable, save, save_trained, write_text
from .marking import MarkReport, mark, shapes, world_for
from . import export, picture
from .report_page import ReportPage, report_page
from .quiz import Question, Quiz, answer, make_quiz, random_net, score
from .units import UnitBreakdown, unit_breakdown
from .work import read_work, reads_work
from .step import StepReport, StepRow, one_step
from .train import TrainResult, plan_steps, require_params, resolve_settings, train

__all__ = ["export", "ReportPage", "report_page", "picture", "UnitBreakdown", "unit_breakdown", "ConvRule", "Question", "Quiz", "answer", "make_quiz", "random_net", "score", "MarkReport", "mark", "shapes", "world_for", "read_work", "reads_work", "Chain", "CheckReport", "CheckRow", "StepReport", "StepRow", "one_step", "ElementChain", "ForwardReport", "GradReport",
           "SampleChain", "SoftmaxCheck", "TensorGrad", "TrainResult", "VectorGrads", "by_paths",
           "chain", "check", "element_chain", "explanations", "forward_report", "grad_report",
           "check_savable", "plan_steps", "require_params", "resolve_settings", "save", "save_trained", "traced", "train",
           "write_text"]
