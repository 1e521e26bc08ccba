"""Diagnostics as data: every problem the pipeline finds, with its position.

Each stage returns diagnostics instead of raising, so a build reports every
problem at once and then decides its exit code (see ``cli``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum
from typing import Iterable


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one input file.

    ``path`` is relative to the course folder (POSIX separators); ``line`` and
    ``col`` are 1-based, 0 when unknown. ``rule`` is a stable identifier
    (e.g. ``citation-key``) that tests and ``--strict`` can rely on.
    """

    path: str
    line: int
    col: int
    severity: Severity
    rule: str
    message: str

    def format(self) -> str:
        where = self.path or "."
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return f"{where}: {self.severity.value}: {self.message}"


def error(path: str, line: int, col: int, rule: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, col, Severity.ERROR, rule, message)


def warning(path: str, line: int, col: int, rule: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, col, Severity.WARNING, rule, message)


def info(path: str, line: int, col: int, rule: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, col, Severity.INFO, rule, message)


def count(diags: Iterable[Diagnostic], severity: Severity) -> int:
    return sum(1 for d in diags if d.severity is severity)


def suggest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to ``word``, best first (for "did you mean")."""
    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.5)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ready-made suffix such as ``" (did you mean 'title'?)"`` or ``""``."""
    close = suggest(word, candidates)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.path, d.line, d.col, d.message)
