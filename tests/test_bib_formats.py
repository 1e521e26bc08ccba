"""Bibliography formats and files: CSL-JSON, the Eleventy JSON map, several
files at once, and the problems each can have (with file:line:col)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_helpers import run_build, topic, write_course

CSL_JSON = """\
[
  {
    "id": "olah2020zoom",
    "type": "article-journal",
    "title": "Zoom In: An Introduction to Circuits",
    "author": [{"family": "Olah", "given": "Chris"}, {"family": "Cammarata", "given": "Nick"}],
    "issued": {"date-parts": [[2020, 3, 10]]},
    "container-title": "Distill",
    "DOI": "10.23915/distill.00024.001"
  },
  {
    "id": "team2021",
    "type": "report",
    "title": "A Report by a Team",
    "author": [{"literal": "The Example Team"}],
    "issued": {"raw": "2021-05"},
    "publisher": "Example Lab",
    "URL": "https://example.org/report"
  }
]
"""

JSON_MAP = """\
{
  "elhage2022toy": {
    "title": "Toy Models of Superposition",
    "authors": "Elhage, N., Hume, T., Olsson, C., et al.",
    "year": 2022,
    "venue": "Anthropic",
    "url": "https://example.org/toy"
  },
  "knuth1984": {"title": "Literate Programming", "authors": "Knuth, D. E.", "year": 1984, "venue": "CSLI"}
}
"""

BIB = "@book{sicp1985,\n  author = {Abelson, Harold and Sussman, Gerald Jay},\n  title = {Structure and " \
      "Interpretation of Computer Programs},\n  publisher = {MIT Press},\n  year = {1985}\n}\n"


def build(tmp_path: Path, files: dict[str, str | bytes]):  # type: ignore[no-untyped-def]
    course = write_course(tmp_path / "course", files)
    out = tmp_path / "site"
    return run_build(course, out), out


def ref_items(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li id="ref-([^"]+)"[^>]*><span class="ref-text">(.*?)</span> <span', html))


@pytest.fixture(scope="module")
def three_formats(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    files = {
        "course.yml": "bibliography: [refs/works.bib, refs/zotero.json, refs/map.json]\n",
        "refs/works.bib": BIB, "refs/zotero.json": CSL_JSON, "refs/map.json": JSON_MAP,
        "content/topics/t.md": topic("T", 1, """
            CSL {% cite "olah2020zoom" %} {% cite "team2021" %}, map {% cite "elhage2022toy" %},
            BibTeX {% cite "sicp1985" %}.
            """),
    }
    return build(tmp_path_factory.mktemp("formats"), files)


def test_several_files_of_three_formats_make_one_bibliography(three_formats: tuple) -> None:
    run, out = three_formats
    assert run.code == 0, run.stderr
    assert run.diagnostics == ["refs/map.json: info: 1 entry is not cited by any page: knuth1984"]
    items = ref_items((out / "topics/t/index.html").read_text("utf-8"))
    assert list(items) == ["olah2020zoom", "team2021", "elhage2022toy", "sicp1985"]
    assert items["sicp1985"].startswith("Harold Abelson and Gerald Jay Sussman. <cite>Structure")


def test_csl_json_items(three_formats: tuple) -> None:
    items = ref_items((three_formats[1] / "topics/t/index.html").read_text("utf-8"))
    assert items["olah2020zoom"] == (
        'Chris Olah and Nick Cammarata. <cite>Zoom In: An Introduction to Circuits</cite>. '
        '<span class="venue">Distill</span>, 2020. '
        '<a href="https://doi.org/10.23915/distill.00024.001">doi:10.23915/distill.00024.001</a>')
    assert items["team2021"] == ('The Example Team. <cite>A Report by a Team</cite>. <span class="venue">'
                                 'Example Lab</span>, 2021. <a href="https://example.org/report">example.org</a>')


def test_json_map_keeps_et_al(three_formats: tuple) -> None:
    items = ref_items((three_formats[1] / "topics/t/index.html").read_text("utf-8"))
    assert items["elhage2022toy"].startswith(
        "N. Elhage, T. Hume, C. Olsson et al. <cite>Toy Models of Superposition</cite>.")


def test_author_year_label_of_a_map_entry_with_et_al(tmp_path: Path) -> None:
    run, out = build(tmp_path, {
        "course.yml": "citation_style: author-year\nbibliography: map.json\n", "map.json": JSON_MAP,
        "content/topics/t.md": topic("T", 1, 'A {% cite "elhage2022toy" "knuth1984" %}.\n')})
    assert run.code == 0, run.stderr
    html = (out / "topics/t/index.html").read_text("utf-8")
    assert ">Elhage et al., 2022</a>; " in html and ">Knuth, 1984</a>)" in html


def test_named_bibliography_that_does_not_exist_is_a_configuration_error(tmp_path: Path) -> None:
    run, out = build(tmp_path, {"course.yml": "title: T\nbibliography:\n  - refs.bib\n  - missing.json\n",
                                "refs.bib": BIB, "content/topics/t.md": topic("T", 1, "Text.\n")})
    assert run.code == 2
    assert run.diagnostics == ["course.yml:4:5: error: bibliography file 'missing.json' not found"]
    assert not out.exists()


def test_single_named_file_missing(tmp_path: Path) -> None:
    run, _ = build(tmp_path, {"course.yml": "bibliography: src/_data/references.json\n",
                              "content/topics/t.md": topic("T", 1, "Text.\n")})
    assert run.code == 2
    assert run.diagnostics == ["course.yml:1:15: error: bibliography file 'src/_data/references.json' not found"]


def test_missing_default_bibliography_is_fine_until_something_cites(tmp_path: Path) -> None:
    run, _ = build(tmp_path, {"content/topics/t.md": topic("T", 1, "No citations.\n")})
    assert run.code == 0 and run.problems() == []


def test_json_syntax_error_at_line_and_column(tmp_path: Path) -> None:
    broken = JSON_MAP.replace('"year": 2022,', '"year": 2022')
    run, out = build(tmp_path, {"course.yml": "bibliography: refs.json\n", "refs.json": broken,
                                "content/topics/t.md": topic("T", 1, "Text.\n")})
    assert run.code == 1
    assert run.problems() == ["refs.json:6:5: error: invalid JSON: Expecting ',' delimiter"]
    assert not out.exists()


def test_json_entry_problems_have_positions(tmp_path: Path) -> None:
    bad = ('{\n  "a": {"title": "A", "authors": "X, Y.", "yaer": 2001},\n  "b": "not an object",\n'
           '  "c": {"authors": "Z, Q.", "url": "ftp://example.org/c"}\n}\n')
    csl = '[\n  {"title": "No id"},\n  {"id": "ok", "title": "Fine"}\n]\n'
    run, _ = build(tmp_path, {"course.yml": "bibliography: [map.json, items.json]\n", "map.json": bad,
                              "items.json": csl, "content/topics/t.md": topic("T", 1, "Text.\n")})
    assert run.code == 1
    assert run.problems() == [
        "items.json:2:3: error: CSL-JSON item needs an 'id' (its citation key)",
        "map.json:2:43: warning: unknown field 'yaer' in entry 'a' is ignored (did you mean 'year' or 'type'?)",
        "map.json:3:3: error: entry 'b' must be an object with title, authors, year, …",
        "map.json:4:3: warning: entry 'c' has no title",
        "map.json:4:29: warning: url of entry 'c' is not an http(s) address and is not linked: "
        "'ftp://example.org/c'",
    ]


def test_a_key_in_two_files_is_an_error_at_the_second(tmp_path: Path) -> None:
    again = '[\n  {"id": "sicp1985", "title": "Again"}\n]\n'
    run, _ = build(tmp_path, {"course.yml": "bibliography: [works.bib, more.json]\n", "works.bib": BIB,
                              "more.json": again, "content/topics/t.md": topic("T", 1, '{% cite "sicp1985" %}\n')})
    assert run.code == 1
    assert run.problems() == [
        "more.json:2: error: duplicate entry key 'sicp1985' (first defined at works.bib:1)"]


def test_editing_a_json_bibliography_re_renders_the_citing_page(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {
        "course.yml": "bibliography: refs.json\n", "refs.json": JSON_MAP,
        "content/topics/t.md": topic("T", 1, 'See {% cite "knuth1984" %}.\n')})
    out = tmp_path / "site"
    assert run_build(course, out).code == 0
    (course / "refs.json").write_text(JSON_MAP.replace("Literate Programming", "Literate Programs"), "utf-8")
    assert run_build(course, out).code == 0
    assert "<cite>Literate Programs</cite>" in (out / "topics/t/index.html").read_text("utf-8")
