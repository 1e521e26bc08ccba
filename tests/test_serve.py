"""``coursebuild serve``: the real command in a subprocess, spoken to over real HTTP.

Every test writes a small course into ``tmp_path``, starts
``python -m coursebuild serve COURSE --port 0`` and reads the URL it prints.
Raw request targets go through ``http.client`` because urllib would
normalise away exactly the traversal tricks under test.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from coursebuild.serve.scheduler import RebuildScheduler

START_TIMEOUT = 60.0
EDIT_TIMEOUT = 10.0
URL_RE = re.compile(r"Serving .* at http://([\d.]+):(\d+)(/\S*) \(Ctrl-C to stop\)")
SECRET = "TOP-SECRET-3f9a1c"

BIB = """\
@book{knuth1984literate,
  author    = {Knuth, Donald E.},
  title     = {Literate Programming},
  publisher = {CSLI},
  year      = {1992}
}

@book{tufte2001visual,
  author    = {Tufte, Edward R.},
  title     = {The Visual Display of Quantitative Information},
  publisher = {Graphics Press},
  year      = {2001}
}
"""


def topic(title: str, order: int, body: str, extra: str = "") -> str:
    head = f'---\ntitle: "{title}"\ndescription: "All about {title.lower()}."\norder: {order}\n{extra}---\n\n'
    return head + textwrap.dedent(body).lstrip("\n")


FIRST_BODY = """
## Start here

The first topic says hello {% cite "knuth1984literate" %}.
"""

COURSE = {
    "course.yml": 'title: "Serve Test Course"\nsite_url: "https://example.org"\n',
    "bibliography.bib": BIB,
    "content/index.md": "---\ntitle: Home\n---\n\nWelcome to the serve test course.\n",
    "content/topics/basics/_block.yml": 'title: "Basics"\norder: 1\n',
    "content/topics/basics/first/index.md": topic("First steps", 1, FIRST_BODY),
    "content/topics/basics/second/index.md": topic(
        "Second steps", 2, 'The second topic builds on the first {% cite "tufte2001visual" %}.\n',
        'prerequisites:\n  - title: "First steps"\n    url: "/topics/first/"\n'),
    "content/topics/basics/third/index.md": topic("Third steps", 3, "Plain words, no citations.\n"),
    "static/data.json": '{"answer": 42}\n',
    "static/extra.js": "console.log('extra');\n",
    "static/extra.css": "body { margin: 0; }\n",
}

FIRST = "content/topics/basics/first/index.md"


def write_course(root: Path, files: dict[str, str] | None = None) -> Path:
    for rel, text in (files or COURSE).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def wait_for(check: Callable[[], object], timeout: float = EDIT_TIMEOUT, what: str = "condition") -> object:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Served:
    """A running ``coursebuild serve`` process and a tiny raw HTTP client for it."""

    def __init__(self, course: Path, *args: str) -> None:
        self.course = course
        self.log_dir = course.parent
        self.stdout_path = self.log_dir / f"serve-{id(self)}.out"
        self.stderr_path = self.log_dir / f"serve-{id(self)}.err"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "coursebuild", "serve", str(course),
                                          "--port", "0", *args], stdout=out, stderr=err)
        match = wait_for(self._started, START_TIMEOUT, "the server to start")
        self.host, self.port, self.base = match.group(1), int(match.group(2)), match.group(3)

    def _started(self) -> re.Match[str] | None:
        if self.proc.poll() is not None:
            raise AssertionError(f"serve exited early with {self.proc.returncode}:\n{self.output}")
        return URL_RE.search(self.stdout_path.read_text("utf-8"))

    @property
    def output(self) -> str:
        return self.stdout_path.read_text("utf-8") + self.stderr_path.read_text("utf-8")

    def request(self, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.putrequest(method, target, skip_host=False, skip_accept_encoding=True)
            conn.endheaders()
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def text(self, target: str) -> str:
        status, _, body = self.request(target)
        return body.decode("utf-8") if status == 200 else ""

    def status(self) -> dict:
        return json.loads(self.request("/__coursebuild/status")[2])

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """A server for a fresh course, output in the default COURSE/_site (watched around)."""
    server = Served(write_course(tmp_path / "course"))
    yield server
    code = server.stop()
    assert "Traceback" not in server.output, server.output
    assert code == 0, server.output


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the read-only tests, with a secret file beside its output."""
    root = tmp_path_factory.mktemp("static")
    (root / "secret.txt").write_text(SECRET)
    server = Served(write_course(root / "course"), "--out", str(root / "site"))
    (root / "site" / "leak.txt").symlink_to(root / "secret.txt")
    (root / "site" / "leakdir").symlink_to(root, target_is_directory=True)
    yield server
    assert server.stop() == 0, server.output
    assert "Traceback" not in server.output, server.output


