"""Shared helpers of the CLI tests: write a small course folder, build it.

Imported by the test modules as ``course_helpers`` (a unique name: several
``conftest.py`` files live under tests/, so ``from conftest import …`` would
be ambiguous) and re-exported by ``tests/conftest.py``.

Every test course is a dict of relative paths → text (or bytes, written
verbatim so BOMs, CRLF and invalid UTF-8 survive). ``run_build`` runs
``python -m coursebuild build DIR --out OUT --no-search …`` in a process of its
own (forked from a coursebuild that has done its imports: tests/forkserver.py)
and returns ``(exit code, stdout, stderr)``; it also fails the test whenever
a Python traceback or an "internal error" line appears, since no input may
ever produce one.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import locale
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, NamedTuple

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


def touch(path: Path) -> None:
    """Give ``path`` a new modification time, its bytes unchanged: the next ``coursebuild
    build`` then runs in full instead of keeping an output its inputs already made
    (src/coursebuild/uptodate.py), while every cache keyed on content still hits."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))


def run_cli(*args: str | os.PathLike[str], cwd: Path | None = None, timeout: float = 120) -> Run:
    """``python -m coursebuild ARGS``; never a traceback, whatever the input.

    The command runs in a process of its own, forked from a coursebuild that has done its
    imports (tests/forkserver.py), which saves the interpreter's start for each of the
    suite's hundreds of builds. ``COURSEBUILD_TEST_FORK=0`` starts a new interpreter each
    time instead."""
    env = {k: v for k, v in os.environ.items() if k != "COURSEBUILD_DEBUG"}
    argv = [str(arg) for arg in args]
    if os.environ.get("COURSEBUILD_TEST_FORK", "1") == "0":
        done = subprocess.run([sys.executable, "-m", "coursebuild", *argv], capture_output=True,
                              text=True, timeout=timeout, cwd=cwd, env=env)
        code, stdout, stderr = done.returncode, done.stdout, done.stderr
    else:
        code, stdout, stderr = _FORK_SERVER.run(argv, cwd or Path.cwd(), env, timeout)
    both = stdout + stderr
    assert "Traceback" not in both, both
    assert "internal error" not in both, both
    return Run(code, stdout, stderr)


class _ForkServer:
    """The client of tests/forkserver.py: one server per test process, started on first use."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()
        self.folder = ""
        self.pending = b""

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            self.folder = tempfile.mkdtemp(prefix="coursebuild-forkserver-")
            self.pending = b""
            self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("forkserver.py"))],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
            atexit.register(self.close)
        return self.proc

    def close(self) -> None:
        if self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _reply(self, proc: subprocess.Popen[bytes], timeout: float | None) -> dict[str, Any]:
        """The next reply line. Read from the pipe's descriptor with a buffer of our own: a
        buffered file object could hold the next line where ``select`` cannot see it."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        while b"\n" not in self.pending:
            if timeout is not None and not select.select([fd], [], [], timeout)[0]:
                raise TimeoutError
            chunk = os.read(fd, 65536)
            assert chunk, "the test fork server ended (see its stderr above)"
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def run(self, args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str, str]:
        with self.lock:
            proc = self._start()
            assert proc.stdin is not None
            out, err = Path(self.folder, "stdout"), Path(self.folder, "stderr")
            request = {"args": args, "cwd": str(cwd), "env": env, "stdout": str(out), "stderr": str(err)}
            proc.stdin.write(json.dumps(request).encode() + b"\n")
            pid = self._reply(proc, None)["pid"]
            try:
                code = self._reply(proc, timeout)["code"]
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                self._reply(proc, None)
                raise subprocess.TimeoutExpired(["coursebuild", *args], timeout) from None
            return code, _read_text(out), _read_text(err)


def _read_text(path: Path) -> str:
    """The output as ``subprocess.run(text=True)`` decodes it (universal newlines)."""
    with open(path, encoding=locale.getpreferredencoding(False)) as handle:
        return handle.read()


_FORK_SERVER = _ForkServer()


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
# No name but 127.0.0.1 resolves, so a request to another host cannot leave the machine;
# the tests see it through watch_requests. (Not Playwright's request routing: it turns
# the browser's cache off and sends every request through Python, which slows every page.)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def axe_options(scheme: str) -> str:
    """axe.run's options (a JavaScript object) for a page in ``scheme``: every rule in the
    light theme; in the dark theme only the rules a theme can change (the colours), since
    the page's structure is the same in both and was checked in light."""
    if scheme == "light":
        return "{resultTypes: ['violations']}"
    return ("{resultTypes: ['violations'], runOnly: {type: 'rule', values: "
            "['color-contrast', 'link-in-text-block']}}")


def settle(page: Any, url: str | None = None) -> None:
    """Open ``url`` (or reload) and wait for the load event and the page's fonts.

    Not Playwright's ``networkidle``, which waits half a second after the last request:
    the theme's scripts run before ``load``, and what a test waits for after that (search
    results, a popover) it waits for by locator."""
    if url is None:
        page.reload(wait_until="load")
    else:
        page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")


def watch_requests(context: Any, allowed: Callable[[str], bool], problems: list[str],
                   prefix: str = "request to another host: ") -> None:
    """Record in ``problems`` every request of ``context`` whose URL ``allowed`` refuses."""
    def seen(request: Any) -> None:
        if not allowed(request.url):
            problems.append(prefix + request.url)

    context.on("request", seen)


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
