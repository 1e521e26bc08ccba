"""Inputs far larger than real pages still build, in time linear in their size:
20,000 citations on one line (the References section, backlinks, columns)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from course_helpers import run_build, snapshot, topic, write_course

KEYS = [f"work{i}" for i in range(50)]
BIB = "".join(f"@book{{{k},\n  author = {{Author, A.}},\n  title = {{Title {k}}},\n  year = {{2000}}\n}}\n"
              for k in KEYS)


@pytest.mark.slow
def test_twenty_thousand_citations_on_one_line(tmp_path: Path) -> None:
    line = " ".join(f'x {{% cite "{KEYS[i % 50]}" %}}' for i in range(20_000))
    course = write_course(tmp_path / "c", {"bibliography.bib": BIB,
                                           "content/topics/t.md": topic("T", 1, line + ' {% cite "nokey" %}\n')})
    run = run_build(course)
    assert run.code == 1
    # The unknown key is found at its own column, after 20,000 tags on the same line.
    assert run.problems() == [f"content/topics/t.md:6:{len(line) + 2}: error: unknown citation key 'nokey'"]
    run = run_build(write_course(course, {"content/topics/t.md": topic("T", 1, line + "\n")}))
    assert run.code == 0, run.stderr
    html = (course.parent / "c_out/topics/t/index.html").read_text()
    assert html.count('class="cite-link"') == 20_000
    assert html.count('id="cite-20000"') == 1
    refs = re.findall(r'<li id="ref-(work\d+)" value="(\d+)">(.*?)</li>', html)
    assert [(k, int(v)) for k, v, _ in refs] == [(k, i) for i, k in enumerate(KEYS, 1)]
    assert all(body.count('class="ref-backlink"') == 400 for _, _, body in refs)
    assert 'href="#cite-19951" aria-label="Back to citation 400 of 400"' in html  # work0's last site


def test_serial_parallel_and_cached_builds_are_identical(tmp_path: Path) -> None:
    """50 topics (enough for worker processes): the same bytes rendered in one process,
    in two workers, and from the cache."""
    body = ('Text $x_{N}^2$ and $$\\frac{{a}}{{N}}$${% cite "work1" %}.{% sidenote "Note $\\\\alpha_N$." %}\n\n'
            "```python\nprint(N)\n```\n")
    course = write_course(tmp_path / "c", {"bibliography.bib": BIB, **{
        f"content/topics/t{i}.md": topic(f"T{i}", i + 1, body.replace("N", str(i))) for i in range(50)}})
    sites = []
    for name, extra in (("serial", ["--jobs", "1"]), ("parallel", ["--jobs", "2"]), ("cached", ["--jobs", "2"])):
        if name != "cached":
            shutil.rmtree(course / ".coursebuild-cache", ignore_errors=True)
        run = run_build(course, tmp_path / name, *extra)
        assert run.code == 0, run.stderr
        sites.append(snapshot(tmp_path / name))
    assert sites[0] == sites[1] == sites[2]
    assert 'class="katex"' in sites[0]["topics/t7/index.html"].decode()
    assert len([p for p in sites[0] if p.startswith("topics/t")]) == 50
