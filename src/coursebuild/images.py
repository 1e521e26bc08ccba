"""Image sizes at build time: every ``<img>`` the build can read gets ``width`` and ``height``.

With both attributes the browser reserves each image's box before the file
arrives, so lazy-loaded figures never shift the page and in-page jumps (table
of contents, citations, search results, a shared ``#heading`` link) land where
they aim.  The sizes come from the files' headers (the ``imagesize`` package
reads PNG, JPEG, GIF, WebP, SVG and more without decoding pixels) and are
cached by content hash, so serve's rebuilds reread nothing that did not change.

This runs after rendering, on the page bodies: a body's render cache depends
on its Markdown only, and an image may change without its page changing.
An image that matches no file of the site keeps the broken-link warning of
:mod:`coursebuild.links` and is drawn as a labelled placeholder instead of the
browser's broken-image icon.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from pathlib import Path
from typing import Mapping

import imagesize

from .links import resolve, target_file
from .write import Content

IMG_RE = re.compile(r"<img\b[^>]*>", re.I)
ATTR_RE = re.compile(r"""\s([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
FIGURE_IMG_RE = re.compile(r"""<figure class="figure"><img src="([^"]*)\"""")


class ImageSizes:
    """Pixel sizes of image files, by content hash (and by stat stamp, to skip hashing)."""

    def __init__(self) -> None:
        self._by_stamp: dict[Path, tuple[tuple[int, int], str]] = {}
        self._by_hash: dict[str, tuple[int, int] | None] = {}

    def of(self, content: Content) -> tuple[int, int] | None:
        """(width, height) of an image file or image bytes; None when unreadable."""
        if isinstance(content, Path):
            try:
                stat = content.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
                known = self._by_stamp.get(content)
                if known is not None and known[0] == stamp:
                    return self._by_hash.get(known[1])
                data = content.read_bytes()
            except OSError:
                return None
            digest = _digest(data)
            self._by_stamp[content] = (stamp, digest)
        else:
            data, digest = content, _digest(content)
        if digest not in self._by_hash:
            self._by_hash[digest] = _read_size(data)
        return self._by_hash[digest]


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _read_size(data: bytes) -> tuple[int, int] | None:
    try:
        width, height = imagesize.get(io.BytesIO(data))
    except Exception:  # a damaged or unknown file: the image simply keeps no size
        return None
    if width is None or height is None or width <= 0 or height <= 0:
        return None
    return int(round(width)), int(round(height))


def _attrs(tag: str) -> dict[str, str]:
    found = {}
    for match in ATTR_RE.finditer(tag[4:]):
        value = next((g for g in match.groups()[1:] if g is not None), "")
        found[match.group(1).lower()] = html.unescape(value)
    return found


def size_images(body_html: str, page_url: str, files: Mapping[str, Content], sizes: ImageSizes,
                names: set[str] | None = None) -> str:
    """``body_html`` with width/height on every local image and placeholders for missing ones."""
    if "<img" not in body_html:
        return body_html
    known = names if names is not None else set(files)

    def fix(match: re.Match[str]) -> str:
        tag = match.group(0)
        attrs = _attrs(tag)
        resolved = resolve(attrs.get("src", ""), page_url)
        if resolved is None or ("width" in attrs and "height" in attrs):
            return tag  # external, data: or sized by the author
        target = target_file(resolved[0], known)
        if target is None:
            return _placeholder(attrs)
        size = sizes.of(files[target])
        if size is None or "width" in attrs or "height" in attrs:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return f'{tag[:end].rstrip()} width="{size[0]}" height="{size[1]}">'

    return IMG_RE.sub(fix, body_html)


def _placeholder(attrs: Mapping[str, str]) -> str:
    """A visible stand-in that names what is missing (the build already warned)."""
    alt = attrs.get("alt", "").strip()
    src = attrs.get("src", "")
    label = f"Image not found: {alt}" if alt else "Image not found"
    shown = f'<span aria-hidden="true">{html.escape(alt)}</span>' if alt else ""
    return (f'<span class="img-missing" role="img" aria-label="{html.escape(label)}">'
            f'{shown}<code aria-hidden="true">{html.escape(src)}</code></span>')


def first_figure(body_html: str, page_url: str) -> str:
    """Root-relative path of the page's first figure image ("" if none or external)."""
    match = FIGURE_IMG_RE.search(body_html)
    if match is None:
        return ""
    resolved = resolve(html.unescape(match.group(1)), page_url)
    return resolved[0] if resolved else ""
