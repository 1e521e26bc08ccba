"""Typed YAML values, odd settings and control characters: a positioned diagnostic each,
never a traceback (issue 14, crashes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_helpers import run_build, topic, write_course

BLOCK = {"content/topics/b/_block.yml": 'title: "B"\norder: 1\n'}


@pytest.mark.parametrize(("value", "message"), [
    ("english", "'language' must be a BCP 47 language tag such as 'en' or 'pt-BR', not 'english'"),
    ("en_US", "'language' must be a BCP 47 language tag such as 'en' or 'pt-BR', not 'en_US' "
              "(did you mean 'en-US'?)"),
    ("x", "'language' must be a BCP 47 language tag such as 'en' or 'pt-BR', not 'x'"),
    ("en-x-" + "a" * 8 + "-bbbbbbbb-cccccccc-dd",
     "'language' must be a BCP 47 language tag of at most 30 characters, such as 'en' or 'pt-BR'"),
])
def test_language_must_be_a_bcp47_tag(tmp_path: Path, value: str, message: str) -> None:
    course = write_course(tmp_path / "c", {"course.yml": f'title: "T"\nlanguage: "{value}"\n', **BLOCK,
                                           "content/topics/b/t/index.md": topic("T", 1, "Text.")})
    run = run_build(course)
    assert run.diagnostics == [f"course.yml:2:11: error: {message}"]
    assert (run.code, run.summary) == (2, "build not started, 1 error, 0 warnings")


def test_valid_language_tags_build(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {"course.yml": 'language: "de-CH-1996"\n', **BLOCK,
                                           "content/topics/b/t/index.md": topic("T", 1, "Text.")})
    out = tmp_path / "out"
    assert run_build(course, out).code == 0
    assert '<html lang="de-CH-1996"' in (out / "index.html").read_text("utf-8")


TYPED = [
    ("!!int x", "cannot read 'x' as a whole number"),
    ("!!float x", "cannot read 'x' as a number"),
    ("!!timestamp x", "cannot read 'x' as a date"),
    ("!!bool maybe", "cannot read 'maybe' as true or false"),
    ("!!int", "cannot read '' as a whole number"),
    ("2024-02-30", "cannot read '2024-02-30' as a date (day is out of range for month); "
                   "put it in quotes to keep it as text"),
    ("9" * 5000, "cannot read '" + "9" * 37 + "...' as a whole number (it has 5,000 characters); "
                 "put it in quotes to keep it as text"),
]


@pytest.mark.parametrize(("value", "message"), TYPED)
def test_typed_yaml_values_in_front_matter_and_block_files(tmp_path: Path, value: str, message: str) -> None:
    course = write_course(tmp_path / "c", {
        **BLOCK, "content/topics/b/t/index.md": topic("T", 1, "Text."),
        "content/topics/b/u/index.md": topic("U", 2, "Text.", draft=value),
        "content/topics/c/_block.yml": f'title: "C"\norder: {value}\n',
        "content/topics/c/v/index.md": topic("V", 1, "Text."),
    })
    run = run_build(course)
    assert run.problems() == [f"content/topics/b/u/index.md:5:8: error: invalid YAML value: {message}",
                              f"content/topics/c/_block.yml:2:8: error: invalid YAML value: {message}"]
    assert (run.code, run.summary) == (1, "build failed, previous output left unchanged, 2 errors, 0 warnings")


@pytest.mark.parametrize(("value", "message"), TYPED)
def test_typed_yaml_values_in_course_yml(tmp_path: Path, value: str, message: str) -> None:
    course = write_course(tmp_path / "c", {"course.yml": f'author: "A"\ntitle: {value}\n', **BLOCK,
                                           "content/topics/b/t/index.md": topic("T", 1, "Text.")})
    run = run_build(course)
    assert run.problems() == [f"course.yml:2:8: error: invalid YAML value: {message}"]
    assert (run.code, run.summary) == (2, "build not started, 1 error, 0 warnings")


def test_control_characters_are_dropped_with_a_warning(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {
        **BLOCK,
        "content/topics/b/t/index.md": topic("T\x07itle", 1, "Bell\x07 and\x00 escape\x1b[1m and form\x0cfeed,\n"
                                                               "tab\tstays, DEL\x7f goes {% cite \"k\" %}.\n"),
        "bibliography.bib": "@book{k, title = {Ti\x01tle}, author = {Ann Auth\x1bor}, year = {2020},\n"
                            "  publisher = {P}}\n",
    })
    out = tmp_path / "out"
    run = run_build(course, out)
    assert run.problems() == [
        "bibliography.bib:1:21: warning: control character U+0001 removed (and 1 more in this file)",
        "content/topics/b/t/index.md:2:10: warning: control character U+0007 removed (and 6 more in this file)",
    ]
    assert run.code == 0
    html = (out / "topics/t/index.html").read_text("utf-8")
    assert "Bell and escape[1m and formfeed,\ntab\tstays, DEL goes" in html and ">Title<" in html
    assert "Title" in html and "Ann Author" in html
    site = "".join(p.read_text("utf-8", "replace") for p in out.rglob("*.html"))
    assert not any(chr(c) in site for c in [*range(0, 9), *range(11, 32), 127] if c != 13)
