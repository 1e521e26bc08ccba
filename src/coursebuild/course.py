"""The course model: pages with their front matter, in learning-path order.

Built from front matter alone (before any Markdown is rendered), so every
page can be rendered independently afterwards, in parallel and from cache:
the glossary, the navigation and the prerequisite graph are known up front.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import frontmatter
from .controlchars import drop_control_characters
from .config import CourseConfig
from .diagnostics import Diagnostic, error
from .discover import Block, Discovery, SourcePage


@dataclass(frozen=True)
class Page:
    """A source page with its front matter read and checked."""

    source: SourcePage
    meta: frontmatter.FrontMatter
    body: str
    body_line: int
    digest: str
    """Hash of the raw file: the per-page cache key starts here."""

    def let_go_of_body(self) -> None:
        """Drop the Markdown once nothing renders this page again: a one-off build does so
        before Pagefind runs, so the two do not hold memory at once (≈85 MB at 5,000 topics).
        The page is never used as a key after that."""
        object.__setattr__(self, "body", "")

    @property
    def rel(self) -> str:
        return self.source.rel

    @property
    def slug(self) -> str:
        return self.source.slug

    @property
    def url(self) -> str:
        """Root-relative URL (the base URL is applied when writing)."""
        if self.source.kind == "home":
            return "/"
        if self.source.kind == "topic":
            return f"/topics/{self.slug}/"
        return f"/{self.slug}/"

    @property
    def output(self) -> str:
        return self.url.lstrip("/") + "index.html"


@dataclass(frozen=True)
class BlockPath:
    """A block and its topics, both in learning-path order."""

    block: Block | None
    topics: tuple[Page, ...]

    @property
    def title(self) -> str:
        return self.block.title if self.block else "Topics"

    @property
    def slug(self) -> str:
        return self.block.slug if self.block else "topics"


@dataclass
class Course:
    config: CourseConfig
    course_dir: Path
    home: Page | None
    pages: list[Page]
    """Other Markdown pages (content/<name>.md)."""
    path: list[BlockPath]
    topics: list[Page] = field(default_factory=list)
    """Every published topic in learning-path order."""
    by_slug: dict[str, Page] = field(default_factory=dict)
    memo: dict[str, object] = field(default_factory=dict)
    """Derived data computed once per build (prerequisite edges, …)."""

    def __post_init__(self) -> None:
        self.topics = [t for bp in self.path for t in bp.topics]
        self.by_slug = {t.slug: t for t in self.topics}

    def neighbours(self, page: Page) -> tuple[Page | None, Page | None]:
        index = self._position()[page.slug]
        prev = self.topics[index - 1] if index > 0 else None
        nxt = self.topics[index + 1] if index + 1 < len(self.topics) else None
        return prev, nxt

    def block_of(self, page: Page) -> BlockPath | None:
        if "block_of" not in self.memo:
            self.memo["block_of"] = {t.slug: bp for bp in self.path for t in bp.topics}
        return self.memo["block_of"].get(page.slug)  # type: ignore[attr-defined,no-any-return]

    def _position(self) -> dict[str, int]:
        if "position" not in self.memo:
            self.memo["position"] = {t.slug: i for i, t in enumerate(self.topics)}
        return self.memo["position"]  # type: ignore[return-value]

    def topic_for_url(self, url: str) -> Page | None:
        """The topic a root-relative URL such as ``/topics/x/`` points at."""
        parts = url.split("#", 1)[0].strip("/").split("/")
        if len(parts) == 2 and parts[0] == "topics":
            return self.by_slug.get(parts[1])
        return None


ParseFrontMatter = Callable[[str, frontmatter.SplitSource, tuple[str, ...]], tuple[frontmatter.FrontMatter, list[Diagnostic]]]


def read_page(source: SourcePage, course_dir: Path, parse: ParseFrontMatter = frontmatter.parse
              ) -> tuple[Page | None, list[Diagnostic]]:
    """Read one source file and check its front matter (with ``parse``: a command-line
    build passes one that remembers its results, fmstore.py)."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        return None, [error(source.rel, 0, 0, "read", f"cannot read file: {exc.strerror or exc}")]
    text = frontmatter.decode(data)
    if text is None:
        return None, [error(source.rel, 0, 0, "encoding", "file is not valid UTF-8 (save it as UTF-8)")]
    text, controls = drop_control_characters(text, source.rel)
    split = frontmatter.split(text)
    required = frontmatter.REQUIRED_TOPIC if source.kind == "topic" else ()
    meta, diags = parse(source.rel, split, required)
    diags = controls + diags
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    return Page(source, meta, split.body, split.body_line, digest), diags


def assemble(config: CourseConfig, course_dir: Path, found: Discovery,
             pages: list[Page]) -> Course:
    """Put pages in learning-path order (blocks by order, topics by order)."""
    home = next((p for p in pages if p.source.kind == "home"), None)
    others = [p for p in pages if p.source.kind == "page" and not p.meta.draft]
    topics = [p for p in pages if p.source.kind == "topic" and not p.meta.draft]
    blocks = sorted(found.blocks, key=lambda b: (b.order, b.title.casefold(), b.slug))
    path: list[BlockPath] = []
    for block in blocks:
        members = [t for t in topics if t.source.block == block.slug]
        path.append(BlockPath(block, tuple(sorted(members, key=_topic_key))))
    loose = [t for t in topics if t.source.block is None]
    if loose:
        path.append(BlockPath(None, tuple(sorted(loose, key=_topic_key))))
    path = [bp for bp in path if bp.topics]
    return Course(config, course_dir, home, others, path)


def _topic_key(page: Page) -> tuple[int, str, str]:
    return (page.meta.order, page.meta.title.casefold(), page.slug)
