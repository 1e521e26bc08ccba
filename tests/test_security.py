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
