"""What a command-line build keeps for the next one besides renders and pages: checked
front matter (fmstore.py) and the course map. Reused only while its input is the same,
with the same diagnostics; a damaged record costs only speed. (Each test tampers with a
kept record to show that the next build really reads it.)"""

from __future__ import annotations

import os
from pathlib import Path

from course_helpers import topic, write_course
from coursebuild.confine import Confined, inside
from coursebuild.diskcache import course_cache_dir
from coursebuild.fmstore import FILE_NAME as HEADERS
from coursebuild.pipeline import BuildOptions, Builder, BuildResult
from coursebuild.sitepages import MAP_FILE


def course_files() -> dict[str, str]:
    return {
        "course.yml": "title: Reuse\n",
        "content/topics/one.md": topic("One", 1, "First.\n", colour="blue"),
        "content/topics/two.md": topic("Two", 2, "Second.\n", prerequisites='[{title: "One", url: "/topics/one/"}]'),
    }


def build(course: Path, out: Path) -> BuildResult:
    """A fresh Builder each time, as each ``coursebuild build`` is a new process."""
    result = Builder(BuildOptions(course, out, search=False)).build()
    assert result.written, [d.format() for d in result.diagnostics]
    return result


def problems(result: BuildResult) -> list[str]:
    return [d.format() for d in result.diagnostics if d.severity.value != "info"]


def test_checked_headers_are_reused_with_their_warnings(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", course_files())
    out = tmp_path / "out"
    first = build(course, out)
    assert problems(first) == ["content/topics/one.md:5:1: warning: unknown front matter field 'colour'"]
    record = course_cache_dir(course) / HEADERS
    assert b'"title":"Two"' in record.read_bytes()
    assert problems(build(course, out)) == problems(first)
    # The next build takes the header from the record, not from the file.
    record.write_bytes(record.read_bytes().replace(b'"title":"Two"', b'"title":"Kept"'))
    build(course, out)
    assert ">Kept</h1>" in (out / "topics/two/index.html").read_text()
    # An edited header is checked again.
    write_course(course, {"content/topics/two.md": topic("Two, edited", 2, "Second.\n")})
    build(course, out)
    assert ">Two, edited</h1>" in (out / "topics/two/index.html").read_text()


def test_a_damaged_header_record_only_costs_speed(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", course_files())
    out = tmp_path / "out"
    first = build(course, out)
    record = course_cache_dir(course) / HEADERS
    for damaged in (b"\x00not json", b'["code", {"k": ["not", "a", "header"]}]', b'{"__reduce__": 1}'):
        record.write_bytes(damaged)
        again = build(course, out)
        assert problems(again) == problems(first)
        assert ">Two</h1>" in (out / "topics/two/index.html").read_text()


def test_the_map_is_redrawn_only_when_topics_or_edges_change(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", course_files())
    out = tmp_path / "out"
    build(course, out)
    kept = course_cache_dir(course) / MAP_FILE
    key, _, svg = kept.read_text().partition("\n")
    assert 'data-from="one" data-to="two"' in svg
    kept.write_text(f"{key}\n{svg.replace('</svg>', '<desc>kept</desc></svg>')}")
    build(course, out)
    assert "<desc>kept</desc>" in (out / "map/index.html").read_text()
    write_course(course, {"content/topics/one.md": topic("One, renamed", 1, "First.\n")})
    build(course, out)
    page = (out / "map/index.html").read_text()
    assert "<desc>kept</desc>" not in page and "One, renamed" in page


def test_confined_walk_answers_as_inside_does(tmp_path: Path) -> None:
    """The per-folder shortcut of discovery's symlink check never changes its answer."""
    root = tmp_path / "course"
    (root / "content/a/b").mkdir(parents=True)
    (root / "content/a/b/page.md").write_text("x")
    (tmp_path / "elsewhere/c").mkdir(parents=True)
    (tmp_path / "elsewhere/c/secret.md").write_text("x")
    links = {"out": tmp_path / "elsewhere", "in": root / "content/a", "up": tmp_path, "loop": root / "content/loop"}
    for name, target in links.items():
        os.symlink(target, root / "content" / name)
    paths = [root / rel for rel in ("content", "content/a/b/page.md", "content/out", "content/out/c/secret.md",
                                    "content/in/b/page.md", "content/up/course/content/a", "content/up/elsewhere/c",
                                    "content/loop", "content/loop/x", "content/missing.md")]
    walk = Confined(root)
    assert [walk(p) for p in paths] == [inside(p, root) for p in paths]
    assert [walk(p) for p in paths] == [True, True, False, False, True, True, False, False, False, True]
