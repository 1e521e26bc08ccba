"""A compact search index for portable sites, loaded with ``<script>`` (not fetch).

It honours the same markup as Pagefind: only ``data-pagefind-body`` regions
are indexed, ``data-pagefind-ignore`` regions are skipped, and text inside
``data-pagefind-weight`` regions below 1 (side notes, references) is kept apart
so it counts less. Each page is split into sections at headings with an id, so
a hit can link straight to its section, as Pagefind's sub-results do.

The index is plain text per section (the excerpts need the text anyway), so
its size grows with the course's text: about the size of the course's
Markdown. ``static/assets/search-local.js`` searches it in the browser.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

INDEX_PATH = "assets/search-index.js"
SPACE_RE = re.compile(r"\s+")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP_TAGS = {"script", "style", "template", "button", "svg"}


class _Section:
    def __init__(self, anchor: str, title: str) -> None:
        self.anchor = anchor
        self.title = title
        self.text: list[str] = []
        self.low: list[str] = []


class _PageText(HTMLParser):
    """Collects a page's title and the text of its sections."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.sections: list[_Section] = [_Section("", "")]
        self._stack: list[tuple[str, bool, bool, bool, bool]] = []
        self._body = 0
        self._ignore = 0
        self._low = 0
        self._heading: list[str] | None = None
        self._heading_id = ""
        self._in_title = False
        self._page_title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        a = dict(attrs)
        body = "data-pagefind-body" in a
        ignore = "data-pagefind-ignore" in a or tag in SKIP_TAGS or "visually-hidden" in (a.get("class") or "")
        low = _weight(a.get("data-pagefind-weight")) < 1
        heading = tag in ("h1", "h2", "h3") and bool(a.get("id")) and self._body > 0 and not self._ignore
        self._stack.append((tag, body, ignore, low, heading))
        self._body += body
        self._ignore += ignore
        self._low += low
        if tag == "title":
            self._in_title = True
        if heading:
            self._heading = []
            self._heading_id = a.get("id") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self._stack:
            name, body, ignore, low, heading = self._stack.pop()
            self._body -= body
            self._ignore -= ignore
            self._low -= low
            if heading and self._heading is not None:
                title = _clean(" ".join(self._heading))
                if self._heading_id == "page-title":
                    self.title = title
                else:
                    self.sections.append(_Section(self._heading_id, title))
                self._heading = None
            if name == "title":
                self._in_title = False
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._page_title.append(data)
        if self._body <= 0 or self._ignore > 0:
            return
        if self._heading is not None:
            self._heading.append(data)
            return
        section = self.sections[-1]
        (section.low if self._low else section.text).append(data)

    def record(self, url: str) -> list[object] | None:
        """``[url, title, [[anchor, heading, text, low-weight text], …]]`` or None."""
        sections = [[s.anchor, s.title, _clean(" ".join(s.text)), _clean(" ".join(s.low))]
                    for s in self.sections]
        sections = [s for s in sections if s[1] or s[2] or s[3]]
        if not sections:
            return None
        title = self.title or _clean(" ".join(self._page_title)).split(" · ")[0]
        return [url, title, sections]


def _weight(value: str | None) -> float:
    try:
        return float(value) if value is not None else 1.0
    except ValueError:
        return 1.0


def _clean(text: str) -> str:
    return SPACE_RE.sub(" ", text).strip()


def build_index(pages: dict[str, str]) -> list[list[object]]:
    """One record per page that has a ``data-pagefind-body`` region, in site order."""
    records = []
    for rel, html in pages.items():
        if rel == "404.html" or "data-pagefind-body" not in html:
            continue
        parser = _PageText()
        parser.feed(html)
        parser.close()
        record = parser.record(rel)  # the output path: a link from the site root
        if record is not None:
            records.append(record)
    return records


def build_index_js(pages: dict[str, str]) -> str:
    """The index as a script that sets ``window.coursebuildSearchIndex``."""
    data = json.dumps(build_index(pages), ensure_ascii=False, separators=(",", ":"))
    # "</" inside a string would end an inline script; harmless in a file, cheap to avoid.
    return "window.coursebuildSearchIndex=" + data.replace("</", "<\\/") + ";\n"
