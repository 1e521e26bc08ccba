"""CSL citation styles (citeproc-py): the three shipped styles, a style file of
the course's own, and what citeproc-py gets wrong, case by case:

* no disambiguation → coursebuild adds year suffixes (2020a, 2020b);
* same family name, same year ("Smith, 2001" twice): APA would add initials,
  coursebuild's year suffixes disambiguate instead (documented);
* "and others" in the data is lost → coursebuild turns it into "et al.";
* field values are not HTML-escaped → coursebuild escapes them first;
* IEEE's "[1]" label runs into the entry (second-field-align) → dropped;
* URLs are plain text → made links.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_helpers import run_build, topic, write_course

BIB = r"""
@article{olah2020zoom,
  author = {Olah, Chris and Cammarata, Nick and Schubert, Ludwig},
  title = {Zoom In: An Introduction to Circuits},
  journal = {Distill},
  year = {2020},
  doi = {10.23915/distill.00024.001}
}
@article{olah2020early,
  author = {Olah, Chris and Cammarata, Nick and Goh, Gabriel},
  title = {An Overview of Early Vision},
  journal = {Distill},
  year = {2020}
}
@book{knuth1984,
  author = {Knuth, Donald E.},
  title = {Literate <Programming> \& More},
  publisher = {CSLI},
  year = {1984}
}
@misc{elhage2022,
  author = {Elhage, Nelson and Hume, Tristan and others},
  title = {Toy Models of Superposition},
  howpublished = {Anthropic},
  year = {2022},
  url = {https://example.org/toy}
}
@book{smithj2001,
  author = {Smith, John},
  title = {Counting Sheep},
  year = {2001}
}
@book{smitha2001,
  author = {Smith, Anna},
  title = {Bees},
  year = {2001}
}
"""

PAGE = topic("T", 1, """
    A {% cite "olah2020zoom" %} B {% cite "olah2020early" "knuth1984" %} C {% citet "elhage2022" %}
    D {% cite "smithj2001" "smitha2001" %}.
    """)


def build_style(tmp_path: Path, style: str, extra: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    files = {"bibliography.bib": BIB, "course.yml": f"citation_style: {style}\n", "content/topics/t.md": PAGE,
             **(extra or {})}
    course = write_course(tmp_path / "course", files)
    return run_build(course, tmp_path / "site"), tmp_path / "site"


def in_text(html: str) -> list[str]:
    return re.findall(r'data-cite="[^"]+">([^<]+)</a>', html)


def entries(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li id="ref-([^"]+)"[^>]*><span class="ref-text">(.*?)</span> <span', html))


@pytest.fixture(scope="module")
def apa(tmp_path_factory: pytest.TempPathFactory) -> str:
    run, out = build_style(tmp_path_factory.mktemp("apa"), "apa")
    assert run.code == 0 and run.problems() == [], run.stderr
    return (out / "topics/t/index.html").read_text("utf-8")


def test_apa_in_text_labels_with_year_suffixes(apa: str) -> None:
    assert in_text(apa) == ["Olah et al., 2020b", "Olah et al., 2020a", "Knuth, 1984", "2022",
                            "Smith, 2001b", "Smith, 2001a"]
    assert 'C <span class="citation citation-narrative">Elhage et al. (<a' in apa


def test_apa_reference_entries(apa: str) -> None:
    refs = entries(apa)
    assert refs["olah2020zoom"] == (
        "Olah, C., Cammarata, N., &amp; Schubert, L. (2020b). Zoom In: An Introduction to Circuits. "
        '<i>Distill</i>. <a href="https://doi.org/10.23915/distill.00024.001">'
        "https://doi.org/10.23915/distill.00024.001</a>")
    assert refs["olah2020early"].startswith("Olah, C., Cammarata, N., &amp; Goh, G. (2020a). An Overview")
    assert refs["knuth1984"] == "Knuth, D. E. (1984). <i>Literate &lt;Programming&gt; &amp; More</i>. CSLI."
    assert refs["elhage2022"] == ('Elhage, N., Hume, T. et al. (2022). <i>Toy Models of Superposition</i>. '
                                  'Anthropic. <a href="https://example.org/toy">https://example.org/toy</a>')
    assert list(refs) == ["elhage2022", "knuth1984", "olah2020early", "olah2020zoom", "smitha2001",
                          "smithj2001"]


def test_ieee_is_numeric_and_entries_carry_no_label(tmp_path: Path) -> None:
    run, out = build_style(tmp_path, "ieee")
    assert run.code == 0, run.stderr
    html = (out / "topics/t/index.html").read_text("utf-8")
    assert in_text(html) == ["1", "2", "3", "4", "5", "6"]
    assert 'Elhage et al. [<a class="cite-link" href="#ref-elhage2022"' in html
    refs = entries(html)
    assert refs["olah2020zoom"] == ("C. Olah, N. Cammarata, and L. Schubert, “Zoom In: An Introduction to "
                                    "Circuits”, <i>Distill</i>, 2020, doi: 10.23915/distill.00024.001.")
    assert refs["elhage2022"].startswith("N. Elhage, T. Hume et al., “Toy Models of Superposition”")
    assert '<ol class="reference-list">' in html and '<li id="ref-olah2020zoom" value="1">' in html


def test_chicago_author_date(tmp_path: Path) -> None:
    run, out = build_style(tmp_path, "chicago-author-date")
    assert run.code == 0, run.stderr
    html = (out / "topics/t/index.html").read_text("utf-8")
    assert in_text(html)[:3] == ["Olah et al. 2020b", "Olah et al. 2020a", "Knuth 1984"]
    assert entries(html)["olah2020early"] == ("Olah, C., N. Cammarata, and G. Goh. 2020a. “An Overview of "
                                              "Early Vision”. <i>Distill</i>.")
    bib_page = (out / "bibliography/index.html").read_text("utf-8")
    assert "Olah, C., N. Cammarata, and G. Goh. 2020a." in bib_page


MINIMAL_CSL = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info>
    <title>Test: family names and year</title>
    <id>coursebuild-test-style</id>
    <category citation-format="author-date"/>
    <updated>2026-01-01T00:00:00+00:00</updated>
  </info>
  <citation>
    <layout prefix="(" suffix=")" delimiter="; ">
      <names variable="author"><name form="short" and="text"/></names>
      <date variable="issued" prefix=" "><date-part name="year"/></date>
    </layout>
  </citation>
  <bibliography>
    <layout>
      <names variable="author" suffix=": "><name name-as-sort-order="all"/></names>
      <text variable="title" font-style="italic"/>
    </layout>
  </bibliography>
</style>
"""


def test_a_style_file_of_the_course(tmp_path: Path) -> None:
    run, out = build_style(tmp_path, "styles/mine.csl", {"styles/mine.csl": MINIMAL_CSL})
    assert run.code == 0, run.stderr
    html = (out / "topics/t/index.html").read_text("utf-8")
    assert in_text(html)[2] == "Knuth 1984"
    assert entries(html)["knuth1984"] == "Knuth, Donald E.: <i>Literate &lt;Programming&gt; &amp; More</i>"


def test_a_broken_style_file_stops_the_build(tmp_path: Path) -> None:
    run, out = build_style(tmp_path, "mine.csl", {"mine.csl": MINIMAL_CSL.replace("</citation>", "")})
    assert run.code == 2
    assert run.problems() == ["mine.csl:21: error: not a valid CSL style: Opening and ending tag mismatch: "
                              "citation line 9 and style, line 21, column 9"]
    assert not out.exists()


def test_a_missing_style_file_is_a_configuration_error(tmp_path: Path) -> None:
    run, _ = build_style(tmp_path, "nope.csl")
    assert run.code == 2
    assert run.problems() == ["course.yml:1:17: error: citation style file 'nope.csl' not found"]


def test_changing_the_style_re_renders_cached_pages(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {"bibliography.bib": BIB, "content/topics/t.md": PAGE,
                                                "course.yml": "citation_style: apa\n"})
    out = tmp_path / "site"
    assert run_build(course, out).code == 0
    assert "Knuth, 1984" in in_text((out / "topics/t/index.html").read_text("utf-8"))
    (course / "course.yml").write_text("citation_style: ieee\n", "utf-8")
    assert run_build(course, out).code == 0
    assert in_text((out / "topics/t/index.html").read_text("utf-8"))[:3] == ["1", "2", "3"]
