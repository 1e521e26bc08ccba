"""The search index is rebuilt only when a page changed: a no-change build links the
previous index into the new site; an edited page gets a new index."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Iterator

from course_helpers import run_cli, topic, touch, write_course
from coursebuild import search


def entry(out: Path) -> tuple[int, bytes]:
    path = out / "pagefind/pagefind-entry.json"
    return path.stat().st_ino, path.read_bytes()


def test_unchanged_pages_keep_the_index_and_an_edit_rebuilds_it(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {"content/topics/t.md": topic("T", 1, "Alpha beta.\n")})
    out = tmp_path / "out"
    assert run_cli("build", course, "--out", out).code == 0
    first = entry(out)
    touch(course / "content/topics/t.md")  # a build that runs, with the same pages
    assert run_cli("build", course, "--out", out).code == 0
    assert entry(out) == first  # the same file, linked: Pagefind did not run
    write_course(course, {"content/topics/t.md": topic("T", 1, "Alpha beta gamma.\n")})
    assert run_cli("build", course, "--out", out).code == 0
    ino, data = entry(out)
    assert ino != first[0] and data != first[1]  # a new index for the new text
    assert (out / "pagefind/.coursebuild-digest").read_text().strip()


def test_serve_swaps_its_new_index_in_while_holding_the_readers_lock(tmp_path: Path) -> None:
    """serve re-indexes in the background; requests read the site under a lock, and the
    old and new index folders change places only while it is held."""
    course = write_course(tmp_path / "c", {"content/topics/t.md": topic("T", 1, "Alpha beta.\n")})
    out = tmp_path / "out"
    assert run_cli("build", course, "--out", out).code == 0
    old = entry(out)
    seen: list[tuple[str, bool, bool]] = []

    @contextlib.contextmanager
    def guard() -> Iterator[None]:
        seen.append(("locked", (out / ".pagefind-new").is_dir(), entry(out) == old))
        yield
        seen.append(("unlocked", (out / ".pagefind-new").exists(), entry(out) == old))

    search.index_in_place(out, guard)
    assert seen == [("locked", True, True), ("unlocked", False, False)]
    assert sorted(p.name for p in out.iterdir() if "pagefind" in p.name) == ["pagefind"]


def test_pagefind_reads_pages_without_visual_math_and_builds_the_same_index(tmp_path: Path) -> None:
    """The build gives Pagefind its pages without each formula's visual copy (ignored by
    Pagefind anyway): the index must be byte for byte the one of the pages as written."""
    course = write_course(tmp_path / "c", {
        "content/topics/t.md": topic("T", 1, "Alpha $x^2 + y$ beta.\n\n$$\\sum_{i=1}^n i \\tag{1}$$\n\nGamma.\n"),
        "content/topics/u.md": topic("U", 2, "No math here, delta.\n"),
    })
    out = tmp_path / "out"
    assert run_cli("build", course, "--out", out).code == 0
    assert not (out / search.SEARCH_COPY).exists()
    page = (out / "topics/t/index.html").read_text()
    assert page.count("<!--/katex-html-->") == 2
    plain = tmp_path / "plain"
    shutil.copytree(out, plain, ignore=shutil.ignore_patterns("pagefind"))
    search._run_pagefind(["--site", str(plain), "--output-path", str(tmp_path / "direct")])
    built = {p.relative_to(out / "pagefind"): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
    direct = {p.relative_to(tmp_path / "direct"): p.read_bytes()
              for p in (tmp_path / "direct").rglob("*") if p.is_file()}
    del built[Path(search.DIGEST_FILE)]
    assert built == direct


def test_a_formula_without_its_marker_is_kept_whole() -> None:
    """Were KaTeX ever to give a formula another shape (no marker after its visual copy), the
    cut must not run on to the next formula's marker and take the text between them."""
    start, end = search._KATEX_START, search._KATEX_END
    unmarked = start + b"<span>1</span></span>"
    marked = start + b"<span>2</span></span>" + end
    page = b"<p>a " + unmarked + b" between " + marked + b" c</p>"
    assert search._without_visual_math(page) == b"<p>a " + unmarked + b" between  c</p>"
