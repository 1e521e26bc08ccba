"""Scan BibTeX text into raw entries and syntax diagnostics.

pybtex's low-level scanner does the tokenising, but its loop is driven here
so that each entry and field keeps its line and column, problems become
``Diagnostic`` objects (pybtex would raise or print them) and one unclosed
entry does not swallow the valid entries after it. Turning the raw entries
into references is the job of ``coursebuild.bibliography``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pybtex.database.input.bibtex import (LowLevelParser, SkipEntry,
                                         UndefinedMacro, month_names)
from pybtex.scanner import PrematureEOF, PybtexSyntaxError, TokenRequired
from pybtex.textutils import normalize_whitespace
from pybtex.utils import CaseInsensitiveDict

from .diagnostics import Diagnostic, error, warning

_ENTRY_AT_LINE_START = re.compile(r"\n[ \t]*@")


@dataclass
class RawEntry:
    """One entry as read: fields still in BibTeX form, with positions."""

    key: str
    entry_type: str
    line: int
    col: int
    fields: list[tuple[str, str, int, int]]  # name, value, line, column


class _Scanner(LowLevelParser):
    """pybtex's scanner, collecting errors and noting where fields start."""

    def __init__(self, text: str) -> None:
        # A fresh macro table: pybtex's default is a module-level dict that
        # @string definitions would leak into.
        super().__init__(text, macros=CaseInsensitiveDict(month_names))
        self.errors: list[PybtexSyntaxError] = []
        self.field_starts: list[int] = []

    def handle_error(self, error: PybtexSyntaxError) -> None:
        self.errors.append(error)

    def parse_field(self) -> None:
        self.eat_whitespace()
        start = self.pos
        super().parse_field()
        # pybtex keeps a field under this same condition: lists stay aligned.
        if self.current_field_name and self.current_value:
            self.field_starts.append(start)


class _Lines:
    """Offset to line and column (both 1-based) in one text."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def col(self, offset: int) -> int:
        return offset - self.starts[self.line(offset) - 1] + 1


def scan(text: str, path: str) -> tuple[list[RawEntry], list[Diagnostic]]:
    """Every entry that could be read, plus syntax diagnostics."""
    scanner, lines = _Scanner(text), _Lines(text)
    entries: list[RawEntry] = []
    diags: list[Diagnostic] = []
    gap_start, check_gap = 0, True
    while True:
        found = scanner.skip_to([scanner.AT])
        start = scanner.pos - 1 if found else len(text)
        if check_gap:
            diags += _junk(text, gap_start, start, lines, path)
        if not found:
            return entries, diags
        check_gap, what = _scan_command(scanner, start, lines, entries)
        if scanner.errors:
            # Text after a broken entry is probably its own remainder.
            check_gap = False
            diags += _command_errors(scanner, start, what, lines, path)
            scanner.errors = []
        gap_start = scanner.pos


def _scan_command(scanner: _Scanner, start: int, lines: _Lines,
                  entries: list[RawEntry]) -> tuple[bool, str | None]:
    """Parse one @command; return (check the next gap?, what it was).

    "What" names it in messages: "entry 'key'", "@string", or None when
    not even the command name and brace could be read.
    """
    scanner.command_start = start
    scanner.field_starts = []
    try:
        command, body = scanner.parse_command()
    except SkipEntry:  # @comment: BibTeX ignores all up to the next @
        return False, None
    except PybtexSyntaxError as err:
        scanner.errors.append(err)
        return False, None
    if command.lower() in ("string", "preamble"):
        return True, f"@{command.lower()}"
    if not body[0]:
        return True, "this entry"
    fields = [(name, normalize_whitespace("".join(value)), lines.line(pos),
               lines.col(pos))
              for (name, value), pos in zip(body[1], scanner.field_starts,
                                              strict=False)]
    entries.append(RawEntry(body[0], command.lower(), lines.line(start),
                             lines.col(start), fields))
    return True, f"entry '{body[0]}'"


def _command_errors(scanner: _Scanner, start: int, what: str | None,
                    lines: _Lines, path: str) -> list[Diagnostic]:
    """Diagnostics for one command's errors; resume at the next entry.

    An unclosed entry makes pybtex read on into the following ones. If an
    ``@`` starts a line inside the text it consumed, scanning resumes there
    and the errors past that point (mere consequences) are dropped.
    """
    errors, text = scanner.errors, scanner.text
    end = max([scanner.pos] + [_offset(e) for e in errors]) + 1
    # An undefined macro does not stop the parse, so it cannot overrun.
    overran = any(not isinstance(e, UndefinedMacro) for e in errors)
    resume = overran and _ENTRY_AT_LINE_START.search(text, start + 1, end)
    where = (lines.line(start), lines.col(start))
    diags = []
    if resume:
        resume_at = resume.end() - 1
        errors = [e for e in errors if _offset(e) < resume_at]
        scanner.pos, scanner.lineno = resume_at, lines.line(resume_at)
        diags.append(error(path, *where, "bib-syntax", _unclosed(
            what, f"before the next entry on line {lines.line(resume_at)}")))
    for err in errors:
        if isinstance(err, PrematureEOF):
            diags.append(error(path, *where, "bib-syntax",
                               _unclosed(what, "before the end of the file")))
        else:
            pos = _offset(err)
            diags.append(error(path, lines.line(pos), lines.col(pos),
                               "bib-syntax", _describe(err, what, text)))
    return diags


def _unclosed(what: str | None, until: str) -> str:
    """Message for an entry, or a stray '@', that runs on ``until``."""
    if what is None:
        return ("'@' does not start a valid entry here (BibTeX reads every "
                "'@' outside entries as one, even in % comments)")
    return f"{what} is not closed: a '}}' is missing {until}"


def _offset(err: PybtexSyntaxError) -> int:
    """Where the problem starts (pybtex reports the end of a bad macro)."""
    pos: int = err.error_context_info[2]
    return pos - len(err.args[0]) if isinstance(err, UndefinedMacro) else pos


def _describe(err: PybtexSyntaxError, what: str | None, text: str) -> str:
    """pybtex's terse message, reworded and with what was found instead."""
    where = f" in {what}" if what else ""
    if isinstance(err, TokenRequired):
        expected = err.args[0].removesuffix(" expected")
        rest = text[_offset(err):].split(None, 1)
        found = f"'{rest[0][:20]}'" if rest else "the end of the file"
        return f"expected {expected} but found {found}{where}"
    if isinstance(err, UndefinedMacro):
        name = err.args[0]
        return (f"undefined @string macro '{name}'{where}; "
                f"write literal text in braces: {{{name}}}")
    return f"{err.args[0]}{where}"


def _junk(text: str, start: int, end: int, lines: _Lines,
          path: str) -> list[Diagnostic]:
    """A warning for stray text between entries (often a brace slip).

    Lines starting with ``%`` are customary comments and are allowed.
    """
    offset = start
    for raw_line in text[start:end].split("\n"):
        stripped = raw_line.strip()
        if stripped and not stripped.startswith("%"):
            at = offset + raw_line.index(stripped[0])
            return [warning(path, lines.line(at), lines.col(at), "bib-syntax",
                            "text outside any entry is ignored: "
                            f"'{stripped[:40]}'")]
        offset += len(raw_line) + 1
    return []
