"""A quiz as people read it: the question, the feedback on an answer, the score; and as a
worksheet in Markdown with its answer key on a page of its own.  Formatting only."""
from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from ..analysis.marking import MarkReport
from ..analysis.quiz import Question, Quiz
from .marking import uses_text, verdict_text
from .numbers import fmt

RIGHT = MarkReport.VERDICTS[0]
DIGITS = Quiz.DIGITS


def intro(quiz: Quiz) -> RenderableType:
    n = len(quiz.questions)
    lines = [Text(f"Quiz on {quiz.title}: {n} question{'s' * (n != 1)}", style="bold"),
             Text(f"Answer each to {DIGITS} significant digits; ∂E/∂name is a gradient" +
                  (", ∂a/∂b a local factor." if quiz.listing else "."), style="dim")]
    if quiz.listing:
        lines += [Text("  " + line) for line in quiz.listing]
    else:
        lines.append(Text(f"Its numbers: bpcli forward {quiz.source}", style="dim"))
    return Group(*lines)


def question_text(q: Question, number: int) -> str:
    return f"Q{number}. {q.prompt} = ?"


def feedback(q: Question, report: MarkReport | None, text: str, precision: int) -> RenderableType:
    """What an answer gets: its verdict (and slip); when wrong, the right answer's breakdown."""
    if report is None:
        return Text.assemble(("✗ not a number", "red bold"), f": {text.strip()!r}; ",
                             *_breakdown(q, precision))
    row = report.rows[0]
    if row.verdict == RIGHT:
        return Text.assemble(verdict_text(row.verdict), f" ({fmt(q.right, precision)})")
    return Text.assemble(verdict_text(row.verdict, row.diagnosis), "\n  ", *_breakdown(q, precision))


def _breakdown(q: Question, precision: int) -> list:
    uses = uses_text(q.uses, precision)
    return ["the right answer is ", (fmt(q.right, precision), "bold"), f": {q.formula}",
            f"\n  with {uses}" if uses else ""]


def score(right: int, asked: int, answered: int) -> Text:
    missing = asked - answered
    return Text(f"Score: {right} of {asked}" + (f" ({missing} not answered)" if missing else ""),
                style="bold green" if right == asked else "bold")


def worksheet(quiz: Quiz) -> str:
    """The questions, in Markdown, with the net to work from."""
    lines = [f"# Backpropagation worksheet: {quiz.title}", "",
             f"Give each answer to {DIGITS} significant digits. E is the loss; ∂E/∂name is a "
             "gradient" + (", ∂a/∂b the local factor of a on b" if quiz.net_text else "") +
             (f"; updates are one step of gradient descent with η = {quiz.eta:g}." if any(
                 q.kind == "update" for q in quiz.questions) else "."), ""]
    if quiz.net_text:
        lines += ["```yaml", quiz.net_text.rstrip(), "```", ""]
    else:  # a layer net: its file holds the numbers (or makes them from seeds)
        lines += [f"The network is `{quiz.source}`; `bpcli forward {quiz.source}` shows every "
                  "value. Elements are indexed as its tables index them.", ""]
    for i, q in enumerate(quiz.questions, 1):
        lines.append(f"{i}. {q.prompt} = ________")
    return "\n".join(lines) + "\n"


def answer_key(quiz: Quiz, precision: int) -> str:
    """The answers, each with its formula and the values it uses."""
    lines = [f"# Answer key: {quiz.title}", "",
             f"An answer is right within half a unit of its {DIGITS}th significant digit "
             f"(questions drawn with seed {quiz.seed}).", ""]
    for i, q in enumerate(quiz.questions, 1):
        uses = uses_text(q.uses, precision)
        lines.append(f"{i}. {q.prompt} = **{fmt(q.right, precision)}**  ")
        lines.append(f"   {q.formula}" + (f", with {uses}" if uses else ""))
    return "\n".join(lines) + "\n"
