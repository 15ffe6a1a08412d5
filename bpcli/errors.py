"""The mistakes bpcli reports to a person, as one line each.

Every error a user can cause is a :class:`BpcliError`: the command line prints
``Error: `` and its one line, and exits with its ``exit_code``; a Python caller
gets the same text from ``str(error)``.
"""
from __future__ import annotations


class BpcliError(Exception):
    """A mistake of the user's, told in one line (``str()``); never a traceback."""

    exit_code = 2

    def cli_text(self) -> str:
        """The line as the command line shows it (options spelt as on the command line)."""
        return str(self)


class NetError(BpcliError):
    """A mistake in a network file: ``str()`` names the file and line, then what to fix."""

    def __init__(self, path, line, message):
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path, self.line, self.message = path, line, message


class UsageError(BpcliError):
    """A setting that does not fit the network (a name --wrt does not know, a sample out of
    range) or a library function called with the wrong kind of argument.

    ``option`` is the setting's name (``wrt``, ``sample``; None for a general mistake),
    ``value`` what was given, ``reason`` what is wrong and how to fix it.
    """

    def __init__(self, option, value, reason):
        what = f"{option}={value!r}: " if option else ""
        super().__init__(what + reason)
        self.option, self.value, self.reason = option, value, reason

    def cli_text(self) -> str:
        if self.option is None:
            return self.reason
        return f"--{self.option.replace('_', '-')} {self.value}: {self.reason}"


class ResultError(UsageError):
    """Results that exist but cannot be used as asked (trained params that are not finite
    cannot be saved): exit status 1, as for a run that went wrong, not a wrong file."""

    exit_code = 1
