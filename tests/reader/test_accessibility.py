"""axe-core on the demo course's pages, in both themes and at phone width; offline-only requests."""

from __future__ import annotations

import json

import pytest

from course_helpers import axe_options, require_tool, settle
from coursebuild.assets import axe_core_js

pytestmark = pytest.mark.browser

PAGES = ["/", "/topics/citations/", "/glossary/", "/bibliography/", "/map/"]
# Every kind of page at desktop width, and a topic page at phone width (its own layout).
AXE_PAGES = [(p, 1400) for p in PAGES + ["/topics/", "/search/"]] + [("/topics/citations/", 400)]
OTHER_PAGES = PAGES + ["/topics/", "/search/", "/topics/math-with-katex/", "/nope/"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violations(page_factory, server, scheme: str) -> None:  # type: ignore[no-untyped-def]
    axe = axe_core_js()
    require_tool(axe is not None, "axe-core is missing: run npm ci (make setup)")
    assert axe is not None
    found = []
    pages = {width: page_factory(width=width, scheme=scheme) for width in {w for _, w in AXE_PAGES}}
    for path, width in AXE_PAGES:
        page = pages[width]
        settle(page, server + path)
        assert page.evaluate("document.documentElement.dataset.theme") == scheme
        page.add_script_tag(path=str(axe))
        result = page.evaluate(f"async () => JSON.stringify(await axe.run(document, {axe_options(scheme)}))")
        violations = [v for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")]
        found += [(path, width, v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    assert not found, found
    assert not page_factory.errors, page_factory.errors


def test_pages_make_no_request_elsewhere_and_log_no_errors(page_factory, server) -> None:  # type: ignore[no-untyped-def]
    # Every page in a tab of its own, so that their waits for an idle network (half a
    # second without a request, to catch requests made after the page loaded) overlap.
    first = page_factory()
    tabs = [first] + [first.context.new_page() for _ in OTHER_PAGES[1:]]
    for tab, path in zip(tabs, OTHER_PAGES):
        tab.goto(server + path, wait_until="commit")
    for tab in tabs:
        tab.wait_for_load_state("networkidle")
    assert not [e for e in page_factory.errors if "404" not in e], page_factory.errors
