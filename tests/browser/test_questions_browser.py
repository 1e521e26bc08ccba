"""Questions, exercises and the review page in a real browser (Debian chromium).

A small course with questions is built here and served on 127.0.0.1; the
browser answers with the mouse and with the keyboard, reloads, reviews cards,
moves its progress through an exported file and runs axe-core.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from course_helpers import axe_options, topic, write_course

REPO = Path(__file__).resolve().parents[2]
TOPIC = "/topics/attention/"

ATTENTION = topic("Attention", 1, """
    ## Where a head looks

    {% question %}
    Which circuit decides *where* a head looks?

    - [x] The QK circuit
      > Right: queries and keys score every position.
    - [ ] The OV circuit
      > No: the OV circuit decides *what* is moved.
    {% endquestion %}

    {% question %}
    Which of these are matrices of an attention head?

    - [x] The query matrix
    - [ ] The vocabulary
    - [x] The value matrix
    {% endquestion %}

    {% question answer="0.5" tolerance="0.01" %}
    What is one half as a decimal?
    {% endquestion %}

    {% exercise "Trace the circuit" %}
    Which head attends where?
    {% solution %}
    The previous-token head goes first.
    {% endsolution %}
    {% endexercise %}
    """, glossary="\n  - term: Attention head\n    definition: One of the parallel attention computations of a layer.",
    objectives='\n  - "Tell the QK circuit from the OV circuit"')

NEXT = topic("Induction", 2, """
    The next step.

    {% question shuffle=true %}
    Which letter comes first?

    - [x] A
    - [ ] B
    - [ ] C
    - [ ] D
    - [ ] E
    - [ ] F
    {% endquestion %}
    """,
             prerequisites='\n  - title: "Attention"\n    url: "/topics/attention/"')


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """This module's course (overrides the theme course of conftest.py)."""
    root = tmp_path_factory.mktemp("questions")
    course = write_course(root / "course", {
        "course.yml": "title: Practice in the browser\nfinish_on_questions: true\n",
        "content/topics/attention.md": ATTENTION, "content/topics/induction.md": NEXT})
    out = root / "site"
    done = subprocess.run([sys.executable, "-m", "coursebuild", "build", str(course), "--out", str(out),
                           "--no-search"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def question(page, number: int):  # type: ignore[no-untyped-def]
    return page.locator(".question").nth(number - 1)


def test_wrong_then_right_with_the_mouse(open_site) -> None:  # type: ignore[no-untyped-def]
    page = open_site().goto(TOPIC)
    first = question(page, 1)
    first.get_by_label("The OV circuit").check()
    first.get_by_role("button", name="Check").click()
    result = first.locator(".question-result")
    assert result.get_attribute("aria-live") == "polite"
    assert result.inner_text().startswith("Not quite.")
    assert "the OV circuit decides what is moved" in result.inner_text()
    assert "is-wrong" in (first.locator(".question-option", has_text="OV").get_attribute("class") or "")
    first.get_by_role("button", name="Try again").click()
    assert result.inner_text() == "" and not first.get_by_label("The OV circuit").is_checked()
    first.get_by_label("The QK circuit").check()
    first.get_by_role("button", name="Check").click()
    assert result.inner_text().startswith("Correct.") and "queries and keys" in result.inner_text()
    assert first.get_by_label("The QK circuit").is_disabled()
    assert page.locator("[data-practice-status]").inner_text() == "1 of 3 questions answered correctly"


def test_every_kind_answered_with_the_keyboard_only(open_site) -> None:  # type: ignore[no-untyped-def]
    page = open_site().goto(TOPIC)
    first, second, third = question(page, 1), question(page, 2), question(page, 3)
    first.locator("input").first.focus()
    page.keyboard.press("ArrowDown")  # radio group: arrows move the choice
    assert first.get_by_label("The OV circuit").is_checked()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    assert first.locator(".question-result").inner_text().startswith("Correct.")
    second.locator("input").first.focus()
    for key in ("Space", "Tab", "Space", "Enter"):  # the query matrix and the vocabulary: wrong
        page.keyboard.press(key)
    assert second.locator(".question-result").inner_text().startswith("Not quite")
    for key in ("Tab", "Tab"):  # past the value matrix to "Try again"
        page.keyboard.press(key)
    assert page.evaluate("document.activeElement.textContent") == "Try again"
    page.keyboard.press("Enter")  # clears the choices and returns to the first box
    assert page.evaluate("document.activeElement.type") == "checkbox"
    for key in ("Space", "Tab", "Tab", "Space", "Tab", "Space"):  # query, value, then the Check button
        page.keyboard.press(key)
    assert second.locator(".question-result").inner_text().startswith("Correct.")
    third.locator("input[type=text]").focus()
    page.keyboard.type(" 0.505 ")
    page.keyboard.press("Enter")
    assert third.locator(".question-result").inner_text().startswith("Correct.")
    assert page.locator("[data-practice-status]").inner_text() == "3 of 3 questions answered correctly"


def test_answers_survive_a_reload_and_finish_the_topic(open_site) -> None:  # type: ignore[no-untyped-def]
    session = open_site()
    page = session.goto(TOPIC)
    question(page, 1).get_by_label("The OV circuit").check()
    question(page, 1).get_by_role("button", name="Check").click()
    question(page, 3).locator("input[type=text]").fill("0.6")
    question(page, 3).get_by_role("button", name="Check").click()
    page.reload()
    assert question(page, 1).locator(".question-result").inner_text().startswith("Not quite.")
    assert question(page, 1).get_by_label("The OV circuit").is_checked()
    assert question(page, 3).locator("input[type=text]").input_value() == "0.6"
    assert page.locator(".finish-toggle").get_attribute("aria-pressed") == "false"
    question(page, 1).get_by_role("button", name="Try again").click()
    question(page, 1).get_by_label("The QK circuit").check()
    question(page, 1).get_by_role("button", name="Check").click()
    question(page, 2).get_by_label("The query matrix").check()
    question(page, 2).get_by_label("The value matrix").check()
    question(page, 2).get_by_role("button", name="Check").click()
    question(page, 3).get_by_role("button", name="Try again").click()
    question(page, 3).locator("input[type=text]").fill("0.5")
    question(page, 3).get_by_role("button", name="Check").click()
    # finish_on_questions: true — all right marks the topic finished.
    assert page.locator(".finish-toggle").get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.locator("[data-practice-status]").inner_text() == "3 of 3 questions answered correctly"
    assert page.locator(".finish-toggle").get_attribute("aria-pressed") == "true"
    page.goto(session.base + "/")
    assert page.locator(".topic-card", has_text="Attention").locator(".practice-badge").inner_text() == \
        "3 of 3 questions right"
    assert page.locator("[data-review-due-count]").inner_text() == "4 cards are"
    # The sidebar and the block summary count practice next to "finished".
    nav = page.locator('.nav-topic[data-slug="attention"]')
    assert nav.locator(".practice-badge").text_content() == " 3/3"
    assert nav.locator(".progress-status").text_content() == " (finished, 3 of 3 questions right)"
    assert page.locator("[data-block-progress]").text_content() == " 1 of 2 finished · 3 of 4 questions right"
    page.goto(session.base + "/map/")
    assert page.locator('.map-text-list li[data-slug="attention"] .practice-badge').text_content() == " 3/3"
    assert page.locator('.map-node[data-slug="attention"] title').text_content() == \
        "Attention (3 of 3 questions right)"


def test_review_cards_are_scheduled(open_site) -> None:  # type: ignore[no-untyped-def]
    session = open_site()
    page = session.goto("/review/")
    expect(page.locator("[data-review-status]")).to_contain_text("finish a topic")
    page.goto(session.base + TOPIC)
    page.get_by_role("button", name="Mark as finished").click()
    page.goto(session.base + "/review/")
    status = page.locator("[data-review-status]")
    expect(status).to_have_text("4 cards to review.")
    assert page.locator("[data-review-kind]").text_content() == "Glossary term"
    assert page.locator("[data-review-front]").inner_text() == "Attention head"
    assert page.locator("[data-review-back]").is_hidden()
    page.get_by_role("button", name="Show answer").click()
    assert "parallel attention computations" in page.locator("[data-review-back]").inner_text()
    page.get_by_role("button", name="Again").click()  # back of the queue, due today
    assert status.inner_text() == "4 cards to review."
    assert page.locator("[data-review-kind]").text_content() == "Question"
    for grade in ("Good", "Easy", "Good", "Good"):
        page.get_by_role("button", name="Show answer").click()
        page.get_by_role("button", name=grade).click()
    assert "Nothing is due" in status.inner_text()
    schedule = page.evaluate("JSON.parse(localStorage.getItem('coursebuild:/:review'))")
    assert sorted(entry["b"] for entry in schedule.values()) == [2, 2, 2, 3]
    page.reload()
    expect(status).to_contain_text("Nothing is due")
    page.goto(session.base + "/")
    assert page.locator("[data-review-due]").is_hidden()


def test_progress_moves_to_another_browser_through_a_file(  # type: ignore[no-untyped-def]
        open_site, tmp_path: Path) -> None:
    old = open_site()
    page = old.goto(TOPIC)
    question(page, 1).get_by_label("The QK circuit").check()
    question(page, 1).get_by_role("button", name="Check").click()
    page.goto(old.base + "/")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    saved = tmp_path / "progress.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text("utf-8"))
    assert data["format"] == "coursebuild-progress" and "answers" in data["data"]
    new = open_site()
    page = new.goto("/")
    (tmp_path / "bad.json").write_text("{}", "utf-8")
    page.locator("[data-progress-import]").set_input_files(str(tmp_path / "bad.json"))
    expect(page.locator("[data-progress-note]")).to_contain_text("not a progress file")
    page.locator("[data-progress-import]").set_input_files(str(saved))
    # Reading the file is asynchronous: wait for the note to change.
    expect(page.locator("[data-progress-note]")).to_have_text("Progress imported.")
    page.goto(new.base + TOPIC)
    assert question(page, 1).locator(".question-result").inner_text().startswith("Correct.")


def test_without_javascript_the_answer_waits_in_details(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + TOPIC)
    first = question(page, 1)
    assert first.locator(".question-option").count() == 2 and first.locator("input").count() == 0
    assert first.locator(".question-answer").get_attribute("open") is None
    first.get_by_text("Show the answer").click()
    assert "queries and keys score every position" in first.locator(".question-answer").inner_text()
    page.get_by_text("Show solution").click()
    assert page.get_by_text("The previous-token head goes first.").is_visible()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(open_site, scheme: str) -> None:  # type: ignore[no-untyped-def]
    axe = REPO / "node_modules" / "axe-core" / "axe.min.js"
    assert axe.is_file(), "axe-core is missing: run npm ci"
    source = axe.read_text(encoding="utf-8")
    session = open_site(scheme=scheme)
    page = session.goto(TOPIC)
    question(page, 1).get_by_label("The OV circuit").check()
    question(page, 1).get_by_role("button", name="Check").click()
    question(page, 2).get_by_label("The query matrix").check()
    question(page, 2).get_by_label("The value matrix").check()
    question(page, 2).get_by_role("button", name="Check").click()
    page.get_by_role("button", name="Mark as finished").click()
    found = _violations(page, source, TOPIC, scheme)
    page = session.goto("/review/")
    page.get_by_role("button", name="Show answer").click()
    expect(page.locator("[data-review-back]")).to_be_visible()
    found += _violations(page, source, "/review/", scheme)
    assert not found, "\n".join(found)


def _violations(page, source: str, path: str, scheme: str) -> list[str]:  # type: ignore[no-untyped-def]
    page.add_script_tag(content=source)
    found = page.evaluate(f"""async () => (await axe.run(document, {axe_options(scheme)}))
        .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""")
    return [f"{path}: {v}" for v in found]


def test_shuffled_options_keep_their_order_for_one_reader(open_site) -> None:  # type: ignore[no-untyped-def]
    page = open_site().goto("/topics/induction/")
    options = page.locator(".question-option")
    order = options.all_inner_texts()
    assert sorted(order) == ["A", "B", "C", "D", "E", "F"]
    page.reload()
    assert options.all_inner_texts() == order
    page.get_by_label("A", exact=True).check()
    page.get_by_role("button", name="Check").click()
    assert page.locator(".question-result").inner_text().startswith("Correct.")


def test_read_next_and_print(open_site) -> None:  # type: ignore[no-untyped-def]
    session = open_site()
    page = session.goto(TOPIC)
    read_next = page.locator("[data-read-next]")
    assert read_next.is_visible() and read_next.locator("li:visible").all_inner_texts() == ["Induction"]
    page.goto(session.base + "/topics/induction/")
    page.get_by_role("button", name="Mark as finished").click()
    page.goto(session.base + TOPIC)
    assert read_next.is_hidden()  # the one topic it leads to is finished already
    # Printing shows the questions and their options, and the solution (solutions: show), not the answers.
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert question(page, 1).locator(".question-option").first.is_visible()
    assert question(page, 1).locator(".question-answer").is_hidden()
    assert page.get_by_text("The previous-token head goes first.").is_visible()


def test_reset_forgets_answers_with_the_progress(open_site) -> None:  # type: ignore[no-untyped-def]
    session = open_site()
    page = session.goto(TOPIC)
    question(page, 1).get_by_label("The QK circuit").check()
    question(page, 1).get_by_role("button", name="Check").click()
    page.get_by_role("button", name="Mark as finished").click()
    page.goto(session.base + "/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset progress").click()
    assert page.evaluate("Object.keys(localStorage).filter(k => /:(answers|practice|review|finished)$/.test(k))") == []
    page.goto(session.base + TOPIC)
    assert question(page, 1).locator(".question-result").inner_text() == ""
    assert page.locator("[data-practice-status]").inner_text() == "0 of 3 questions answered correctly"
