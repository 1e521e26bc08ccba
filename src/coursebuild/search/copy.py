"""The pages as Pagefind is given them: only what it indexes.

Pagefind spends most of its time parsing HTML it then ignores: KaTeX's visual copy of
each formula (``data-pagefind-ignore``) and, on a topic page, the header and the sidebar
before the ``data-pagefind-body`` region. The copy leaves both out, for about 45% less
Pagefind CPU at 1,000 topics. The index keeps the same words, pages, content, titles and
headings (``tests/test_search_reuse.py``); what changes is the text Pagefind keeps of an
element with an id that holds a formula (a display equation, a side note), which it
shows nowhere. Both cuts are byte searches for markers, not parsing: parsing the pages
in Python would cost more than it saves.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from ..markdown.math import KATEX_HTML_END, KATEX_HTML_IGNORED

BODY = b"data-pagefind-body"
"""What the theme's templates put on the element Pagefind indexes."""

_KATEX_START = KATEX_HTML_IGNORED.encode()
_KATEX_END = KATEX_HTML_END.encode()
_HEAD_END = b"</head>"
_ANY_SETTING = b"data-pagefind"
_HEADING = re.compile(rb"<h[1-6][\s>].*?</h[1-6]>", re.DOTALL)


def write_copy(site_dir: Path, copy: Path) -> None:
    """Every HTML page of the written site ``site_dir`` as Pagefind is given it, under
    ``copy`` (not Pagefind's own folder nor hidden ones, such as ``copy`` itself). A page
    with nothing to cut is linked, not copied."""
    for folder, dirs, files in os.walk(site_dir):
        if folder == str(site_dir):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "pagefind"]
        target = copy / os.path.relpath(folder, site_dir)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            if name.endswith(".html"):
                _copy_page(os.path.join(folder, name), target / name)


def _copy_page(source: str, target: Path) -> None:
    with open(source, "rb") as handle:
        page = handle.read()
    cut = _without_visual_math(_from_body(page))
    if len(cut) == len(page):
        link_or_copy(source, str(target))
    else:
        target.write_bytes(cut)


def _from_body(page: bytes) -> bytes:
    """``page`` without what lies between its head and its ``data-pagefind-body`` element
    (the site header, the sidebar). Kept whole when anything there carries a Pagefind
    setting, which could apply to the body (an ignored or weighted ancestor)."""
    head_end = page.find(_HEAD_END)
    body = page.find(BODY, head_end)
    if head_end < 0 or body < 0:
        return page
    start = page.rfind(b"<", head_end, body)
    after_head = head_end + len(_HEAD_END)
    if start < after_head or _ANY_SETTING in page[after_head:start]:
        return page
    return page[:after_head] + b"<body>" + page[start:]


def _without_visual_math(page: bytes) -> bytes:
    """``page`` without each marked visual copy; one without its marker (see
    markdown/math.py) is left in, never cut up to the next formula's marker. So is one in
    a heading: Pagefind titles a result's sections with their headings' whole text."""
    parts, start, search = [], 0, 0
    headings = [m.span() for m in _HEADING.finditer(page)] if _KATEX_START in page else []
    while (begin := page.find(_KATEX_START, search)) >= 0:
        end = page.find(_KATEX_END, begin)
        following = page.find(_KATEX_START, begin + 1)
        if end < 0:
            break
        if 0 <= following < end or any(a < begin < b for a, b in headings):  # keep this one
            search = following if following >= 0 else end
            continue
        parts.append(page[start:begin])
        start = search = end + len(_KATEX_END)
    parts.append(page[start:])
    return b"".join(parts)


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
