"""The error paths of a build: Pagefind failing, template errors other than syntax,
an output folder that cannot be written, missing assets, a KaTeX engine failure, and
the writers' rollback and deletions. Also "edit this page" links and srcset prefixing.

Builds run in-process (``Builder``) where a fault has to be injected into the
environment: a fake Pagefind program, a failing rename, a checkout without theme.
Every fault is real (a program that fails or hangs, an OSError from the file
system); the code under test is never replaced.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from course_helpers import run_build, snapshot, topic, write_course
from coursebuild import assets, search, write
from coursebuild.markdown.math import MathError, render_math
from coursebuild.pipeline import BuildOptions, BuildResult, Builder

COURSE = {
    "course.yml": "title: Errors\nrepo_url: https://gitlab.example.org/team/course.git\nrepo_branch: dev\n",
    "content/topics/a/index.md": topic("Alpha", 1, 'An image set: <img src="/topics/a/images/x.png" alt="" '
                                                    'srcset="/topics/a/images/x.png 1x, //cdn.example.org/y.png 2x, '
                                                    'images/x.png 3x">\n'),
    "content/topics/a/images/x.png": b"png",
}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_course(tmp_path_factory.mktemp("errors") / "course", COURSE)


def build(course: Path, out: Path, **options: object) -> BuildResult:
    settings = {"disk_cache": False, "search": False, "jobs": 1, **options}
    return Builder(BuildOptions(course, out, **settings)).build()  # type: ignore[arg-type]


def lines(result: BuildResult) -> list[str]:
    """The diagnostics, without the info line every course without site_url gets."""
    return [d.format() for d in result.diagnostics if d.rule != "site-url-missing"]


@pytest.fixture
def previous(course: Path, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding a good earlier build, and its exact contents."""
    out = tmp_path / "site"
    assert build(course, out).written
    return out, snapshot(out)


# --- Pagefind ------------------------------------------------------------------------------

def fake_pagefind(tmp_path: Path, script: str) -> Path:
    program = tmp_path / "bin" / "pagefind"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n" + script + "\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


@pytest.mark.parametrize("script, message", [
    ("echo 'Error: the index is broken' >&2; exit 3", "Pagefind failed: Error: the index is broken"),
    ("exit 4", "Pagefind failed: exit 4"),
])
def test_pagefind_failing_fails_the_build_and_keeps_the_output(course: Path, previous, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                               monkeypatch: pytest.MonkeyPatch, script: str,
                                                               message: str) -> None:
    out, before = previous
    program = fake_pagefind(tmp_path, script)
    monkeypatch.setattr(search.pagefind, "pagefind_executable", lambda: program)
    result = build(course, out, search=True)
    assert lines(result) == [f".: error: {message}"]
    assert not result.written and snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["bin", "site"]  # no staging folder left behind


