"""The learner's commands: `mark` (a derivation of one's own, marked step by step) and
`quiz` (questions to answer at the terminal, or a worksheet)."""
from __future__ import annotations

import inspect
import os
import re
import sys

import click
from rich.text import Text

from . import analysis, api
from .errors import BpcliError
from .options import UserError, finite_eta, format_option, load_net, precision_option
from .render.json import quiz_document
from .render.quiz import answer_key, feedback, intro, question_text, score, worksheet
from .stdout import console_out, emit, emit_json, warn

WORK_HELP = """\
WORK is a YAML file of your own numbers, any of:

\b
  values:  {H1: 0.15, fH1: 0.5374, O1: 0.4680}       # forward values
  grads:   {fO1: 0.6049, O1: 0.1432, w1: 0.0042}     # ∂E/∂name
  factors: {"fO1/O1": 0.2368, "O1/fH1": 0.40}        # local ∂a/∂b
  update:  {eta: 0.5, w3: 0.3615}                    # params after one step

In a layer net, name elements ('conv1.weight[0,0,1,1]': 0.12) or give whole grids."""


sample_option = click.option(
    "--sample", type=click.IntRange(min=0), default=None, metavar="K",
    help="For a data set or a batch: work on sample K (the net on that sample alone); a "
         "derivation by hand is one sample's.")


def _work_help(f):
    """The help's WORK paragraph, before NET's."""
    f.__doc__ = inspect.cleandoc(f.__doc__).replace("NET is the network", WORK_HELP + "\n\nNET is the network")
    return f


@click.command()
@click.argument("files", nargs=-1, metavar="[NET] WORK")
@format_option
@precision_option
@click.option("--tol", type=click.FloatRange(min=0, min_open=True), default=None, metavar="T",
              help="One absolute tolerance for every number (default: each number's own "
                   "rounding, widened by what it inherits).")
@sample_option
@click.pass_context
@_work_help
def mark(ctx: click.Context, files: tuple[str, ...], fmt: str, precision: int,
         tol: float | None, sample: int | None) -> None:
    """Mark your own derivation number by number, as a teacher marks homework.

    Each number is right (within the rounding you wrote it with), right given your
    earlier numbers (the step done right on a wrong number from before), or wrong;
    a wrong number is checked against the usual slips (the sign, one path of two,
    f for f′, a factor left out, + in the update, the mean-pool share), and the first
    wrong step is written out with its formula and the values it should use.
    Exit status 0 when all is right, 1 when something is not.

    NET is the network (default: the embedded seed net); - reads it from standard input.

    \b
    Example:
      bpcli mark configs/work/seed-work.yaml
      bpcli mark configs/conv-pool.yaml my-work.yaml --format json
    """
    if len(files) not in (1, 2):
        raise UserError("give WORK, or NET then WORK: bpcli mark [NET] WORK.yaml"
                        + (f" (got {len(files)} files)" if files else ""))
    net, work = (None, files[0]) if len(files) == 1 else files
    if net == "-" and work == "-":
        raise UserError("NET and WORK cannot both be standard input; give one as a file")
    try:
        network = load_net(net)
    except BpcliError:
        if net and _looks_like_work(net):  # the two given the other way round
            raise UserError(f"{net} is a WORK file (values:, grads:, factors:, update:), not a "
                            "network; give the net first: bpcli mark NET WORK") from None
        raise
    report = api.mark(network, work, tol, sample)
    for w in report.warnings:
        warn(w)
    emit(fmt, report, precision)
    if not report.all_right:
        ctx.exit(1)


def _looks_like_work(path: str) -> bool:
    """Does the file start a line with a WORK file's section?"""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16).decode("utf-8", "replace")
    except OSError:
        return False
    return re.search(r"^(values|grads|factors|update)\s*:", head, re.M) is not None


MAX_ANSWER = 200  # characters of an answer line read; the rest of the line is skipped


@click.command()
@click.argument("net", required=False, metavar="[NET]")
@click.option("--ask", type=click.Choice(["value", "factor", "grad", "update"]), default=None,
              help="Ask only for values, local factors ∂a/∂b, gradients ∂E/∂name, or params "
                   "after one update (default: a mix).")
@click.option("--count", type=click.IntRange(1, 1000), default=5, show_default=True, metavar="N",
              help="How many questions.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, metavar="S",
              help="Which questions (and with --random, which net).")
@click.option("--random", "fresh", is_flag=True,
              help="A fresh 2-2-2 or 2-3-1 sigmoid net made from --seed, numbers with two "
                   "decimals: a different net for every seed.")
