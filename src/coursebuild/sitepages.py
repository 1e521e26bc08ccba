"""Contexts of the site-wide pages: glossary, bibliography, map and sitemap."""

from __future__ import annotations

import contextlib
import hashlib
import unicodedata
from functools import lru_cache
from pathlib import Path
from collections import defaultdict
from typing import Any

from .diskcache import write_atomic
from .mapgraph import MapBlock, MapTopic, render_map
from .pages import code_fingerprint
from .site import SiteData
from .structure import prerequisite_edges


def glossary_letters(data: SiteData) -> list[dict[str, Any]]:
    """Terms alphabetically, grouped by first letter for the A–Z jump bar."""
    used_in: dict[str, list[dict[str, str]]] = defaultdict(list)
    for topic in data.course.topics:
        body = data.bodies.get(topic.rel)
        for key in body.glossary_used if body else ():
            item = data.glossary.get(key)
            if item is not None and item.page is not topic:
                used_in[key].append({"title": topic.meta.title, "url": topic.url})
    letters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key, item in sorted(data.glossary.items(), key=lambda kv: _fold(kv[1].term.term)):
        letter = _fold(item.term.term)[:1].upper()
        letter = letter if letter.isalpha() else "#"
        letters[letter].append({
            "term": item.term.term, "anchor": item.term.anchor, "definition": item.term.definition,
            "defined_in": {"title": item.page.meta.title, "url": item.page.url},
            "used_in": used_in.get(key, []),
        })
    return [{"letter": letter, "entries": entries} for letter, entries in sorted(letters.items())]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold() or text.casefold()


def bibliography_entries(data: SiteData) -> list[dict[str, Any]]:
    """Every cited work once, sorted by author, with the spots citing it."""
    spots: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for page in data.course.topics + data.course.pages + ([data.course.home] if data.course.home else []):
        body = data.bodies.get(page.rel)
        if body is None:
            continue
        for site in body.cite_sites:
            entry = spots[site.key].setdefault(page.url, {"title": page.meta.title or data.course.config.title,
                                                          "url": page.url, "spots": []})
            entry["spots"].append(f"{page.url}#{site.anchor}")
    refs = [data.bibliography.get(k) for k in spots]
    entries = []
    for ref in sorted((r for r in refs if r is not None), key=lambda r: r.sort_key()):
        entries.append({"key": ref.key, "html": ref.html(), "label": ref.author_year(),
                        "cited_in": list(spots[ref.key].values())})
    return entries


def map_blocks(data: SiteData) -> list[dict[str, Any]]:
    """The text alternative of the course map."""
    course = data.course
    edges = prerequisite_edges(course)
    return [{"title": bp.title, "slug": bp.slug, "topics": [
        {"title": t.meta.title, "url": t.url, "slug": t.slug,
         "prerequisites": [{"title": course.by_slug[s].meta.title, "url": course.by_slug[s].url}
                           for s in edges.get(t.slug, [])]}
        for t in bp.topics]} for bp in course.path]


def map_svg(data: SiteData) -> str:
    edges = prerequisite_edges(data.course)
    blocks = tuple(MapBlock(bp.title, bp.slug, tuple(
        MapTopic(t.slug, t.meta.title, t.url, tuple(edges.get(t.slug, []))) for t in bp.topics))
        for bp in data.course.path)
    if data.cache_dir is None:
        return _cached_map(blocks)
    return _stored_map(blocks, data.cache_dir / MAP_FILE)


MAP_FILE = "map.svg"


def _stored_map(blocks: tuple[MapBlock, ...], path: Path) -> str:
    """The map as the last command-line build drew it, if titles, URLs and edges (and
    coursebuild) are the same: laying out 1,000 topics costs about a third of a second,
    a tenth of a build in which nothing changed. The file holds the key, then the SVG."""
    key = hashlib.blake2b(f"{code_fingerprint()}\n{blocks!r}".encode("utf-8", "surrogatepass"),
                          digest_size=16).hexdigest()
    with contextlib.suppress(OSError, UnicodeDecodeError):
        stored_key, _, svg = path.read_text("utf-8").partition("\n")
        if stored_key == key:
            return svg
    svg = _cached_map(blocks)
    write_atomic(path, f"{key}\n{svg}".encode("utf-8", "surrogatepass"))
    return svg


@lru_cache(maxsize=4)
def _cached_map(blocks: tuple[MapBlock, ...]) -> str:
    """The map depends only on titles, URLs and edges: serve redraws it only when they change."""
    return render_map(blocks)
