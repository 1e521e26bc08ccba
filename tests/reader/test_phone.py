"""At phone width (360 px, the narrowest common phone) no page of the demo course scrolls sideways."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_no_demo_page_scrolls_horizontally_at_360px(page_factory, server, demo_site) -> None:  # type: ignore[no-untyped-def]
    page = page_factory(width=360, height=800)
    paths = sorted("/" + p.relative_to(demo_site).as_posix().removesuffix("index.html")
                   for p in demo_site.rglob("index.html") if "pagefind" not in p.parts)
    assert len(paths) >= 15
    wide = []
    for path in paths:
        page.goto(server + path, wait_until="load")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > 360:
            wide.append((path, width))
    assert not wide, wide