# --- serving --------------------------------------------------------------------------------


def test_page_is_served_with_the_reload_script_only_on_the_wire(static_site: Served) -> None:
    status, headers, body = static_site.request("/topics/first/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    html = body.decode("utf-8")
    assert "The first topic says hello" in html
    assert 'data-endpoint="/__coursebuild/"' in html
    assert html.rstrip().endswith("</html>") and html.index("data-endpoint") < html.rindex("</body>")
    on_disk = (static_site.course.parent / "site" / "topics" / "first" / "index.html").read_text("utf-8")
    assert "data-endpoint" not in on_disk and "coursebuild-overlay" not in on_disk
    assert "The first topic says hello" in on_disk


def test_head_sends_the_headers_of_get_without_a_body(static_site: Served) -> None:
    _, get_headers, get_body = static_site.request("/topics/first/")
    status, head_headers, head_body = static_site.request("/topics/first/", "HEAD")
    assert status == 200 and head_body == b""
    assert head_headers["content-length"] == str(len(get_body)) == get_headers["content-length"]
    assert head_headers["content-type"] == get_headers["content-type"]


@pytest.mark.parametrize(("target", "expected"), [
    ("/", "text/html; charset=utf-8"),
    ("/data.json", "application/json; charset=utf-8"),
    ("/extra.js", "text/javascript; charset=utf-8"),
    ("/extra.css", "text/css; charset=utf-8"),
    ("/sitemap.xml", "application/xml; charset=utf-8"),
    ("/favicon.svg", "image/svg+xml; charset=utf-8"),
])
def test_content_types(static_site: Served, target: str, expected: str) -> None:
    status, headers, _ = static_site.request(target)
    assert status == 200, target
    assert headers["content-type"] == expected
    assert headers["x-content-type-options"] == "nosniff"


def test_fonts_are_woff2(static_site: Served) -> None:
    fonts = sorted((static_site.course.parent / "site").rglob("*.woff2"))
    assert fonts, "the site ships KaTeX fonts"
    rel = fonts[0].relative_to(static_site.course.parent / "site").as_posix()
    status, headers, body = static_site.request("/" + rel)
    assert status == 200 and headers["content-type"] == "font/woff2"
    assert body == fonts[0].read_bytes()


def test_directory_without_slash_redirects(static_site: Served) -> None:
    status, headers, _ = static_site.request("/topics/first?x=1")
    assert status == 301
    assert headers["location"] == "/topics/first/?x=1"


def test_missing_page_is_the_sites_404_with_status_404(static_site: Served) -> None:
    status, headers, body = static_site.request("/no/such/page/")
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    on_disk = (static_site.course.parent / "site" / "404.html").read_bytes()
    assert body.startswith(on_disk[:200]) and b"data-endpoint" in body


def test_no_directory_listing(static_site: Served) -> None:
    status, _, body = static_site.request("/assets/")
    assert status == 404
    assert b"Directory listing" not in body


@pytest.mark.parametrize("target", [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e/secret.txt",
    "/..%2f..%2fetc/passwd",
    "/..%2Fsecret.txt",
    "/%5c..%5c..%5cetc/passwd",
    "/..\\secret.txt",
    "/\\..\\..\\etc\\passwd",
    "/topics/../../secret.txt",
    "/leak.txt",
    "/leakdir/secret.txt",
    "//etc/passwd",
    "/C:/Windows/win.ini",
    "/%00",
    "/index.html%00.txt",
    "/%ff%fe",
    "/.coursebuild-site",
    "http://evil.example/etc/passwd",
])
def test_traversal_is_refused(static_site: Served, target: str) -> None:
    status, _, body = static_site.request(target)
    assert status in (400, 403, 404), (target, status)  # 403: a foreign Host
    assert SECRET.encode() not in body and b"root:x:" not in body


def test_bad_requests_do_not_disturb_the_server(static_site: Served) -> None:
    with socket.create_connection((static_site.host, static_site.port), timeout=10) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        sock.recv(1024)
    assert static_site.request("/topics/first/")[0] == 200
    assert "Traceback" not in static_site.output


def test_status_endpoint(static_site: Served) -> None:
    status = static_site.status()
    assert status["ok"] is True and status["errors"] == [] and status["build"]


# --- rebuilding -------------------------------------------------------------------------------


def test_edit_is_served_and_summarised(served: Served) -> None:
    assert "The first topic says hello" in served.text("/topics/first/")
    source = served.course / FIRST
    source.write_text(source.read_text().replace("says hello", "now says goodbye"))
    wait_for(lambda: "now says goodbye" in served.text("/topics/first/"), what="the edit to be served")
    line = wait_for(lambda: re.search(r"rebuilt in \d+ ms: .*\(content/topics/basics/first/index\.md\)",
                                      served.output), what="the summary line")
    assert line
    on_disk = (served.course / "_site" / "topics" / "first" / "index.html").read_text("utf-8")
    assert "now says goodbye" in on_disk and "data-endpoint" not in on_disk


def test_output_and_cache_changes_do_not_trigger_rebuilds(served: Served) -> None:
    time.sleep(1.0)  # the initial build wrote _site/ inside the course
    assert "rebuilt in" not in served.output
    (served.course / "_site" / "extra-file.txt").write_text("x")
    (served.course / ".coursebuild-cache").mkdir(exist_ok=True)  # what older versions wrote
    (served.course / ".coursebuild-cache" / "junk").write_text("x")
    time.sleep(0.5)
    assert "rebuilt in" not in served.output


def failing_status(server: Served) -> dict | None:
    status = server.status()
    return None if status["ok"] else status


@pytest.mark.parametrize(("broken", "needle"), [
    (topic("First steps", 1, 'Broken {% cite "nope" %} here.\n'), "nope"),
    ('---\ntitle: "unclosed\norder: 1\n---\n\nBody.\n', ""),
])
def test_error_overlay_then_fix(served: Served, broken: str, needle: str) -> None:
    source = served.course / FIRST
    good = source.read_text()
    source.write_text(broken)
    status = wait_for(lambda: failing_status(served), what="the error status")
    assert status["errors"], status
    first = status["errors"][0]
    assert first["location"].startswith(FIRST + ":") and needle in first["message"]
    assert first["text"].startswith(FIRST + ":") and ": error: " in first["text"]
    assert served.request("/topics/first/")[0] == 200  # the last good site stays up
    wait_for(lambda: "build failed in" in served.output, what="the failure summary")
    assert first["text"] in served.output
    source.write_text(good.replace("says hello", "is fixed"))
    wait_for(lambda: served.status()["ok"], what="the fixed status")
    wait_for(lambda: "is fixed" in served.text("/topics/first/"), what="the fixed page")


def test_a_templates_folder_made_while_serving_is_watched(served: Served) -> None:
    from coursebuild.assets import theme_dir

    original = (theme_dir() / "templates" / "topic.html").read_text("utf-8")
    override = served.course / "templates" / "topic.html"
    override.parent.mkdir()
    time.sleep(0.3)  # the watcher re-aims at the new folder
    for n in range(2):  # the second edit is seen inside the new folder
        marked = original.replace("{% block content %}", f"{{% block content %}}<!-- mark-{n} -->")
        override.write_text(marked)
        wait_for(lambda: f"<!-- mark-{n} -->" in served.text("/topics/second/"),  # noqa: B023 (called here)
                 what=f"template edit {n}")


def test_events_stream_reload_css_and_errors(served: Served) -> None:
    conn = http.client.HTTPConnection(served.host, served.port, timeout=EDIT_TIMEOUT)
    conn.request("GET", "/__coursebuild/events")
    stream = conn.getresponse()
    assert stream.status == 200 and stream.getheader("Content-Type").startswith("text/event-stream")
    assert stream.readline().startswith(b"retry:")

    def next_event() -> tuple[str, dict]:
        while not (line := stream.readline().decode()).startswith("event:"):
            pass
        return line.split(":", 1)[1].strip(), json.loads(stream.readline().decode().split(":", 1)[1])

    stream.readline()
    (served.course / "static" / "extra.css").write_text("body { margin: 1px; }\n")
    assert next_event()[0] == "css"
    source = served.course / FIRST
    source.write_text(source.read_text() + "\nOne more line.\n")
    assert next_event()[0] == "reload"
    source.write_text(source.read_text() + '\n{% cite "missing-key" %}\n')
    name, data = next_event()
    assert name == "errors" and any("missing-key" in e["message"] for e in data["errors"])
    conn.close()


def test_initial_failure_serves_the_errors_everywhere_until_fixed(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course")
    source = course / FIRST
    good = source.read_text()
    source.write_text(good.replace("knuth1984literate", "nobody2000"))
    server = Served(course)
    try:
        for target in ("/", "/topics/first/", "/anything/else"):
            status, headers, body = server.request(target)
            assert status == 503 and headers["content-type"] == "text/html; charset=utf-8"
            assert b"nobody2000" in body and b"data-endpoint" in body
        assert server.status()["ok"] is False
        source.write_text(good)
        wait_for(lambda: "The first topic says hello" in server.text("/topics/first/"), what="the fix")
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.output


def test_base_url_prefix(tmp_path: Path) -> None:
    server = Served(write_course(tmp_path / "course"), "--base-url", "/prefix/")
    try:
        assert server.base == "/prefix/"
        assert server.request("/")[0:2][0] == 301 and server.request("/")[1]["location"] == "/prefix/"
        assert server.request("/prefix")[1]["location"] == "/prefix/"
        html = server.text("/prefix/topics/first/")
        assert 'data-endpoint="/prefix/__coursebuild/"' in html
        assert 'href="/prefix/' in html
        assert server.request("/topics/first/")[0] == 404
        assert server.request("/prefix/__coursebuild/status")[0] == 200
        assert server.request("/__coursebuild/status")[0] == 200
    finally:
        assert server.stop() == 0


# --- the command line -------------------------------------------------------------------------


def test_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "coursebuild", "serve", str(course), "--port", str(port)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"port {port} is already in use" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_bad_port_is_a_usage_error(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course")
    done = subprocess.run([sys.executable, "-m", "coursebuild", "serve", str(course), "--port", "70000"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--port" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_cleanly_even_with_an_open_event_stream(tmp_path: Path, sig: int) -> None:
    server = Served(write_course(tmp_path / "course"))
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("GET", "/__coursebuild/events")
    assert conn.getresponse().status == 200
    assert server.stop(sig) == 0
    conn.close()
    assert "Traceback" not in server.output


def test_public_host_warns(tmp_path: Path) -> None:
    server = Served(write_course(tmp_path / "course"), "--host", "0.0.0.0")
    try:
        assert server.host == "127.0.0.1"
        assert "reachable from other machines" in server.output
    finally:
        assert server.stop() == 0


# --- the rebuild scheduler --------------------------------------------------------------------


def test_changes_during_a_build_cause_exactly_one_more_build() -> None:
    started = threading.Event()
    release = threading.Event()
    seen: list[frozenset[str]] = []

    def slow_build(paths: frozenset[str]) -> None:
        seen.append(paths)
        started.set()
        if len(seen) == 1:
            assert release.wait(5)

    scheduler = RebuildScheduler(slow_build)
    scheduler.start()
    try:
        scheduler.request({"a.md"})
        assert started.wait(5)
        for name in ("b.md", "c.md", "b.md", "d.md"):
            scheduler.request({name})
        release.set()
        assert scheduler.wait_idle(5)
        time.sleep(0.1)  # no late third build
        assert seen == [frozenset({"a.md"}), frozenset({"b.md", "c.md", "d.md"})]
        assert scheduler.builds == 2
    finally:
        scheduler.stop()


def test_scheduler_survives_a_failing_build(capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[int] = []

    def failing(paths: frozenset[str]) -> None:
        calls.append(1)
        raise ValueError("boom")

    scheduler = RebuildScheduler(failing)
    scheduler.start()
    try:
        scheduler.request({"x"})
        assert scheduler.wait_idle(5)
        scheduler.request({"y"})
        assert scheduler.wait_idle(5)
    finally:
        scheduler.stop()
    assert len(calls) == 2
    assert "ValueError: boom" in capsys.readouterr().err



def test_search_index_follows_edits_in_the_background(served: Served) -> None:
    site = served.course / "_site"
    wait_for(lambda: (site / "pagefind" / "pagefind.js").is_file(), what="the first search index")
    first = {p.name for p in (site / "pagefind").rglob("*.pf_fragment")}
    status, headers, _ = served.request("/pagefind/pagefind.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    source = served.course / FIRST
    source.write_text(source.read_text().replace("says hello", "says zanzibarquux"))
    wait_for(lambda: {p.name for p in (site / "pagefind").rglob("*.pf_fragment")} != first,
             what="the search index to be rebuilt after an edit")
    assert (site / "pagefind" / "pagefind-entry.json").is_file()


SIGNAL_IN_A_CALLBACK = """\
import os, runpy, signal, sys, weakref
from coursebuild.serve import server

original = server.PreviewServer.service_actions
fired = []


class Thing:
    pass


def callback(ref):
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(100_000):  # Python runs the signal's handler in here, in the callback
        pass


def service_actions(self):
    if not fired:  # once serving: Ctrl-C arrives while a weak reference's callback runs
        fired.append(True)
        thing = Thing()
        ref = weakref.ref(thing, callback)
        del thing
    original(self)


server.PreviewServer.service_actions = service_actions
sys.argv = ["coursebuild", *sys.argv[1:]]
runpy.run_module("coursebuild", run_name="__main__", alter_sys=True)
"""


def test_ctrl_c_during_a_garbage_collection_callback_still_stops(tmp_path: Path) -> None:
    """Python drops an exception raised in a weak reference's callback ("Exception ignored
    in ..."): a Ctrl-C handler that raised KeyboardInterrupt there was lost, and serve ran on.
    The handler only asks the server loop to stop."""
    script = tmp_path / "wrapper.py"
    script.write_text(SIGNAL_IN_A_CALLBACK)
    course = write_course(tmp_path / "course")
    done = subprocess.run([sys.executable, str(script), "serve", str(course), "--out", str(tmp_path / "site"),
                           "--port", "0"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Serving" in done.stdout and "Exception ignored" not in done.stderr + done.stdout
