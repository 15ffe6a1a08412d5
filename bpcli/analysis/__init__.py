"""What bpcli computes above the engine: runs and their diagnostics, reports, the
explanations of --wrt, training, the gradient check, saving.

Each name is imported from its module when first read (`analysis.traced` imports
:mod:`.tracing` alone): `bpcli forward` needs neither training nor the explanations.  A
name that is also a module's (check, train, save, report_page, quiz, picture, export) is
the module: ``analysis.train.train``.
"""
from ..lazy import attribute

LAZY = {
    **dict.fromkeys(["CheckReport", "CheckRow", "check"], "bpcli.analysis.check"),
    **dict.fromkeys(["ConvRule", "conv_rule", "pool_checks", "pool_maps"],
                    "bpcli.analysis.tensor_rules"),
    **dict.fromkeys(["ElementChain", "element_chain"], "bpcli.analysis.elements"),
    **dict.fromkeys(["TensorGrad", "VectorGrads", "by_paths", "explain", "explanations"],
                    "bpcli.analysis.explain"),
    **dict.fromkeys(["Chain", "SampleChain", "chain"], "bpcli.analysis.paths"),
    **dict.fromkeys(["ForwardReport", "forward_report"], "bpcli.analysis.reports"),
    **dict.fromkeys(["GradReport", "grad_report"], "bpcli.analysis.grads"),
    "SoftmaxCheck": "bpcli.analysis.softmax",
    **dict.fromkeys(["traced", "tracing"], "bpcli.analysis.tracing"),
    **dict.fromkeys(["check_savable", "save", "save_trained", "write_text"], "bpcli.analysis.save"),
    **dict.fromkeys(["MarkReport", "mark", "marking", "shapes", "world_for"],
                    "bpcli.analysis.marking"),
    "dp": "bpcli.analysis.dp", "export": "bpcli.analysis.export",
    "picture": "bpcli.analysis.picture",
    **dict.fromkeys(["ReportPage", "report_page"], "bpcli.analysis.report_page"),
    **dict.fromkeys(["Question", "Quiz", "answer", "make_quiz", "quiz", "random_net", "score"],
                    "bpcli.analysis.quiz"),
    **dict.fromkeys(["UnitBreakdown", "unit_breakdown"], "bpcli.analysis.units"),
    **dict.fromkeys(["read_work", "reads_work"], "bpcli.analysis.work"),
    **dict.fromkeys(["StepReport", "StepRow", "one_step"], "bpcli.analysis.step"),
    **dict.fromkeys(["TrainResult", "plan_steps", "require_params", "resolve_settings", "train"],
                    "bpcli.analysis.train"),
}
__all__ = sorted(LAZY)


def __getattr__(name: str) -> object:
    return attribute(__name__, LAZY, name)
