"""Reports as a LaTeX fragment (:mod:`.documents` says what; this, how): tabular tables,
display math in align*, text with its symbols (∂, ·, −, →, η, …) written as math.  It
compiles inside a document with amsmath and amssymb (the header comment says so)."""
from __future__ import annotations

from .documents import document

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}"}
_SYMBOLS = {"∂": r"\partial ", "·": r"\cdot ", "−": "-", "→": r"\to ", "′": "'",
            "✓": r"\checkmark ", "✗": r"\times ", "η": r"\eta ", "Σ": r"\Sigma ", "½": r"\frac{1}{2} ",
            "²": "^2", "×": r"\times ", "‖": r"\|", "⋆": r"\star ", "δ": r"\delta ",
            "ᵀ": r"^{\mathsf{T}}", "…": r"\ldots ", "—": "---", "⁻": "^-", "̂": ""}


def text(s: object) -> str:
    """Plain text for LaTeX: its special characters escaped, its symbols as inline math."""
    out = []
    for ch in str(s):
        if ch in _SYMBOLS:
            sym = _SYMBOLS[ch]
            out.append(sym if ch in "—" else f"${sym.strip()}$" if sym else "")
        else:
            out.append(_SPECIAL.get(ch, ch))
    return "".join(out).replace("$$", "")


class LatexWriter:
    def h(self, level: int, title: str) -> str:
        return f"\\{'sub' * (level - 2)}section*{{{text(title)}}}\n\n"

    def table(self, heads: list, rows: list, numbers: int) -> str:
        first = len(heads) - numbers
        cols = "".join("r" if k >= first else "l" for k in range(len(heads)))
        body = [" & ".join(text(h) for h in heads) + r" \\ \hline"]
        body += [" & ".join(text(c) for c in r) + r" \\" for r in rows]
        return f"\\begin{{tabular}}{{{cols}}}\n" + "\n".join(body) + "\n\\end{tabular}\n\n"

    def math(self, lines: list) -> str:
        return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n\n"

    def p(self, s: str, style: str = "", raw: bool = False) -> str:
        body = s if raw else text(s)
        return {"": body, "em": f"\\emph{{{body}}}", "strong": f"\\textbf{{{body}}}"}[style] + "\n\n"

    def code(self, s: str) -> str:
        return f"\\texttt{{{text(s)}}}"


HEADER = "% bpcli — a LaTeX fragment; \\usepackage{amsmath,amssymb} in the document that inputs it\n"


def latex(report: object, precision: int) -> str:
    return HEADER + document(report, precision, LatexWriter()).rstrip("\n") + "\n"
