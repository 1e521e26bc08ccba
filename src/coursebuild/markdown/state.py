"""Per-page state shared by the Markdown rules while one page renders.

One :class:`PageState` lives in markdown-it's ``env`` under ``"cb"``. Rules
run in document order, so numbering (citations, side notes) follows reading
order, and every problem is recorded as a diagnostic with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from ..diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from ..bibliography import Bibliography


@dataclass(frozen=True)
class GlossaryTerm:
    """A term any page may mark, with where it is defined."""

    term: str
    anchor: str
    definition: str


@dataclass(frozen=True)
class CiteSite:
    """One place a work is cited: the anchor id on this page and its line."""

    key: str
    anchor: str
    line: int


@dataclass
class PageState:
    path: str
    """Source path relative to the course folder."""
    line_offset: int
    """Added to a body line (0-based) to get the file line (1-based)."""
    source_lines: list[str]
    bibliography: "Bibliography"
    citation_style: str = "numeric"
    glossary: Mapping[str, GlossaryTerm] = field(default_factory=dict)
    glossary_autolink: bool = True
    cited: dict[str, int] = field(default_factory=dict)
    """Cited keys in first-citation order, with their number."""
    cite_sites: list[CiteSite] = field(default_factory=list)
    sidenotes: int = 0
    marginnotes: int = 0
    glossary_used: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    in_note: bool = False
    math_macros: tuple[tuple[str, str], ...] = ()
    """Course-wide KaTeX macros (name, expansion), sorted."""
    fragment_line: int = 0
    """File line of the shortcode whose text is being rendered inline."""

    def file_line(self, body_line: int) -> int:
        return body_line + self.line_offset

    def column(self, line: int, snippet: str, start: int = 0, end: int | None = None) -> int:
        """1-based column of ``snippet`` on file ``line``, looked for between the
        0-based offsets ``start`` and ``end`` of the line (0 when not found)."""
        if 1 <= line <= len(self.source_lines):
            index = self.source_lines[line - 1].find(snippet, start, end)
            if index >= 0:
                return index + 1
        return 0

    def report(self, severity: Severity, line: int, col: int, rule: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, col, severity, rule, message))
