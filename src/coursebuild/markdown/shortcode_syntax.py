"""The shortcode grammar, compatible with the Nunjucks tags the real course uses.

    {% name "arg" 'arg' key="value" %}     {%- … -%} trims whitespace around

String escapes follow Nunjucks: ``\\\\`` is a backslash, ``\\"`` and ``\\'`` are
quotes, ``\\n`` is a newline and any other ``\\x`` is ``x``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
KEY_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*")
BARE_RE = re.compile(r"[A-Za-z0-9_.+-]+")
END_RAW_RE = re.compile(r"\{%-?\s*endraw\s*-?%\}")
WHITESPACE = " \t\n"
"""What ``{%-`` and ``-%}`` trim (and what separates a tag's arguments)."""


@dataclass(frozen=True)
class Call:
    """One parsed tag. Offsets index the source string it was parsed from."""

    name: str
    args: tuple[str, ...]
    kwargs: tuple[tuple[str, str], ...]
    start: int
    end: int
    """Offset just past the closing ``%}``."""
    trim_before: bool
    trim_after: bool

    def kwarg(self, key: str, default: str | None = None) -> str | None:
        return dict(self.kwargs).get(key, default)


class ShortcodeSyntaxError(Exception):
    """A malformed tag; ``offset`` is where the problem starts in the source."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def parse_call(src: str, start: int) -> Call:
    """Parse the tag that begins at ``src[start:]`` (which starts with ``{%``)."""
    pos = start + 2
    trim_before = src.startswith("-", pos)
    pos = _skip_space(src, pos + trim_before)
    name_match = NAME_RE.match(src, pos)
    if not name_match:
        _fail_unterminated(src, start)
        raise ShortcodeSyntaxError("expected a shortcode name after '{%'", pos)
    name = name_match.group()
    pos = name_match.end()
    args: list[str] = []
    kwargs: list[tuple[str, str]] = []
    while True:
        pos = _skip_space(src, pos)
        if src.startswith("-%}", pos) or src.startswith("%}", pos):
            trim_after = src.startswith("-", pos)
            end = pos + (3 if trim_after else 2)
            return Call(name, tuple(args), tuple(kwargs), start, end, trim_before, trim_after)
        if pos >= len(src):
            raise ShortcodeSyntaxError(f"unterminated shortcode '{name}': missing '%}}'", start)
        if src[pos] == "," and (args or kwargs):
            pos += 1
            continue
        key_match = KEY_RE.match(src, pos)
        if key_match:
            value, pos = _value(src, key_match.end(), name, start)
            kwargs.append((key_match.group(1), value))
        elif src[pos] in "\"'":
            value, pos = _string(src, pos, name, start)
            args.append(value)
        else:
            _fail_unterminated(src, start, name)
            raise ShortcodeSyntaxError(
                f"unexpected {src[pos]!r} in shortcode '{name}': arguments must be quoted strings", pos)


def find_end_raw(src: str, pos: int) -> re.Match[str] | None:
    """The ``{% endraw %}`` that closes a raw section opened before ``pos``."""
    return END_RAW_RE.search(src, pos)


def raw_section(src: str, call: Call) -> tuple[str, int] | None:
    """The literal text of the raw section ``call`` opens and the offset to go on
    from; None without ``{% endraw %}``.

    Trim markers work as on every other tag (and as in Nunjucks): ``raw -%}``
    and ``{%- endraw`` trim the section's own leading/trailing whitespace,
    ``endraw -%}`` the whitespace after it. (``{%- raw`` is the caller's: it
    trims what came before.)
    """
    match = END_RAW_RE.search(src, call.end)
    if match is None:
        return None
    text = src[call.end:match.start()]
    if call.trim_after:
        text = text.lstrip(WHITESPACE)
    if match.group().startswith("{%-"):
        text = text.rstrip(WHITESPACE)
    end = match.end()
    if match.group().endswith("-%}"):
        end = _skip_space(src, end)
    return text, end


def _value(src: str, pos: int, name: str, start: int) -> tuple[str, int]:
    if pos < len(src) and src[pos] in "\"'":
        return _string(src, pos, name, start)
    bare = BARE_RE.match(src, pos)
    if not bare:
        raise ShortcodeSyntaxError(f"expected a value after '=' in shortcode '{name}'", pos)
    return bare.group(), bare.end()


def _string(src: str, pos: int, name: str, start: int) -> tuple[str, int]:
    """Read a quoted string at ``pos``; return its value and the offset after it."""
    quote = src[pos]
    out: list[str] = []
    index = pos + 1
    while index < len(src):
        char = src[index]
        if char == "\\" and index + 1 < len(src):
            nxt = src[index + 1]
            out.append("\n" if nxt == "n" else nxt)
            index += 2
            continue
        if char == quote:
            return "".join(out), index + 1
        out.append(char)
        index += 1
    raise ShortcodeSyntaxError(f"unterminated string in shortcode '{name}'", pos)


def _skip_space(src: str, pos: int) -> int:
    while pos < len(src) and src[pos] in WHITESPACE:
        pos += 1
    return pos


def _fail_unterminated(src: str, start: int, name: str | None = None) -> None:
    """Prefer "missing %}" over a confusing message when the tag never closes."""
    if "%}" not in src[start:]:
        label = f" '{name}'" if name else ""
        raise ShortcodeSyntaxError(f"unterminated shortcode{label}: missing '%}}'", start)
