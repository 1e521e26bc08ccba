"""How the configured ``citation_style`` shapes citing, for the pipeline.

The renderer knows two in-text forms, numbers ("[1]") and labels ("(Olah et
al., 2020)"); a CSL style picks one by its ``citation-format`` category.
Loading a .csl file is a configuration step: a broken style stops the build
before anything is written (exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..config import CITATION_STYLES
from ..diagnostics import Diagnostic, error
from .styles import StyleError, is_numeric, load_style, style_error, style_file

_CITE_TAG = re.compile(r"\{%-?\s*citet?\s+(.*?)-?%\}", re.S)
_QUOTED = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'")


def cited_keys(bodies: Iterable[str]) -> frozenset[str]:
    """Every key a ``cite``/``citet`` tag in the page sources names (a superset of
    what renders: a tag inside a code span counts too, which costs only a little
    formatting)."""
    keys: set[str] = set()
    for body in bodies:
        if "{%" not in body:
            continue
        for tag in _CITE_TAG.finditer(body):
            # A cite inside a side note's quoted text has its quotes escaped.
            args = re.split(r"\bpage\s*=", tag.group(1).replace('\\"', '"'))[0]
            keys.update((a or b).strip() for a, b in _QUOTED.findall(args))
    return frozenset(keys)


def citation_mode(style: str, course_dir: Path) -> str:
    """``numeric`` or ``author-year`` for any citation style."""
    if style in CITATION_STYLES:
        return style
    try:
        return "numeric" if is_numeric(load_style(style, course_dir)) else "author-year"
    except (StyleError, OSError):
        return "numeric"  # check_style has reported it


def check_style(style: str, course_dir: Path) -> Diagnostic | None:
    """An error when a CSL style cannot be loaded, at the .csl file's line."""
    if style in CITATION_STYLES:
        return None
    try:
        load_style(style, course_dir)
    except StyleError as exc:
        return style_error(exc, course_dir)
    except OSError as exc:
        return error(style, 0, 0, "citation-style", f"cannot read the style: {exc.strerror or exc}")
    return None


def style_stamp(style: str, course_dir: Path) -> object:
    """Changes when the style file changes (an edited .csl re-formats the bibliography)."""
    try:
        stat = style_file(style, course_dir)[0].stat()
    except (StyleError, OSError):
        return None
    return (stat.st_mtime_ns, stat.st_size)
