"""Nothing from outside the course runs or gets published (issue 14, security).

Each test plays the attacker (a course repository someone clones and builds)
and shows the attack does not work: no code from a cache, no script URL in the
settings, no file from outside the course through a symbolic link, no output
folder inside a folder the build reads.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from coursebuild.diskcache import course_cache_dir
from course_helpers import run_build, snapshot, topic, write_course

COURSE = {
    "course.yml": 'title: "Safe"\n',
    "content/topics/b/_block.yml": 'title: "B"\norder: 1\n',
    "content/topics/b/one/index.md": topic("One", 1, "First topic."),
    "content/topics/b/two/index.md": topic("Two", 2, "Second topic."),
}


class _Payload:
    """Unpickling this makes a folder: proof that code ran."""

    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.sentinel),))


def test_planted_pickle_cache_entries_never_run(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", COURSE)
    out = tmp_path / "out"
    assert run_build(course, out).code == 0
    clean = snapshot(out)
    store = course_cache_dir(course)
    entries = sorted(store.glob("??/*.json"))
    assert len(entries) == 2, "one JSON entry per topic, outside the course folder"
    assert not (course / ".coursebuild-cache").exists()

    sentinel = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(sentinel))
    pickle.loads(payload)  # the payload is live: loading it with pickle runs code
    assert sentinel.is_dir()
    sentinel.rmdir()
    for entry in entries:  # where the old version looked (in the clone) and in the new store
        legacy = course / ".coursebuild-cache" / entry.parent.name / entry.stem
        legacy.parent.mkdir(parents=True, exist_ok=True)
        legacy.write_bytes(payload)
        entry.write_bytes(payload)

    run = run_build(course, out)
    assert (run.code, run.problems()) == (0, [])
    assert not sentinel.exists()
    assert snapshot(out) == clean


def test_crafted_entries_of_the_wrong_shape_are_misses(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", COURSE)
    out = tmp_path / "out"
    assert run_build(course, out).code == 0
    clean = snapshot(out)
    one, two = sorted(course_cache_dir(course).glob("??/*.json"))
    one.write_text('[{"html": "<script>alert(1)</script>", "words": "many"}, []]')
    two.write_text('[{"html": "<p>forged</p>"}, [["k", "d"]]]')  # required fields missing
    run = run_build(course, out)
    assert (run.code, run.problems()) == (0, [])
    assert snapshot(out) == clean
    assert "forged" not in one.read_text() + two.read_text()  # re-rendered and stored again


@pytest.mark.parametrize("key", ["repo_url", "site_url"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(document.domain)",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:msgbox", "//evil.example"])
def test_script_urls_in_settings_are_configuration_errors(tmp_path: Path, key: str, url: str) -> None:
    course = write_course(tmp_path / "c", {**COURSE, "course.yml": f'title: "Safe"\n{key}: "{url}"\n'})
    out = tmp_path / "out"
    run = run_build(course, out)
    col = len(key) + 3
    assert run.diagnostics == [
        f"course.yml:2:{col}: error: '{key}' must be an http:// or https:// URL, not {url!r}"]
    assert (run.code, run.summary) == (2, "build not started, 1 error, 0 warnings")
    assert not out.exists()


def test_http_and_https_urls_are_accepted(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {**COURSE, "course.yml": (
        'title: "Safe"\nrepo_url: "https://example.org/me/course"\nsite_url: "http://example.org"\n')})
    out = tmp_path / "out"
    assert run_build(course, out).code == 0
    assert 'href="https://example.org/me/course"' in (out / "index.html").read_text("utf-8")
