"""'Did you mean …?' for misspelt names, sections and functions."""
import difflib


def closest(word, choices, cutoff=0.5):
    """The choice ``word`` was most likely meant to be, or None: a match that differs only
    in case first (W1 → w1), then the nearest by difflib's ratio."""
    word = str(word)
    choices = [str(c) for c in choices]
    for c in choices:
        if c.lower() == word.lower():
            return c
    hint = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return hint[0] if hint else None


def did_you_mean(word, choices, otherwise):
    """'did you mean 'x'?' for the closest choice, else ``otherwise`` (text, or a noun such
    as "sections", which lists the choices: "sections are a, b, c")."""
    hint = closest(word, choices)
    if hint:
        return f"did you mean {hint!r}?"
    if " " not in otherwise:
        return f"{otherwise} are " + ", ".join(map(str, choices))
    return otherwise
