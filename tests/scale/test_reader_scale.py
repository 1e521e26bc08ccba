"""A reader on a course at real scale: in-page jumps land exactly although large lazy
images sit above the target, search shows more than ten results and tidy excerpts, code
copies and images enlarge by keyboard, nothing scrolls sideways, axe passes with the
search dialog open."""

from __future__ import annotations

import json

import pytest

from course_helpers import axe_options
from coursebuild.assets import axe_core_js

from .course import COMMON, LONG, TARGET

pytestmark = pytest.mark.browser

LONG_URL = f"/topics/{LONG}/"

# Wait until the page stops scrolling (smooth scrolling included).
SETTLED = """() => new Promise(done => {
  let last = scrollY, still = 0;
  const timer = setInterval(() => {
    if (Math.abs(scrollY - last) < 0.5) { if (++still >= 6) { clearInterval(timer); done(true); } }
    else { still = 0; last = scrollY; }
  }, 50);
})"""

# The worst case for a jump: every image on the page loads after it.
LOAD_ALL_IMAGES = """() => Promise.all([...document.images].map(img => {
  img.loading = "eager";
  return img.complete && img.naturalWidth ? null : new Promise(r => { img.onload = img.onerror = r; });
}))"""


def offset_from_landing(page, ident: str) -> float:  # type: ignore[no-untyped-def]
    """How far the element is from where a jump should put it: just below the header, or,
    near the end of the page, as far down as the page scrolls with the element in view."""
    page.wait_for_function(SETTLED)
    page.evaluate(LOAD_ALL_IMAGES)
    page.wait_for_function(SETTLED)
    return page.evaluate("""(id) => {
        const off = document.getElementById(id).getBoundingClientRect().top
            - parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop);
        const bottom = Math.abs(scrollY - (document.scrollingElement.scrollHeight - innerHeight)) < 2;
        return bottom && off > 0 && off < innerHeight / 2 ? 0 : off;
    }""", ident)


