"""The Eleventy course as it is: a checkout with a three-line course.yml builds.

The fixture (tests/fixtures/eleventy-course/) has the real course's layout:
``src/topics/<block>/<slug>/index.md`` with images, ``_block.json`` files, the
``src/_data/references.json`` map as bibliography, and Eleventy's own templates,
data, stylesheets and scripts, which coursebuild neither copies nor reports.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course_helpers import run_build

FIXTURE = Path(__file__).parent / "fixtures" / "eleventy-course"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    root = tmp_path_factory.mktemp("eleventy")
    course = root / "course"
    shutil.copytree(FIXTURE, course)
    out = root / "site"
    return run_build(course, out), out


def test_builds_with_no_errors_or_warnings(built: tuple) -> None:
    run, _ = built
    assert run.code == 0, run.stderr
    assert run.problems() == []
    assert run.summary.endswith("0 errors, 0 warnings")


def test_topics_and_their_images_are_published(built: tuple) -> None:
    _, out = built
    for slug in ("what-is-a-feature", "reading-circuits", "probing-representations"):
        assert (out / "topics" / slug / "index.html").is_file(), slug
    assert (out / "topics/what-is-a-feature/images/arrows.png").is_file()


def test_eleventy_templates_data_styles_and_scripts_are_not_copied(built: tuple) -> None:
    _, out = built
    published = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert not [p for p in published if p.endswith((".njk", ".json")) and "pagefind" not in p
                and not p.startswith("assets/") and p != "review/cards.json"]  # the review page's data
    assert not [p for p in published if p.startswith(("_data", "_includes", "css/", "js/", "src/"))]
    assert "css/main.css" not in published and "js/main.js" not in published


def test_references_json_map_is_the_bibliography(built: tuple) -> None:
    _, out = built
    html = (out / "topics/what-is-a-feature/index.html").read_text("utf-8")
    assert ("J. Kim, P. Novak, A. Osei et al. <cite>What Counts as a Feature</cite>. "
            '<span class="venue">Workshop on Representations</span>, 2021. '
            '<a href="https://example.org/features">example.org</a>') in html
    bib = (out / "bibliography/index.html").read_text("utf-8")
    for title in ("What Counts as a Feature", "Probing Without Tears", "Reading Circuits Line by Line"):
        assert f"<cite>{title}</cite>" in bib


def test_home_glossary_and_search_are_coursebuilds_own(built: tuple) -> None:
    _, out = built
    home = (out / "index.html").read_text("utf-8")
    assert "Circuits by Example" in home and "{{" not in home and "collections.blocks" not in home
    assert "Feature" in (out / "glossary/index.html").read_text("utf-8")
    assert (out / "search/index.html").is_file()
