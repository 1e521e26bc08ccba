"""The search index is rebuilt only when a page changed: a no-change build links the
previous index into the new site; an edited page gets a new index."""

from __future__ import annotations

from pathlib import Path

from course_helpers import run_cli, topic, write_course


def entry(out: Path) -> tuple[int, bytes]:
    path = out / "pagefind/pagefind-entry.json"
    return path.stat().st_ino, path.read_bytes()


def test_unchanged_pages_keep_the_index_and_an_edit_rebuilds_it(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {"content/topics/t.md": topic("T", 1, "Alpha beta.\n")})
    out = tmp_path / "out"
    assert run_cli("build", course, "--out", out).code == 0
    first = entry(out)
    assert run_cli("build", course, "--out", out).code == 0
    assert entry(out) == first  # the same file, linked: Pagefind did not run
    write_course(course, {"content/topics/t.md": topic("T", 1, "Alpha beta gamma.\n")})
    assert run_cli("build", course, "--out", out).code == 0
    ino, data = entry(out)
    assert ino != first[0] and data != first[1]  # a new index for the new text
    assert (out / "pagefind/.coursebuild-digest").read_text().strip()
