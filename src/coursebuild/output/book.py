"""The course as one printable HTML document: the source of ``coursebuild pdf``.

Blocks become parts and topics chapters, in learning-path order, between a
title page with a table of contents and the glossary and bibliography. Each
chapter's ids get the topic's slug as a prefix (two topics may both have a
``#summary``), and every link between pages of the site becomes a link inside
the document (``/topics/x/#a`` → ``#x--a``); links to pages the book does not
hold lose their ``href`` rather than point nowhere. Asset URLs end up relative
to the site root, where the book is written beside the built site.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from ..course import BlockPath, Page
from ..site import SiteData, render_template, topic_context
from ..sitepages import bibliography_entries, glossary_letters
from .book_practice import for_paper, gather_answers, split_solutions
from .portable import course_key, rewrite_html

BOOK_PATH = "book.html"
ID_RE = re.compile(r"""(\s(?:id|aria-controls|aria-labelledby|aria-describedby)=")([^"]+)(")""")
LOCAL_HREF_RE = re.compile(r"""(\s(?:xlink:)?href=")#([^"]+)(")""")
LOCAL_URL_REF_RE = re.compile(r"""url\(#([^)"']+)\)""")
RELATIVE_URL_RE = re.compile(r"""(\s(?:src|href)=")(?![a-z][a-z0-9+.-]*:|[/#])([^"]+)(")""", re.I)
HEADING_RE = re.compile(r"<(/?)h([1-5])\b")
DETAILS_RE = re.compile(r"<details\b(?![^>]*\sopen)")
SITE_HREF_RE = re.compile(r"""(\shref=")(/(?!/)[^"]*)(")""")
ANY_ID_RE = re.compile(r"""\sid="([^"]+)\"""")
DEAD_HREF_RE = re.compile(r"""\shref="#([^"]+)\"""")


@dataclass(frozen=True)
class BookOptions:
    topic: str | None = None
    """Only this topic (a handout), without title page, contents and back matter."""


def localize(html: str, slug: str) -> str:
    """One page's HTML made safe to sit beside others: ids prefixed with ``slug--``,
    headings one level down (the chapter title is the h2), relative URLs made
    root-relative, and pause-and-think boxes open."""
    html = ID_RE.sub(lambda m: f"{m.group(1)}{' '.join(f'{slug}--{v}' for v in m.group(2).split())}{m.group(3)}", html)
    html = LOCAL_HREF_RE.sub(lambda m: f"{m.group(1)}#{slug}--{m.group(2)}{m.group(3)}", html)
    html = LOCAL_URL_REF_RE.sub(lambda m: f"url(#{slug}--{m.group(1)})", html)  # inline SVG markers
    html = RELATIVE_URL_RE.sub(lambda m: f"{m.group(1)}/topics/{slug}/{m.group(2)}{m.group(3)}", html)
    html = HEADING_RE.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", html)
    return DETAILS_RE.sub("<details open", html)


def site_link(url: str) -> str | None:
    """Where a root-relative site URL points inside the book (None: not in the book)."""
    path, _, fragment = url.partition("#")
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "topics" and not parts[1].count("."):
        return f"#{parts[1]}--{fragment}" if fragment else f"#ch-{parts[1]}"
    if len(parts) == 1 and parts[0] in ("glossary", "bibliography"):
        return f"#{parts[0]}--{fragment}" if fragment else f"#{parts[0]}"
    if not parts and not fragment:
        return "#contents"
    return None


def link_inside(html: str) -> str:
    """Links between site pages → links inside the book; files (images) stay as they are."""
    ids = set(ANY_ID_RE.findall(html))

    def page_href(m: re.Match[str]) -> str:
        url = m.group(2)
        last = url.split("#")[0].rstrip("/").rsplit("/", 1)[-1]
        if "." in last:  # a file such as an image or a download: kept
            return m.group(0)
        target = site_link(url)
        return f"{m.group(1)}{target}{m.group(3)}" if target and target[1:] in ids else ""

    html = SITE_HREF_RE.sub(page_href, html)
    return DEAD_HREF_RE.sub(lambda m: m.group(0) if m.group(1) in ids else "", html)


def css_string(text: str) -> Markup:
    """A CSS string literal (running heads are CSS ``content``); safe inside ``<style>``
    since ``<`` is escaped too, so the template must not HTML-escape it again."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


def chapter(data: SiteData, topic: Page) -> dict[str, Any]:
    ctx = topic_context(data, topic, "")
    body, answers = gather_answers(ctx["body"], keep=data.course.config.solutions != "omit")
    body, solutions = split_solutions(body)
    return {
        "slug": topic.slug, "title": ctx["title"], "description": ctx["description"],
        "prerequisites": ctx["prerequisites"], "body": localize(for_paper(body), topic.slug),
        "objectives": ctx["objectives"], "key_points": ctx["key_points"],
        "answers": localize(for_paper(solutions) + answers, topic.slug),
        "references": localize(ctx["references"], topic.slug) if ctx["references"] else "",
    }


def parts(data: SiteData, only: str | None) -> list[dict[str, Any]]:
    """Blocks with their chapters; a course without blocks has one untitled part."""
    found: list[dict[str, Any]] = []
    for bp in data.course.path:
        topics = [t for t in bp.topics if only is None or t.slug == only]
        if topics:
            found.append(_part(data, bp, topics, len(found) + 1))
    return found


def _part(data: SiteData, bp: BlockPath, topics: list[Page], number: int) -> dict[str, Any]:
    return {"title": bp.title if bp.block else "", "slug": bp.slug, "number": number,
            "chapters": [chapter(data, t) for t in topics]}


def book_date() -> str:
    """Today, or SOURCE_DATE_EPOCH's day, so a book can be rebuilt byte for byte."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = time.gmtime(int(epoch)) if epoch and epoch.isdigit() else time.gmtime()
    return f"{stamp.tm_mday} {time.strftime('%B %Y', stamp)}"


def render_book(data: SiteData, env: jinja2.Environment, options: BookOptions,
                pages: dict[str, int] | None = None) -> str:
    """The book as HTML for the site root; ``pages`` (anchor → page number) fills the contents."""
    config = data.course.config
    book_parts = parts(data, options.topic)
    handout = options.topic is not None
    chapters = [c for p in book_parts for c in p["chapters"]]
    html = render_template(
        env, "book.html", data.course.course_dir,
        site=data.site_context(), parts=book_parts, handout=handout,
        glossary=[] if handout else glossary_letters(data),
        bibliography=[] if handout else bibliography_entries(data),
        date=book_date(), pages=pages or {}, css_string=css_string,
        page={"title": chapters[0]["title"] if handout else config.title})
    return rewrite_html(link_inside(html), BOOK_PATH, course_key(config.title, config.author))

