"""The sidebar's learning path, rendered once per block instead of once per page.

Every page shows every topic, so rendering the list per page grows with the
square of the course. The list differs between pages only in which block is
open, which topic is current and where that topic's contents go: we render
``_nav.html`` once per open block and make the per-page changes as string
edits on markers the template leaves (``data-nav="slug"``, ``<!--toc:slug-->``).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from markupsafe import Markup

INDENT_RE = re.compile(r"\n[ \t]+")
COMPACT_OVER = 300
"""Courses with more topics than this get a sidebar whose size does not grow with them."""
GROUP_SIZE = 20
"""In such courses, topics outside blocks are listed in groups of this many."""
WINDOW = 4
"""… and a topic page lists this many blocks (or groups) each side of its own."""


class LearningPathNav:
    """Callable from templates: ``learning_path_nav(current_slug, toc_html)``."""

    def __init__(self, render: Callable[[str], str], block_of: dict[str, str]) -> None:
        self._render = render
        self._block_of = block_of
        self._cache: dict[str, str] = {}

    def __call__(self, current_slug: str = "", toc: str = "") -> Markup:
        open_block = self._block_of.get(current_slug, "")
        html = self._cache.get(open_block)
        if html is None:
            # Indentation is a third of a long list's bytes; every page carries it.
            html = self._cache[open_block] = INDENT_RE.sub("\n", self._render(open_block))
        if current_slug:
            html = html.replace(f'data-nav="{current_slug}"', f'data-nav="{current_slug}" aria-current="page"', 1)
            html = html.replace(f"<!--toc:{current_slug}-->", str(toc), 1)
        return Markup(html)


def nav_blocks(blocks: list[dict[str, Any]], topic_count: int, loose: str | None) -> list[dict[str, Any]]:
    """The sidebar's blocks: the learning path's, with a long run of topics outside
    blocks cut into numbered groups (in large courses only)."""
    if topic_count <= COMPACT_OVER:
        return blocks
    out: list[dict[str, Any]] = []
    for block in blocks:
        topics = block["topics"]
        if block["slug"] != loose or len(topics) <= GROUP_SIZE:
            out.append(block)
            continue
        for start in range(0, len(topics), GROUP_SIZE):
            group = topics[start:start + GROUP_SIZE]
            out.append({"title": f"{block['title']} {start + 1}–{start + len(group)}",
                        "slug": f"{block['slug']}-{start // GROUP_SIZE + 1}", "topics": group,
                        "more_url": f"/topics/#block-{block['slug']}"})
    return out


def shown_blocks(blocks: list[dict[str, Any]], open_block: str, topic_count: int) -> set[str] | None:
    """Which blocks a page's sidebar lists: all of them, or in a large course only
    those near the open block (the rest are on the topics page and the map)."""
    if topic_count <= COMPACT_OVER or not open_block:
        return None
    slugs = [b["slug"] for b in blocks]
    at = slugs.index(open_block) if open_block in slugs else 0
    return set(slugs[max(0, at - WINDOW):at + WINDOW + 1])


def topics_json(blocks: list[dict[str, Any]]) -> Markup:
    """The learning path as JSON for ``<script type="application/json">``, made once per
    build (the theme's script reads it for progress and "Next up")."""
    items = [{"slug": t["slug"], "title": t["title"], "url": t["url"], "block": b["title"],
              "prerequisites": t["prerequisites"], "questions": t.get("questions", 0), "cards": t.get("cards", 0)}
             for b in blocks for t in b["topics"]]
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    # As Jinja's tojson does: nothing in the data can close the script element.
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escaped)
    return Markup(text)