def test_pagefind_that_hangs_is_stopped(course: Path, previous, tmp_path: Path,  # type: ignore[no-untyped-def]
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out, before = previous
    program = fake_pagefind(tmp_path, "exec sleep 30")
    monkeypatch.setattr(search.pagefind, "pagefind_executable", lambda: program)
    monkeypatch.setattr(search.pagefind, "TIMEOUT_SECONDS", 0.5)
    result = build(course, out, search=True)
    (message,) = lines(result)
    assert message.startswith(f".: error: Pagefind could not run: Command '['{program}', '--site', ")
    assert message.endswith("timed out after 0.5 seconds")
    assert snapshot(out) == before


def test_pagefind_program_missing(course: Path, previous, tmp_path: Path,  # type: ignore[no-untyped-def]
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out, before = previous
    gone = tmp_path / "nowhere" / "pagefind"
    monkeypatch.setattr(search.pagefind, "pagefind_executable", lambda: gone)
    result = build(course, out, search=True)
    assert lines(result) == [f".: error: Pagefind could not run: [Errno 2] No such file or directory: '{gone}'"]
    assert snapshot(out) == before


def test_pagefind_binary_missing_from_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import pagefind_bin

    def missing() -> str:
        raise FileNotFoundError("pagefind binary not found in the wheel")

    monkeypatch.setattr(pagefind_bin, "get_executable", missing)
    with pytest.raises(search.SearchIndexFailed, match=r"^the Pagefind binary is missing \(pagefind binary not"):
        search.pagefind_executable()


def test_failed_reindex_in_place_keeps_the_live_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    (site / "pagefind" / "pagefind.js").write_text("live")
    program = fake_pagefind(tmp_path, 'mkdir -p "$4"; echo half > "$4/x"; exit 1')
    monkeypatch.setattr(search.pagefind, "pagefind_executable", lambda: program)
    with pytest.raises(search.SearchIndexFailed, match="Pagefind failed: exit 1"):
        search.index_in_place(site)
    assert snapshot(site) == {"pagefind/pagefind.js": b"live"}  # the half-written new index is gone


# --- Templates -----------------------------------------------------------------------------

@pytest.mark.parametrize("template, message", [
    ('{% extends "base.html" %}{% block content %}{{ nope }}{% endblock %}',
     "templates/topic.html:1: error: while rendering /topics/a/: 'nope' is undefined"),
    ('{% include "missing.html" %}', "templates/topic.html: error: template 'missing.html' not found"),
    ("{{ 1 // 0 }}", "templates/topic.html:1: error: ZeroDivisionError: integer division or modulo by zero"),
])
def test_template_errors_other_than_syntax(course: Path, tmp_path: Path, template: str, message: str) -> None:
    mine = write_course(tmp_path / "course", dict(COURSE, **{"templates/topic.html": template}))
    result = build(mine, tmp_path / "site")
    assert lines(result) == [message]
    assert not (tmp_path / "site").exists()


# --- Edit links, srcset ------------------------------------------------------------------

def test_edit_this_page_links_and_srcset_under_a_base_url(course: Path, tmp_path: Path) -> None:
    result = build(course, tmp_path / "site", base_url="/cb/")
    assert lines(result) == []
    html = (tmp_path / "site/topics/a/index.html").read_text("utf-8")
    assert 'href="https://gitlab.example.org/team/course/-/edit/dev/content/topics/a/index.md"' in html
    assert 'srcset="/cb/topics/a/images/x.png 1x, //cdn.example.org/y.png 2x, images/x.png 3x"' in html


def test_edit_links_for_github_and_none_without_repo_url(tmp_path: Path) -> None:
    files = dict(COURSE, **{"course.yml": "repo_url: https://github.com/team/course/\n"})
    result = build(write_course(tmp_path / "gh", files), tmp_path / "gh-site")
    assert lines(result) == []
    assert 'href="https://github.com/team/course/edit/main/content/topics/a/index.md"' in \
        (tmp_path / "gh-site/topics/a/index.html").read_text("utf-8")
    files = dict(COURSE, **{"course.yml": "title: No repo\n"})
    build(write_course(tmp_path / "none", files), tmp_path / "none-site")
    assert "/edit/" not in (tmp_path / "none-site/topics/a/index.html").read_text("utf-8")


# --- Writing -------------------------------------------------------------------------------

def test_failed_swap_puts_the_previous_site_back(course: Path, previous, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    out, before = previous
    real_rename = os.rename

    def rename(src: str | Path, dst: str | Path) -> None:
        if ".staging-" in str(src):
            raise OSError(28, "No space left on device", str(dst))
        real_rename(src, dst)

    monkeypatch.setattr(write.os, "rename", rename)
    result = build(course, out)
    assert lines(result) == [f"{out}: error: No space left on device"]
    assert snapshot(out) == before
    assert [p.name for p in out.parent.iterdir()] == ["site"]


def test_incremental_writer_deletes_what_is_gone(tmp_path: Path) -> None:
    out = tmp_path / "site"
    writer = write.IncrementalWriter(out)
    assert writer.update({"a.html": b"<a href='/x/'>a</a>", "b/c.txt": b"c"}, "/p/") == ["a.html", "b/c.txt"]
    assert (out / "a.html").read_bytes() == b"<a href='/p/x/'>a</a>"
    assert writer.update({"a.html": b"<a href='/x/'>a</a>", "d.txt": b"d"}, "/p/") == ["d.txt", "b/c.txt"]
    assert sorted(snapshot(out)) == [write.MARKER, "a.html", "d.txt"]
    assert writer.update({"a.html": b"<a href='/x/'>a</a>", "d.txt": b"d"}, "/p/") == []


def test_output_folder_that_cannot_be_made_is_an_error_without_traceback(course: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    run = run_build(course, blocker / "site")
    assert run.code == 1
    # (The wording is the file system's; the folder is named and nothing is left half-written.)
    assert [p.split(": error: ")[0] for p in run.problems()] == [str(blocker)]
    assert blocker.read_text() == "not a folder"


def test_missing_theme_and_katex_are_usage_errors(course: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assets, "_PACKAGE_DIR", tmp_path / "pkg")
    monkeypatch.setattr(assets, "_REPO_ROOT", tmp_path / "repo")
    result = build(course, tmp_path / "site")
    assert result.usage_error and not result.written
    assert [d.rule for d in result.diagnostics] == ["assets"]
    assert "not found" in result.diagnostics[0].message and "reinstall coursebuild" in lines(result)[0]


# --- KaTeX ---------------------------------------------------------------------------------

def test_a_katex_engine_failure_that_is_not_a_parse_error_is_a_math_error() -> None:
    # Deep nesting overflows V8's stack inside KaTeX: a JavaScript RangeError, not a ParseError,
    # still reported as the formula's error with the engine's own message.
    with pytest.raises(MathError, match=r"^Maximum call stack size exceeded$"):
        render_math("{" * 4900 + "}" * 4900, False)
