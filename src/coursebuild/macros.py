"""Course-wide KaTeX macros from ``macros.tex`` in the course folder.

One definition per line, as in LaTeX::

    % comments and blank lines are ignored
    \\newcommand{\\R}{\\mathbb{R}}
    \\newcommand{\\norm}[1]{\\left\\lVert #1 \\right\\rVert}

Every macro is tried in KaTeX once (with ``x`` for each argument), so a
definition that does not parse, or does not render, is an error at its line
instead of an error on every formula that uses it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .diagnostics import Diagnostic, error
from .markdown.katex_engine import engine

MACROS_FILE = "macros.tex"

DEFINITION_RE = re.compile(r"\\(?:re)?newcommand\s*\{?\s*(\\[A-Za-z]+|\\.)\s*\}?\s*(?:\[(\d)\])?\s*\{(.*)\}\s*$")


def load_macros(course_dir: Path) -> tuple[tuple[tuple[str, str], ...], list[Diagnostic]]:
    """The macros of ``macros.tex`` (sorted name, expansion pairs) and its problems."""
    path = course_dir / MACROS_FILE
    if not path.is_file():
        return (), []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return (), [error(MACROS_FILE, 0, 0, "macros", "file is not valid UTF-8")]
    except OSError as exc:
        return (), [error(MACROS_FILE, 0, 0, "macros", f"cannot read file: {exc.strerror or exc}")]
    found: dict[str, tuple[str, int, int]] = {}
    diags: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        match = DEFINITION_RE.match(stripped)
        if match is None or not _balanced(match.group(3)):
            diags.append(error(MACROS_FILE, number, line.find(stripped) + 1, "macros",
                               "expected a definition such as \\newcommand{\\R}{\\mathbb{R}} "
                               "or \\newcommand{\\norm}[1]{\\lVert #1 \\rVert}"))
            continue
        name, args, body = match.group(1), int(match.group(2) or 0), match.group(3)
        found[name] = (body, args, number)
    macros = tuple(sorted((name, body) for name, (body, _, _) in found.items()))
    diags += _try_each(found, dict(macros))
    return macros, diags


def _balanced(text: str) -> bool:
    depth = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _try_each(found: dict[str, tuple[str, int, int]], macros: dict[str, str]) -> list[Diagnostic]:
    """Render each macro once, so a broken one is reported at its own line."""
    names = sorted(found)
    uses = [(name + "{x}" * found[name][1], False) for name in names]
    diags = []
    for name, answer in zip(names, engine().render(uses, macros) if uses else []):
        if answer.html is None:
            message = (answer.error or "").replace("KaTeX parse error: ", "")
            diags.append(error(MACROS_FILE, found[name][2], 1, "macros",
                               f"macro {name} does not render in KaTeX: {message}"))
    return diags
