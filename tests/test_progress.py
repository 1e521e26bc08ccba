"""Live progress: drawn on a terminal (stage, pages done/total) and cleared before the
summary; nothing of it when the output is not a terminal or with --quiet."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from course_helpers import run_build, topic, write_course
from coursebuild.progress import TerminalProgress


def course(tmp_path: Path) -> Path:
    return write_course(tmp_path / "c", {f"content/topics/t{i}.md": topic(f"T{i}", i + 1, "Text $x$.\n")
                                         for i in range(12)})


def on_terminal(*args: str) -> str:
    """Run ``coursebuild ARGS`` with stderr on a pseudo-terminal; return what it drew."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COURSEBUILD_PROGRESS_DELAY": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "coursebuild", *args], stdout=subprocess.DEVNULL,
                            stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the build exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode()


def test_progress_is_drawn_on_a_terminal_and_cleared(tmp_path: Path) -> None:
    drawn = on_terminal("build", str(course(tmp_path)), "--no-search")
    assert "\r\x1b[Kreading pages…" in drawn
    assert "\r\x1b[Krendering Markdown: 12/12 pages" in drawn
    assert "\r\x1b[Kapplying templates: 19/19 pages" in drawn  # 12 topics + 7 site pages
    assert "\r\x1b[Kwriting files…" in drawn
    last = drawn.rsplit("\r\x1b[K", 1)[1]
    assert "info: no site_url" in last  # diagnostics come after the progress line is cleared
    summary = last.splitlines()[-1]
    assert summary.startswith("built 19 pages in ") and last.endswith("0 errors, 0 warnings\r\n")


def test_quiet_or_not_a_terminal_shows_no_progress(tmp_path: Path) -> None:
    source = course(tmp_path)
    drawn = on_terminal("build", str(source), "--no-search", "--quiet", "--out", str(tmp_path / "q"))
    assert "\x1b" not in drawn and drawn.startswith("built 19 pages in ")
    run = run_build(source)
    assert "\x1b" not in run.stderr and run.stderr.splitlines()[-1].startswith("built 19 pages in ")


def test_progress_waits_then_throttles() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = TerminalProgress(out, clock=lambda: now[0])
    progress("rendering Markdown", 1, 100)  # before the delay: nothing
    assert out.getvalue() == ""
    now[0] = 1.5
    progress("rendering Markdown", 2, 100)
    now[0] = 1.55
    progress("rendering Markdown", 3, 100)  # within the interval: skipped
    progress("rendering Markdown", 100, 100)  # the end of a stage is always drawn
    progress.clear()
    assert out.getvalue() == ("\r\x1b[Krendering Markdown: 2/100 pages"
                              "\r\x1b[Krendering Markdown: 100/100 pages\r\x1b[K")
