"""Assemble every output file of the site: pages from templates, and assets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import jinja2
import msgspec
import rcssmin
import rjsmin
from jinja2 import meta

from . import assets
from .config import CONFIG_FILE, CourseConfig
from .course import Page
from .diagnostics import Diagnostic, info
from .discover import inside
from .markdown.highlight import pygments_css
from .nav import COMPACT_OVER, LearningPathNav, nav_blocks, shown_blocks, topics_json
from .pagestore import PageStore
from .practice import REVIEW_DATA, review_cards
from .site import SiteData, edit_base, page_info, render_template, topic_context
from .sitepages import bibliography_entries, glossary_letters, map_blocks, map_svg
from .write import Content

SPECIAL_PAGES = ("topics", "glossary", "bibliography", "map", "search")


@dataclass
class PageCache:
    """Rendered output pages keyed by a hash of their template context.

    Serve keeps one between rebuilds: a page is rendered again only when its
    context or a template changed (a retitled topic changes every sidebar).
    """

    entries: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    nav: tuple[str, LearningPathNav] | None = None
    """The sidebar renderer of the last build, reused while the site context is unchanged."""


def render_pages(data: SiteData, env: jinja2.Environment, cache: PageCache | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 store: PageStore | None = None, drop_bodies: bool = False) -> tuple[dict[str, bytes], list[str]]:
    """Every HTML/XML page of the site by output path, and which were (re)rendered;
    ``progress(done, total)`` is told of each page. ``store`` (a command-line build)
    reads unchanged pages back from the previous output instead. With ``drop_bodies``
    a topic's or page's body HTML is let go of once its page is made (only that page
    shows it), so the bodies and the pages are not all held at once."""
    course = data.course
    site = data.site_context()
    cards, site["review_count"] = review_cards(data)
    hashes = TemplateHashes(env)
    # Every page shows the sidebar, so _nav.html counts as part of every page's template.
    keyed = cache is not None or store is not None
    site_fp = _fingerprint((hashes.of("_nav.html"), site), light=False) if keyed else ""
    site["topics_json"] = topics_json(site["blocks"])
    env.globals["learning_path_nav"] = _nav(data, env, site, site_fp, cache)
    out: dict[str, bytes] = {}
    templated: list[str] = []
    # home, topics, glossary, bibliography, map, search, 404; review and sitemap when made
    total = len(course.topics) + len(course.pages) + 7 + bool(site["review_count"]) + bool(site["site_url"])

    def emit(path: str, template: str, kind: str, title: str, description: str, url: str,
             **extra: Any) -> None:
        if progress is not None:
            progress(len(out) + 1, total)
        context = {"page": page_info(site, kind, title, description, url),
                   "current_slug": extra.pop("current_slug", ""), **extra}
        key = _fingerprint((site_fp, template, hashes.of(template), context), stable=store is not None) \
            if keyed else ""
        cached = cache.entries.get(path) if cache else None
        if cached and cached[0] == key:
            out[path] = cached[1]
            return
        kept = store.get(path, key) if store is not None else None
        if kept is not None:
            out[path] = kept
            return
        out[path] = render_template(env, template, course.course_dir, site=site, **context).encode("utf-8")
        templated.append(path)
        if cache is not None:
            cache.entries[path] = (key, out[path])
        if store is not None:
            store.put(path, key, out[path])

    home = course.home
    intro = data.bodies[home.rel].html if home else ""
    first = site["blocks"][0]["topics"][0] if site["blocks"] else None
    emit("index.html", "home.html", "home", course.config.title, course.config.description, "/",
         intro=intro, first_topic=first)
    base = edit_base(course.config.repo_url, course.config.repo_branch)
    for topic in course.topics:
        emit(topic.output, "topic.html", "topic", topic.meta.title, topic.meta.description, topic.url,
             topic=topic_context(data, topic, base), current_slug=topic.slug)
        if drop_bodies:
            _drop_html(data, topic.rel)
    for page in course.pages:
        emit(page.output, "page.html", "page", page.meta.title or page.slug, page.meta.description,
             page.url, body=data.bodies[page.rel].html)
        if drop_bodies:
            _drop_html(data, page.rel)
    emit("topics/index.html", "topics.html", "topics", "All topics",
         f"Every topic of {course.config.title} in learning-path order.", "/topics/")
    emit("glossary/index.html", "glossary.html", "glossary", "Glossary",
         f"The terms of {course.config.title}, A to Z.", "/glossary/", letters=glossary_letters(data))
    emit("bibliography/index.html", "bibliography.html", "bibliography", "Bibliography",
         f"Every work cited in {course.config.title}.", "/bibliography/",
         entries=bibliography_entries(data))
    emit("map/index.html", "map.html", "map", "Course map",
         f"How the topics of {course.config.title} build on each other.", "/map/",
         svg=map_svg(data), map_blocks=map_blocks(data))
    emit("search/index.html", "search.html", "search", "Search", f"Search {course.config.title}.", "/search/")
    if site["review_count"]:
        emit("review/index.html", "review.html", "review", "Review",
             f"Review the terms and questions of the topics you finished in {course.config.title}.", "/review/")
        out[REVIEW_DATA] = cards
    emit("404.html", "404.html", "404", "Page not found", "This page does not exist.", "/404.html")
    if site["site_url"]:  # a sitemap's <loc> must be absolute: none without site_url
        urls = ["/"] + [t.url for t in course.topics] + [p.url for p in course.pages] + \
            [f"/{name}/" for name in SPECIAL_PAGES if name != "search"]
        absolute = [site["site_url"] + course.config.base_url.rstrip("/") + u for u in urls]
        emit("sitemap.xml", "sitemap.xml", "sitemap", "Sitemap", "", "/sitemap.xml", sitemap_urls=absolute)
    if cache is not None:
        for stale in set(cache.entries) - set(out):
            del cache.entries[stale]
    return out, templated


def _drop_html(data: SiteData, rel: str) -> None:
    body = data.bodies[rel]
    data.bodies[rel] = replace(body, html="")


def site_url_note(config: CourseConfig) -> list[Diagnostic]:
    """Without site_url, one info line on what setting it would add."""
    if config.site_url:
        return []
    return [info(CONFIG_FILE, 0, 0, "site-url-missing",
                 "no site_url, so no sitemap.xml; set site_url (e.g. https://you.github.io) for a "
                 "sitemap and absolute canonical and Open Graph URLs")]


def _nav(data: SiteData, env: jinja2.Environment, site: dict[str, Any], site_fp: str,
         cache: PageCache | None) -> LearningPathNav:
    if cache is not None and cache.nav is not None and cache.nav[0] == site_fp:
        return cache.nav[1]
    loose = next((bp.slug for bp in data.course.path if bp.block is None), None)
    blocks = nav_blocks(site["blocks"], site["topic_count"], loose)
    block_of = {t["slug"]: b["slug"] for b in blocks for t in b["topics"]}
    nav = LearningPathNav(lambda open_block: render_template(
        env, "_nav.html", data.course.course_dir, site=site, open_block=open_block, blocks=blocks,
        compact=site["topic_count"] > COMPACT_OVER,
        shown=shown_blocks(blocks, open_block, site["topic_count"])), block_of)
    if cache is not None:
        cache.nav = (site_fp, nav)
    return nav


_CONTEXT_ENCODER = msgspec.json.Encoder(enc_hook=str, order="deterministic")
"""Keys and sets in sorted order, anything else JSON cannot hold as its ``str``:
several times faster than ``json.dumps(sort_keys=True)`` on a page's context."""


