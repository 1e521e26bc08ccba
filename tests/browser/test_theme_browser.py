"""What a reader does with the built-in theme, checked in a real browser.

Every test gets fresh browser contexts (so fresh localStorage); the
``open_site`` fixture fails a test that logged a console error or asked for
anything from another host.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"

TOPIC = "/topics/signals-and-noise/"
TOPIC_2 = "/topics/measuring-error/"
PAGES = ["/", "/topics/", TOPIC, TOPIC_2, "/topics/fitting-models/", "/topics/checking-results/",
         "/glossary/", "/bibliography/", "/map/", "/search/", "/404.html"]


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not rendered"
    return found


def overlaps(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


# --- Side notes ----------------------------------------------------------------

def test_side_notes_sit_in_the_right_margin_without_overlapping(wide):
    page = wide.goto(TOPIC)
    page.wait_for_timeout(200)  # the script nudges notes after fonts and images settle
    notes = page.locator(".topic-body .note")
    assert notes.count() == 3  # two side notes and one margin note
    boxes = [notes.nth(i).bounding_box() for i in range(notes.count())]
    for i, note in enumerate(boxes):
        assert note and note["width"] > 150
        paragraph = page.locator(".topic-body .note").nth(i).locator("xpath=ancestor::p[1]").bounding_box()
        assert note["x"] >= paragraph["x"] + paragraph["width"], "note is not right of its paragraph"
        assert abs(note["y"] - paragraph["y"]) < paragraph["height"] + 200, "note is far from its line"
    body = box(page, ".topic-body")
    for note in boxes:
        assert note["x"] >= body["x"] + body["width"] - 1
    for a, b in zip(boxes, boxes[1:]):
        assert a["y"] + a["height"] <= b["y"], f"notes overlap: {a} / {b}"
    for selector in ("figure", ".table-wrap", "pre", ".math-display"):
        wide_box = box(page, ".topic-body " + selector)
        assert not any(overlaps(wide_box, note) for note in boxes), f"a note covers {selector}"
    # Wide screens show every note: the buttons say so.
    assert page.get_attribute("[aria-controls='sn-1']", "aria-expanded") == "true"


def test_side_note_toggles_on_a_phone(phone):
    page = phone.goto(TOPIC)
    button = page.locator("[aria-controls='sn-1']")
    note = page.locator("#sn-1")
    assert note.is_hidden()
    assert button.get_attribute("aria-expanded") == "false"
    size = button.bounding_box()
    assert size["width"] >= 44 and size["height"] >= 44, f"tap target too small: {size}"
    button.click()
    assert note.is_visible()
    assert button.get_attribute("aria-expanded") == "true"
    # Shown below the line as a block inside the text column.
    text = box(page, ".topic-body")
    shown = note.bounding_box()
    assert shown["x"] >= text["x"] - 1 and shown["x"] + shown["width"] <= text["x"] + text["width"] + 1
    button.click()
    assert note.is_hidden()
    assert button.get_attribute("aria-expanded") == "false"
    # Keyboard: Enter on the focused button opens it again.
    button.focus()
    page.keyboard.press("Enter")
    assert note.is_visible()
    margin = page.locator("#mn-1")
    assert margin.is_hidden()
    page.click("[aria-controls='mn-1']")
    assert margin.is_visible()


# --- Popovers ----------------------------------------------------------------

LAYOUT_JS = """() => {
    const r = document.querySelector('.topic-body').getBoundingClientRect();
    const doc = document.scrollingElement;
    return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height,
            docWidth: doc.scrollWidth, docHeight: doc.scrollHeight};
}"""


def test_citation_popover_on_hover(wide):
    page = wide.goto(TOPIC)
    popover = page.locator("#cb-popover")
    page.locator("#cite-1").scroll_into_view_if_needed()
    before = page.evaluate(LAYOUT_JS)  # page coordinates, measured before the popover opens
    page.hover("#cite-1")
    popover.wait_for(state="visible")
    assert "Exploratory Data Analysis" in popover.inner_text()
    assert page.get_attribute("#cite-1", "aria-describedby") == "cb-popover"
    assert popover.get_attribute("role") == "tooltip"
    assert page.evaluate(LAYOUT_JS) == before, "the popover shifted the layout"
    # It floats next to the citation (just below or above it), not somewhere in the flow.
    cite, shown = box(page, "#cite-1"), box(page, "#cb-popover")
    gap = max(shown["y"] - (cite["y"] + cite["height"]), cite["y"] - (shown["y"] + shown["height"]))
    assert -1 <= gap <= 40, f"popover {shown} is not next to the citation {cite}"
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden")
    # Moving the pointer away also closes it.
    page.hover("#cite-2")
    popover.wait_for(state="visible")
    assert "Science and Statistics" in popover.inner_text()
    page.mouse.move(5, 880)
    popover.wait_for(state="hidden")


def test_citation_popover_on_keyboard_focus(wide):
    page = wide.goto(TOPIC)
    popover = page.locator("#cb-popover")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "cite-1":
            break
    else:
        pytest.fail("Tab never reached the first citation")
    popover.wait_for(state="visible")
    assert "Exploratory Data Analysis" in popover.inner_text()
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "cite-1", "Escape did not return focus"


def test_citation_on_a_phone_opens_a_bottom_sheet_first(open_site):
    session = open_site(400, 800, touch=True)
    page = session.goto(TOPIC)
    page.locator("#cite-1").scroll_into_view_if_needed()
    page.tap("#cite-1")
    popover = page.locator("#cb-popover")
    popover.wait_for(state="visible")
    assert page.url.endswith(TOPIC), "the first tap navigated"
    sheet = popover.bounding_box()
    assert abs(sheet["y"] + sheet["height"] - 800) <= 1 and sheet["width"] >= 399
    assert page.locator("#cite-1").bounding_box()["y"] < sheet["y"], "the sheet covers the citation"
    page.tap("#cite-1")
    page.wait_for_function("location.hash === '#ref-tukey1977'")


def test_glossary_term_popover_shows_its_definition(wide):
    page = wide.goto(TOPIC_2)
    term = page.locator("a.glossary-term").first
    definition = term.get_attribute("data-definition")
    assert definition
    term.hover()
    popover = page.locator("#cb-popover")
    popover.wait_for(state="visible")
    assert definition in popover.inner_text()
    assert popover.locator("a", has_text="Glossary entry").get_attribute("href") == term.get_attribute("href")


# --- Theme, progress, navigation ---------------------------------------------

def test_theme_toggle_switches_and_persists(wide):
    page = wide.goto(TOPIC)
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.click(".theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.get_attribute(".theme-toggle", "aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != background
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    wide.goto("/glossary/")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.click(".theme-toggle")
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"


def test_theme_follows_the_system_and_is_set_before_paint(open_site):
    session = open_site(1400, 900, scheme="dark")
    page = session.goto(TOPIC)
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    # The inline script in <head> comes before every stylesheet and script file.
    order = page.evaluate("""() => [...document.head.children]
        .filter(e => e.matches('script, link[rel=stylesheet]'))
        .map(e => e.src || e.href || 'inline')""")
    assert order[0] == "inline"


def test_mark_as_finished_survives_reload_and_shows_everywhere(wide):
    page = wide.goto(TOPIC)
    button = page.locator(".finish-toggle")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.locator(".finish-toggle").get_attribute("aria-pressed") == "true"
    item = page.locator(".nav-topic[data-slug='signals-and-noise']")
    assert "is-finished" in item.get_attribute("class")
    assert "(finished)" in item.inner_text() or "finished" in item.locator(".progress-status").text_content()
    wide.goto(TOPIC_2)
    assert "is-finished" in page.locator(".context-list li[data-slug='signals-and-noise']").get_attribute("class")
    wide.goto("/topics/")
    assert "is-finished" in page.locator(".topic-card[data-slug='signals-and-noise']").get_attribute("class")
    assert page.locator("[data-progress-count]").first.inner_text() == "1"
    wide.goto("/map/")
    assert "is-finished" in page.locator("a.map-node[data-slug='signals-and-noise']").get_attribute("class")
    wide.goto("/")
    resume = page.locator("[data-resume]")
    assert resume.is_visible()
    assert page.locator("[data-resume-last] a").inner_text() == "Measuring Error"  # last visited topic
    # Next up: the first unfinished topic whose prerequisites are all finished.
    wide.goto(TOPIC_2)
    page.click(".finish-toggle")
    wide.goto("/")
    assert page.locator("[data-resume-next] a").inner_text() == "Fitting Models"
    # Reset (after confirming) forgets everything.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-progress-reset]").first.click()
    assert page.locator("[data-resume]").is_hidden()
    page.reload()
    assert page.locator("[data-resume]").is_hidden()


def test_home_hides_progress_until_there_is_some(wide):
    page = wide.goto("/")
    assert page.locator("[data-resume]").is_hidden()
    assert page.locator("a", has_text="Start the course").get_attribute("href").endswith(TOPIC)


def test_pause_and_think_remembers_it_was_opened(wide):
    page = wide.goto(TOPIC)
    details = page.locator("details.pause-and-think")
    assert details.locator(".pt-seen").count() == 0
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    page.reload()
    details = page.locator("details.pause-and-think")
    assert details.get_attribute("open") is None
    assert details.locator(".pt-seen").count() == 1


def test_next_and_previous_links_navigate(wide):
    page = wide.goto(TOPIC)
    assert page.locator("a[rel=prev]").count() == 0
    page.click(".pager a[rel=next]")
    page.wait_for_url(re.compile(re.escape(TOPIC_2) + "$"))
    assert page.locator("h1").inner_text() == "Measuring Error"
    page.click(".pager a[rel=prev]")
    page.wait_for_url(re.compile(re.escape(TOPIC) + "$"))


def test_j_and_k_navigate_between_topics(wide):
    page = wide.goto(TOPIC)
    page.keyboard.press("j")
    page.wait_for_url(re.compile(re.escape(TOPIC_2) + "$"))
    page.keyboard.press("j")
    page.wait_for_url(re.compile("/topics/fitting-models/$"))
    page.keyboard.press("k")
    page.wait_for_url(re.compile(re.escape(TOPIC_2) + "$"))
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(re.escape(TOPIC) + "$"))
    # Not while typing in a field.
    page.keyboard.press("/")
    page.locator("#search-dialog-input").wait_for(state="visible")
    page.keyboard.press("j")
    assert page.url.endswith(TOPIC)
    assert page.input_value("#search-dialog-input") == "j"


def test_table_of_contents_follows_the_section_being_read(wide):
    page = wide.goto(TOPIC)
    page.evaluate("document.getElementById('models-are-simplifications').scrollIntoView()")
    page.wait_for_function("""() => {
        const a = document.querySelector('.toc-sidebar a.is-active');
        return a && a.hash === '#models-are-simplifications';
    }""")
    assert page.get_attribute(".toc-sidebar a.is-active", "aria-current") == "location"


# --- Search ------------------------------------------------------------------

def test_search_dialog_finds_a_section(wide):
    page = wide.goto("/")
    page.keyboard.press("Control+k")
    dialog = page.locator("#search-dialog")
    dialog.wait_for(state="visible")
    page.fill("#search-dialog-input", "least squares")
    first = page.locator("#search-dialog .search-results a").first
    first.wait_for(state="visible", timeout=10_000)
    hrefs = page.eval_on_selector_all("#search-dialog .search-results a", "els => els.map(a => a.href)")
    assert any("/topics/fitting-models/" in h for h in hrefs)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")


def test_search_page_reads_the_query(wide):
    page = wide.goto("/search/?q=residual")
    page.locator(".search-page .search-results a").first.wait_for(state="visible", timeout=10_000)
    assert "result" in page.inner_text(".search-page .search-status")


def test_a_base_url_prefix_reaches_scripts_progress_and_search(open_site, prefixed_site_url):
    session = open_site(1400, 900, base=prefixed_site_url + "/cb")
    page = session.goto(TOPIC)
    assert page.evaluate("document.documentElement.dataset.baseUrl") == "/cb/"
    assert page.locator(".finish-toggle").is_visible()  # the script ran
    page.click(".finish-toggle")
    session.goto("/")
    assert page.get_attribute("[data-resume-last] a", "href") == "/cb/topics/signals-and-noise/"
    assert page.get_attribute("[data-resume-next] a", "href") == "/cb/topics/measuring-error/"
    page.keyboard.press("/")
    page.fill("#search-dialog-input", "least squares")
    page.locator("#search-dialog .search-results a").first.wait_for(state="visible", timeout=10_000)
    hrefs = page.eval_on_selector_all("#search-dialog .search-results a", "els => els.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith("/cb/") for h in hrefs)


# --- Phones ------------------------------------------------------------------

# No page scrolls sideways on a phone: tests/reader/test_phone.py checks every page of the
# demo course (which shows every feature) at 360 px.

def test_sidebar_becomes_a_menu_on_phones(phone):
    page = phone.goto(TOPIC)
    sidebar = page.locator("#sidebar")
    menu = page.locator(".menu-button")
    assert menu.is_visible()
    assert sidebar.is_hidden()
    size = menu.bounding_box()
    assert size["width"] >= 44 and size["height"] >= 44
    menu.click()
    expect(sidebar).to_be_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.locator("#sidebar a[aria-current='page']").first.is_visible()
    page.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")


def test_wide_screens_show_the_sidebar(wide):
    page = wide.goto(TOPIC)
    assert page.locator("#sidebar").is_visible()
    assert page.locator(".menu-button").is_hidden()
    assert page.locator("#sidebar a[aria-current='page']").inner_text().strip() == "Signals and Noise"


# --- Every page --------------------------------------------------------------

def test_every_page_loads_without_console_errors(open_site):
    for width in (1400, 400):
        session = open_site(width, 900)
        for path in PAGES:
            page = session.goto(path)
            assert page.locator("h1").count() == 1, f"{path} should have one h1"
            assert page.locator("a.skip-link").get_attribute("href") == "#main"
    # open_site's teardown fails on any console error or foreign request


# axe-core runs on the demo course (tests/reader/test_accessibility.py), which shows every
# feature, in both themes and at phone width.


def test_topic_page_screenshots(open_site):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for width in (1400, 400):
            session = open_site(width, 900 if width > 600 else 800, scheme=scheme)
            page = session.goto(TOPIC)
            page.wait_for_timeout(150)
            path = ARTIFACTS / f"topic-{width}-{scheme}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 10_000
