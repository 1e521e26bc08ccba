"""KaTeX math renders with its own fonts from the site itself (nothing else is reachable)."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_helpers import settle

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def test_katex_fonts_load_from_the_site(page_factory, server) -> None:  # type: ignore[no-untyped-def]
    page = page_factory()
    settle(page, f"{server}/topics/math-with-katex/")
    loaded = page.evaluate("""() => [...document.fonts].filter(f => f.status === 'loaded')
                                     .map(f => f.family.replace(/["']/g, ''))""")
    assert "KaTeX_Main" in loaded and "KaTeX_Math" in loaded, loaded
    # Display math is laid out by KaTeX's CSS: a real, non-zero box with its own scroller.
    box = page.locator(".math-display .katex-display").first.bounding_box()
    assert box and box["height"] > 20 and box["width"] > 50


@pytest.mark.parametrize("width", [1400, 400])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_for_review(page_factory, server, width: int, scheme: str) -> None:  # type: ignore[no-untyped-def]
    page = page_factory(width=width, scheme=scheme)
    settle(page, f"{server}/topics/asides-and-questions/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"demo-topic-{width}-{scheme}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width


def test_every_katex_font_the_stylesheet_names_loads(page_factory, server) -> None:  # type: ignore[no-untyped-def]
    """The site's KaTeX stylesheet names only files that exist: forcing every @font-face to
    load requests each of them, and none is missing (no 404, no failed request)."""
    page = page_factory()
    statuses: dict[str, int] = {}
    failed: list[str] = []
    page.on("response", lambda r: statuses.__setitem__(r.url, r.status))
    page.on("requestfailed", lambda r: failed.append(r.url))
    settle(page, f"{server}/topics/math-with-katex/")
    faces = page.evaluate("""async () => {
        const katex = [...document.fonts].filter(f => f.family.replace(/["']/g, '').startsWith('KaTeX_'));
        await Promise.all(katex.map(f => f.load().catch(() => null)));
        return katex.map(f => f.status);
    }""")
    page.wait_for_load_state("networkidle")
    assert len(faces) == 20 and set(faces) == {"loaded"}, faces
    fonts = [url for url in statuses if "/assets/katex/fonts/" in url]
    assert len(fonts) == 20 and all(url.endswith(".woff2") for url in fonts), fonts
    assert not failed and all(status < 400 for status in statuses.values()), (failed, statuses)
