"""Inputs far larger than real pages still build, in time linear in their size:
20,000 citations on one line (the References section, backlinks, columns)."""

from __future__ import annotations

import re
import tempfile
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


def fifty_topics(root: Path) -> Path:
    body = ('Text $x_{N}^2$ and $$\\frac{{a}}{{N}}$${% cite "work1" %}.{% sidenote "Note $\\\\alpha_N$." %}\n\n'
            "```python\nprint(N)\n```\n")
    return write_course(root, {"bibliography.bib": BIB, **{
        f"content/topics/t{i}.md": topic(f"T{i}", i + 1, body.replace("N", str(i))) for i in range(50)}})


def test_serial_parallel_and_cached_builds_are_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """50 topics (enough for worker processes): the same bytes rendered in one process,
    in two workers (which hand their bodies over through the render cache), and from the
    cache. Serial and parallel each start with an empty cache of their own."""
    course = fifty_topics(tmp_path / "c")
    sites = []
    for name, extra in (("serial", ["--jobs", "1"]), ("parallel", ["--jobs", "2"]), ("cached", ["--jobs", "2"])):
        if name != "cached":
            monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{name}"))
        run = run_build(course, tmp_path / name, *extra)
        assert run.code == 0, run.stderr
        sites.append(snapshot(tmp_path / name))
        renders = list((tmp_path / f"cache-{'parallel' if name == 'cached' else name}").rglob("??/*.json"))
        assert len(renders) == 50, name  # every body rendered once, by this build or the one before
    assert sites[0] == sites[1] == sites[2]
    assert 'class="katex"' in sites[0]["topics/t7/index.html"].decode()
    assert len([p for p in sites[0] if p.startswith("topics/t")]) == 50


def test_parallel_build_is_the_same_when_the_cache_cannot_be_written(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers hand bodies over through the render cache only when they could store them
    (otherwise whole): an unwritable cache folder changes nothing in the site."""
    course = fifty_topics(tmp_path / "c")
    (tmp_path / "not-a-folder").write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    run = run_build(course, tmp_path / "parallel", "--jobs", "2")
    assert run.code == 0, run.stderr
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert run_build(course, tmp_path / "serial", "--jobs", "1").code == 0
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")


def test_a_first_build_starts_its_workers_before_reading_the_pages(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """With an empty render cache every body will be rendered: the workers start while the
    pages are read (pages.EarlyPool) and render them all. With bodies in the cache they do
    not start early: a build that renders one page needs none."""
    from coursebuild import pipeline
    from coursebuild.buildtypes import BuildOptions

    started: list[int] = []

    class Recorded(pipeline.EarlyPool):
        def __init__(self, workers: int) -> None:
            started.append(workers)
            super().__init__(workers)

    monkeypatch.setattr(pipeline, "EarlyPool", Recorded)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where the setup file goes
    (tmp_path / "tmp").mkdir()
    course = fifty_topics(tmp_path / "c")
    result = pipeline.Builder(BuildOptions(course, tmp_path / "early", jobs=2, search=False)).build()
    assert result.errors == 0 and result.rendered == 50 and started == [2]
    assert not any((tmp_path / "tmp").iterdir())  # the setup file's folder is gone with the workers
    assert len(list((tmp_path / "cache").rglob("??/*.json"))) == 50  # stored by the workers
    write_course(course, {"content/topics/t3.md": topic("T3", 4, "Edited.\n")})
    result = pipeline.Builder(BuildOptions(course, tmp_path / "early", jobs=2, search=False)).build()
    assert result.errors == 0 and result.rendered == 1 and started == [2]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-serial"))
    assert run_build(course, tmp_path / "serial", "--jobs", "1").code == 0
    assert snapshot(tmp_path / "early") == snapshot(tmp_path / "serial")


def test_render_workers_end_before_their_bodies_are_read_back(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers hand bodies over through the render cache; the build reads them back only
    once the workers are gone, so the two never hold every body at once. Checked for a
    first build (early workers) and for one whose 50 edited pages miss a warm cache."""
    import multiprocessing

    from coursebuild import pages, pipeline
    from coursebuild.buildtypes import BuildOptions

    alive: list[int] = []
    real_get = pages.RenderCache.get

    def get(self: pages.RenderCache, key: str, bib: object) -> object:
        alive.append(len(multiprocessing.active_children()))
        return real_get(self, key, bib)  # type: ignore[arg-type]

    monkeypatch.setattr(pages.RenderCache, "get", get)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    course = fifty_topics(tmp_path / "c")
    for edit in range(2):
        if edit:
            write_course(course, {f"content/topics/t{i}.md": topic(f"T{i}", i + 1, "Edited.\n") for i in range(50)})
        alive.clear()
        result = pipeline.Builder(BuildOptions(course, tmp_path / "site", jobs=2, search=False)).build()
        assert result.errors == 0 and result.rendered == 50
        assert len(alive) == 100 and not any(alive[50:]), alive  # 50 lookups, then 50 read-backs


def test_early_workers_that_cannot_get_their_setup_leave_the_build_to_the_usual_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The early workers' setup file cannot be written (here: a cleaner removed the
    temporary folder meanwhile; a full disk is the same): that must not fail a build that
    can start its workers the usual way."""
    import shutil

    from coursebuild import pipeline
    from coursebuild.buildtypes import BuildOptions

    class Cleaned(pipeline.EarlyPool):
        def __init__(self, workers: int) -> None:
            super().__init__(workers)
            shutil.rmtree(self.folder)

    monkeypatch.setattr(pipeline, "EarlyPool", Cleaned)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    course = fifty_topics(tmp_path / "c")
    result = pipeline.Builder(BuildOptions(course, tmp_path / "site", jobs=2, search=False)).build()
    assert result.errors == 0 and result.rendered == 50, [d.format() for d in result.diagnostics]
    assert len(list((tmp_path / "cache").rglob("??/*.json"))) == 50  # stored by the usual workers
