"""Check every internal link once all pages are known.

Markdown links and images, raw HTML ``href``/``src`` and prerequisites are
resolved against the set of files the site will contain, and ``#anchors``
against the ids of the target page.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from .diagnostics import Diagnostic, Severity
from .markdown.render import LinkRef

ID_RE = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""")
EXTERNAL = ("http:", "https:", "mailto:", "tel:", "data:", "javascript:", "ftp:", "//")


def ids_in(html: str) -> set[str]:
    return set(ID_RE.findall(html))


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


def check_links(rel: str, page_url: str, links: tuple[LinkRef, ...], files: set[str],
                anchors: dict[str, set[str]], strict: bool) -> list[Diagnostic]:
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
        known = anchors.get(target)
        if fragment and known is not None and unquote(fragment) not in known:
            diags.append(Diagnostic(rel, link.line, link.col, severity, "link-anchor",
                                    f"broken anchor: '{link.url}' has no heading or element with id "
                                    f"'{fragment}'"))
    return diags
