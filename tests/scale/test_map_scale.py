"""The course map at 85 topics: whole titles, hover highlights a topic's prerequisites and
what it unlocks, "path to" a topic from the finished ones, all arrows on demand, and
screenshots (desktop and phone, light and dark) for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def classes(page, slug: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator(f"svg a.map-node[data-slug='{slug}']").get_attribute("class")


def test_hover_highlights_ancestors_and_descendants(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("/map/")
    page.hover("svg a.map-node[data-slug='b4-topic-05']")
    assert "is-current" in classes(page, "b4-topic-05")
    for ancestor in ("b4-topic-04", "b3-topic-01", "b0-topic-00"):  # direct, other block, far back
        assert "is-ancestor" in classes(page, ancestor)
    for descendant in ("b4-topic-06", "b5-topic-01", "b6-topic-11"):
        assert "is-descendant" in classes(page, descendant)
    unrelated = page.locator("svg a.map-node[data-slug='figures-and-formulas']")
    assert float(unrelated.evaluate("e => getComputedStyle(e).opacity")) < 0.5
    lit = page.locator("svg .map-edge.is-lit[data-to='b4-topic-05']")
    assert lit.count() >= 1
    page.mouse.move(1, 1)
    page.wait_for_function("!document.querySelector('svg.course-map').classList.contains('is-focusing')")


def test_keyboard_focus_highlights_too(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("/map/")
    page.locator("svg a.map-node[data-slug='b2-topic-03']").focus()
    assert "is-ancestor" in classes(page, "b2-topic-02")


def test_path_to_a_topic_starts_from_what_is_finished(open_page, scale_server) -> None:  # type: ignore[no-untyped-def]
    page = open_page("/map/")
    done = [f"b{b}-topic-{i:02d}" for b in range(4) for i in range(12)] + [f"b4-topic-{i:02d}" for i in range(4)]
    page.evaluate("(done) => localStorage.setItem('coursebuild:/:finished', JSON.stringify(done))", done)
    page.select_option("[data-map-path]", "b4-topic-05")
    result = page.locator(".map-path-result").inner_text()
    assert "read 1 topic first: Kernels 4.4" in result, result
    assert "is-path" in classes(page, "b4-topic-04") and "is-path" not in classes(page, "b4-topic-03")


def test_implied_arrows_show_on_demand(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("/map/")
    implied = page.locator("svg .map-edge.is-implied").first
    assert implied.is_hidden()
    page.check("[data-map-all]")
    assert implied.is_visible()


def test_map_screenshots(open_page) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for width, height in ((1400, 1000), (400, 800)):
            page = open_page("/map/", width=width, height=height, scheme=scheme)
            page.hover("svg a.map-node[data-slug='b2-topic-05']")  # scrolls it into view
            path = ARTIFACTS / f"map-85-{width}-{scheme}.png"
            page.screenshot(path=str(path))
            assert path.stat().st_size > 20_000
            titles = page.evaluate("[...document.querySelectorAll('svg .map-node-label')].map(t => t.textContent)")
            assert len(titles) == 85 and not any("…" in t for t in titles)
            page.close()
