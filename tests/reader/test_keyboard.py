"""Keyboard only, on the demo course at phone width: Tab reaches a side note's toggle and a
citation's popover; progress survives a reload and shows in the sidebar."""

from __future__ import annotations

import pytest

from course_helpers import settle

pytestmark = pytest.mark.browser


def tab_to(page, predicate: str, limit: int = 300) -> None:  # type: ignore[no-untyped-def]
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate):
            return
    pytest.fail(f"Tab never reached: {predicate}")


def test_tab_reaches_side_note_toggle_and_citation_popover(page_factory, server) -> None:  # type: ignore[no-untyped-def]
    page = page_factory(width=400, height=800)
    settle(page, f"{server}/topics/learning-path/")
    tab_to(page, "document.activeElement.classList.contains('sidenote-ref')")
    note_id = page.evaluate("document.activeElement.getAttribute('aria-controls')")
    note = page.locator(f"[id='{note_id}']")
    assert note.is_hidden()
    page.keyboard.press("Enter")
    assert note.is_visible()
    page.keyboard.press("Enter")
    assert note.is_hidden()
    settle(page, f"{server}/topics/citations/")
    tab_to(page, "document.activeElement.classList.contains('cite-link')")
    popover = page.locator("#cb-popover")
    popover.wait_for(state="visible")
    assert len(popover.inner_text()) > 20
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden")


def test_finished_topic_survives_reload_in_the_sidebar(page_factory, server) -> None:  # type: ignore[no-untyped-def]
    page = page_factory()
    settle(page, f"{server}/topics/math-with-katex/")
    page.get_by_role("button", name="Mark as finished").click()
    settle(page)
    item = page.locator(".sidebar .nav-topic[data-slug='math-with-katex']")
    assert "is-finished" in (item.get_attribute("class") or "")
    settle(page, f"{server}/topics/")
    card = page.locator(".topic-card[data-slug='math-with-katex']")
    assert "is-finished" in (card.get_attribute("class") or "")
