"""Shared helpers of the CLI tests: write a small course folder, build it.

Imported by the test modules as ``course_helpers`` (a unique name: several
``conftest.py`` files live under tests/, so ``from conftest import …`` would
be ambiguous) and re-exported by ``tests/conftest.py``.

Every test course is a dict of relative paths → text (or bytes, written
verbatim so BOMs, CRLF and invalid UTF-8 survive). ``run_build`` runs
``python -m coursebuild build DIR --out OUT --no-search …`` in a subprocess
and returns ``(exit code, stdout, stderr)``; it also fails the test whenever
a Python traceback or an "internal error" line appears, since no input may
ever produce one.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Iterator, Mapping, NamedTuple

SUMMARY_RE = re.compile(r"^(built \d+ pages? in [\d.]+ s|build failed, previous output left unchanged"
                        r"(?: \(--strict: warnings count as errors\))?|build not started), "
                        r"\d+ errors?, \d+ warnings?$")

SITE_URL_NOTE = "course.yml: info: no site_url, so no sitemap.xml"


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """Every non-empty output line, stdout then stderr."""
        return [ln for ln in (self.stdout + "\n" + self.stderr).splitlines() if ln.strip()]

    @property
    def diagnostics(self) -> list[str]:
        """The diagnostic lines (everything but the summary line), without the info line that
        every build of a course without site_url prints (tests/test_firstrun.py checks it)."""
        return [ln for ln in self.lines if not SUMMARY_RE.match(ln) and not ln.startswith(SITE_URL_NOTE)]

    @property
    def summary(self) -> str:
        found = [ln for ln in self.lines if SUMMARY_RE.match(ln)]
        assert len(found) == 1, f"expected exactly one summary line in:\n{self.stderr}"
        return found[0]

    def problems(self) -> list[str]:
        """Errors and warnings only (info lines dropped)."""
        return [ln for ln in self.diagnostics if ": error: " in ln or ": warning: " in ln]


def write_course(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path → text or bytes) under ``root``; return ``root``.

    Text is dedented, so tests can indent triple-quoted page sources.
    """
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8", newline="")
    return root


def run_cli(*args: str | os.PathLike[str], cwd: Path | None = None, timeout: float = 120) -> Run:
    """``python -m coursebuild ARGS``; never a traceback, whatever the input."""
    env = {k: v for k, v in os.environ.items() if k != "COURSEBUILD_DEBUG"}
    done = subprocess.run([sys.executable, "-m", "coursebuild", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, env=env)
    both = done.stdout + done.stderr
    assert "Traceback" not in both, both
    assert "internal error" not in both, both
    return Run(done.returncode, done.stdout, done.stderr)


def run_build(course: Path, out: Path | None = None, *extra: str) -> Run:
    """Build ``course`` into ``out`` (default: a ``_out`` folder beside it) with ``--no-search``."""
    out = out if out is not None else course.parent / f"{course.name}_out"
    return run_cli("build", course, "--out", out, "--no-search", *extra)


def topic(title: str, order: int, body: str = "", description: str | None = None, **more: str) -> str:
    """A topic file: front matter (title, description, order and raw extra YAML lines) and body."""
    lines = ["---", f'title: "{title}"', f'description: "{description or "About " + title}"',
             f"order: {order}"]
    lines += [f"{key}: {value}" for key, value in more.items()]
    lines += ["---", ""]
    return "\n".join(lines) + textwrap.dedent(body).lstrip("\n")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative POSIX path → bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


CHROMIUM = Path(os.environ.get("COURSEBUILD_TEST_CHROMIUM", "/usr/bin/chromium"))
"""Debian's chromium: browser tests never download a browser of their own. (The variable
exists so a test can point it at a missing file.)"""


def in_ci() -> bool:
    """True when ``CI`` says so (GitHub Actions, GitLab and most others set ``CI=true``)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_tool(available: bool, what: str) -> None:
    """Skip the test when a tool it drives (chromium, axe-core, Pagefind) is missing, but
    fail it under ``CI=true``: a CI run must never go green by skipping its browser tests."""
    if available:
        return
    import pytest

    if in_ci():
        pytest.fail(f"{what} (CI=true: a missing test tool is a failure, not a skip)", pytrace=False)
    pytest.skip(what)


def pagefind_available() -> bool:
    """Whether the Pagefind binary the search index needs is installed."""
    from coursebuild.search import SearchIndexFailed, pagefind_executable

    try:
        return pagefind_executable().is_file()
    except SearchIndexFailed:
        return False
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@contextlib.contextmanager
def launch_chromium() -> Iterator[Any]:
    """A headless Debian chromium driven by Playwright's sync API (one per thread at a time,
    so browser fixtures are module-scoped)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
