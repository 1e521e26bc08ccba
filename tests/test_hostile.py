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


def test_links_to_files_outside_the_course_are_not_published(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("zq-secret-7741")
    course = write_course(tmp_path / "c", {**BLOCK, "content/topics/b/t/index.md": topic("T", 1, "Hi"),
                                           "static/ok.txt": "fine"})
    (course / "content/topics/b/t/images").mkdir()
    (course / "content/topics/b/t/images/secret.txt").symlink_to(secret)
    (course / "content/topics/b/t/images/loop").symlink_to(course / "content/topics/b/t")
    (course / "static/secret.txt").symlink_to(secret)
    out = tmp_path / "out"
    run = run_build(course, out)
    assert run.code == 0, run.stderr
    assert ("content/topics/b/t/images/secret.txt: warning: symbolic link to outside the course folder: "
            "not followed (nothing read or published)") in run.lines
    assert not (out / "topics/t/images/secret.txt").exists()
    assert not (out / "secret.txt").exists() and (out / "ok.txt").read_text() == "fine"
    assert "zq-secret-7741" not in "".join(p.read_text(errors="ignore") for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("setting, shown", [
    ("content_dir: ../../etc", "course.yml:1:14: error: 'content_dir' must be a relative path inside the course "
                               "folder, not '../../etc'"),
    ("bibliography: /etc/passwd", "course.yml:1:15: error: 'bibliography' must be a relative path inside the "
                                  "course folder, not '/etc/passwd'"),
    ("words_per_minute: 0", "course.yml:1:19: error: 'words_per_minute' must be between 50 and 2000"),
])
def test_settings_that_leave_the_course_folder_are_refused(tmp_path: Path, setting: str, shown: str) -> None:
    course = write_course(tmp_path / "c", {**BLOCK, "course.yml": setting + "\n",
                                           "content/topics/b/t/index.md": topic("T", 1, "Hi")})
    run = run_build(course)
    assert run.code == 2
    assert run.diagnostics == [shown]