@click.option("--eta", type=float, default=None, metavar="ETA", callback=finite_eta,
              help="η for update questions (default: the train: section's, else 0.5).")
@sample_option
@click.option("--worksheet", type=click.Path(dir_okay=False), default=None, metavar="FILE.md",
              help="Write the questions to FILE.md and the answer key to FILE.key.md instead "
                   "of asking.")
@click.option("--force", is_flag=True, help="Let --worksheet replace files that exist.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Text for people, or JSON of the questions, answers "
                                      "and score (stdout only).")
@precision_option
@click.pass_context
def quiz(ctx: click.Context, net: str | None, ask: str | None, count: int, seed: int,
         fresh: bool, eta: float | None, sample: int | None, worksheet: str | None, force: bool,
         fmt: str, precision: int) -> None:
    """Practice: answer questions about a net; each answer is marked as `mark` does.

    A wrong answer gets the slip it matches and the right answer's breakdown; the quiz
    ends with a score (exit status 0 when every answer is right, else 1). On a terminal
    it asks; otherwise it reads one answer a line from standard input.

    NET is a network file (default: the embedded seed net).

    \b
    Example:
      bpcli quiz --ask grad --count 3
      bpcli quiz --random --seed 7 --worksheet week3.md
    """
    if fresh and net:
        raise UserError("--random makes its own net; give NET or --random, not both")
    if net == "-" and not worksheet:
        raise UserError("NET from standard input leaves no answers to read there; give NET as "
                        "a file (or write a --worksheet)")
    if worksheet is not None:
        key = _key_path(worksheet)
    network = api.random_net(seed) if fresh else load_net(net)
    q = api.quiz(network, ask, count, seed, eta, sample)
    if worksheet:
        _write_worksheet(q, worksheet, key, force, precision, fmt)
        return
    results = _ask(q, fmt, precision)
    right = analysis.score(results)
    if fmt == "json":
        emit_json(quiz_document(q, results, right))
    else:
        console_out().print(score(right, len(q.questions), len(results)))
    if right < len(q.questions):
        ctx.exit(1)


def _ask(q, fmt, precision):
    """(answer, marked) per question answered: on a terminal by prompt, else a line each
    from standard input, until the questions or the answers run out."""
    console, results = console_out(), []
    tty = sys.stdin is not None and sys.stdin.isatty()
    if fmt != "json":
        console.print(intro(q))
    for number, question in enumerate(q.questions, 1):
        text = question_text(question, number)
        if tty:
            try:
                given = click.prompt(text, prompt_suffix=" ", default="", show_default=False,
                                     err=fmt == "json")
            except click.Abort:  # Ctrl-D: the quiz ends here
                break
        else:
            given = _read_answer()
            if not given:
                break
            if fmt != "json":
                console.print(Text(f"{text} {given.strip()}"))
        marked = api.answer(q, number, given)
        results.append((given.strip(), marked))
        if fmt != "json":
            console.print(feedback(question, marked, given, precision))
    return results


def _key_path(path):
    """FILE.md → FILE.key.md, for a worksheet's name that is a Markdown file."""
    if path == "-" or not path.endswith(".md") or path.endswith(".key.md"):
        raise UserError(f"--worksheet {path}: name a Markdown file such as week3.md (its answer "
                        "key goes beside it, as week3.key.md)")
    return path[:-3] + ".key.md"


def _write_worksheet(q, path, key, force, precision, fmt):
    for target in (path, key):
        if os.path.isdir(target):
            raise UserError(f"{target} is a folder; name a file")
        if os.path.exists(target) and not force:
            raise UserError(f"{target} exists; pass --force to replace it, or name another file")
        if not os.path.isdir(os.path.dirname(os.path.abspath(target))):
            raise UserError(f"{target}: its folder does not exist")
    analysis.write_text(path, worksheet(q))
    analysis.write_text(key, answer_key(q, precision))
    if fmt == "json":
        emit_json({**quiz_document(q, [], 0), "worksheet": path, "answer_key": key})
    else:
        click.echo(f"wrote {path} ({len(q.questions)} question{'s' * (len(q.questions) != 1)}) "
                   f"and {key} (the answers)")


def _read_answer() -> str:
    """One line of standard input, at most MAX_ANSWER characters of it ('' at its end)."""
    if sys.stdin is None:
        return ""
    line = sys.stdin.readline(MAX_ANSWER + 1)
    rest = line
    while rest and not rest.endswith("\n") and len(line) > MAX_ANSWER:
        rest = sys.stdin.readline(1 << 16)  # the rest of an overlong line, skipped
    return line if len(line) <= MAX_ANSWER else line[:MAX_ANSWER] + "…\n"  # no number
