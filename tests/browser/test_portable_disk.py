"""A portable build (``build --portable``) opened from disk through file://, no server.

Every request must be a file:// URL that loads: a root-relative URL left over,
a directory URL without index.html or a fetch() of the search index would fail.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import _build, write_course
from course_helpers import watch_requests

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def portable_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("portable")
    course = write_course(root / "course")
    _build(course, root / "site", "--zip", str(root / "course.zip"))
    return root / "site"


class DiskSession:
    """A browser context that records failed requests, errors and non-file requests."""

    def __init__(self, browser, scheme: str = "light") -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme=scheme)
        self.problems: list[str] = []
        self.requests: list[str] = []
        watch_requests(self.context, self._seen, self.problems, prefix="not a file: ")
        self.page = self.context.new_page()
        self.page.on("requestfailed", self._failed)
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def _failed(self, request) -> None:  # type: ignore[no-untyped-def]
        # ERR_ABORTED is a load cut short by leaving the page (the favicon, say), not a missing
        # file: that is ERR_FILE_NOT_FOUND. Requests to other hosts are caught in _seen.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} {request.failure}")

    def _seen(self, url: str) -> bool:
        self.requests.append(url)
        return url.startswith("file://")


def open_once_stored(page, path: Path, stored: str) -> None:  # type: ignore[no-untyped-def]
    """Open ``path`` until the JavaScript condition ``stored`` holds (at most 5 s).

    Chromium hands a file:// page's localStorage writes to its browser process a moment
    later, so a page opened right after a click may not see them yet (a reader's next
    click never comes that fast)."""
    for _ in range(20):
        page.goto(path.as_uri())
        if page.evaluate(stored):
            return
        page.wait_for_timeout(250)


@pytest.fixture
def disk(browser):  # type: ignore[no-untyped-def]
    session = DiskSession(browser)
    yield session
    session.context.close()
    assert not session.problems, "\n".join(session.problems)


def test_links_lead_from_home_to_a_topic_and_back(disk: DiskSession, portable_site: Path) -> None:
    page = disk.page
    page.goto((portable_site / "index.html").as_uri())
    # The theme stylesheet applied: the header is laid out as a flex row.
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "flex"
    page.click(".topic-card[data-slug='signals-and-noise'] a.topic-card-link")
    page.wait_for_load_state("load")
    assert page.url.endswith("/topics/signals-and-noise/index.html")
    assert page.locator("h1").inner_text() == "Signals and Noise"
    assert page.locator(".prose img").evaluate("img => img.complete && img.naturalWidth") == 640
    page.evaluate("document.fonts.ready")
    fonts = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("KaTeX" in family for family in fonts), fonts
    page.click("a[rel=next]")
    page.wait_for_load_state("load")
    assert page.url.endswith("/topics/measuring-error/index.html")
    page.click(".site-title")
    page.wait_for_load_state("load")
    assert page.url.endswith("/site/index.html")
    assert all(url.startswith("file://") for url in disk.requests)


def test_search_finds_a_word_from_disk(disk: DiskSession, portable_site: Path) -> None:
    page = disk.page
    page.goto((portable_site / "topics/fitting-models/index.html").as_uri())
    page.keyboard.press("/")
    # One input event for the whole word: typed letter by letter on a busy machine, an
    # earlier prefix's results could be replaced under the ArrowDown below.
    search = page.locator("#search-dialog-input")
    assert search.evaluate("el => el === document.activeElement")
    search.fill("averaging")
    first = page.locator("#search-dialog .search-result-main").first
    first.wait_for()
    assert page.locator("#search-dialog .search-result-title").first.inner_text() == "Signals and Noise"
    assert "<mark>" in page.locator("#search-dialog .search-results").inner_html()
    # Keyboard: ArrowDown moves into the results, Enter follows the link.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/topics/signals-and-noise/index.html*")
    # A word that is nowhere says so.
    page.goto((portable_site / "search/index.html").as_uri() + "?q=zyzzyva")
    page.locator(".search-status", has_text="No results").wait_for()


def test_progress_and_theme_survive_navigation_from_disk(disk: DiskSession, portable_site: Path) -> None:
    page = disk.page
    page.goto((portable_site / "topics/measuring-error/index.html").as_uri())
    page.click(".finish-toggle")
    page.click(".theme-toggle")
    open_once_stored(page, portable_site / "index.html", "document.documentElement.dataset.theme === 'dark'")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    card = page.locator(".topic-card[data-slug='measuring-error']")
    assert "is-finished" in (card.get_attribute("class") or "")
    keys = page.evaluate("Object.keys(localStorage)")
    # Progress is kept under this course's own key: file:// pages share one storage.
    assert any(k.startswith("coursebuild:file:") and k.endswith(":finished") for k in keys), keys
    # A citation popover works from disk too.
    page.goto((portable_site / "topics/signals-and-noise/index.html").as_uri())
    page.locator("a.cite-link").first.hover()
    page.locator("#cb-popover .popover-body").wait_for()


def test_review_cards_load_from_disk(disk: DiskSession, portable_site: Path) -> None:
    """The review page cannot fetch() its cards from file://: it loads review/cards.js."""
    page = disk.page
    page.goto((portable_site / "topics/signals-and-noise/index.html").as_uri())
    page.click(".finish-toggle")
    expect(page.locator(".finish-toggle")).to_have_attribute("aria-pressed", "true")
    status = page.locator("[data-review-status]")
    open_once_stored(page, portable_site / "review/index.html",
                     "!document.querySelector('[data-review-status]').textContent.startsWith('No cards yet')")
    expect(status).to_have_text(re.compile(r"\d+ cards? to review\."))
    front = page.locator("[data-review-front]")
    front.wait_for()
    assert front.inner_text().strip() in {"Signal", "Noise floor"}  # a term of the finished topic


def test_zip_holds_the_portable_site(portable_site: Path) -> None:
    with zipfile.ZipFile(portable_site.parent / "course.zip") as archive:
        names = archive.namelist()
        top = {n.split("/")[0] for n in names}
        assert top == {"reading-noisy-data"}
        assert "reading-noisy-data/index.html" in names
        assert "reading-noisy-data/assets/search-index.js" in names
        home = archive.read("reading-noisy-data/index.html").decode()
    assert 'href="/' not in home and 'src="/' not in home
    assert 'href="topics/signals-and-noise/index.html"' in home
