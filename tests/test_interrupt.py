"""A build killed at the worst moment leaves the old or the new site, never none (issue 14).

The kill is injected exactly between the two renames of the swap: the test
runs coursebuild through a small wrapper script whose ``os.rename`` ends the
process right after its first call (or sends it SIGTERM just before), so the
product code has no test hooks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from course_helpers import run_build, snapshot, topic, write_course

WRAPPER = """\
import os, runpy, signal, sys
from pathlib import Path

mode = os.environ["CB_TEST_MODE"]
real_rename = os.rename

def rename(src, dst, *args, **kwargs):
    if mode == "term":
        os.kill(os.getpid(), signal.SIGTERM)
    real_rename(src, dst, *args, **kwargs)
    if mode == "kill":
        os._exit(9)  # as abrupt as SIGKILL: no cleanup runs

os.rename = rename
if mode == "pagefind":
    import coursebuild.search.pagefind
    coursebuild.search.pagefind.pagefind_executable = lambda: Path(os.environ["CB_TEST_PAGEFIND"])
sys.argv = ["coursebuild", *sys.argv[1:]]
runpy.run_module("coursebuild", run_name="__main__", alter_sys=True)
"""

FAKE_PAGEFIND = """\
#!/bin/sh
echo $$ > "$CB_TEST_PIDFILE"
exec sleep 120
"""


def _course(root: Path, text: str) -> Path:
    return write_course(root, {"content/topics/b/_block.yml": 'title: "B"\norder: 1\n',
                               "content/topics/b/t/index.md": topic("T", 1, text),
                               "content/topics/b/u/index.md": topic("U", 2, "Other.")})


def _wrapped(tmp_path: Path, mode: str, *args: str, wait: bool = True, **env: str
             ) -> subprocess.Popen[bytes] | subprocess.CompletedProcess[bytes]:
    script = tmp_path / "wrapper.py"
    script.write_text(WRAPPER)
    command = [sys.executable, str(script), *args]
    environ = {**os.environ, "CB_TEST_MODE": mode, **env}
    if wait:
        return subprocess.run(command, capture_output=True, env=environ, timeout=120)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ)


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_kill_between_the_two_renames_then_the_next_build_finishes_the_swap(tmp_path: Path) -> None:
    course = _course(tmp_path / "c", "Version one.")
    out = tmp_path / "out"
    assert run_build(course, out).code == 0
    _course(course, "Version two.")
    reference = tmp_path / "reference"
    assert run_build(course, reference).code == 0

    killed = _wrapped(tmp_path, "kill", "build", str(course), "--out", str(out), "--no-search")
    assert killed.returncode == 9
    assert not out.exists()  # the state the issue describes: old site and new site both aside
    assert [name.rsplit("-", 1)[0] for name in _leftovers(out)] == [".out.old", ".out.staging"]

    (course / "content/topics/b/u/index.md").write_text("no front matter")  # the next build fails
    run = run_build(course, out)
    assert run.code == 1
    assert snapshot(out) == snapshot(reference)  # the new site, complete
    assert _leftovers(out) == []


def test_an_incomplete_staging_folder_is_dropped_and_the_old_site_put_back(tmp_path: Path) -> None:
    course = _course(tmp_path / "c", "Version one.")
    out = tmp_path / "out"
    assert run_build(course, out).code == 0
    before = snapshot(out)
    pid = _dead_pid()
    out.rename(tmp_path / f".out.old-{pid}")
    partial = write_course(tmp_path / f".out.staging-{pid}", {"index.html": "<p>half"})
    assert not (partial / ".coursebuild-site").exists()
    (course / "content/topics/b/u/index.md").write_text("no front matter")
    assert run_build(course, out).code == 1
    assert snapshot(out) == before
    assert _leftovers(out) == []


def test_leftovers_of_dead_builds_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    course = _course(tmp_path / "c", "Text.")
    out = tmp_path / "out"
    dead, live = _dead_pid(), os.getpid()
    for name in (f".out.staging-{dead}", f".out.old-{dead}", f".out.staging-{live}", f".other.old-{dead}"):
        write_course(tmp_path / name, {".coursebuild-site": "", "index.html": "x"})
    assert run_build(course, out).code == 0
    assert _leftovers(out) == [f".out.staging-{live}"]
    assert (tmp_path / f".other.old-{dead}").is_dir()  # another output folder's: not ours to judge


def test_sigterm_is_handled_like_ctrl_c(tmp_path: Path) -> None:
    course = _course(tmp_path / "c", "Version one.")
    out = tmp_path / "out"
    assert run_build(course, out).code == 0
    before = snapshot(out)
    _course(course, "Version two.")
    done = _wrapped(tmp_path, "term", "build", str(course), "--out", str(out), "--no-search")
    assert done.returncode == 143
    assert b"Traceback" not in done.stderr
    assert snapshot(out) == before
    assert _leftovers(out) == []


def test_the_pagefind_child_dies_with_its_parent(tmp_path: Path) -> None:
    course = _course(tmp_path / "c", "Text.")
    fake = tmp_path / "pagefind"
    fake.write_text(FAKE_PAGEFIND)
    fake.chmod(0o755)
    pidfile = tmp_path / "pagefind.pid"
    build = _wrapped(tmp_path, "pagefind", "build", str(course), "--out", str(tmp_path / "out"), wait=False,
                     CB_TEST_PAGEFIND=str(fake), CB_TEST_PIDFILE=str(pidfile))
    try:
        deadline = time.monotonic() + 60
        while not pidfile.exists() or not pidfile.read_text().strip():
            assert time.monotonic() < deadline and build.poll() is None, "Pagefind never started"
            time.sleep(0.05)
        child = int(pidfile.read_text())
        assert _running(child)
    finally:
        build.send_signal(signal.SIGKILL)
        build.wait()
    deadline = time.monotonic() + 10
    while _running(child):
        assert time.monotonic() < deadline, "Pagefind outlived the build that started it"
        time.sleep(0.05)


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
