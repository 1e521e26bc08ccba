"""A command-line rebuild neither templates nor writes a page that did not change:
unchanged output files are hard links to the previous build's (same inode, same
bytes), an edited topic changes exactly the pages that show it, and the result
equals a build from scratch."""

from __future__ import annotations

import os
from pathlib import Path

from course_helpers import snapshot, topic, write_course
from coursebuild.pagestore import FILE_NAME
from coursebuild.pipeline import BuildOptions, Builder, BuildResult


def course_files() -> dict[str, str]:
    return {
        "course.yml": "title: Rebuilds\n",
        "static/extra.css": "p { color: black; }\n",
        "content/topics/a/_block.yml": 'title: "A"\norder: 1\n',
        "content/topics/a/one/index.md": topic("One", 1, "First, with $x^2$.\n"),
        "content/topics/a/two/index.md": topic("Two", 2, "Second.\n"),
        "content/topics/a/three/index.md": topic("Three", 3, "Third.\n"),
    }


def build(course: Path, out: Path, **options: object) -> BuildResult:
    """A fresh Builder each time, as each ``coursebuild build`` is a new process."""
    result = Builder(BuildOptions(course, out, search=False, **options)).build()  # type: ignore[arg-type]
    assert result.written, [d.format() for d in result.diagnostics]
    return result


def inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino
            for p in out.rglob("*") if p.is_file() and p.name != ".coursebuild-site"}


def test_no_change_rebuild_links_every_file_and_templates_nothing(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", course_files())
    out = tmp_path / "out"
    first = build(course, out)
    assert "topics/one/index.html" in first.templated
    before, files = inodes(out), snapshot(out)
    again = build(course, out)
    assert (again.rendered, again.templated) == (0, [])
    assert inodes(out) == before and snapshot(out) == files


def test_one_edited_topic_changes_exactly_its_pages(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", course_files())
    out = tmp_path / "out"
    build(course, out)
    before, files = inodes(out), snapshot(out)
    write_course(course, {"content/topics/a/two/index.md": topic("Two", 2, "Second, edited.\n")})
    edited = build(course, out)
    assert edited.rendered == 1 and edited.templated == ["topics/two/index.html"]
    now = inodes(out)
    changed = {rel for rel in now if now[rel] != before.get(rel)}
    assert changed == {"topics/two/index.html"}
    assert {rel for rel, data in snapshot(out).items() if files.get(rel) != data} == changed
    clean = build(course, tmp_path / "clean", disk_cache=False)
    assert clean.templated and snapshot(out) == snapshot(tmp_path / "clean")


def test_a_retitled_topic_templates_every_page_with_the_sidebar(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", course_files())
    out = tmp_path / "out"
    build(course, out)
    write_course(course, {"content/topics/a/three/index.md": topic("Third one", 3, "Third.\n")})
    result = build(course, out)
    assert {"topics/one/index.html", "topics/two/index.html", "topics/index.html"} <= set(result.templated)
    assert "Third one" in (out / "topics/one/index.html").read_text()
    build(course, tmp_path / "clean", disk_cache=False)
    assert snapshot(out) == snapshot(tmp_path / "clean")


def test_an_output_file_edited_by_hand_is_templated_again(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", course_files())
    out = tmp_path / "out"
    build(course, out)
    page = out / "topics/one/index.html"
    good = page.read_bytes()
    page.write_bytes(b"<p>changed by hand</p>")
    result = build(course, out)
    assert result.templated == ["topics/one/index.html"] and page.read_bytes() == good


def test_a_damaged_record_only_costs_speed(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", course_files())
    out = tmp_path / "out"
    build(course, out)
    records = list(Path(os.environ["XDG_CACHE_HOME"]).rglob(FILE_NAME))
    record = next(r for r in records if str(out.resolve()).encode() in r.read_bytes())
    record.write_bytes(b'["not", {"the": "shape"}]')
    before = snapshot(out)
    result = build(course, out)
    assert "topics/one/index.html" in result.templated and snapshot(out) == before


def test_pages_under_a_base_url_are_read_back_too(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", course_files())
    out = tmp_path / "out"
    first = build(course, out, base_url="/sub/")
    assert 'href="/sub/topics/two/' in (out / "topics/one/index.html").read_text()
    before, files = inodes(out), snapshot(out)
    again = build(course, out, base_url="/sub/")
    assert first.templated and again.templated == []
    assert inodes(out) == before and snapshot(out) == files
    moved = build(course, out, base_url="/other/")  # the same pages under another base URL
    assert 'href="/other/topics/two/' in (out / "topics/one/index.html").read_text()
    build(course, tmp_path / "clean", base_url="/other/", disk_cache=False)
    assert moved.templated and snapshot(out) == snapshot(tmp_path / "clean")
