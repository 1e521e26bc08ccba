"""The scale course (84 topics, large figures, long formulas) built once with search,
served on 127.0.0.1, and a chromium that may talk to nothing else."""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from course_helpers import watch_requests

from .course import write_scale_course


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def scale_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale")
    course = write_scale_course(root / "course")
    out = root / "site"
    done = subprocess.run([sys.executable, "-m", "coursebuild", "build", str(course), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="session")
def scale_server(scale_site: Path) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(scale_site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def open_page(browser, scale_server):  # type: ignore[no-untyped-def]
    """``open_page(path, width=1400, ...)``: a loaded page; fails the test on console
    errors or requests to another host."""
    contexts = []
    problems: list[str] = []
    host = urlsplit(scale_server).netloc

    def make(path: str, width: int = 1400, height: int = 900, scheme: str = "light",
             motion: str = "no-preference", **extra):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                      reduced_motion=motion, **extra)
        contexts.append(context)
        watch_requests(context, lambda url: urlsplit(url).netloc == host, problems)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(scale_server + path, wait_until="load")
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems
