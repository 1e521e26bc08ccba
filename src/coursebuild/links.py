"""Check every internal link once all pages are known.

Markdown links and images, raw HTML ``href``/``src`` and prerequisites are
resolved against the set of files the site will contain, and ``#anchors``
against the ids of the target page.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from .diagnostics import Diagnostic, Severity
from .markdown.render import ID_RE, LinkRef

EXTERNAL = ("http:", "https:", "mailto:", "tel:", "data:", "javascript:", "ftp:", "//")


@lru_cache(maxsize=16384)
def ids_in_page(html: bytes) -> frozenset[str]:
    """Ids of a rendered output page. Cached: serve reuses unchanged page bytes
    between rebuilds, and a bytes object keeps its hash, so a hit costs nothing."""
    return frozenset(ID_RE.findall(html.decode("utf-8")))


def resolve(url: str, page_url: str) -> tuple[str, str] | None:
    """(site path, fragment) for an internal URL; None for external ones."""
    if not url or url.lower().startswith(EXTERNAL):
        return None
    parts = urlsplit(url)
    if parts.scheme:
        return None
    path = unquote(parts.path)
    if not path:
        path = page_url
    elif not path.startswith("/"):
        path = posixpath.normpath(posixpath.join(page_url, path)) + ("/" if path.endswith("/") else "")
    return path, parts.fragment


def target_file(path: str, files: set[str]) -> str | None:
    """The output file a root-relative path is served from, if it exists."""
    rel = path.lstrip("/")
    candidates = [rel + "index.html"] if rel.endswith("/") or not rel else [rel, rel + "/index.html"]
    for candidate in candidates:
        if candidate in files:
            return candidate
    return None


class Anchors:
    """The ids each page offers to ``#fragment`` links, looked up lazily: the body's
    ids first (known from rendering), the whole rendered page (ids the templates add:
    #main, …) only when the body lacks one. Parsing every page of a large course
    up front would cost seconds."""

    def __init__(self, bodies: dict[str, frozenset[str]], outputs: dict[str, bytes]) -> None:
        self.bodies = bodies
        self.outputs = outputs

    def knows(self, path: str) -> bool:
        """True for pages (not images, CSS, …) whose ids can be checked."""
        return path in self.bodies or path.endswith(".html") and path in self.outputs

    def has(self, path: str, ident: str) -> bool:
        if ident in self.bodies.get(path, ()):
            return True
        html = self.outputs.get(path)
        return html is not None and ident in ids_in_page(html)


def check_links(rel: str, page_url: str, links: tuple[LinkRef, ...], files: set[str],
                anchors: Anchors, strict: bool) -> list[Diagnostic]:
    """Diagnostics for the broken internal links of one page."""
    severity = Severity.ERROR if strict else Severity.WARNING
    diags: list[Diagnostic] = []
    for link in links:
        resolved = resolve(link.url, page_url)
        if resolved is None:
            continue
        path, fragment = resolved
        target = target_file(path, files)
        if target is None:
            what = "image" if link.kind == "image" else "link"
            diags.append(Diagnostic(rel, link.line, link.col, severity, "link-broken",
                                    f"broken {what}: '{link.url}' does not match any page or file of the site"))
            continue
        ident = unquote(fragment)
        if ident and anchors.knows(target) and not anchors.has(target, ident):
            diags.append(Diagnostic(rel, link.line, link.col, severity, "link-anchor",
                                    f"broken anchor: '{link.url}' has no heading or element with id "
                                    f"'{ident}'"))
    return diags
