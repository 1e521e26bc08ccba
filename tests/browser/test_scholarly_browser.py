"""Cross-reference previews and the "Cite this page" copy buttons, in chromium.

A small course of its own (two topics, a figure, a numbered formula),
built and served on 127.0.0.1; requests to any other host fail the test.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from urllib.parse import urlparse

import pytest

from course_helpers import run_build, topic, watch_requests, write_course

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8"
                    "cfc000000301010018dd8db00000000049454e44ae426082")

FILES = {
    "course.yml": "title: Previews\nauthor: Jane Doe\nsite_url: https://example.org\n",
    "content/topics/a/index.md": topic("Seeing", 1, """
        ![A detector](images/dot.png "A unit that fires on cars"){#fig-car}

        $$ f(x) = \\sum_i w_i x_i $$ {#eq-sum}

        Text.
        """),
    "content/topics/a/images/dot.png": PNG,
    "content/topics/b/index.md": topic("Reading", 2, """
        Compare {% ref "fig-car" %} with {% ref "eq-sum" %}.
        """),
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("scholarly")
    course = write_course(root / "course", FILES)
    run = run_build(course, root / "site")
    assert run.code == 0, run.stderr
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(browser: Any, site_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    watch_requests(context, lambda url: urlparse(url).hostname == "127.0.0.1", problems)
    tab = context.new_page()
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.site_url = site_url
    yield tab
    context.close()
    assert not problems, problems


def test_hovering_a_reference_previews_the_figure(page: Any) -> None:
    page.goto(page.site_url + "/topics/b/")
    link = page.locator("a.xref", has_text="Figure 1")
    assert link.inner_text() == "Figure 1 in Seeing"
    link.hover()
    popover = page.locator("#cb-popover")
    popover.wait_for(state="visible")
    assert popover.locator(".popover-kind").text_content() == "Figure 1 in Seeing"
    thumb = popover.locator("img.xref-thumb")
    assert thumb.get_attribute("src") == "/topics/a/images/dot.png"
    # The thumbnail loads after the popover shows; wait for the load to finish, then check
    # that it decoded (a broken path finishes with naturalWidth 0).
    page.wait_for_function("document.querySelector('#cb-popover img.xref-thumb').complete")
    assert page.evaluate("document.querySelector('#cb-popover img.xref-thumb').naturalWidth") == 1
    assert "A unit that fires on cars" in popover.inner_text()


def test_keyboard_focus_previews_the_formula(page: Any) -> None:
    page.goto(page.site_url + "/topics/b/")
    link = page.locator("a.xref", has_text="Equation (1)")
    for _ in range(40):  # tab until the reference has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.dataset.xref") == "eq-sum":
            break
    popover = page.locator("#cb-popover")
    popover.wait_for(state="visible")
    assert popover.locator(".katex-display").count() == 1
    assert link.get_attribute("aria-describedby") == "cb-popover"
    page.keyboard.press("Escape")


def test_copy_bibtex_of_the_page(page: Any) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(page.site_url + "/topics/a/")
    page.locator("details.cite-page summary").click()
    page.get_by_role("button", name="Copy BibTeX").click()
    page.locator(".cite-page-status", has_text="Copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{doe") and "title = {Seeing}" in copied
    assert "url = {https://example.org/topics/a/}" in copied
