"""``coursebuild build`` twice on a course nothing changed in: the second build keeps the
output exactly as it is (not a file rewritten or re-linked, no swap) and reports what the
first one did; any change to what a build reads, or to the output, means a full build."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from course_helpers import Run, run_cli, topic, write_course

COURSE = {
    "course.yml": "title: Kept\nauthor: Ada Lovelace\n",
    "static/extra.css": "p { color: black; }\n",
    "content/topics/a/_block.yml": 'title: "A"\norder: 1\n',
    "content/topics/a/one/index.md": topic("One", 1, "First, with $x^2$ and a [link](/topics/nowhere/).\n"),
    "content/topics/a/two/index.md": topic("Two", 2, "Second.\n"),
}


def build(course: Path, out: Path, *extra: str) -> Run:
    run = run_cli("build", course, "--out", out, *extra)
    assert run.code == 0, run.stderr
    return run


def state(out: Path) -> dict[str, tuple[int, int]]:
    """Inode and mtime of the output folder and of everything in it."""
    found = {".": (out.stat().st_ino, out.stat().st_mtime_ns)}
    for path in out.rglob("*"):
        info = path.lstat()
        found[path.relative_to(out).as_posix()] = (info.st_ino, info.st_mtime_ns)
    return found


def report(run: Run) -> list[str]:
    """The diagnostics and the summary, with the time taken left out."""
    return [re.sub(r" in [\d.]+ s", "", line) for line in run.stderr.splitlines()]


def test_nothing_changed_keeps_the_output_and_repeats_the_report(tmp_path: Path) -> None:
    course, out = write_course(tmp_path / "course", COURSE), tmp_path / "out"
    first = build(course, out)  # with the search index
    assert "topics/nowhere" in first.stderr and "1 warning" in first.stderr
    before = state(out)
    assert "pagefind/pagefind.js" in before
    again = build(course, out)
    assert report(again) == report(first)
    # Not even the folder was swapped: a build that writes puts a new folder in its place.
    assert state(out) == before


def test_a_build_that_writes_swaps_in_a_new_folder(tmp_path: Path) -> None:
    """The other half of the test above: a build that did write is told apart by ``state``."""
    course, out = write_course(tmp_path / "course", COURSE), tmp_path / "out"
    build(course, out, "--no-search")
    before = state(out)
    (course / "content/topics/a/two/index.md").touch()  # a new mtime, the same text
    build(course, out, "--no-search")
    after = state(out)
    assert after["."] != before["."]
    assert after["topics/two/index.html"] == before["topics/two/index.html"]  # equal bytes: linked


@pytest.mark.parametrize("change, expected", [
    ({"content/topics/a/two/index.md": topic("Two", 2, "Second, edited.\n")}, ("topics/two/index.html", "edited")),
    ({"static/new.txt": "added\n"}, ("new.txt", "added")),
    ({"templates/404.html": "<!doctype html><title>Lost</title><p>OVERRIDDEN</p>\n"}, ("404.html", "OVERRIDDEN")),
    ({"course.yml": "title: Renamed\nauthor: Ada Lovelace\n"}, ("index.html", "Renamed")),
    ({"content/about.md": "---\ntitle: About\n---\n\nAbout this course.\n"}, ("about/index.html", "About this")),
], ids=["topic", "static", "template", "course.yml", "new page"])
def test_a_change_to_what_the_build_reads_builds_again(tmp_path: Path, change: dict[str, str],
                                                        expected: tuple[str, str]) -> None:
    course, out = write_course(tmp_path / "course", COURSE), tmp_path / "out"
    build(course, out, "--no-search")
    before = state(out)
    write_course(course, change)
    build(course, out, "--no-search")
    assert state(out)["."] != before["."]
    rel, text = expected
    assert text in (out / rel).read_text(encoding="utf-8")


def test_other_options_or_year_build_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course, out = write_course(tmp_path / "course", COURSE), tmp_path / "out"
    build(course, out, "--no-search")
    build(course, out, "--no-search", "--base-url", "/sub/")
    assert 'href="/sub/topics/one/"' in (out / "index.html").read_text(encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "946684800")  # 2000-01-01
    build(course, out, "--no-search", "--base-url", "/sub/")
    assert "2000" in (out / "topics/one/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("damage", ["delete", "edit", "add"])
def test_an_output_changed_by_hand_is_built_again(tmp_path: Path, damage: str) -> None:
    course, out = write_course(tmp_path / "course", COURSE), tmp_path / "out"
    build(course, out, "--no-search")
    page = out / "topics/one/index.html"
    text = page.read_text(encoding="utf-8")
    if damage == "delete":
        page.unlink()
    elif damage == "edit":
        page.write_text("broken", encoding="utf-8")
    else:
        (out / "stray.html").write_text("left over", encoding="utf-8")
    build(course, out, "--no-search")
    assert page.read_text(encoding="utf-8") == text
    assert not (out / "stray.html").exists()


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path: Path) -> None:
    """Tools that restore a file's mtime (rsync -t, some editors, archive tools) cannot hide
    an edit: the change time, which no program can set, differs."""
    course, out = write_course(tmp_path / "course", COURSE), tmp_path / "out"
    build(course, out, "--no-search")
    source = course / "content/topics/a/two/index.md"
    times = (source.stat().st_atime_ns, source.stat().st_mtime_ns)
    source.write_text(source.read_text(encoding="utf-8").replace("Second.", "Fourth."), encoding="utf-8")
    os.utime(source, ns=times)
    build(course, out, "--no-search")
    assert "Fourth." in (out / "topics/two/index.html").read_text(encoding="utf-8")


def test_an_edit_behind_a_symbolic_link_is_seen(tmp_path: Path) -> None:
    """A topic that is a link to a file in a folder the record does not list (node_modules):
    the link's own times do not change when the file it leads to is edited, so the record
    holds its target's too."""
    course, out = write_course(tmp_path / "course", COURSE), tmp_path / "out"
    real = course / "node_modules" / "shared" / "two.md"
    real.parent.mkdir(parents=True)
    topic_file = course / "content/topics/a/two/index.md"
    real.write_bytes(topic_file.read_bytes())
    topic_file.unlink()
    topic_file.symlink_to(real)
    build(course, out, "--no-search")
    real.write_text(real.read_text(encoding="utf-8").replace("Second.", "Linked edit."), encoding="utf-8")
    build(course, out, "--no-search")
    assert "Linked edit." in (out / "topics/two/index.html").read_text(encoding="utf-8")
