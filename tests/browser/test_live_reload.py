"""Live reload in a real browser: ``coursebuild serve`` in a subprocess, chromium via Playwright.

The page must reload by itself after an edit (the test never calls reload
for that), keep the reader's scroll position, show the error overlay without
reloading when the build breaks, and drop it once the error is fixed.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest


URL_RE = re.compile(r"Serving .* at (http://\S+) \(Ctrl-C to stop\)")
TIMEOUT_MS = 10_000
FIRST = "content/topics/basics/first/index.md"

pytestmark = pytest.mark.browser


def first_topic(closing: str) -> str:
    paragraphs = "\n\n".join(f"Paragraph {n} of the first topic, long enough to need scrolling. " * 4
                             for n in range(1, 61))
    return textwrap.dedent("""\
        ---
        title: "First steps"
        description: "Where it begins."
        order: 1
        ---

        ## Start here

        """) + paragraphs + f"\n\n{closing}\n"


COURSE = {
    "course.yml": 'title: "Live Reload Course"\n',
    "bibliography.bib": "@book{knuth1984literate,\n  author = {Knuth, Donald E.},\n"
                        "  title = {Literate Programming},\n  publisher = {CSLI},\n  year = {1992}\n}\n",
    "content/index.md": "---\ntitle: Home\n---\n\nWelcome.\n",
    "content/topics/basics/_block.yml": 'title: "Basics"\norder: 1\n',
    FIRST: first_topic('The original closing line {% cite "knuth1984literate" %}.'),
    "content/topics/basics/second/index.md":
        '---\ntitle: "Second"\ndescription: "Next."\norder: 2\n---\n\nMore.\n',
}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(site URL, course folder) of a running ``coursebuild serve``."""
    course = tmp_path / "course"
    for rel, text in COURSE.items():
        (course / rel).parent.mkdir(parents=True, exist_ok=True)
        (course / rel).write_text(text, encoding="utf-8")
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "coursebuild", "serve", str(course), "--port", "0"],
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not (match := URL_RE.search(log.read_text())):
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    yield match.group(1), course
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=15) == 0, log.read_text()
    assert "Traceback" not in log.read_text()


def wait_connected(url: str, clients: int = 1) -> None:
    """Until the page's event stream is open (edits before that would be caught on connect anyway)."""
    deadline = time.monotonic() + 10
    while json.load(urllib.request.urlopen(url + "__coursebuild/status"))["clients"] < clients:
        assert time.monotonic() < deadline, "the page never opened its event stream"
        time.sleep(0.05)


def test_edit_reloads_keeps_scroll_and_errors_show_an_overlay(  # type: ignore[no-untyped-def]
        served, browser) -> None:
    url, course = served
    source = course / FIRST
    page = browser.new_page(viewport={"width": 1200, "height": 700})
    page.goto(url + "topics/first/")
    wait_connected(url)
    page.evaluate("window.scrollTo({top: 1800, behavior: 'instant'}); window.__beforeEdit = true")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 1000

    source.write_text(first_topic('A freshly edited closing line {% cite "knuth1984literate" %}.'))
    page.wait_for_function("document.body.innerText.includes('freshly edited closing')", timeout=TIMEOUT_MS)
    assert page.evaluate("window.__beforeEdit") is None, "the page should have reloaded by itself"
    page.wait_for_function(f"Math.abs(window.scrollY - {scrolled}) < 60", timeout=TIMEOUT_MS)

    wait_connected(url)
    page.evaluate("window.__beforeBreak = true")
    source.write_text(first_topic('Broken {% cite "no-such-key" %}.'))
    overlay = page.locator("#coursebuild-overlay")
    overlay.wait_for(state="visible", timeout=TIMEOUT_MS)
    text = page.get_by_role("alert", name="Build errors").inner_text()  # inside the overlay's shadow root
    assert "no-such-key" in text and f"{FIRST}:" in text
    assert page.evaluate("window.__beforeBreak") is True, "errors must not reload the page"

    page.get_by_role("button", name="Dismiss").click()
    overlay.wait_for(state="detached", timeout=TIMEOUT_MS)
    page.reload()  # a page opened while the build is broken shows the overlay at once
    overlay.wait_for(state="visible", timeout=TIMEOUT_MS)

    wait_connected(url)
    source.write_text(first_topic('The repaired closing line {% cite "knuth1984literate" %}.'))
    page.wait_for_function("document.body.innerText.includes('repaired closing')", timeout=TIMEOUT_MS)
    overlay.wait_for(state="detached", timeout=TIMEOUT_MS)
    page.close()


def test_stylesheet_edit_swaps_css_without_reloading(  # type: ignore[no-untyped-def]
        served, browser) -> None:
    url, course = served
    css = course / "static" / "assets" / "coursebuild.css"
    css.parent.mkdir(parents=True)
    page = browser.new_page()
    page.goto(url + "topics/first/")
    wait_connected(url)
    page.evaluate("window.__beforeEdit = true")
    css.write_text("body { background: rgb(1, 2, 3); }\n")
    # Adding the course's own stylesheet changes the file the page links to: a css event.
    page.wait_for_function("getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'",
                           timeout=TIMEOUT_MS)
    css.write_text("body { background: rgb(4, 5, 6); }\n")
    page.wait_for_function("getComputedStyle(document.body).backgroundColor === 'rgb(4, 5, 6)'",
                           timeout=TIMEOUT_MS)
    assert page.evaluate("window.__beforeEdit") is True, "a stylesheet edit must not reload the page"
    page.close()
