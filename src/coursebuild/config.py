"""course.yml: the course's settings, read against a typed schema.

Problems here are configuration errors (exit 2): the build cannot sensibly
start without a valid configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath
from typing import Any

from . import yamlpos
from .settings_check import URL_KEYS, language_problem, url_problem
from .diagnostics import Diagnostic, did_you_mean, error, warning

CONFIG_FILE = "course.yml"
CITATION_STYLES = ("numeric", "author-year")
SOLUTION_MODES = ("show", "end", "omit")
CSL_STYLES = ("apa", "ieee", "chicago-author-date")
"""CSL styles shipped with coursebuild; any other ``.csl`` file is named by its path."""


@dataclass(frozen=True)
class CourseConfig:
    """Settings from course.yml; every field has a working default."""

    title: str = "Course"
    """The course's name: header, home page and <title>."""
    description: str = ""
    """One sentence about the course, for the home page and meta tags."""
    author: str = ""
    """Shown in the footer and in meta tags."""
    base_url: str = "/"
    """Path prefix the site is served under, e.g. ``/my-course/``."""
    site_url: str = ""
    """Absolute origin (``https://example.org``) for canonical URLs and sitemap."""
    repo_url: str = ""
    """Where the sources live; enables "edit this page" links."""
    repo_branch: str = "main"
    """Branch used to build "edit this page" links."""
    language: str = "en"
    """The ``lang`` of every page."""
    content_dir: str = "content"
    """Folder (relative to the course) holding index.md and topics/."""
    citation_style: str = "numeric"
    """``numeric`` ([1]), ``author-year`` ((Olah et al., 2020)), a shipped CSL style
    (``apa``, ``ieee``, ``chicago-author-date``) or the path of a ``.csl`` file."""
    glossary_autolink: bool = True
    """Mark the first use of each glossary term on a page."""
    bibliography: tuple[str, ...] = ("bibliography.bib",)
    """Bibliography files (BibTeX, CSL-JSON or a JSON map), relative to the course folder."""
    words_per_minute: int = 220
    """Reading speed used for the reading-time estimate."""
    solutions: str = "show"
    """Exercise solutions: ``show`` (behind a control), ``end`` (gathered at the end of
    the page) or ``omit`` (in no output file at all: a student build)."""
    finish_on_questions: bool = False
    """Mark a topic finished once the reader has answered all its questions correctly."""
    portable: bool = False
    """Build a copy that works opened from disk (relative URLs, script search index)."""
    # Reader settings (issue 12).
    smart_punctuation: bool = True
    """Curly quotes, en/em dashes from ``--``/``---`` and ellipses (never in code or math)."""
    image: str = ""
    """Social preview image (``og:image``) of pages without a figure: a site path or http(s) URL."""


_TYPES: dict[str, type] = {f.name: (bool if f.type == "bool" else int if f.type == "int" else str)
                           for f in fields(CourseConfig)}
_TYPES["bibliography"] = list


def load_config(course_dir: Path, base_url: str | None = None) -> tuple[CourseConfig, list[Diagnostic]]:
    """Read course.yml (optional). ``base_url`` from the command line wins."""
    path = course_dir / CONFIG_FILE
    values: dict[str, Any] = {}
    diags: list[Diagnostic] = []
    if path.is_file():
        values, diags = _read(path)
    if base_url is not None:
        values["base_url"] = base_url
    if "base_url" in values and isinstance(values["base_url"], str):
        values["base_url"] = normalize_base_url(values["base_url"])
    if _style_problem(values.get("citation_style", "numeric"), course_dir):
        values.pop("citation_style")
    return CourseConfig(**values), diags


def normalize_base_url(value: str) -> str:
    """``docs`` → ``/docs/``; ``/`` stays ``/``. Full URLs keep only their path."""
    if "://" in value:
        value = "/" + value.split("://", 1)[1].partition("/")[2]
    value = "/" + value.strip().strip("/")
    return value if value == "/" else value + "/"


