"""Citations end to end: numbering on a page, the References section, the
author-year style, the site-wide bibliography page and the problems a
bibliography can have.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_helpers import run_build, topic, write_course

BIB = r"""
% Works cited by the test course.
@book{knuth1984literate,
  author = {Knuth, Donald E.},
  title = {Literate Programming},
  publisher = {CSLI},
  year = {1984}
}

@article{olah2020zoom,
  author = {Olah, Chris and Cammarata, Nick and Schubert, Ludwig},
  title = {Zoom In: An Introduction to Circuits},
  journal = {Distill},
  year = {2020},
  doi = {10.23915/distill.00024.001}
}

@misc{elhage2021framework,
  author = {Elhage, Nelson and Nanda, Neel},
  title = {A Mathematical Framework for Transformer Circuits},
  year = {2021}
}

@misc{unused2000,
  author = {Nobody, Ann},
  title = {Never Cited},
  year = {2000}
}
"""

TOPICS = {
    "content/topics/one.md": topic("One", 1, """
        First {% cite "olah2020zoom" %}, second {% cite "knuth1984literate" page="12" %}.

        Again {% cite "olah2020zoom" %} and both {% cite "knuth1984literate" "elhage2021framework" %}.
        """),
    "content/topics/two.md": topic("Two", 2, """
        Only {% cite "knuth1984literate" %} here.
        """),
    "content/index.md": 'Home cites {% cite "elhage2021framework" %}.\n',
}


def build(tmp_path: Path, files: dict[str, str]) -> tuple[object, Path]:
    course = write_course(tmp_path / "course", files)
    out = tmp_path / "site"
    return run_build(course, out), out


@pytest.fixture(scope="module")
def numeric_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run, out = build(tmp_path_factory.mktemp("numeric"), dict(TOPICS, **{"bibliography.bib": BIB}))
    assert run.code == 0, run.stderr
    assert run.diagnostics == ["bibliography.bib: info: 1 entry is not cited by any page: unused2000"]
    return out


def cite(n: int, key: str, label: str) -> str:
    return f'<a class="cite-link" href="#ref-{key}" id="cite-{n}" data-cite="{key}">{label}</a>'


def test_numbers_follow_first_citation_and_are_reused(numeric_site: Path) -> None:
    html = (numeric_site / "topics/one/index.html").read_text("utf-8")
    assert f'First <span class="citation">[{cite(1, "olah2020zoom", "1")}]</span>' in html
    assert (f'second <span class="citation">[{cite(2, "knuth1984literate", "2")}, '
            f'<span class="cite-locator">p.&#160;12</span>]</span>') in html
    assert f'Again <span class="citation">[{cite(3, "olah2020zoom", "1")}]</span>' in html
    assert (f'both <span class="citation">[{cite(4, "knuth1984literate", "2")}, '
            f'{cite(5, "elhage2021framework", "3")}]</span>') in html


def test_numbering_restarts_on_every_page(numeric_site: Path) -> None:
    html = (numeric_site / "topics/two/index.html").read_text("utf-8")
    assert f'Only <span class="citation">[{cite(1, "knuth1984literate", "1")}]</span>' in html


def test_references_section_with_backlinks(numeric_site: Path) -> None:
    html = (numeric_site / "topics/one/index.html").read_text("utf-8")
    refs = re.search(r'<section class="references".*?</section>', html, re.S)
    assert refs is not None
    items = re.findall(r'<li id="ref-([a-z0-9]+)" value="(\d)">(.*?)</li>', refs.group(0), re.S)
    assert [(k, v) for k, v, _ in items] == [("olah2020zoom", "1"), ("knuth1984literate", "2"),
                                             ("elhage2021framework", "3")]
    backlinks = {k: re.findall(r'class="ref-backlink" href="#(cite-\d)"', body) for k, _, body in items}
    assert backlinks == {"olah2020zoom": ["cite-1", "cite-3"], "knuth1984literate": ["cite-2", "cite-4"],
                         "elhage2021framework": ["cite-5"]}
    assert "<cite>Zoom In: An Introduction to Circuits</cite>" in items[0][2]
    assert '<a href="https://doi.org/10.23915/distill.00024.001">doi:10.23915/distill.00024.001</a>' in items[0][2]
    assert "<ol" in refs.group(0) and "Never Cited" not in html


def test_cite_anchors_and_backlinks_resolve_on_the_page(numeric_site: Path) -> None:
    html = (numeric_site / "topics/one/index.html").read_text("utf-8")
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    for target in re.findall(r'href="#((?:ref|cite)-[^"]+)"', html):
        assert target in ids, target


def test_bibliography_page_lists_each_work_once_sorted_by_author(numeric_site: Path) -> None:
    html = (numeric_site / "bibliography/index.html").read_text("utf-8")
    titles = ["A Mathematical Framework for Transformer Circuits", "Literate Programming",
              "Zoom In: An Introduction to Circuits"]
    for title in titles:
        assert html.count(f"<cite>{title}</cite>") == 1, title
    assert [html.index(t) for t in titles] == sorted(html.index(t) for t in titles)  # Elhage, Knuth, Olah
    assert "Never Cited" not in html


def spot_links(html: str, key: str) -> list[str]:
    """The hrefs in the bibliography page's entry for ``key``."""
    match = re.search(rf'<li class="bib-entry" id="bib-{key}">(.*?)</li>', html, re.S)
    assert match is not None, key
    return re.findall(r'href="([^"]+)"', match.group(1))


