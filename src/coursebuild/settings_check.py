"""Checks of course.yml values that need more than a type: URLs and the language tag.

URL settings end up in ``href`` attributes on every page, so only ``http(s)``
URLs are accepted: a ``javascript:``, ``data:`` or ``vbscript:`` URL there
would run script for every reader. ``language`` becomes every page's ``lang``
and Pagefind's index language, so it must be a valid BCP 47 tag.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import langcodes

URL_KEYS = ("site_url", "repo_url")
"""Settings holding an absolute URL."""

MAX_LANGUAGE = 30
"""Pagefind crashes on longer ``lang`` values (its index file names have room for 32)."""

_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\"'<>\\`]")
"""Characters a browser strips or splits a URL on (``java\tscript:``), or that end an attribute."""


def url_problem(key: str, value: str) -> str:
    """Why ``value`` is not an acceptable ``http(s)`` URL, or ""."""
    shown = value if len(value) <= 80 else value[:77] + "..."
    problem = f"'{key}' must be an http:// or https:// URL, not {shown!r}"
    if _UNSAFE_URL_CHARS.search(value):
        return problem
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError on a port out of range
    except ValueError:
        return problem
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return problem
    return ""


def language_problem(value: str) -> str:
    """Why ``value`` is not a usable BCP 47 language tag (``en``, ``pt-BR``), or ""."""
    hint = f" (did you mean '{value.replace('_', '-')}'?)" if "_" in value else ""
    if len(value) > MAX_LANGUAGE:
        return f"'language' must be a BCP 47 language tag of at most {MAX_LANGUAGE} characters, such as 'en' or 'pt-BR'"
    if "_" in value or not langcodes.tag_is_valid(value):
        return f"'language' must be a BCP 47 language tag such as 'en' or 'pt-BR', not {value!r}{hint}"
    return ""
