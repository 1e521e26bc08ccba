"""The search index is rebuilt only when a page changed: a no-change build links the
previous index into the new site; an edited page gets a new index."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import shutil
from pathlib import Path
from typing import Iterator

from course_helpers import run_cli, topic, touch, write_course
from coursebuild import search
from coursebuild.search import copy as search_copy
from coursebuild.search.pagefind import run_pagefind


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
        "content/topics/t.md": topic("T", 1, "Alpha $x^2 + y$ beta.\n\n$$\\sum_{i=1}^n i \\tag{1}$$\n\nGamma.\n\n"
                                     "## The $\\sigma$ rule\n\nEpsilon.\n"),
        "content/topics/u.md": topic("U", 2, "No math here, delta.\n"),
    })
    out = tmp_path / "out"
    assert run_cli("build", course, "--out", out).code == 0
    assert not (out / search.SEARCH_COPY).exists()
    page = (out / "topics/t/index.html").read_text()
    assert page.count("<!--/katex-html-->") == 3
    assert_index_is_pagefinds_own(out, tmp_path)


def assert_index_is_pagefinds_own(out: Path, tmp_path: Path) -> None:
    """The index the build made is the one Pagefind makes of the pages as written: the same
    word index byte for byte, and for every page the same content, title, headings and
    weights. What may differ is the text Pagefind keeps of other elements with an id (a
    display formula, a side note), which it shows nowhere: a search finds and shows the same."""
    plain = tmp_path / "plain"
    shutil.copytree(out, plain, ignore=shutil.ignore_patterns("pagefind"))
    run_pagefind(plain, tmp_path / "direct")
    built, direct = index_files(out / "pagefind"), index_files(tmp_path / "direct")
    del built[search.DIGEST_FILE]
    assert fragments(built) == fragments(direct)
    assert any(a["element"].startswith("h") for page in fragments(built).values() for a in page["anchors"])

    def rest(files: dict[str, bytes]) -> dict[str, bytes]:  # fragment names are hashes of their bytes
        return {k: v for k, v in files.items() if not k.startswith("fragment/") and not k.endswith(".pf_meta")
                and k != "pagefind-entry.json"}
    assert rest(built) == rest(direct)
    assert any(k.startswith("index/") for k in rest(built))


def index_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def fragments(files: dict[str, bytes]) -> dict[str, dict]:  # type: ignore[type-arg]
    """Each page's fragment by URL, with the text of anchors that are not headings left out."""
    pages = {}
    for name, data in files.items():
        if name.startswith("fragment/"):
            raw = gzip.decompress(data)
            page = json.loads(raw[raw.index(b"{"):])
            for anchor in page["anchors"]:
                if not re.fullmatch(r"h[1-6]", anchor["element"]):
                    del anchor["text"]
            pages[page["url"]] = page
    return pages


def test_the_demo_course_gets_pagefinds_own_index(tmp_path: Path) -> None:
    """The author's guide has what the small course above lacks: blocks and a sidebar, a
    glossary, questions, side notes; none of it may change what Pagefind indexes."""
    out = tmp_path / "out"
    assert run_cli("build", Path(__file__).resolve().parents[1], "--out", out).code == 0
    assert_index_is_pagefinds_own(out, tmp_path)


def test_a_formula_without_its_marker_is_kept_whole() -> None:
    """Were KaTeX ever to give a formula another shape (no marker after its visual copy), the
    cut must not run on to the next formula's marker and take the text between them."""
    start, end = search_copy._KATEX_START, search_copy._KATEX_END
    unmarked = start + b"<span>1</span></span>"
    marked = start + b"<span>2</span></span>" + end
    page = b"<p>a " + unmarked + b" between " + marked + b" c</p>"
    assert search_copy._without_visual_math(page) == b"<p>a " + unmarked + b" between  c</p>"


def test_the_copy_drops_the_header_only_when_nothing_there_tells_pagefind_anything() -> None:
    """What lies between the head and the indexed region (the site header, the sidebar) is
    left out of Pagefind's copy; not when an element there carries a Pagefind setting, which
    could reach the region (an ignored or weighted ancestor)."""
    page = b'<html><head><title>T</title></head><body><nav>many links</nav><article data-pagefind-body>A</article>'
    cut = search_copy._from_body(page)
    assert cut == b'<html><head><title>T</title></head><body><article data-pagefind-body>A</article>'
    ignored = page.replace(b"<body>", b"<body><div data-pagefind-ignore>")
    assert search_copy._from_body(ignored) == ignored
    plain = b"<html><head></head><body><p>no region</p>"
    assert search_copy._from_body(plain) == plain
