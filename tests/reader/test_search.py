"""Search with Pagefind on the built demo course: a term from a topic's body is found and
the result link lands on that section, from the search page and from the dialog."""

from __future__ import annotations

import pytest

from course_helpers import settle

pytestmark = pytest.mark.browser

# "topological order" is explained in the body of the learning-path topic,
# under its "Checking the order" heading.
QUERY = "topological"


def test_search_page_finds_a_body_term_and_lands_on_its_section(page_factory, server) -> None:  # type: ignore[no-untyped-def]
    page = page_factory()
    settle(page, f"{server}/search/?q={QUERY}")
    sub = page.locator(".search-results a[href*='/topics/learning-path/#']").first
    sub.wait_for(timeout=10_000)
    href = sub.get_attribute("href")
    assert href and "#" in href
    sub.click()
    page.wait_for_url("**/topics/learning-path/**")
    fragment = page.evaluate("location.hash").lstrip("#")
    assert fragment and page.locator(f"[id='{fragment}']").count() == 1
    assert QUERY in page.locator("main").inner_text().lower()


def test_search_dialog_opens_with_slash_and_finds_results(page_factory, server) -> None:  # type: ignore[no-untyped-def]
    page = page_factory()
    settle(page, f"{server}/topics/front-matter/")
    page.keyboard.press("/")
    dialog = page.locator("#search-dialog")
    dialog.wait_for(state="visible")
    page.keyboard.type(QUERY)
    dialog.locator(".search-results a").first.wait_for(timeout=10_000)
    hrefs = dialog.locator(".search-results a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any("/topics/learning-path/" in h for h in hrefs), hrefs
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")


def test_glossary_terms_are_searchable(page_factory, server) -> None:  # type: ignore[no-untyped-def]
    page = page_factory()
    settle(page, f"{server}/search/?q=shortcode")
    page.locator(".search-results a").first.wait_for(timeout=10_000)
    hrefs = page.locator(".search-results a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any("/glossary/" in h for h in hrefs), hrefs


@pytest.fixture(scope="module")
def prefixed_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The demo course built with --base-url /guide/ and served from /guide/."""
    import functools
    import http.server
    import subprocess
    import sys
    import threading

    from .conftest import REPO, _Quiet

    root = tmp_path_factory.mktemp("prefixed")
    done = subprocess.run([sys.executable, "-m", "coursebuild", "build", str(REPO), "--out", str(root / "guide"),
                           "--base-url", "/guide/"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_search_works_under_a_base_url(browser, prefixed_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        settle(page, f"{prefixed_server}/guide/search/?q={QUERY}")
        link = page.locator(".search-results a[href*='/guide/topics/learning-path/']").first
        link.wait_for(timeout=10_000)
        link.click()
        page.wait_for_url("**/guide/topics/learning-path/**")
        assert page.title()
    finally:
        context.close()
