"""Control characters in source files: dropped, with a warning at the first one.

U+0000–U+001F (except tab and newline; carriage returns are already newlines
by now) and U+007F have no meaning in a web page, and the HTML standard makes
them parse errors. An author never means them: they come from copying out of
PDFs or terminals, so they are removed and the author is told where.
"""

from __future__ import annotations

import re

from .diagnostics import Diagnostic, warning

CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def drop_control_characters(text: str, path: str, first_line: int = 1) -> tuple[str, list[Diagnostic]]:
    """``text`` without control characters, and a warning at the first one (file line/column)."""
    first = CONTROL_RE.search(text)
    if first is None:
        return text, []
    start = first.start()
    line = first_line + text.count("\n", 0, start)
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    cleaned, found = CONTROL_RE.subn("", text)
    more = f" (and {found - 1} more in this file)" if found > 1 else ""
    message = f"control character U+{ord(first.group()):04X} removed{more}"
    return cleaned, [warning(path, line, col, "control-character", message)]
