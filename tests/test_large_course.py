"""Large courses: the sidebar lists only the open block's topics past 300 topics, and the
learning-path JSON rides only on the pages that use it, so pages stay small."""

from __future__ import annotations

import json
import re
from pathlib import Path

from course_helpers import run_build, topic, write_course


def course_of(tmp_path: Path, per_block: int) -> Path:
    files = {}
    for b in ("a", "b"):
        files[f"content/topics/{b}/_block.yml"] = f'title: "Block {b}"\norder: {1 if b == "a" else 2}\n'
        for i in range(per_block):
            files[f"content/topics/{b}/{b}-{i}/index.md"] = topic(f"Topic {b}{i}", i + 1, "Text.")
    return write_course(tmp_path / "c", files)


def nav_links(html: str) -> list[str]:
    return re.findall(r'data-nav="([^"]+)"', html)


def test_more_than_300_topics_list_only_the_open_block(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_build(course_of(tmp_path, 151), out)
    assert run.code == 0, run.stderr
    page = (out / "topics/a-3/index.html").read_text()
    links = nav_links(page)
    assert len(links) == 151 and all(s.startswith("a-") for s in links)
    assert '<a href="/topics/#block-b">All 151 topics of this block</a>' in page
    assert 'data-nav="a-3" aria-current="page"' in page
    home = (out / "index.html").read_text()
    assert len(nav_links(home)) == 302  # no open block: everything listed
    data = json.loads(re.search(r'id="course-data">(.*?)</script>', home).group(1))
    assert len(data["topics"]) == 302 and data["kind"] == "home"
    data = json.loads(re.search(r'id="course-data">(.*?)</script>', page).group(1))
    assert data == {"current": "a-3", "kind": "topic", "topics": []}


def test_small_courses_list_every_topic_on_every_page(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_build(course_of(tmp_path, 5), out)
    assert run.code == 0, run.stderr
    page = (out / "topics/b-2/index.html").read_text()
    assert len(nav_links(page)) == 10 and "of this block</a>" not in page
    assert re.findall(r'data-nav="([^"]+)" aria-current="page"', page) == ["b-2"]


def loose_course(tmp_path: Path, count: int) -> Path:
    """``count`` topics outside any block."""
    return write_course(tmp_path / f"loose{count}", {f"content/topics/t{i}.md": topic(f"Topic {i}", i + 1, "Text.")
                                                      for i in range(count)})


def sidebar(html: str) -> str:
    return re.search(r'<div class="nav-blocks".*?</div>', html, re.S).group(0)


def test_sidebar_size_does_not_grow_with_the_course(tmp_path: Path) -> None:
    """Past 300 topics, topics outside blocks come in groups of 20 and a topic page lists
    its own group in full and only the four groups each side of it, as one link each."""
    navs = {}
    for count in (320, 480):
        out = tmp_path / f"out{count}"
        run = run_build(loose_course(tmp_path, count), out)
        assert run.code == 0, run.stderr
        navs[count] = sidebar((out / "topics/t205/index.html").read_text())
    nav = navs[320]
    assert nav_links(nav) == [f"t{i}" for i in range(200, 220)]
    groups = re.findall(r'data-block="([^"]+)"', nav)
    assert groups == [f"topics-{g}" for g in range(7, 16)]  # its own (11th) and four each side
    assert '<span class="nav-block-title">Topics 201–220</span>' in nav
    assert '<a href="/topics/">All 320 topics in 16 groups</a>' in nav
    # The same page in a course half as large again: the same sidebar but for the totals.
    assert navs[480].replace("480 topics in 24", "320 topics in 16") == nav