def test_bibliography_page_links_back_to_every_citing_spot(numeric_site: Path) -> None:
    html = (numeric_site / "bibliography/index.html").read_text("utf-8")
    knuth = spot_links(html, "knuth1984literate")
    assert "/topics/one/#cite-2" in knuth and "/topics/one/#cite-4" in knuth
    assert "/topics/two/#cite-1" in knuth  # cited once on that page: still a link to the spot
    assert "/#cite-1" in spot_links(html, "elhage2021framework")  # cited on the home page
    assert "/topics/one/#cite-5" in spot_links(html, "elhage2021framework")
    olah = spot_links(html, "olah2020zoom")
    assert "/topics/one/#cite-1" in olah and "/topics/one/#cite-3" in olah


def test_author_year_style(tmp_path: Path) -> None:
    files = dict(TOPICS, **{"bibliography.bib": BIB, "course.yml": "citation_style: author-year\n"})
    run, out = build(tmp_path, files)
    assert run.code == 0, run.stderr
    html = (out / "topics/one/index.html").read_text("utf-8")
    assert f'First <span class="citation">({cite(1, "olah2020zoom", "Olah et al., 2020")})</span>' in html
    assert (f'second <span class="citation">({cite(2, "knuth1984literate", "Knuth, 1984")}, '
            f'<span class="cite-locator">p.&#160;12</span>)</span>') in html
    assert (f'both <span class="citation">({cite(4, "knuth1984literate", "Knuth, 1984")}; '
            f'{cite(5, "elhage2021framework", "Elhage and Nanda, 2021")})</span>') in html
    refs = re.search(r'<section class="references".*?</section>', html, re.S)
    assert refs is not None and '<ul class="reference-list">' in refs.group(0) and " value=" not in refs.group(0)
    order = re.findall(r'<li id="ref-([a-z0-9]+)">', refs.group(0))
    assert order == ["elhage2021framework", "knuth1984literate", "olah2020zoom"]


def test_unknown_key_suggests_closest_keys(tmp_path: Path) -> None:
    files = {"bibliography.bib": BIB,
             "content/topics/t.md": topic("T", 1, 'Text.\n\nSee {% cite "olah2020zom" "elhage2021" %}.\n')}
    run, out = build(tmp_path, files)
    assert run.code == 1
    assert run.problems() == [
        "content/topics/t.md:8:5: error: unknown citation key 'elhage2021' (did you mean 'elhage2021framework'?)",
        "content/topics/t.md:8:5: error: unknown citation key 'olah2020zom' (did you mean 'olah2020zoom'?)",
    ]
    assert not out.exists()


