"""``coursebuild pdf``: the course as a book, printed by headless Chromium.

Why Chromium: it is the browser the site is made for, so the book shows the
same KaTeX (with KaTeX's own fonts, embedded), the same highlighted code and
the same boxes as the site, with no second renderer to keep in step (WeasyPrint
would need its own CSS and is slow on highlighted code; Typst would need a
LaTeX-to-Typst math converter). Chromium 131+ prints CSS ``@page`` margin boxes
and named pages, which give page numbers and a running head per chapter, and
Playwright's ``page.pdf(outline=True)`` turns the headings into the PDF's
bookmarks; links inside the document become PDF links.

The table of contents needs page numbers Chromium cannot compute (no
``target-counter``), so the book is printed twice: the first print's named
destinations (one per linked anchor) give each part and chapter its page, the
second print shows them. Contents lines have a fixed-width page column, so
the numbers do not move anything. Nothing is fetched from the network: every
request that is not a local file is refused.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any, Callable, Iterator

ENV_CHROMIUM = "COURSEBUILD_CHROMIUM"
CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
INSTALL_HINT = ("coursebuild pdf needs the 'pdf' extra: pip install 'coursebuild[pdf]' "
                "(Playwright for Python and pypdf)")


HEADING_RE = re.compile(r"<h[1-6]\b[^>]*>(.*?)</h[1-6]>", re.S)
TAG_RE = re.compile(r"<[^>]+>")
ANCHOR_RE = re.compile(r'<a class="header-anchor".*?</a>', re.S)


CHROMIUM_ARGS = ["--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update"]


class PdfEngineMissing(Exception):
    """Playwright, pypdf or Chromium is missing or cannot start (a usage error, exit 2)."""


@dataclass
class PrintStats:
    pages: int = 0
    seconds: float = 0.0


def find_chromium(explicit: str | None = None) -> Path:
    """``--chromium``, else ``$COURSEBUILD_CHROMIUM``, else a system Chromium."""
    for candidate in (explicit, os.environ.get(ENV_CHROMIUM)):
        if candidate:
            path = Path(candidate)
            if path.is_file() and os.access(path, os.X_OK):
                return path
            raise PdfEngineMissing(f"Chromium not found at {candidate}")
    for name in CANDIDATES:
        if Path(name).is_file():
            return Path(name)
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return Path(found)
    raise PdfEngineMissing("no Chromium found: install it (Debian/Ubuntu: sudo apt-get install chromium), "
                           f"or name one with --chromium PATH or ${ENV_CHROMIUM}")


def check_engine() -> None:
    """Fail early and clearly when the Python side of the engine is missing."""
    try:
        import playwright.sync_api  # noqa: F401
        import pypdf  # noqa: F401
    except ImportError as exc:
        raise PdfEngineMissing(f"{INSTALL_HINT}; missing: {exc.name}") from None


def print_book(site_dir: Path, render: Callable[[dict[str, int]], str], out: Path, chromium: Path,
               title: str, author: str) -> PrintStats:
    """Print ``render(pages)`` (the book HTML, given contents page numbers) to ``out``.

    The book is written into ``site_dir`` (the built site, so its assets
    resolve) and printed twice; ``out`` is replaced only when all went well.
    """
    from playwright.sync_api import Error as PlaywrightError, sync_playwright

    start = time.perf_counter()
    book = site_dir / "book.html"
    try:
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                                     args=CHROMIUM_ARGS + _sandbox())
            except PlaywrightError as exc:
                raise PdfEngineMissing(f"Chromium ({chromium}) did not start: {_first_line(exc)}") from None
            try:
                draft = render({})
                final = _print(browser, book, draft)
                numbered = render(_anchor_pages(final))
                if numbered != draft:  # a handout has no contents: one print is enough
                    final = _print(browser, book, numbered)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfEngineMissing(f"printing failed in Chromium: {_first_line(exc)}") from None
    count = _finish(final, out, title, author, _headings(numbered))
    return PrintStats(count, time.perf_counter() - start)


def _print(browser: Any, book: Path, html: str) -> bytes:
    book.write_text(html, encoding="utf-8")
    # The book needs no script (math is typeset at build time): none runs, not even one
    # written as raw HTML in a topic.
    context = browser.new_context(java_script_enabled=False)
    try:
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else route.abort())
        page = context.new_page()
        page.goto(book.as_uri(), wait_until="load", timeout=600_000)
        page.evaluate("document.fonts.ready.then(() => true)")
        pdf: bytes = page.pdf(outline=True, tagged=True, prefer_css_page_size=True, print_background=True)
        return pdf
    finally:
        context.close()


def _sandbox() -> list[str]:
    """Chromium refuses to start as root with its sandbox on (containers, CI)."""
    return ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def _anchor_pages(pdf: bytes) -> dict[str, int]:
    """Page number (from 1) of every named destination, i.e. of every linked anchor."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    pages: dict[str, int] = {}
    for name, dest in reader.named_destinations.items():
        number = reader.get_destination_page_number(dest)
        if number is not None and number >= 0:
            pages[name.lstrip("/")] = number + 1
    return pages


def _headings(html: str) -> set[str]:
    """The text of every heading as the outline shows it (no hidden "#" permalink)."""
    return {" ".join(unescape(TAG_RE.sub("", ANCHOR_RE.sub("", h))).split()) for h in HEADING_RE.findall(html)}


def _finish(pdf: bytes, out: Path, title: str, author: str, headings: set[str]) -> int:
    """Set the document's title and author, mend the outline, write it atomically;
    return the page count."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    for item in _outline_items(writer.root_object.get("/Outlines")):
        # Chromium names a heading that starts a page twice ("IntroIntro") in the outline.
        text = str(item.get("/Title", ""))
        half = text[:len(text) // 2]
        if len(text) % 2 == 0 and half * 2 == text and half in headings and text not in headings:
            item[NameObject("/Title")] = TextStringObject(half)
    writer.add_metadata({"/Title": title, "/Author": author, "/Creator": "coursebuild"})
    writer.page_mode = "/UseOutlines"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:  # beside the target, then renamed: a failure never leaves half a PDF at ``out``
        with open(tmp, "wb") as handle:
            writer.write(handle)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(reader.pages)


def _outline_items(node: Any) -> Iterator[Any]:
    """Every item of a PDF outline tree, depth first."""
    item = node.get_object().get("/First") if node is not None else None
    while item is not None:
        item = item.get_object()
        yield item
        yield from _outline_items(item)
        item = item.get("/Next")


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
