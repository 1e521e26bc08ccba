"""Discover: find every page, block and asset of a course folder.

Conventions (those of the real course):
``content/index.md`` is the home page; ``content/topics/<block>/_block.json``
(or ``_block.yml``) names a block; ``content/topics/<block>/<slug>/index.md``
is a topic, with its other files (``images/…``) copied beside it; a flat
``content/topics/<slug>.md`` or ``content/topics/<slug>/index.md`` is a topic
without a block. Every topic is served at ``/topics/<slug>/``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import yamlpos
from .confine import MESSAGE, RULE, Confined, inside, outside_warning
from .diagnostics import Diagnostic, error, warning

BLOCK_FILES = ("_block.json", "_block.yml", "_block.yaml")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
IGNORED = re.compile(r"^(\.|_|#|~)|~$|\.swp$")


@dataclass(frozen=True)
class Block:
    slug: str
    title: str
    order: int
    path: str
    """The _block file relative to the course folder ("" when implied)."""


@dataclass(frozen=True)
class Asset:
    source: Path
    target: str
    """Output path relative to the site root, POSIX separators."""


@dataclass(frozen=True)
class SourcePage:
    """One Markdown file to turn into a page."""

    kind: str
    """``home``, ``topic`` or ``page`` (another Markdown file in content/)."""
    path: Path
    rel: str
    """Path relative to the course folder (used in every diagnostic)."""
    slug: str
    block: str | None
    assets: tuple[Asset, ...] = ()


@dataclass(frozen=True)
class Discovery:
    pages: tuple[SourcePage, ...]
    blocks: tuple[Block, ...]
    diagnostics: tuple[Diagnostic, ...]


def rel_path(path: Path, course_dir: Path) -> str:
    return path.relative_to(course_dir).as_posix()


def discover(course_dir: Path, content_dir: str) -> Discovery:
    """Walk ``content_dir`` and return its pages and blocks, sorted by path."""
    content = course_dir / content_dir
    diags: list[Diagnostic] = []
    pages: list[SourcePage] = []
    blocks: list[Block] = []
    if content.exists() and not inside(content, course_dir):
        diags.append(error(content_dir, 0, 0, RULE, f"content folder '{content_dir}' is a {MESSAGE}"))
        return Discovery((), (), tuple(diags))
    if not content.is_dir():
        diags.append(error(content_dir, 0, 0, "content-missing",
                           f"content folder '{content_dir}' not found"))
        return Discovery((), (), tuple(diags))
    walk = Confined(course_dir)
    home = content / "index.md"
    if home.is_file() and _followed(home, walk, diags):
        pages.append(SourcePage("home", home, rel_path(home, course_dir), "", None))
    for path in sorted(content.glob("*.md")):
        if path.name != "index.md" and not IGNORED.search(path.name) and _followed(path, walk, diags):
            pages.append(SourcePage("page", path, rel_path(path, course_dir), path.stem, None))
    topics = content / "topics"
    if topics.is_dir() and _followed(topics, walk, diags):
        _walk_topics(walk, topics, pages, blocks, diags)
    _check_slugs(pages, diags)
    diags += _stray_markdown(course_dir, content, pages)
    return Discovery(tuple(pages), tuple(blocks), tuple(diags))


def _stray_markdown(course_dir: Path, content: Path, pages: list[SourcePage]) -> list[Diagnostic]:
    """One warning naming the Markdown files under ``content`` that become no page (e.g.
    ``content/posts/a.md``), so a misplaced topic is not silently left out."""
    used = {p.path for p in pages} | {a.source for p in pages for a in p.assets}
    stray: list[str] = []
    for folder, dirs, files in os.walk(content):
        dirs[:] = sorted(d for d in dirs if not IGNORED.search(d))
        for name in sorted(files):
            path = Path(folder) / name
            # A link is left to the symlink checks: it may point out of the course.
            if name.endswith(".md") and not IGNORED.search(name) and path not in used and not path.is_symlink():
                stray.append(rel_path(path, course_dir))
    if not stray:
        return []
    shown = ", ".join(stray[:5]) + (f" and {len(stray) - 5} more" if len(stray) > 5 else "")
    where = rel_path(content, course_dir)
    return [warning(stray[0], 0, 0, "not-in-course",
                    f"not part of the course: {shown} (topics are {where}/topics/<block>/<topic>/index.md "
                    f"or {where}/topics/<topic>.md, other pages {where}/<name>.md)")]


def _walk_topics(walk: Confined, topics: Path, pages: list[SourcePage],
                 blocks: list[Block], diags: list[Diagnostic]) -> None:
    course_dir = walk.root
    for entry in sorted(topics.iterdir()):
        if IGNORED.search(entry.name) or not _followed(entry, walk, diags):
            continue
        if entry.is_file() and entry.suffix == ".md":
            pages.append(SourcePage("topic", entry, rel_path(entry, course_dir), entry.stem, None))
        elif entry.is_dir() and (entry / "index.md").is_file():
            pages.extend(_topic(walk, entry, None, diags))
        elif entry.is_dir():
            block = _read_block(walk, entry, diags)
            if block is None:
                continue
            blocks.append(block)
            for child in sorted(entry.iterdir()):
                if not _followed(child, walk, diags):
                    continue
                if child.is_dir() and (child / "index.md").is_file():
                    pages.extend(_topic(walk, child, block.slug, diags))
                elif child.is_file() and child.suffix == ".md" and not IGNORED.search(child.name):
                    pages.append(SourcePage("topic", child, rel_path(child, course_dir),
                                            child.stem, block.slug))


def _topic(walk: Confined, folder: Path, block: str | None, diags: list[Diagnostic]) -> list[SourcePage]:
    """The topic in ``folder`` (none when its index.md is a link out of the course)."""
    course_dir = walk.root
    index = folder / "index.md"
    if not _followed(index, walk, diags):
        return []
    assets = []
    for f in sorted(folder.rglob("*")):
        if not f.is_file() or f == index or any(IGNORED.search(p) for p in f.relative_to(folder).parts):
            continue
        if not _followed(f, walk, diags):
            continue
        assets.append(Asset(f, f"topics/{folder.name}/{f.relative_to(folder).as_posix()}"))
    return [SourcePage("topic", index, rel_path(index, course_dir), folder.name, block, tuple(assets))]


def _followed(path: Path, walk: Confined, diags: list[Diagnostic]) -> bool:
    """True when ``path`` may be read: it is not a link (or inside one) leading out of the
    course. Otherwise a warning names the link, once."""
    if walk(path):
        return True
    course_dir = walk.root
    link = path
    while not link.is_symlink() and link.parent != link and link.parent != course_dir:
        link = link.parent  # the file lies in a linked folder: name the folder
    warned = outside_warning(link if link.is_symlink() else path, course_dir)
    if warned not in diags:
        diags.append(warned)
    return False


def _read_block(walk: Confined, folder: Path, diags: list[Diagnostic]) -> Block | None:
    """Read ``_block.json``/``_block.yml``; a folder of topics without one gets a warning."""
    course_dir = walk.root
    found = [folder / name for name in BLOCK_FILES
             if (folder / name).is_file() and _followed(folder / name, walk, diags)]
    has_topics = any((c / "index.md").is_file() for c in folder.iterdir() if c.is_dir())
    if not found:
        if has_topics:
            rel = rel_path(folder, course_dir)
            diags.append(warning(rel, 0, 0, "block-file-missing",
                                 "block folder has no _block.json; using its name as the title"))
            return Block(folder.name, folder.name.replace("-", " ").title(), 10_000, "")
        return None
    path = found[0]
    rel = rel_path(path, course_dir)
    data, problem = _load_block_data(path)
    if problem is not None:
        diags.append(error(rel, problem[0], problem[1], "block-syntax", problem[2]))
        return Block(folder.name, folder.name, 10_000, rel)
    title, order = data.get("title"), data.get("order")
    if not isinstance(title, str) or not title.strip():
        diags.append(error(rel, 1, 1, "block-field", "block needs a non-empty string 'title'"))
        title = folder.name
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        diags.append(error(rel, 1, 1, "block-field", "block needs a whole number 'order' of 1 or more"))
        order = 10_000
    for key in data:
        if key not in ("title", "order", "description"):
            diags.append(warning(rel, 1, 1, "block-unknown-key", f"unknown block field '{key}'"))
    return Block(folder.name, title.strip(), order, rel)


def _load_block_data(path: Path) -> tuple[dict, tuple[int, int, str] | None]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, (0, 0, "file is not valid UTF-8")
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return {}, (exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")
    else:
        try:
            data = yamlpos.load(text).value
        except yamlpos.YamlError as exc:
            return {}, (exc.line, exc.col, exc.message)
    if not isinstance(data, dict):
        return {}, (1, 1, "a block file must hold a mapping with 'title' and 'order'")
    return data, None


def _check_slugs(pages: list[SourcePage], diags: list[Diagnostic]) -> None:
    seen: dict[tuple[str, str], SourcePage] = {}
    for page in pages:
        if page.kind == "home":
            continue
        if not SLUG_RE.match(page.slug):
            diags.append(error(page.rel, 0, 0, "slug-invalid",
                               f"'{page.slug}' is not a valid URL slug (use lowercase letters, digits, '-', '_' and '.')"))
        key = ("topics" if page.kind == "topic" else "", page.slug)
        if key in seen:
            diags.append(error(page.rel, 0, 0, "slug-duplicate",
                               f"two topics have the slug '{page.slug}': {seen[key].rel} and {page.rel}"))
        else:
            seen[key] = page
