"""Finishing touches on rendered page bodies, after the render cache.

What is done here depends on more than a page's Markdown (image files) or
only marks up what the renderer made (formulas, for search and keyboards),
so it runs on every build over the cached bodies: it is string work, cheap
next to rendering.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from .images import ImageSizes, size_images
from .markdown.render import RenderedBody
from .write import Content

# KaTeX keeps the TeX source in the MathML copy: search indexes the MathML text once.
TEX_ANNOTATION = '<annotation encoding="application/x-tex">'
# A display formula may be wider than a phone: focusable (to scroll by keyboard) and named.
MATH_BLOCK = '<div class="math-display" tabindex="0">'
MATH_BLOCK_NAMED = '<div class="math-display" tabindex="0" role="group" aria-label="Formula">'


def finish_body(html: str, page_url: str, files: Mapping[str, Content], sizes: ImageSizes,
                names: set[str] | None = None) -> str:
    """One body's HTML with image sizes, search-friendly math and named formulas."""
    html = size_images(html, page_url, files, sizes, names)
    if TEX_ANNOTATION in html:
        html = html.replace(TEX_ANNOTATION, '<annotation encoding="application/x-tex" data-pagefind-ignore="">')
    if MATH_BLOCK in html:
        html = html.replace(MATH_BLOCK, MATH_BLOCK_NAMED)
    return html


def finish_bodies(bodies: dict[str, RenderedBody], urls: Mapping[str, str],
                  files: Mapping[str, Content], sizes: ImageSizes) -> dict[str, RenderedBody]:
    """Every body finished, in place (``bodies`` is returned); ``urls`` maps a body's
    source path to its page URL. In place, so that each unfinished body can be freed
    as soon as its finished copy exists: a thousand pages' HTML is held once, not twice."""
    names = set(files)
    for rel, body in bodies.items():
        html = finish_body(body.html, urls.get(rel, "/"), files, sizes, names)
        if html != body.html:
            bodies[rel] = replace(body, html=html)
    return bodies
