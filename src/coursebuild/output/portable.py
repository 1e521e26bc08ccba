"""A portable site: every internal URL relative, so it works opened from disk.

``file:///…/_site/index.html`` has no server to turn ``/topics/x/`` into
``/topics/x/index.html`` or to resolve root-relative URLs, so a portable build
rewrites every root-relative URL of every page (``href``, ``src``, ``srcset``,
``action``, CSS ``url()``) into a path relative to that page, with directory
URLs ending in ``index.html``. Pagefind cannot load from disk (it fetches its
index), so search gets a compact index loaded through ``<script>``
(:mod:`.searchindex`). Stylesheets need no cache-busting query from disk.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Mapping

from ..write import Content
from ..practice import REVIEW_DATA
from .searchindex import INDEX_PATH, build_index_js

REVIEW_SCRIPT = "review/cards.js"

ATTR_RE = re.compile(r"""(\s(?:href|src|action|poster|data-src|xlink:href)\s*=\s*)(["'])(/(?!/)[^"']*)\2""")
SRCSET_RE = re.compile(r"""(\ssrcset\s*=\s*)(["'])([^"']*)\2""")
CSS_URL_RE = re.compile(r"""url\((["']?)(/(?!/)[^"')]*)\1\)""")
HTML_TAG_RE = re.compile(r"<html\b([^>]*)>")
BASE_ATTR_RE = re.compile(r'\sdata-base-url="[^"]*"')
VERSION_QUERY_RE = re.compile(r"\?v=[0-9a-z]+$")


def course_key(title: str, author: str) -> str:
    """A stable id for this course's localStorage keys: every file:// page shares
    one storage area, so two courses opened from disk must not share progress."""
    return hashlib.blake2b(f"{title}\0{author}".encode("utf-8"), digest_size=6).hexdigest()


def relative_url(url: str, page: str) -> str:
    """``/topics/x/#a`` seen from ``page`` (a site path) → ``../x/index.html#a``."""
    path, hash_, fragment = url.partition("#")
    path, q, query = path.partition("?")
    if VERSION_QUERY_RE.search("?" + query) and not path.endswith("/"):
        q, query = "", ""  # cache-busting is pointless from disk
    if path.endswith("/"):
        path += "index.html"
    target = path.lstrip("/")
    here = posixpath.dirname(page)
    rel = posixpath.relpath(target, here or ".")
    return rel + (q + query) + (hash_ + fragment)


def rewrite_html(text: str, page: str, key: str) -> str:
    """Every root-relative URL of one HTML page, made relative to it."""
    text = ATTR_RE.sub(lambda m: m.group(1) + m.group(2) + relative_url(m.group(3), page) + m.group(2), text)
    text = SRCSET_RE.sub(lambda m: m.group(1) + m.group(2) + _srcset(m.group(3), page) + m.group(2), text)
    text = CSS_URL_RE.sub(lambda m: f"url({m.group(1)}{relative_url(m.group(2), page)}{m.group(1)})", text)
    root = posixpath.relpath(".", posixpath.dirname(page) or ".")
    base = "./" if root == "." else root + "/"
    marks = f' data-base-url="{base}" data-portable="{key}"'
    return HTML_TAG_RE.sub(lambda m: "<html" + BASE_ATTR_RE.sub("", m.group(1)) + marks + ">", text, count=1)


def rewrite_css(text: str, path: str) -> str:
    return CSS_URL_RE.sub(lambda m: f"url({m.group(1)}{relative_url(m.group(2), path)}{m.group(1)})", text)


def _srcset(value: str, page: str) -> str:
    items = []
    for item in value.split(","):
        item = item.strip()
        if item.startswith("/") and not item.startswith("//"):
            url, _, size = item.partition(" ")
            item = (relative_url(url, page) + " " + size).strip()
        items.append(item)
    return ", ".join(items)


def make_portable(files: Mapping[str, Content], title: str, author: str,
                  search: bool = True) -> dict[str, Content]:
    """The site's files with relative URLs, plus the search index script."""
    key = course_key(title, author)
    out: dict[str, Content] = {}
    pages: dict[str, str] = {}
    for rel, content in files.items():
        if rel.endswith(".html"):
            text = _text(content)
            pages[rel] = text
            out[rel] = rewrite_html(text, rel, key).encode("utf-8")
        elif rel.endswith(".css"):
            out[rel] = rewrite_css(_text(content), rel).encode("utf-8")
        else:
            out[rel] = content
    if search:
        out[INDEX_PATH] = build_index_js(pages).encode("utf-8")
    if REVIEW_DATA in files:  # review.js loads it with <script>: fetch() does not work from disk
        cards = _text(files[REVIEW_DATA])
        out[REVIEW_SCRIPT] = f"window.coursebuildReviewCards = {cards};\n".encode("utf-8")
    return out


def _text(content: Content) -> str:
    return content.read_text("utf-8") if isinstance(content, Path) else content.decode("utf-8")


def write_zip(site_dir: Path, zip_path: Path, folder: str) -> int:
    """Pack the built site into ``zip_path`` under ``folder/``; return its size in bytes.

    Written beside the target and renamed into place, so a failed run never
    leaves a truncated zip where the previous one was.
    """
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_name(f".{zip_path.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(site_dir.rglob("*")):
                rel = path.relative_to(site_dir).as_posix()
                if path.is_file() and not rel.startswith("."):
                    info = zipfile.ZipInfo(f"{folder}/{rel}", date_time=(2020, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, path.read_bytes())
        tmp.replace(zip_path)
    finally:
        tmp.unlink(missing_ok=True)
    return zip_path.stat().st_size


def folder_name(title: str) -> str:
    """The folder inside the zip: the course title as a file name (``Intro to X`` → ``intro-to-x``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:60] or "course"
