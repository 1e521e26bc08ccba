"""Questions, exercises, hints, solutions, objectives, key points and the review
data, end to end: small courses built with the CLI, their output inspected."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from course_helpers import run_build, run_cli, snapshot, topic, write_course

SOLUTION_WORDS = "Zanzibar-quokka reasoning"
"""Words that appear only in a solution: omit must leave them in no output file."""

ATTENTION = topic("Attention", 1, f"""
    ## Looking

    {{% question %}}
    Which circuit decides *where* a head looks?

    - [x] The QK circuit
      > Right: queries and keys score every position.
    - [ ] The OV circuit
      > No: the OV circuit decides *what* is moved.
    {{% endquestion %}}

    {{% question answer="0.5" tolerance="0.01" %}}
    What is one half as a decimal?
    {{% endquestion %}}

    {{% exercise "Trace the induction circuit" %}}
    Given the tokens `A B … A`, which head attends where?
    {{% hint %}}
    Start with the previous-token head.
    {{% endhint %}}
    {{% solution %}}
    {SOLUTION_WORDS}: the previous-token head copies the token forward.
    {{% endsolution %}}
    {{% endexercise %}}
    """, objectives='\n  - "Explain what the QK circuit does"\n  - "Trace an induction head"',
    key_points='\n  - "Queries and keys decide where a head looks"',
    glossary="\n  - term: Attention head\n    definition: One of the parallel attention computations of a layer.")

PLAIN = topic("Plain", 2, "Nothing to answer here.\n")

COURSE = {
    "course.yml": "title: Practice\nsolutions: end\n",
    "content/topics/attention.md": ATTENTION,
    "content/topics/plain.md": PLAIN,
}


def build(tmp: Path, name: str, files: dict[str, str], *extra: str, search: bool = False) -> Path:
    course = write_course(tmp / name, files)
    out = tmp / f"{name}_site"
    if search:
        run = run_cli("build", course, "--out", out, *extra)
    else:
        run = run_build(course, out, *extra)
    assert run.code == 0, run.stderr
    assert run.problems() == [], run.problems()
    return out


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """course.yml says ``end``; ``--solutions show`` on the command line wins."""
    return build(tmp_path_factory.mktemp("practice"), "show", COURSE, "--solutions", "show", "--strict")


def page(site: Path, rel: str) -> str:
    return (site / rel).read_text("utf-8")


def test_question_markup_reads_without_javascript(shown: Path) -> None:
    html = page(shown, "topics/attention/index.html")
    question = re.search(r'<div class="question" id="question-(\w+)" data-question="\1" data-kind="single".*?'
                         r"</details></div>", html, re.S)
    assert question is not None
    block = question.group(0)
    assert '<li class="question-option" data-correct="true">The QK circuit</li>' in block
    assert '<li class="question-option" data-correct="false">The OV circuit</li>' in block
    # The answer and every option's feedback wait in a closed <details>.
    assert '<details class="question-answer" data-pagefind-ignore><summary>Show the answer</summary>' in block
    assert "<p>Right: queries and keys score every position.</p>" in block
    assert 'data-kind="text"' in html and 'data-answers="[&quot;0.5&quot;]" data-tolerance="0.01"' in html


def test_exercise_hint_and_solution_shown_behind_a_control(shown: Path) -> None:
    html = page(shown, "topics/attention/index.html")
    assert '<section class="exercise" id="exercise-1" aria-labelledby="exercise-1-title">' in html
    assert '<span class="exercise-name">Trace the induction circuit</span>' in html
    assert '<details class="hint"><summary>Hint</summary>' in html
    solution = html.index('<details class="solution"><summary>Show solution</summary>')
    assert html.index(SOLUTION_WORDS) > solution
    assert 'class="solutions"' not in html


def test_objectives_under_the_title_and_key_points_at_the_end(shown: Path) -> None:
    html = page(shown, "topics/attention/index.html")
    objectives = html.index('<h2 class="objectives-title" id="objectives-title">After this topic you can</h2>')
    assert html.index("<h1") < objectives < html.index('class="prose topic-body"')
    assert "<li>Explain what the QK circuit does</li><li>Trace an induction head</li>" in html
    key_points = html.index('<h2 class="key-points-title" id="key-points-title">Key points</h2>')
    assert html.index('class="prose topic-body"') < key_points < html.index('class="topic-finish ')
    # Both sit inside the part of the page the search index reads.
    assert html.index("data-pagefind-body") < objectives


def test_practice_scripts_load_only_where_needed(shown: Path) -> None:
    attention = page(shown, "topics/attention/index.html")
    assert '<script src="/assets/questions.js?v=' in attention
    assert '<link rel="stylesheet" href="/assets/questions.css?v=' in attention
    assert 'data-practice-status data-total="2"' in attention
    for rel in ("topics/plain/index.html", "index.html", "glossary/index.html"):
        assert "questions.js" not in page(shown, rel) and "review.js" not in page(shown, rel), rel
    review = page(shown, "review/index.html")
    assert '<script src="/assets/review.js?v=' in review and "questions.js" not in review
    assert (shown / "assets/questions.js").is_file() and (shown / "assets/review.js").is_file()


def test_learning_path_data_counts_questions_and_cards(shown: Path) -> None:
    home = page(shown, "index.html")
    data = json.loads(re.search(r'<script type="application/json" id="course-data">(.*?)</script>',
                                home, re.S).group(1))  # type: ignore[union-attr]
    counts = {t["slug"]: (t["questions"], t["cards"]) for t in data["topics"]}
    assert counts == {"attention": (2, 3), "plain": (0, 0)}
    assert '<a href="/review/">Review' in home


def test_review_cards_hold_terms_and_questions_but_no_solution(shown: Path) -> None:
    cards = json.loads(page(shown, "review/cards.json"))["cards"]
    kinds = [(c["topic"], c["kind"]) for c in cards]
    assert kinds == [("attention", "term"), ("attention", "question"), ("attention", "question")]
    assert cards[0]["front"] == "Attention head"
    assert cards[0]["back"] == "One of the parallel attention computations of a layer."
    assert "The OV circuit" in cards[1]["front"] and "Right: queries" in cards[1]["back"]
    assert SOLUTION_WORDS not in page(shown, "review/cards.json")


def test_what_to_read_next_lists_the_topics_this_one_opens(shown: Path) -> None:
    html = page(shown, "topics/attention/index.html")
    assert '<li data-next="plain" data-needs=""><a href="/topics/plain/">Plain</a></li>' in html


def test_solutions_end_gathers_them_and_links_both_ways(tmp_path: Path) -> None:
    site = build(tmp_path, "end", COURSE)  # course.yml: solutions: end
    html = page(site, "topics/attention/index.html")
    assert '<details class="solution">' not in html
    link = html.index('<p class="solution-link" id="exercise-1-solution"><a href="#solution-1">')
    section = html.index('<section class="solutions" aria-labelledby="solutions-title">'
                         '<h2 id="solutions-title">Solutions</h2>')
    assert link < section < html.index(SOLUTION_WORDS)
    assert '<div class="solution-end" id="solution-1"><p class="solution-title"><a href="#exercise-1">' in html


def _texts(site: Path) -> dict[str, str]:
    """Every output file as text; gzip files (Pagefind's index) decompressed."""
    out = {}
    for rel, data in snapshot(site).items():
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        out[rel] = data.decode("utf-8", "replace")
    return out


def test_solutions_omit_leaves_the_solution_in_no_output_file(tmp_path: Path) -> None:
    site = build(tmp_path, "omit", COURSE, "--solutions", "omit", search=True)
    texts = _texts(site)
    index_files = [rel for rel in texts if rel.startswith("pagefind/fragment/")]
    assert index_files, "the search index was not built"
    # The exercise itself is there (in the page and the search index), its solution nowhere.
    assert any("which head attends where" in texts[rel] for rel in index_files)
    # Objectives and key points are searchable too.
    assert any("Explain what the QK circuit does" in texts[rel] and "Queries and keys decide where a head looks"
               in texts[rel] for rel in index_files)
    assert "which head attends where" in texts["topics/attention/index.html"]
    leaks = [rel for rel, text in texts.items() if "Zanzibar" in text or "previous-token head copies" in text]
    assert leaks == []
    html = texts["topics/attention/index.html"]
    assert 'class="solution' not in html and "Show solution" not in html


def test_bad_solutions_setting_is_a_configuration_error(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {"course.yml": "solutions: hidden\n", "content/topics/a.md": PLAIN})
    run = run_build(course)
    assert run.code == 2
    assert run.problems() == ["course.yml:1:12: error: 'solutions' must be one of show, end, omit, not 'hidden'"]
    bad_flag = run_cli("build", course, "--solutions", "never")
    assert bad_flag.code == 2 and "invalid choice: 'never'" in bad_flag.stderr


def test_finish_on_questions_marks_the_topic_page(tmp_path: Path) -> None:
    site = build(tmp_path, "fin", {**COURSE, "course.yml": "finish_on_questions: true\n"})
    attention = page(site, "topics/attention/index.html")
    assert 'data-slug="attention" data-finish-on-questions data-pagefind-body' in attention
    assert 'data-slug="plain" data-pagefind-body' in page(site, "topics/plain/index.html")


BROKEN = """\
---
title: "Broken"
description: "Every practice mistake"
order: 1
objectives:
  - "Do a thing"
  - "Do a  thing"
key_points: "not a list"
---
{% question %}
No options here.
{% endquestion %}

{% question %}
- [ ] wrong
- [ ] also wrong
{% endquestion %}

{% question answer="12" tolerance="about one" %}
Twelve?
{% endquestion %}

- [x] a stray right answer

{% solution %}
Alone.
{% endsolution %}

{% hint %}
Lost.
{% endhint %}

Text {% question %} in a paragraph.

{% endexercise %}

{% exercise "Never closed" %}
Content.
"""


def test_practice_mistakes_are_reported_with_their_position(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {"content/topics/plain.md": PLAIN})
    out = tmp_path / "out"
    assert run_build(course, out).code == 0
    before = snapshot(out)
    write_course(course, {"content/topics/broken.md": BROKEN})
    run = run_build(course, out)
    assert run.code == 1
    path = "content/topics/broken.md"
    assert run.problems() == [
        f"{path}:7:5: warning: 'objectives' lists 'Do a thing' twice",
        f"{path}:8:13: error: 'key_points' must be a list of strings (one '- \"…\"' line each)",
        f"{path}:10:1: error: a question needs options ('- [x] right' / '- [ ] wrong' lines) "
        "or a short answer (answer=\"…\")",
        f"{path}:14:1: error: no option is marked correct: mark the right one(s) with '- [x]'",
        f"{path}:19:1: error: tolerance=\"about one\" is not a number",
        f"{path}:23:3: warning: '[x]' marks the right option of a question, but this list is not inside "
        "'{% question %}' … '{% endquestion %}'",
        f"{path}:25:1: error: '{{% solution %}}' must be inside an '{{% exercise %}}'",
        f"{path}:29:1: error: '{{% hint %}}' must be inside a '{{% question %}}' or an '{{% exercise %}}'",
        f"{path}:33:6: error: '{{% question %}}' must stand on a line of its own",
        f"{path}:35:1: error: '{{% endexercise %}}' without an open '{{% exercise %}}'",
        f"{path}:37:1: error: '{{% exercise %}}' is never closed: add '{{% endexercise %}}' after its content",
    ]
    assert snapshot(out) == before


def test_more_question_mistakes(tmp_path: Path) -> None:
    body = """
        {% question answer="QK" %}
        Which?
        - [x] QK
        {% endquestion %}

        {% question answer="QK" tolerance="0.1" %}
        Which circuit?
        {% endquestion %}

        {% question colour="red" %}
        - [x] yes
        {% endquestion %}

        {% question answer="1" %}
        {% question answer="2" %}
        Inner
        {% endquestion %}
        {% endquestion %}
        """
    course = write_course(tmp_path / "c", {"content/topics/q.md": topic("Q", 1, body)})
    run = run_build(course)
    assert run.code == 1
    path = "content/topics/q.md"
    assert run.problems() == [
        f"{path}:6:1: error: a question has either '- [x]' options or answer=\"…\", not both",
        f"{path}:11:1: error: tolerance= needs a numeric answer, and answer=\"QK\" is not a number",
        f"{path}:15:1: error: '{{% question %}}' has no option 'colour' (options: answer, tolerance, shuffle)",
        f"{path}:20:1: error: a '{{% question %}}' cannot be inside another one",
    ]
