"""Incremental rebuilds (what serve does): each kind of change rebuilds what it must,
and the result equals a clean build of the same sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_helpers import snapshot, topic, write_course
from coursebuild.pipeline import BuildOptions, Builder

BIB = """@article{alpha, author = {Doe, Jane}, title = {Alpha}, journal = {J}, year = {2020}}
@article{beta, author = {Roe, Rick}, title = {Beta}, journal = {J}, year = {2021}}
"""


def course_files() -> dict[str, str]:
    return {
        "course.yml": "title: Incremental\n",
        "bibliography.bib": BIB,
        "static/extra.css": "p { color: black; }\n",
        "templates/.keep": "",
        "content/topics/a/_block.yml": 'title: "A"\norder: 1\n',
        "content/topics/a/one/index.md": topic("One", 1, 'First {% cite "alpha" %}.\n'),
        "content/topics/a/two/index.md": topic("Two", 2, 'Second {% cite "beta" %}.\n',
                                               glossary='\n  - term: "Widget"\n    definition: "A thing."'),
        "content/topics/a/three/index.md": topic("Three", 3, "Third, about a widget.\n",
                                                 prerequisites='\n  - title: "One"\n    url: "/topics/one/"'),
    }


@pytest.fixture()
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    course = write_course(tmp_path / "course", course_files())
    builder = Builder(BuildOptions(course, tmp_path / "out", search=False, disk_cache=False, incremental=True))
    first = builder.build()
    assert first.written and first.errors == 0, [d.format() for d in first.diagnostics]
    return course, builder, tmp_path


def rebuild_and_compare(course: Path, builder: Builder, tmp: Path):  # type: ignore[no-untyped-def]
    result = builder.build()
    assert result.written, [d.format() for d in result.diagnostics]
    clean_out = tmp / f"clean-{len(list(tmp.iterdir()))}"
    clean = Builder(BuildOptions(course, clean_out, search=False, disk_cache=False, incremental=True)).build()
    assert clean.written
    assert snapshot(tmp / "out") == snapshot(clean_out)
    return result


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_nothing_changed_rebuilds_nothing(setup) -> None:  # type: ignore[no-untyped-def]
    course, builder, tmp = setup
    result = rebuild_and_compare(course, builder, tmp)
    assert (result.rendered, result.templated, result.changed) == (0, [], [])


def test_text_edit_rebuilds_that_topic_only(setup) -> None:  # type: ignore[no-untyped-def]
    course, builder, tmp = setup
    edit(course / "content/topics/a/one/index.md", "First", "Very first")
    result = rebuild_and_compare(course, builder, tmp)
    assert result.rendered == 1
    assert result.templated == ["topics/one/index.html"] and result.changed == ["topics/one/index.html"]


def test_title_edit_reaches_neighbours_and_every_sidebar(setup) -> None:  # type: ignore[no-untyped-def]
    course, builder, tmp = setup
    edit(course / "content/topics/a/two/index.md", 'title: "Two"', 'title: "Second topic"')
    result = rebuild_and_compare(course, builder, tmp)
    assert result.rendered == 1
    for page in ("topics/one/index.html", "topics/three/index.html", "map/index.html", "index.html"):
        assert page in result.templated
    assert "Second topic" in (tmp / "out/topics/one/index.html").read_text()


def test_glossary_edit_reaches_the_glossary_page(setup) -> None:  # type: ignore[no-untyped-def]
    course, builder, tmp = setup
    edit(course / "content/topics/a/two/index.md", 'definition: "A thing."', 'definition: "A small thing."')
    result = rebuild_and_compare(course, builder, tmp)
    assert "glossary/index.html" in result.templated
    assert "A small thing." in (tmp / "out/topics/three/index.html").read_text()  # the marked use


def test_prerequisite_edit_reaches_the_map(setup) -> None:  # type: ignore[no-untyped-def]
    course, builder, tmp = setup
    edit(course / "content/topics/a/three/index.md", '/topics/one/"', '/topics/two/"')
    edit(course / "content/topics/a/three/index.md", 'title: "One"', 'title: "Two"')
    result = rebuild_and_compare(course, builder, tmp)
    assert "map/index.html" in result.templated
    assert 'data-from="two" data-to="three"' in (tmp / "out/map/index.html").read_text()


def test_bib_edit_rebuilds_only_the_pages_citing_the_entry(setup) -> None:  # type: ignore[no-untyped-def]
    course, builder, tmp = setup
    edit(course / "bibliography.bib", "title = {Beta}", "title = {Beta, revised}")
    result = rebuild_and_compare(course, builder, tmp)
    assert result.rendered == 1
    assert set(result.templated) == {"topics/two/index.html", "bibliography/index.html"}


def test_template_edit_rerenders_the_pages_using_it(setup) -> None:  # type: ignore[no-untyped-def]
    course, builder, tmp = setup
    theme = Path(__file__).resolve().parents[1] / "templates" / "topic.html"
    (course / "templates/topic.html").write_text(theme.read_text() + "\n{# local override #}\n")
    result = rebuild_and_compare(course, builder, tmp)
    assert result.rendered == 0
    assert {"topics/one/index.html", "topics/two/index.html", "topics/three/index.html"} <= set(result.templated)


def test_static_edit_copies_that_file_only(setup) -> None:  # type: ignore[no-untyped-def]
    course, builder, tmp = setup
    (course / "static/extra.css").write_text("p { color: navy; }\n")
    result = rebuild_and_compare(course, builder, tmp)
    assert (result.rendered, result.templated, result.changed) == (0, [], ["extra.css"])


def test_course_yml_edit_rebuilds_everything(setup) -> None:  # type: ignore[no-untyped-def]
    course, builder, tmp = setup
    (course / "course.yml").write_text("title: Incremental\ncitation_style: author-year\n")
    result = rebuild_and_compare(course, builder, tmp)
    assert result.rendered == 3
    assert "(Doe, 2020)" in (tmp / "out/topics/one/index.html").read_text().replace(
        '<a class="cite-link" href="#ref-alpha" id="cite-1" data-cite="alpha">', "").replace("</a>", "")


def test_editing_one_page_template_leaves_other_pages_alone(setup) -> None:  # type: ignore[no-untyped-def]
    course, builder, tmp = setup
    theme = Path(__file__).resolve().parents[1] / "templates" / "glossary.html"
    (course / "templates/glossary.html").write_text(theme.read_text() + "\n{# local override #}\n")
    result = rebuild_and_compare(course, builder, tmp)
    assert result.templated == ["glossary/index.html"]
    (course / "templates/glossary.html").write_text(theme.read_text() + "\n{# edited again #}\n")
    result = rebuild_and_compare(course, builder, tmp)
    assert result.templated == ["glossary/index.html"]
