"""The preview HTTP server: static files, the event stream and the status."""

from __future__ import annotations

import json
import mimetypes
import socket
import sys
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import inject
from .events import RETRY_MS
from .hosts import HostPolicy
from .paths import Route, locate, route
from .session import ServeSession

TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".xml": "application/xml",
    ".svg": "image/svg+xml", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
    ".txt": "text/plain", ".md": "text/markdown", ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".pdf": "application/pdf", ".bib": "text/plain",
}
_TEXTUAL = ("application/json", "application/xml", "image/svg+xml", "application/manifest+json")
_QUIET_ERRORS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout)


def content_type(path: Path) -> str:
    """The Content-Type header for ``path``; text types say they are UTF-8."""
    suffix = path.suffix.lower()
    kind = TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXTUAL:
        return f"{kind}; charset=utf-8"
    return kind


@dataclass
class Response:
    status: int
    body: bytes = b""
    ctype: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class ServerStopped(BaseException):
    """Ends :meth:`PreviewServer.serve_forever` after a stop was requested. A BaseException,
    like KeyboardInterrupt, so that no ``except Exception`` takes it for a failure."""


class PreviewServer(ThreadingHTTPServer):
    """A threaded server that knows its session and never prints tracebacks."""

    daemon_threads = True
    request_queue_size = 128  # the default 5 drops connections when many tabs (re)load at once
    block_on_close = False  # Ctrl-C must not wait for open event streams

    def __init__(self, address: tuple[str, int], session: ServeSession) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.session = session
        self.stop_requested = False
        """Set by serve's Ctrl-C and SIGTERM handlers; :meth:`serve_forever` then ends."""
        super().__init__(address, PreviewHandler)
        self.hosts = HostPolicy(address[0], str(self.server_address[0]))

    def service_actions(self) -> None:
        """Called by :meth:`serve_forever` between requests (at least every poll interval):
        the place to end it on a signal. A handler that raised KeyboardInterrupt itself could
        raise it inside a garbage-collection callback, where Python drops it ("Exception
        ignored in ...") and serve would go on running."""
        if self.stop_requested:
            raise ServerStopped()

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, _QUIET_ERRORS):
            return  # the browser went away; nothing to report
        print(f"coursebuild: error answering a request: {type(exc).__name__}: {exc}",
              file=sys.stderr, flush=True)


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD for the site; everything else is refused by the base class."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"  # keep-alive: pollers and pages reuse connections
    server_version = "coursebuild"
    sys_version = ""

    def handle(self) -> None:
        try:
            super().handle()
        except _QUIET_ERRORS:
            self.close_connection = True

    def log_request(self, code: object = "-", size: object = "-") -> None:
        """Quiet: a preview server printing every request drowns the rebuild lines."""

    def log_error(self, format: str, *args: object) -> None:  # noqa: A002 (base-class name)
        if args and isinstance(args[0], int) and args[0] < 500:
            return  # a malformed or over-long request (400, 414, 431) is the client's problem
        print(f"coursebuild: {self.address_string()}: {format % args}", file=sys.stderr, flush=True)

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        session = self.server.session
        if not self.server.hosts.allows(self.headers.get("Host")):
            # DNS rebinding: another site's page must not read the preview (see hosts.py).
            self._send(Response(403, b"Forbidden: this preview answers only requests for localhost "
                                     b"or the address it listens on\n"), head)
            return
        with session.lock.read():
            found = route(self.path, session.base_url)
            if found.kind == "endpoint" and found.segments[0] == "events":
                response = None
            else:
                response = self._response(found, session)
        if response is None:
            self._stream_events(session, head)
        else:
            self._send(response, head)

    def _response(self, found: Route, session: ServeSession) -> Response:
        if found.kind == "bad":
            return Response(400, b"Bad request\n")
        if found.kind == "too_long":
            return Response(414, b"URI too long\n")
        if found.kind == "redirect":
            return Response(301, headers={"Location": found.location})
        if found.kind == "endpoint":
            return self._endpoint(found.segments[0], session)
        if not session.ever_built:
            page = inject.error_page(session.errors, session.endpoint, session.build_id)
            return Response(503, page, "text/html; charset=utf-8")
        if found.kind == "missing":
            return self._not_found(session)
        target = locate(session.root, found, session.base_url)
        if target.kind == "redirect":
            return Response(301, headers={"Location": target.location})
        if target.kind == "missing" or target.path is None:
            return self._not_found(session)
        return self._file(target.path, session) or self._not_found(session)

    def _file(self, path: Path, session: ServeSession, status: int = 200) -> Response | None:
        try:
            body = path.read_bytes()
        except OSError:
            return None
        ctype = content_type(path)
        if ctype.startswith("text/html"):
            body = inject.inject(body, session.endpoint, session.build_id)
        return Response(status, body, ctype)

    def _not_found(self, session: ServeSession) -> Response:
        page = self._file(session.root / "404.html", session, status=404)
        if page is not None:
            return page
        return Response(404, inject.plain_not_found(session.endpoint, session.build_id),
                        "text/html; charset=utf-8")

    def _endpoint(self, name: str, session: ServeSession) -> Response:
        if name == "status":
            body = json.dumps(session.status(), indent=1).encode("utf-8")
            return Response(200, body, "application/json; charset=utf-8")
        if name == "livereload.js":
            return Response(200, inject.client_script().encode("utf-8"), "text/javascript; charset=utf-8")
        return Response(404, b"Not found\n")

    def _send(self, response: Response, head: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.ctype)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(response.body)

    def _stream_events(self, session: ServeSession, head: bool) -> None:
        """Server-sent events until the page goes away or the server stops."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")  # the stream has no length: it ends by closing
        self.end_headers()
        self.close_connection = True
        if head:
            return
        subscription = session.broker.subscribe()
        try:
            self.wfile.write(f"retry: {RETRY_MS}\n\n".encode("ascii"))
            while (message := subscription.next_message()) is not None:
                self.wfile.write(message)
        except _QUIET_ERRORS:
            pass
        finally:
            session.broker.unsubscribe(subscription)
