"""Where the values of a JSON document stand, for diagnostics with line:col.

``json.loads`` is fast and exact but forgets positions; this scanner runs
over the same (already valid) text once and records the offset of every
value down to ``depth`` levels, by its path: ``("elhage2022toy",)`` is an
entry of a JSON map, ``(3, "author")`` the author list of the fourth item
of a CSL-JSON array.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

Path = tuple[Any, ...]
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SPACE = " \t\r\n"


class Positions:
    """Offsets of values by path, turned into 1-based (line, column).

    A member of an object is placed at its key (where a reader looks)."""

    def __init__(self, text: str, depth: int = 2) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._offsets: dict[Path, int] = {}
        self._scan(text, depth)

    def where(self, path: Path) -> tuple[int, int]:
        """Position of ``path``, or of its nearest recorded ancestor."""
        while path and path not in self._offsets:
            path = path[:-1]
        offset = self._offsets.get(path, 0)
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def _scan(self, text: str, depth: int) -> None:
        """Walk containers, keeping a stack of (path, next array index)."""
        stack: list[tuple[Path, int | None]] = []
        key: str | None = None
        key_at = 0
        pos = 0
        while pos < len(text):
            char = text[pos]
            if char in _SPACE or char in ",:":
                pos += 1
                continue
            if char in "]}":
                stack.pop()
                pos += 1
                continue
            path = self._path_here(stack, key)
            if char == '"':
                match = _STRING.match(text, pos)
                end = match.end() if match else len(text)
                after = _skip_space(text, end)
                if stack and stack[-1][1] is None and key is None and after < len(text) and text[after] == ":":
                    key, key_at = _decode(text[pos:end]), pos  # an object key, not a value
                    pos = after + 1
                    continue
                self._record(path, key_at if key is not None else pos, depth)
                pos, key = end, None
                continue
            self._record(path, key_at if key is not None else pos, depth)
            key = None
            if char in "[{":
                stack.append((path, 0 if char == "[" else None))
                pos += 1
                continue
            while pos < len(text) and text[pos] not in _SPACE + ",]}":
                pos += 1  # a number, true, false or null

    def _path_here(self, stack: list[tuple[Path, int | None]], key: str | None) -> Path:
        """The path of the value starting now (advances the array index)."""
        if not stack:
            return ()
        parent, index = stack[-1]
        if index is None:
            return parent + (key,)
        stack[-1] = (parent, index + 1)
        return parent + (index,)

    def _record(self, path: Path, offset: int, depth: int) -> None:
        if len(path) <= depth:
            self._offsets.setdefault(path, offset)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _decode(literal: str) -> str:
    import json

    try:
        return str(json.loads(literal))
    except ValueError:
        return literal.strip('"')