def test_citing_without_a_bibliography_file(tmp_path: Path) -> None:
    run, _ = build(tmp_path, {"content/topics/t.md": topic("T", 1, '{% cite "knuth1984literate" %}\n')})
    assert run.code == 1
    assert run.diagnostics == ["content/topics/t.md:6:1: error: unknown citation key 'knuth1984literate'"]


def test_bibliography_setting_names_another_file(tmp_path: Path) -> None:
    files = {"refs/works.bib": BIB, "course.yml": "bibliography: refs/works.bib\n",
             "content/topics/t.md": topic("T", 1, '{% cite "knuth1984literate" %}\n')}
    run, out = build(tmp_path, files)
    assert run.code == 0, run.stderr
    assert run.diagnostics == ["refs/works.bib: info: 3 entries are not cited by any page: "
                               "olah2020zoom, elhage2021framework, unused2000"]
    assert "<cite>Literate Programming</cite>" in (out / "bibliography/index.html").read_text("utf-8")


def test_many_uncited_entries_are_one_info_line(tmp_path: Path) -> None:
    bib = "".join(f"@misc{{k{i:02d},\n  title = {{T{i}}},\n  year = {{2000}}\n}}\n" for i in range(11))
    run, _ = build(tmp_path, {"bibliography.bib": bib, "content/topics/t.md": topic("T", 1, '{% cite "k05" %}\n')})
    assert run.code == 0
    assert run.diagnostics == ["bibliography.bib: info: 10 entries are not cited by any page: "
                               "k00, k01, k02, k03, k04, k06, k07, k08 and 2 more"]


def test_bib_syntax_error_at_its_line_fails_the_build(tmp_path: Path) -> None:
    bib = BIB + "\n@book{broken,\n  title = {Oops},\n  year = {1999\n}\n\n@misc{after, title = {After}, year = {2001}}\n"
    files = dict(TOPICS, **{"bibliography.bib": bib})
    run, out = build(tmp_path, files)
    assert run.code == 1
    bib_lines = [ln for ln in run.problems() if ln.startswith("bibliography.bib")]
    assert bib_lines == ["bibliography.bib:29:1: error: entry 'broken' is not closed: a '}' is missing "
                         "before the next entry on line 34"]
    assert [ln for ln in run.problems() if not ln.startswith("bibliography.bib")] == []
    assert not out.exists()


def test_duplicate_bib_key_is_an_error(tmp_path: Path) -> None:
    bib = BIB + "\n@misc{Knuth1984literate,\n  title = {Again},\n  year = {1984}\n}\n"
    run, _ = build(tmp_path, dict(TOPICS, **{"bibliography.bib": bib}))
    assert run.code == 1
    assert [ln for ln in run.problems() if ln.startswith("bibliography.bib")] == [
        "bibliography.bib:29:1: error: duplicate entry key 'Knuth1984literate' (first defined at line 2 "
        "as 'knuth1984literate')"]


def test_fixing_the_bibliography_fixes_the_page_on_rebuild(tmp_path: Path) -> None:
    """Rendered pages are cached; adding the missing entry must still re-render the page."""
    course = write_course(tmp_path / "course", {
        "bibliography.bib": "@misc{other, title = {Other}, year = {1999}}\n",
        "content/topics/t.md": topic("T", 1, 'See {% cite "knuth1984literate" %}.\n'),
    })
    out = tmp_path / "site"
    assert run_build(course, out).problems() == ["content/topics/t.md:6:5: error: unknown citation key 'knuth1984literate'"]
    (course / "bibliography.bib").write_text(BIB, "utf-8")
    run = run_build(course, out)
    assert run.code == 0, run.stderr
    assert cite(1, "knuth1984literate", "1") in (out / "topics/t/index.html").read_text("utf-8")
    (course / "course.yml").write_text("citation_style: author-year\n", "utf-8")
    assert run_build(course, out).code == 0
    assert cite(1, "knuth1984literate", "Knuth, 1984") in (out / "topics/t/index.html").read_text("utf-8")