def _fingerprint(value: object, light: bool = True, stable: bool = False) -> str:
    raw = _CONTEXT_ENCODER.encode(_light(value, stable) if light else value)
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _light(value: object, stable: bool = False, depth: int = 0) -> object:
    """Stand-in for large strings (page bodies, two levels deep in a context): str
    objects cache their hash, so fingerprinting an unchanged body costs nothing. The
    page cache lives in one process, where ``hash`` is stable; a fingerprint kept on
    disk (``stable``) digests the string instead."""
    if isinstance(value, str) and len(value) > 1024:
        if stable:
            return "#" + hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        return f"#{hash(value)}:{len(value)}"
    if isinstance(value, dict) and depth < 2:
        return {k: _light(v, stable, depth + 1) for k, v in value.items()}
    return value


class TemplateHashes:
    """Hash of a template together with every template it extends, includes or
    imports, so a template edit re-renders exactly the pages that use it."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self._own: dict[str, tuple[str, set[str]]] = {}
        self._of: dict[str, str] = {}

    def of(self, name: str) -> str:
        """Computed once per template and build (every topic page asks for topic.html)."""
        if name not in self._of:
            digest = hashlib.blake2b(digest_size=16)
            for dep in sorted(self._closure(name)):
                digest.update(dep.encode() + b"\0" + self._read(dep)[0].encode() + b"\0")
            self._of[name] = digest.hexdigest()
        return self._of[name]

    def _closure(self, name: str) -> set[str]:
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self._read(current)[1])
        return seen

    def _read(self, name: str) -> tuple[str, set[str]]:
        if name not in self._own:
            try:
                source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
                refs = {r for r in meta.find_referenced_templates(self.env.parse(source)) if r}
            except jinja2.TemplateError:
                source, refs = "", set()  # rendering reports the problem with its line
            self._own[name] = (source, refs)
        return self._own[name]


def course_template_names(course_dir: Path) -> tuple[str, ...]:
    """Which templates the course overrides: a new override needs a fresh loader cache."""
    root = course_dir / "templates"
    if not root.is_dir():
        return ()
    return tuple(sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()))


def asset_files(course_dir: Path, theme_dir: Path, topics: list[Page]) -> dict[str, Content]:
    """Theme static files, KaTeX, Pygments CSS, topic images, then the course's static/ (wins)."""
    files: dict[str, Content] = {}
    _add_tree(files, theme_dir / "static", "")
    katex = assets.katex_dist()
    files["assets/katex/katex.min.css"] = assets.katex_stylesheet()
    for font in sorted((katex / "fonts").glob("*.woff2")):
        files[f"assets/katex/fonts/{font.name}"] = font
    files["assets/pygments.css"] = pygments_css().encode("utf-8")
    for topic in topics:
        for asset in topic.source.assets:
            files[asset.target] = asset.source
    _add_tree(files, course_dir / "static", "", within=course_dir)
    theme_static = (theme_dir / "static").resolve()
    for rel, content in files.items():  # the theme's own (a course's overrides stay as written)
        if isinstance(content, Path) and rel.endswith((".js", ".css")) and \
                content.resolve().is_relative_to(theme_static):
            files[rel] = _minified(content)
    return files


_MINIFIED: dict[tuple[Path, int, int], bytes] = {}


def _minified(path: Path) -> bytes:
    """The theme's own script or stylesheet without comments and layout whitespace (rjsmin,
    rcssmin): what readers download stays within the theme's weight budget while the
    sources keep their comments. Remembered by mtime and size (serve rebuilds often)."""
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _MINIFIED:
        text = path.read_text(encoding="utf-8")
        small = rjsmin.jsmin(text) if path.suffix == ".js" else rcssmin.cssmin(text)
        _MINIFIED[key] = small.encode("utf-8")
    return _MINIFIED[key]


def _add_tree(files: dict[str, Content], root: Path, prefix: str, within: Path | None = None) -> None:
    """Every file under ``root`` whose real path lies in ``within`` (default ``root``)."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts) and inside(path, within or root):
            files[prefix + rel.as_posix()] = path
