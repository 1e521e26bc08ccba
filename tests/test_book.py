"""The book's HTML (what ``coursebuild pdf`` prints), made by the real pipeline without a browser:
unique ids across chapters, links inside the book, assets that resolve beside the built site."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from course_helpers import topic, write_course
from coursebuild import assets
from coursebuild.output.book import BookOptions, render_book
from coursebuild.pipeline import BuildOptions, Builder
from coursebuild.site import environment

SVG = ('<svg viewBox="0 0 10 10" width="40"><defs><marker id="arrow"><path d="M0 0L5 5"/></marker></defs>'
       '<path d="M0 0L9 9" marker-end="url(#arrow)"/></svg>')

COURSE = {
    "course.yml": 'title: "Book <Course> \\"One\\""\nauthor: An Author\n',
    "content/topics/a/_block.yml": "title: First block\norder: 1\n",
    "content/topics/b/_block.yml": "title: Second block\norder: 2\n",
    "content/topics/a/one/index.md": topic("One", 1, f"""
        ## Summary

        See [two](/topics/two/#summary), the [map](/map/) and [here](#summary).

        ![Dot](images/dot.svg "Figure 1: A dot.")

        {SVG}
        """),
    "content/topics/a/one/images/dot.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
    "content/topics/b/two/index.md": topic("Two", 1, """
        ## Summary

        Back to [one](/topics/one/).
        """, prerequisites='\n  - title: "One"\n    url: "/topics/one/"'),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("book")
    course = write_course(root / "course", COURSE)
    site = root / "site"
    result = Builder(BuildOptions(course, site, search=False, disk_cache=False)).build()
    assert result.written and result.site is not None, [d.format() for d in result.diagnostics]
    env = environment(course.resolve(), assets.theme_dir())
    return site, result.site, env


def test_chapters_in_learning_path_order_with_unique_ids(built) -> None:  # type: ignore[no-untyped-def]
    _, data, env = built
    html = render_book(data, env, BookOptions(), {"ch-one": 3, "ch-two": 5, "part-1": 2})
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert not [i for i, n in ids.items() if n > 1]
    assert html.index('id="ch-one"') < html.index('id="part-2"') < html.index('id="ch-two"')
    assert 'id="one--summary"' in html and 'id="two--summary"' in html
    # Contents show the page numbers they are given.
    assert re.search(r'href="#ch-one"><span class="contents-label">One</span><span class="contents-page">3<', html)


def test_links_become_links_inside_the_book(built) -> None:  # type: ignore[no-untyped-def]
    _, data, env = built
    html = render_book(data, env, BookOptions())
    assert '<a href="#two--summary">two</a>' in html
    assert '<a href="#one--summary">here</a>' in html
    assert '<a href="#ch-one">one</a>' in html
    assert "<a>map</a>" in html  # the map is not in the book: text, not a dead link
    assert 'marker-end="url(#one--arrow)"' in html and 'id="one--arrow"' in html


def test_assets_resolve_beside_the_built_site(built) -> None:  # type: ignore[no-untyped-def]
    site, data, env = built
    html = render_book(data, env, BookOptions())
    urls = re.findall(r'\s(?:src|href)="([^"#][^"]*)"', html)
    assert "topics/one/images/dot.svg" in urls
    for url in urls:
        assert not url.startswith("/"), url
        if "://" not in url:
            assert (site / url.split("?")[0]).is_file(), url


def test_running_heads_are_escaped_css_strings(built) -> None:  # type: ignore[no-untyped-def]
    _, data, env = built
    html = render_book(data, env, BookOptions())
    assert '@top-left { content: "Book \\3c Course> \\"One\\""; }' in html
    assert '@page chapter-two {' in html and '@top-left { content: "Second block"; }' in html
    assert "</style>" in html and html.count("</style>") == 1


def test_handout_holds_one_chapter_and_drops_links_out(built) -> None:  # type: ignore[no-untyped-def]
    _, data, env = built
    html = render_book(data, env, BookOptions(topic="two"))
    assert 'id="ch-two"' in html and 'id="ch-one"' not in html
    assert '<nav class="book-contents"' not in html and 'id="glossary"' not in html
    assert "<a>one</a>" in html


PRACTICE = {
    "course.yml": "title: Practice Book\n",
    "content/topics/drill/index.md": topic("Drill", 1, """
        Some reading first.

        {% question %}
        Which circuit decides where a head looks?

        - [x] The QK circuit
          > Right: queries meet keys.
        - [ ] The OV circuit
          > No: that one moves what is read.
        {% endquestion %}

        {% question answer="42" %}
        What is six times seven?
        {% endquestion %}

        {% exercise "Trace it" %}
        Follow the tokens.
        {% hint %}
        Start at the last token.
        {% endhint %}
        {% solution %}
        The previous-token head does the work.
        {% endsolution %}
        {% endexercise %}
        """, objectives='\n  - "Trace an induction circuit"', key_points='\n  - "Heads read, then move"'),
}


@pytest.fixture(scope="module")
def practice_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The practice course's book in each ``solutions`` mode (``--solutions`` given to the build)."""
    root = tmp_path_factory.mktemp("practice-book")
    course = write_course(root / "course", PRACTICE)
    env = environment(course.resolve(), assets.theme_dir())
    books = {}
    for mode in ("show", "end", "omit"):
        result = Builder(BuildOptions(course, root / mode, search=False, disk_cache=False, solutions=mode)).build()
        assert result.written and result.site is not None, [d.format() for d in result.diagnostics]
        books[mode] = render_book(result.site, env, BookOptions())
    return books


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("mode", ["show", "end", "omit"])
def test_questions_print_without_controls_and_objectives_and_key_points_print(practice_books, mode: str) -> None:
    html = practice_books[mode]
    assert "Which circuit decides where a head looks?" in html and "The OV circuit" in html
    assert "What is six times seven?" in html
    assert "<input" not in html and "<button" not in html and "<script" not in html
    assert "Show the answer" not in html and "Show solution" not in html
    assert '<p class="objectives-title">After this topic you can</p>' in html
    assert "Trace an induction circuit" in html and "Heads read, then move" in html
    assert "Start at the last token." in html  # hints print (open)
    assert '<details open class="hint">' in html
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert not [i for i, n in ids.items() if n > 1]


@pytest.mark.parametrize("mode", ["show", "end"])
def test_answer_keys_gather_at_the_chapter_end_linked_both_ways(practice_books, mode: str) -> None:
    html = practice_books[mode]
    answers = html.index('<h3 class="answers-title">Answers</h3>')
    assert html.index('<p class="key-points-title">') < answers
    key = _text(html[answers:])
    assert "Right: queries meet keys." in key and "No: that one moves what is read." in key
    assert "Answer: 42" in key
    assert "Right: queries meet keys." not in html[:answers]  # not beside the question
    for question in re.findall(r'<div class="question" id="drill--question-([^"]+)"', html):
        assert f'<a href="#drill--answer-{question}">Answer</a> at the end of the chapter' in html
        assert f'id="drill--answer-{question}"' in html and f'<a href="#drill--question-{question}">' in html


def test_show_prints_each_solution_after_its_exercise(practice_books) -> None:
    html = practice_books["show"]
    exercise = html.index('id="drill--exercise-1"')
    solution = html.index("The previous-token head does the work.")
    assert exercise < solution < html.index('<p class="key-points-title">')
    assert '<details open class="solution"><summary>Solution</summary>' in html


def test_end_gathers_solutions_at_the_chapter_end_linked_both_ways(practice_books) -> None:
    html = practice_books["end"]
    solution = html.index("The previous-token head does the work.")
    assert html.index('<p class="key-points-title">') < solution < html.index("Answers</h3>")
    assert '<a href="#drill--solution-1">Solution to exercise 1</a> (at the end of the chapter)' in html
    assert 'id="drill--solution-1"' in html and '<a href="#drill--exercise-1">Exercise 1</a>' in html


def test_omit_leaves_out_solutions_and_answer_keys(practice_books) -> None:
    html = practice_books["omit"]
    assert "previous-token head" not in html
    assert "Right: queries meet keys." not in html and "Answers</h3>" not in html
    assert "Answer: 42" not in html and "drill--answer-" not in html and "data-answers" not in html