def _read(path: Path) -> tuple[dict[str, Any], list[Diagnostic]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, [error(CONFIG_FILE, 0, 0, "config-encoding", "file is not valid UTF-8")]
    try:
        doc = yamlpos.load(text)
    except yamlpos.YamlError as exc:
        return {}, [error(CONFIG_FILE, exc.line, exc.col, "config-syntax", exc.message)]
    if doc.value is None:
        return {}, []
    if not isinstance(doc.value, dict):
        return {}, [error(CONFIG_FILE, 1, 1, "config-type", "course.yml must be a mapping of settings")]
    values: dict[str, Any] = {}
    diags: list[Diagnostic] = []
    for key, value in doc.value.items():
        line, col = doc.where((key, "<key>"))
        if key not in _TYPES:
            diags.append(warning(CONFIG_FILE, line, col, "config-unknown-key",
                                 f"unknown setting '{key}'{did_you_mean(str(key), _TYPES)}"))
            continue
        expected = _TYPES[key]
        if key == "bibliography" and isinstance(value, str):
            value = [value]
        if expected is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            vline, vcol = doc.where((key,))
            diags.append(error(CONFIG_FILE, vline, vcol, "config-type",
                               f"'{key}' must be {'an' if expected is int else 'a'} {expected.__name__}, "
                               f"not {type(value).__name__}"))
            continue
        problem = _value_problem(key, value) or _scholarly_problem(key, value, path.parent, doc)
        if problem:
            vline, vcol = doc.where(problem[1] if isinstance(problem, tuple) else (key,))
            diags.append(error(CONFIG_FILE, vline, vcol, "config-value",
                               problem[0] if isinstance(problem, tuple) else problem))
            continue
        values[key] = tuple(value) if isinstance(value, list) else value
    return values, diags


def _value_problem(key: str, value: Any) -> str:
    """Range checks for settings whose type alone is not enough."""
    if key in URL_KEYS and value:
        return url_problem(key, value)
    if key == "language":
        return language_problem(value)
    if key == "bibliography":
        return ""  # checked file by file in _scholarly_problem
    if key == "content_dir":
        parts = PurePosixPath(value.replace("\\", "/")).parts
        if not value.strip() or value.startswith(("/", "\\", "~")) or ".." in parts or ":" in value:
            return f"'{key}' must be a relative path inside the course folder, not {value!r}"
    if key == "solutions" and value not in SOLUTION_MODES:
        return f"'solutions' must be one of {', '.join(SOLUTION_MODES)}, not {value!r}"
    if key == "image" and value and not (value.startswith("/") or value.startswith(("http://", "https://"))):
        return "'image' must be a path in the site starting with '/' or an http(s) URL"
    if key == "words_per_minute" and not 50 <= value <= 2000:
        return "'words_per_minute' must be between 50 and 2000"
    return ""


# --- Citation style and bibliography files (scholarly apparatus) ---------------

def _scholarly_problem(key: str, value: Any, course_dir: Path,
                       doc: yamlpos.LocatedYaml) -> tuple[str, tuple[Any, ...]] | None:
    """A bibliography list entry or citation style that cannot be used, with its place."""
    if key == "citation_style":
        problem = _style_problem(value, course_dir)
        return (problem, (key,)) if problem else None
    if key != "bibliography":
        return None
    if not value:
        return "'bibliography' must name at least one file", (key,)
    for index, item in enumerate(value):
        where = (key, index) if isinstance(doc.value.get(key), list) else (key,)
        if not isinstance(item, str):
            return f"'bibliography' must list file names, not {type(item).__name__}", where
        parts = PurePosixPath(item.replace("\\", "/")).parts
        if not item.strip() or item.startswith(("/", "\\", "~")) or ".." in parts or ":" in item:
            return f"'bibliography' must be a relative path inside the course folder, not {item!r}", where
        if not (course_dir / item).is_file():
            return f"bibliography file '{item}' not found", where
    return None


def _style_problem(value: str, course_dir: Path) -> str:
    """"" for a usable citation_style, else what is wrong with it."""
    if value in CITATION_STYLES or value in CSL_STYLES:
        return ""
    if value.lower().endswith(".csl"):
        if value.startswith(("/", "\\", "~")) or ".." in PurePosixPath(value).parts:
            return f"citation style file must be a relative path inside the course folder, not {value!r}"
        if (course_dir / value).is_file():
            return ""
        return f"citation style file '{value}' not found"
    return (f"citation_style must be one of {', '.join(CITATION_STYLES + CSL_STYLES)} "
            f"or the path of a .csl file{did_you_mean(value, CITATION_STYLES + CSL_STYLES)}")
