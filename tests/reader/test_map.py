"""The course map of the demo course: every node is a link, and progress shows on it."""

from __future__ import annotations

import pytest

from course_helpers import settle

pytestmark = pytest.mark.browser


def test_clicking_a_map_node_opens_its_topic(page_factory, server) -> None:  # type: ignore[no-untyped-def]
    page = page_factory()
    settle(page, f"{server}/map/")
    nodes = page.locator("svg a.map-node")
    assert nodes.count() >= 8
    node = page.locator("svg a.map-node[data-slug='citations']")
    node.click()
    page.wait_for_url("**/topics/citations/")
    assert "Citations" in page.locator("h1").first.inner_text()


def test_map_nodes_are_keyboard_links_and_show_finished_topics(page_factory, server) -> None:  # type: ignore[no-untyped-def]
    page = page_factory()
    settle(page, f"{server}/topics/front-matter/")
    page.get_by_role("button", name="Mark as finished").click()
    settle(page, f"{server}/map/")
    finished = page.locator("svg a.map-node.is-finished")
    assert finished.count() == 1
    assert finished.first.get_attribute("data-slug") == "front-matter"
    first = page.locator("svg a.map-node").first
    first.focus()
    assert page.evaluate("document.activeElement.classList.contains('map-node')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/topics/**")
