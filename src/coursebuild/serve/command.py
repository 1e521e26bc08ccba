"""``coursebuild serve``: wire the session, the watcher and the HTTP server."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import signal
import sys
import threading
import webbrowser
from pathlib import Path
from types import FrameType

from ..cli import report
from ..config import load_config
from ..diagnostics import Severity
from ..pipeline import BuildOptions
from ..write import OutputRefused, check_output_dir
from .scheduler import RebuildScheduler
from .server import PreviewServer, ServerStopped
from .session import ServeSession
from .watcher import CourseWatcher

EXIT_OK, EXIT_USAGE = 0, 2
DEFAULT_PORT = 8000
PORT_TRIES = 20
"""Without --port: 8000, else the next free one of 8001 … 8019, else any free port."""
FATAL_RULES = ("output", "assets")
"""Usage errors that no edit of the course can fix while serving."""


class _Stop(BaseException):
    """Raised in the main thread by SIGTERM, handled like Ctrl-C.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception``
    in the pipeline mistakes it for a failure of the page being rendered.
    """


def run_serve(args: argparse.Namespace, course_dir: Path, out_dir: Path) -> int:
    """Build, serve and rebuild until Ctrl-C; returns the exit code."""
    problem = _check_arguments(args, course_dir, out_dir)
    if problem:
        return _usage_error(problem)
    session = ServeSession(_options(args, course_dir, out_dir))
    try:
        server = _listen(args, session)
    except OSError as exc:
        return _usage_error(_bind_problem(exc, args.host, DEFAULT_PORT if args.port is None else args.port))
    except OverflowError:
        return _usage_error(f"--port must be between 0 and 65535, not {args.port}")
    scheduler = RebuildScheduler(session.rebuild)
    watcher = CourseWatcher(course_dir, out_dir, scheduler.request, args.base_url)
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        return _serve(args, course_dir, session, server, scheduler, watcher)
    except (KeyboardInterrupt, _Stop, ServerStopped):
        return EXIT_OK
    finally:
        _shut_down(session, server, scheduler, watcher)
        for sig, handler in previous.items():
            if handler is not None:  # None: installed outside Python, cannot be restored
                signal.signal(sig, handler)


def _serve(args: argparse.Namespace, course_dir: Path, session: ServeSession, server: PreviewServer,
           scheduler: RebuildScheduler, watcher: CourseWatcher) -> int:
    watcher.start()  # before the first build, so an edit made during it is not lost
    result = session.initial_build()
    report(result, quiet=True)
    if result.usage_error and any(d.rule in FATAL_RULES for d in result.diagnostics):
        return EXIT_USAGE
    scheduler.start()
    if session.indexer is not None:
        session.indexer.start()
    url = _url(args.host, server.server_address[1], session.base_url)
    print(f"Serving {_title(course_dir, args.base_url)} at {url} (Ctrl-C to stop)", flush=True)
    _warn_if_public(args.host)
    if args.open:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    # From now on a signal only asks the server loop to end (see PreviewServer.service_actions).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: setattr(server, "stop_requested", True))
    server.serve_forever(poll_interval=0.25)
    return EXIT_OK


def _options(args: argparse.Namespace, course_dir: Path, out_dir: Path) -> BuildOptions:
    # Incremental: files are replaced one by one, so rebuilds are fast; the
    # session's lock keeps requests from seeing a half-updated folder.
    return BuildOptions(course_dir, out_dir, base_url=args.base_url, search=True, disk_cache=True,
                        incremental=True, solutions=args.solutions)


def _listen(args: argparse.Namespace, session: ServeSession) -> PreviewServer:
    """Bind the server; an explicit --port must be free, the default moves on to a free one."""
    if args.port is not None:
        return PreviewServer((args.host, args.port), session)
    for port in [*range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES), 0]:
        try:
            server = PreviewServer((args.host, port), session)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            continue
        if port != DEFAULT_PORT:
            print(f"coursebuild: port {DEFAULT_PORT} is in use; serving on port {server.server_address[1]} "
                  "instead", file=sys.stderr, flush=True)
        return server
    raise OSError(errno.EADDRINUSE, "no free port")  # not even an ephemeral one


def _check_arguments(args: argparse.Namespace, course_dir: Path, out_dir: Path) -> str:
    if args.port is not None and not 0 <= args.port <= 65535:
        return f"--port must be between 0 and 65535, not {args.port}"
    try:
        check_output_dir(out_dir, course_dir)
    except OutputRefused as exc:
        return str(exc)
    return ""


def _bind_problem(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is already in use on {host}; choose another with --port (0 picks a free one)"
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port}; use a port above 1023"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: this machine has no such address"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def _usage_error(message: str) -> int:
    print(f"coursebuild: error: {message}", file=sys.stderr, flush=True)
    return EXIT_USAGE


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop()


def _shut_down(session: ServeSession, server: PreviewServer, scheduler: RebuildScheduler,
               watcher: CourseWatcher) -> None:
    # Ctrl-C pressed again while we tidy up must not print a traceback either.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    watcher.stop()
    scheduler.stop()
    if session.indexer is not None:
        session.indexer.stop()
    session.broker.close()
    server.server_close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(host: str, port: int, base_url: str) -> str:
    """A URL a browser on this machine can open (0.0.0.0 is not one)."""
    shown = host
    if host in ("0.0.0.0", ""):
        shown = "127.0.0.1"
    elif host == "::":
        shown = "::1"
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{base_url}"


def _warn_if_public(host: str) -> None:
    if not _is_loopback(host):
        print(f"coursebuild: warning: --host {host} makes this preview reachable from other machines "
              "on your network; use the default 127.0.0.1 to keep it private", file=sys.stderr, flush=True)


def _title(course_dir: Path, base_url: str | None) -> str:
    config, diags = load_config(course_dir, base_url)
    if any(d.severity is Severity.ERROR for d in diags):
        return course_dir.resolve().name
    return config.title
