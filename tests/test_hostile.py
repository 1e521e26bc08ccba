"""Hostile input: every file ends in diagnostics and an exit code, never a hang or a traceback.

The subprocess timeout is a guard against hangs (exponential YAML aliases,
quadratic rescans), not a speed measurement.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course_helpers import run_build, topic, write_course

BLOCK = {"content/topics/b/_block.yml": 'title: "B"\norder: 1\n'}


def laughs(levels: int = 12) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines)


def test_yaml_alias_bomb_in_front_matter_is_just_unknown_fields(tmp_path: Path) -> None:
    text = "---\n" + laughs() + '\ntitle: "T"\ndescription: "D"\norder: 1\nglossary: *a11\n---\nBody\n'
    course = write_course(tmp_path / "c", {**BLOCK, "content/topics/b/t/index.md": text})
    run = run_build(course)
    assert run.code == 1
    assert "content/topics/b/t/index.md:2:1: warning: unknown front matter field 'a0'" in run.lines
    assert any("'glossary' entry" in line and ": error: " in line for line in run.lines)
    assert "Traceback" not in run.stderr


def test_yaml_alias_bomb_in_course_yml_is_bounded(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {**BLOCK, "course.yml": laughs() + "\ntitle: T\n",
                                           "content/topics/b/t/index.md": topic("T", 1, "Hi")})
    run = run_build(course)
    assert run.code == 0, run.stderr
    assert "course.yml:1:1: warning: unknown setting 'a0'" in run.lines


@pytest.mark.parametrize("body, expected", [
    ('{% cite "' * 5000, "content/topics/b/t/index.md:6:1: error: unterminated shortcode 'cite': missing '%}'"),
    ("$" * 40000, "error: KaTeX could not render the formula"),
    ("<figure>\n" + '<figcaption>{% cite "' * 3000 + "\n</figure>\n",
     "content/topics/b/t/index.md:7:13: error: unterminated shortcode 'cite': missing '%}'"),
])
def test_pathological_bodies_give_one_error(tmp_path: Path, body: str, expected: str) -> None:
    course = write_course(tmp_path / "c", {**BLOCK, "content/topics/b/t/index.md": topic("T", 1, body)})
    run = run_build(course)
    assert run.code == 1
    errors = [line for line in run.lines if ": error: " in line]
    assert len(errors) == 1 and expected in errors[0], errors


@pytest.mark.parametrize("body", [
    ">" * 5000 + " deep quote",
    "".join("  " * i + "- item\n" for i in range(1500)),
    "[" * 30000 + "]" * 30000,
    "*a " * 20000,
    "`" * 20000,
    "<details>" * 10000,
    "\t" * 5000 + "tabs",
    "x\x00y",
])
def test_pathological_markdown_builds(tmp_path: Path, body: str) -> None:
    course = write_course(tmp_path / "c", {**BLOCK, "content/topics/b/t/index.md": topic("T", 1, body)})
    run = run_build(course)
    assert run.code == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr


def test_binary_file_as_a_topic_is_an_encoding_error(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {**BLOCK, "content/topics/b/t/index.md": bytes(range(256)) * 4})
    run = run_build(course)
    assert run.code == 1
    assert "content/topics/b/t/index.md: error: file is not valid UTF-8 (save it as UTF-8)" in run.lines