def test_every_image_has_its_size_before_it_loads(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(LONG_URL)
    sizes = page.evaluate("[...document.querySelectorAll('.prose img')].map(i => [i.getAttribute('width'), "
                          "i.getAttribute('height'), i.getAttribute('loading')])")
    assert len(sizes) == 6
    assert sizes[0] == ["1200", "900", "lazy"] and sizes[5] == ["1200", "600", "lazy"]


def test_table_of_contents_jump_lands_exactly(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(LONG_URL)
    page.locator(f".toc-sidebar a[href='#{TARGET}']").click()
    assert abs(offset_from_landing(page, TARGET)) <= 3


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_a_shared_link_lands_exactly_in_a_fresh_tab(open_page, motion: str) -> None:  # type: ignore[no-untyped-def]
    page = open_page(f"{LONG_URL}#{TARGET}", motion=motion)
    assert abs(offset_from_landing(page, TARGET)) <= 3


def test_citation_jump_to_references_lands_exactly(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(LONG_URL)
    page.locator("#cite-1").focus()
    page.keyboard.press("Escape")  # the popover opened by keyboard focus
    page.keyboard.press("Enter")
    assert abs(offset_from_landing(page, "ref-tukey1977")) <= 3


def test_search_sub_result_lands_exactly(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(LONG_URL)
    page.keyboard.press("/")
    page.keyboard.type("quasicrystal")
    link = page.locator(f"#search-dialog a[href$='#{TARGET}']").first
    link.wait_for(timeout=10_000)
    link.click()
    page.wait_for_function(f"location.hash === '#{TARGET}'")
    assert abs(offset_from_landing(page, TARGET)) <= 3


def test_results_beyond_ten_are_reachable_by_keyboard(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("/search/?q=" + COMMON)
    panel = page.locator("[data-search-page]")
    results = panel.locator(".search-results > .search-result")
    results.nth(9).wait_for(timeout=10_000)
    assert results.count() == 10
    assert panel.locator(".search-status").inner_text() == "84 results, showing 10"
    more = panel.locator(".search-more")
    assert more.is_visible()
    more.focus()
    page.keyboard.press("Enter")
    results.nth(19).wait_for()
    assert results.count() == 20
    # Focus moved to the first new result, so the keyboard carries on where the list grew.
    assert page.evaluate("document.activeElement.closest('.search-result') === "
                         "document.querySelectorAll('[data-search-page] .search-result')[10]")


def test_excerpts_hold_no_tex_and_tight_citations(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("/search/?q=inline")
    page.locator(".search-result-excerpt").first.wait_for(timeout=10_000)
    text = page.locator("[data-search-page] .search-results").inner_text()
    assert "a2+b2=c2" in text.replace(" ", "") and "^" not in text and "\\" not in text
    page = open_page("/search/?q=figures+must+move")
    page.locator(".search-result-excerpt").first.wait_for(timeout=10_000)
    text = page.locator("[data-search-page] .search-results").inner_text()
    assert "[1]" in text and "[ 1]" not in text


def test_copy_button_copies_by_keyboard_and_says_so(open_page, scale_server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(LONG_URL)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=scale_server)
    button = page.locator(".code-block .copy-button").first
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('.reader-status').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()").startswith("def mean(values):")
    assert button.inner_text() == "Copied"


def test_image_opens_full_size_by_keyboard_and_escape_closes(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(LONG_URL)
    trigger = page.locator(".zoom-button").nth(2)
    trigger.focus()
    page.keyboard.press("Enter")
    dialog = page.locator(".zoom-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator("img").get_attribute("src").endswith("figure-2.png")
    assert page.evaluate("document.querySelector('.zoom-dialog img').naturalWidth") == 1200
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('zoom-button')")


@pytest.mark.parametrize("width", [360, 400, 768])
def test_nothing_scrolls_sideways(open_page, scale_server, width: int) -> None:  # type: ignore[no-untyped-def]
    page = open_page(LONG_URL, width=width, height=800)
    for path in (LONG_URL, "/map/", "/", "/topics/b3-topic-05/"):
        page.goto(scale_server + path, wait_until="load")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width, path


def test_long_formula_scrolls_with_a_hint_and_by_keyboard(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(LONG_URL, width=360, height=800)
    formula = page.locator(".math-display").first
    assert formula.get_attribute("tabindex") == "0" and formula.get_attribute("aria-label") == "Formula"
    assert page.evaluate("(e => e.scrollWidth > e.clientWidth)(document.querySelector('.math-display'))")
    assert "radial-gradient" in formula.evaluate("e => getComputedStyle(e).backgroundImage")
    formula.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.math-display').scrollLeft > 0")


def test_phone_menu_starts_below_the_header(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(LONG_URL, width=400, height=800)
    page.locator(".menu-button").click()
    page.wait_for_timeout(300)
    header = page.locator(".site-header").bounding_box()
    first = page.locator("#sidebar a").first.bounding_box()
    assert first["y"] >= header["y"] + header["height"]


def test_question_mark_lists_the_keyboard_shortcuts(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(LONG_URL)
    page.keyboard.press("?")
    help_dialog = page.locator(".help-dialog")
    help_dialog.wait_for(state="visible")
    assert "Search" in help_dialog.inner_text() and "Next topic" in help_dialog.inner_text()
    page.keyboard.press("Escape")
    help_dialog.wait_for(state="hidden")


def test_on_this_page_column_beside_a_page_without_notes(open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page("/topics/b3-topic-05/", width=1500)
    aside = page.locator(".toc-aside")
    assert aside.is_visible() and page.locator(".toc-sidebar").is_hidden()
    body = page.locator(".topic-body").bounding_box()
    assert aside.bounding_box()["x"] >= body["x"] + body["width"]
    page = open_page(LONG_URL, width=1500)  # side notes keep the margin at this width
    assert page.locator(".toc-aside").is_hidden() and page.locator(".toc-sidebar").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious_with_the_search_open(open_page, scheme: str) -> None:  # type: ignore[no-untyped-def]
    axe = axe_core_js()
    assert axe is not None, "axe-core is missing: run npm ci"
    found = []
    for path in (LONG_URL, "/map/"):
        page = open_page(path, scheme=scheme)
        if path == LONG_URL:
            page.keyboard.press("/")
            page.keyboard.type(COMMON)
            page.locator("#search-dialog .search-result mark").first.wait_for(timeout=10_000)
        page.add_script_tag(path=str(axe))
        result = json.loads(page.evaluate(
            f"async () => JSON.stringify(await axe.run(document, {axe_options(scheme)}))"))
        found += [(path, v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
                  if v["impact"] in ("serious", "critical")]
    assert not found, found
