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
from course_helpers import run_build, snapshot, topic, touch, write_course

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
    for page in (course / "content/topics").rglob("*.md"):
        touch(page)  # so that the build runs and reads the entries
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


SECRET = "TOP-SECRET-0c41"


def _outside(root: Path) -> Path:
    """A private folder beside the course: nothing in it may be read or published."""
    return write_course(root / "private", {
        "secret.txt": SECRET,
        "page.md": topic("Leaked", 3, SECRET),
        "folder/index.md": topic("Leaked folder", 4, SECRET),
        "folder/notes.txt": SECRET,
        "templates/404.html": SECRET,
        "refs.bib": "@misc{leak, title = {" + SECRET + "}, year = {2020}}\n",
        "static/secret.css": SECRET,
    })


def _published(out: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in out.rglob("*") if p.is_file())


def test_symlinks_out_of_the_course_are_not_followed(tmp_path: Path) -> None:
    private = _outside(tmp_path)
    course = write_course(tmp_path / "c", {**COURSE, "notes/shared.txt": "shared inside",
                                           "content/topics/b/one/index.md": topic("One", 1, "First {% cite \"leak\" %}.")})
    links = {
        "templates": private / "templates",
        "static/leak.txt": private / "secret.txt",
        "static/shared.txt": course / "notes" / "shared.txt",  # inside the course: followed
        "bibliography.bib": private / "refs.bib",
        "content/topics/b/three/index.md": private / "page.md",
        "content/topics/b/four": private / "folder",
        "content/topics/b/two/images/photo.txt": private / "secret.txt",
    }
    for rel, target in links.items():
        (course / rel).parent.mkdir(parents=True, exist_ok=True)
        (course / rel).symlink_to(target)
    out = tmp_path / "out"
    run = run_build(course, out)
    message = "warning: symbolic link to outside the course folder: not followed (nothing read or published)"
    assert run.problems() == [
        f"bibliography.bib: {message}",
        f"content/topics/b/four: {message}",
        "content/topics/b/one/index.md:6:7: error: unknown citation key 'leak'",
        f"content/topics/b/three/index.md: {message}",
        f"content/topics/b/two/images/photo.txt: {message}",
        f"static/leak.txt: {message}",
        f"templates: {message}",
    ]
    assert run.code == 1
    (course / "content/topics/b/one/index.md").write_text(topic("One", 1, "First."))
    run = run_build(course, out)
    assert run.code == 0 and len(run.problems()) == 6
    assert SECRET not in _published(out)
    assert (out / "shared.txt").read_text() == "shared inside"
    assert not (out / "topics" / "three").exists() and not (out / "topics" / "four").exists()


def test_a_static_folder_linked_out_of_the_course_is_not_published(tmp_path: Path) -> None:
    private = _outside(tmp_path)
    course = write_course(tmp_path / "c", COURSE)
    (course / "static").symlink_to(private / "static")
    out = tmp_path / "out"
    run = run_build(course, out)
    assert run.problems() == ["static: warning: symbolic link to outside the course folder: not followed "
                              "(nothing read or published)"]
    assert run.code == 0
    assert SECRET not in _published(out) and not (out / "secret.css").exists()


@pytest.mark.parametrize(("out", "folder"), [
    ("pages/topics/b/t/site", "pages"),
    ("pages", "pages"),
    ("static/site", "static"),
    ("templates/site", "templates"),
])
def test_output_folder_inside_a_folder_the_build_reads_is_refused(tmp_path: Path, out: str, folder: str) -> None:
    course = write_course(tmp_path / "c", {"course.yml": "content_dir: pages\n", "static/x.css": "a{}",
                                           "pages/topics/b/_block.yml": 'title: "B"\norder: 1\n',
                                           "pages/topics/b/t/index.md": topic("T", 1, "Text.")})
    before = snapshot(course)
    run = run_build(course, course / out)
    assert run.diagnostics == [f".: error: the output folder must not be inside the course's {folder}/ folder, "
                               "which the build reads"]
    assert (run.code, run.summary) == (2, "build not started, 1 error, 0 warnings")
    assert snapshot(course) == before


def test_output_beside_the_content_of_a_root_content_dir_is_allowed(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {"course.yml": 'content_dir: "."\n',
                                           "topics/b/_block.yml": 'title: "B"\norder: 1\n',
                                           "topics/b/t/index.md": topic("T", 1, "Text.")})
    assert run_build(course, course / "_site").code == 0
    touch(course / "topics/b/t/index.md")
    assert run_build(course, course / "_site").code == 0  # the output is not read back as content
    assert run_build(course, course / "topics" / "site").code == 2
