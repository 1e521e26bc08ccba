"""``serve`` under attack and under load: foreign Host headers (DNS rebinding), over-long URLs,
readers during rebuilds (issue 14)."""

from __future__ import annotations

import http.client
import io
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from coursebuild.pipeline import BuildOptions
from coursebuild.serve.session import ServeSession
from test_serve import Served, write_course


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("hosts")
    served = Served(write_course(root / "course"), "--out", str(root / "site"))
    yield served
    assert served.stop() == 0, served.output
    assert "Traceback" not in served.output and "error answering" not in served.output, served.output
    assert "code 414" not in served.output, served.output


def get(server: Served, target: str, host: str | None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read(2048)
    finally:
        conn.close()


@pytest.mark.parametrize("target", ["/", "/topics/first/", "/__coursebuild/status",
                                    "/__coursebuild/events", "/__coursebuild/livereload.js"])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}",
                                  "192.168.7.7:{port}", ""])
def test_foreign_host_names_are_refused(server: Served, target: str, host: str) -> None:
    status, body = get(server, target, host.format(port=server.port))
    assert status == 403
    assert body == b"Forbidden: this preview answers only requests for localhost or the address it listens on\n"


@pytest.mark.parametrize("host", ["localhost:{port}", "LOCALHOST", "127.0.0.1:{port}", "127.0.0.9",
                                  "[::1]:{port}", "course.localhost:{port}", None])
def test_loopback_names_are_answered(server: Served, host: str | None) -> None:
    status, body = get(server, "/__coursebuild/status", host and host.format(port=server.port))
    assert status == 200 and b'"ok": true' in body


def test_over_long_segments_and_paths_are_answered_quietly(server: Served) -> None:
    host = f"127.0.0.1:{server.port}"
    assert get(server, "/topics/" + "a" * 256 + "/", host)[0] == 404
    assert get(server, "/" + "%C3%A9" * 128, host)[0] == 404  # 128 characters, 256 bytes
    assert get(server, "/topics/" + "a" * 255, host)[0] == 404  # as long as a name may be
    assert get(server, "/" + "/".join(["abcdefgh"] * 500), host)[0] == 414
    assert get(server, "/" + "a" * 70_000, host)[0] == 414  # over http.server's own line limit
    assert get(server, "/topics/first/", host)[0] == 200  # and the server is still fine


def test_a_rebuild_renders_while_readers_hold_the_site(tmp_path: Path) -> None:
    """Readers are not made to wait for a rebuild: the build takes the site's lock only to
    put changed files in place, so it renders while a request is being answered."""
    course = write_course(tmp_path / "course")
    session = ServeSession(BuildOptions(course, tmp_path / "site", search=False, incremental=True),
                           log=io.StringIO())
    assert session.initial_build().written
    page = tmp_path / "site" / "topics" / "first" / "index.html"
    source = course / "content/topics/basics/first/index.md"
    source.write_text(source.read_text().replace("says hello", "says goodbye"))
    misses = session.builder.cache.misses
    with session.lock.read():  # a request being answered
        rebuild = threading.Thread(target=session.rebuild, args=(frozenset(),))
        rebuild.start()
        deadline = time.monotonic() + 60
        while session.builder.cache.misses == misses:  # the edited page was rendered …
            assert time.monotonic() < deadline, "the rebuild did not render while a reader was active"
            time.sleep(0.01)
        time.sleep(0.2)
        assert "says hello" in page.read_text("utf-8")  # … but not written under the reader
    rebuild.join(60)
    assert "says goodbye" in page.read_text("utf-8")
