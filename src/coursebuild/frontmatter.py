"""Front matter: the YAML header of a page, split off and checked against the schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import yamlpos
from .diagnostics import Diagnostic, did_you_mean, error, warning


@dataclass(frozen=True)
class Prerequisite:
    """One entry of ``prerequisites``: the title shown and the topic URL."""

    title: str
    url: str
    line: int
    """Line of the ``url`` value in the source file (for diagnostics)."""
    col: int
    title_line: int = 0
    """Line and column of the ``title`` value."""
    title_col: int = 0


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    line: int
    col: int
    term_line: int = 0
    """Line and column of the ``term`` value."""
    term_col: int = 0


@dataclass(frozen=True)
class FrontMatter:
    """A page's validated header. Missing required fields keep safe defaults so
    the rest of the pipeline can go on and report further problems."""

    title: str = ""
    description: str = ""
    order: int = 0
    prerequisites: tuple[Prerequisite, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    draft: bool = False
    order_line: int = 1
    """Line of ``order`` (for duplicate-order warnings)."""
    objectives: tuple[str, ...] = ()
    """What the reader can do after the topic (shown under the title)."""
    key_points: tuple[str, ...] = ()
    """The topic's summary (a box at the end of the page)."""


@dataclass(frozen=True)
class SplitSource:
    """A source file cut into its YAML header and Markdown body."""

    yaml_text: str | None
    body: str
    body_line: int
    """1-based line in the file where ``body`` starts."""
    closed: bool = True
    """False when the opening ``---`` has no closing line."""


TOPIC_FIELDS = ("title", "description", "order", "prerequisites", "glossary", "draft", "objectives", "key_points")
REQUIRED_TOPIC = ("title", "description", "order")


def decode(data: bytes) -> str | None:
    """UTF-8 (BOM allowed) with CRLF/CR normalised to LF; None when not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split(text: str) -> SplitSource:
    """Separate ``---``-fenced front matter from the body."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return SplitSource(None, text, 1)
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            body = "\n".join(lines[index + 1:])
            return SplitSource("\n".join(lines[1:index]), body, index + 2)
    return SplitSource("\n".join(lines[1:]), "", len(lines) + 1, closed=False)


def parse(path: str, source: SplitSource, required: tuple[str, ...] = REQUIRED_TOPIC
          ) -> tuple[FrontMatter, list[Diagnostic]]:
    """Validate the header of ``path`` (relative to the course folder)."""
    if source.yaml_text is None:
        if not required:
            return FrontMatter(), []
        return FrontMatter(), [error(path, 1, 1, "frontmatter-missing",
                                     "missing front matter (a '---' block with title, description and order)")]
    if not source.closed:
        return FrontMatter(), [error(path, 1, 1, "frontmatter-syntax",
                                     "front matter opened with '---' is never closed")]
    try:
        doc = yamlpos.load(source.yaml_text)
    except yamlpos.YamlError as exc:
        return FrontMatter(), [error(path, exc.line + 1, exc.col, "frontmatter-syntax", exc.message)]
    return _validate(path, doc, required)


def _validate(path: str, doc: yamlpos.LocatedYaml, required: tuple[str, ...]
              ) -> tuple[FrontMatter, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    data = doc.value if doc.value is not None else {}
    if not isinstance(data, dict):
        return FrontMatter(), [error(path, 2, 1, "frontmatter-type", "front matter must be a mapping of fields")]

    def at(*p: Any) -> tuple[int, int]:
        return doc.where(p, line_offset=1)  # +1: the opening '---' line

    def err(p: tuple[Any, ...], message: str) -> None:
        diags.append(error(path, *at(*p), "frontmatter-field", message))

    def warn(p: tuple[Any, ...], message: str) -> None:
        diags.append(warning(path, *at(*p), "frontmatter-unknown-key", message))

    for key in data:
        if key not in TOPIC_FIELDS:
            line, col = at(key, "<key>")
            diags.append(warning(path, line, col, "frontmatter-unknown-key",
                                 f"unknown front matter field '{key}'{did_you_mean(str(key), TOPIC_FIELDS)}"))
    for key in required:
        if data.get(key) is None:
            diags.append(error(path, *(at(key, "<key>") if key in data else (1, 1)),
                               "frontmatter-field", f"missing required field '{key}'"))
    values: dict[str, Any] = {}
    for key in ("title", "description"):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            err((key,), f"'{key}' must be a non-empty string")
        else:
            values[key] = value.strip()
    order = data.get("order")
    if order is not None:
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            err(("order",), f"'order' must be a whole number of 1 or more, not {order!r}")
        else:
            values["order"] = order
            values["order_line"] = at("order")[0]
    draft = data.get("draft")
    if draft is not None:
        if not isinstance(draft, bool):
            err(("draft",), "'draft' must be true or false")
        else:
            values["draft"] = draft
    values["prerequisites"] = tuple(_pairs(data, "prerequisites", ("title", "url"), at, err, warn, Prerequisite))
    values["glossary"] = tuple(_pairs(data, "glossary", ("term", "definition"), at, err, warn, GlossaryEntry))
    for key in ("objectives", "key_points"):
        values[key] = tuple(_strings(path, data, key, at, err, diags))
    return FrontMatter(**values), diags


def _pairs(data: dict[str, Any], key: str, names: tuple[str, str], at: Any, err: Any, warn: Any,
           kind: Any) -> list[Any]:
    """Read a list of two-field mappings such as ``[{title, url}]``."""
    items = data.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        err((key,), f"'{key}' must be a list of {{{names[0]}, {names[1]}}} entries")
        return []
    out = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            err((key, index), f"each '{key}' entry must have '{names[0]}' and '{names[1]}'")
            continue
        ok = True
        for name in names:
            value = item.get(name)
            if not isinstance(value, str) or not value.strip():
                where = (key, index, name) if name in item else (key, index)
                err(where, f"'{key}' entry {index + 1} needs a non-empty string '{name}'")
                ok = False
        for extra in item:
            if extra not in names:
                warn((key, index, extra, "<key>"), f"unknown field '{extra}' in '{key}' entry"
                    f"{did_you_mean(str(extra), names)}")
        if ok:
            line, col = at(key, index, names[1])
            out.append(kind(item[names[0]].strip(), item[names[1]].strip(), line, col,
                            *at(key, index, names[0])))
    return out


def _strings(path: str, data: dict[str, Any], key: str, at: Any, err: Any, diags: list[Diagnostic]) -> list[str]:
    """Read a list of non-empty strings such as ``objectives``; a repeated entry is a warning."""
    items = data.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        err((key,), f"'{key}' must be a list of strings (one '- \"…\"' line each)")
        return []
    out: list[str] = []
    for index, item in enumerate(items):
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            err((key, index), f"'{key}' entry {index + 1} must be a non-empty string")
            continue
        text = " ".join(item.split())
        if text.casefold() in (o.casefold() for o in out):
            line, col = at(key, index)
            diags.append(warning(path, line, col, "frontmatter-duplicate", f"'{key}' lists {text!r} twice"))
            continue
        out.append(text)
    return out
