"""The built demo course served over local HTTP, and a headless Chromium that may
talk to nothing else."""

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

from course_helpers import CHROMIUM, pagefind_available, require_tool, watch_requests

REPO = Path(__file__).resolve().parents[2]
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Checked here too: the session's build comes before the module's browser.
    require_tool(CHROMIUM.exists(), f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    require_tool(pagefind_available(), "Pagefind is missing: reinstall the pagefind-bin package (make setup)")
    out = tmp_path_factory.mktemp("reader") / "site"
    done = subprocess.run([sys.executable, "-m", "coursebuild", "build", str(REPO), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="session")
def server(demo_site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(demo_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture()
def page_factory(browser, server):  # type: ignore[no-untyped-def]
    """New pages (each in a context of its own) that record console errors and fail on any
    request to another host."""
    contexts = []
    foreign: list[str] = []
    errors: list[str] = []

    def make(width: int = 1400, height: int = 900, scheme: str = "light"):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
        contexts.append(context)
        host = urlsplit(server).netloc
        watch_requests(context, lambda url: urlsplit(url).netloc == host or url.startswith("data:"),
                       foreign, prefix="")
        # On the context, so that further tabs of it (context.new_page()) are watched too.
        context.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        context.on("weberror", lambda e: errors.append(str(e.error)))
        return context.new_page()

    make.foreign = foreign  # type: ignore[attr-defined]
    make.errors = errors  # type: ignore[attr-defined]
    yield make
    for context in contexts:
        context.close()
    assert not foreign, f"requests to other hosts: {foreign}"
