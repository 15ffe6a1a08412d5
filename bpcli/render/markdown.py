"""Reports as GitHub-flavoured Markdown (:mod:`.documents` says what; this, how): pipe tables,
display math as $$ … $$ (GitHub and Jupyter render it)."""
from __future__ import annotations

from .documents import document


class MarkdownWriter:
    def h(self, level: int, text: str) -> str:
        return f"{'#' * level} {text}\n\n"

    def table(self, heads: list, rows: list, numbers: int) -> str:
        first = len(heads) - numbers
        lines = ["| " + " | ".join(_cell(h) for h in heads) + " |",
                 "|" + "|".join("---:" if k >= first else "---" for k in range(len(heads)))
                 + "|"]
        lines += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
        return "\n".join(lines) + "\n\n"

    def math(self, lines: list) -> str:
        return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$\n\n"

    def p(self, text: str, style: str = "", raw: bool = False) -> str:
        mark = {"": "", "em": "*", "strong": "**"}[style]
        return f"{mark}{text}{mark}\n\n"

    def code(self, text: str) -> str:
        return f"`{text}`"


def _cell(text: object) -> str:
    """A table cell: pipes escaped, one line."""
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown(report: object, precision: int) -> str:
    return document(report, precision, MarkdownWriter()).rstrip("\n") + "\n"
