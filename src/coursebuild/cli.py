"""The command line: thin commands over the pipeline.

Exit codes: 0 built (warnings allowed), 1 content errors (or warnings under
--strict), 2 usage or configuration errors.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn, Sequence

from . import __version__
from .diagnostics import Severity

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + the signal, as shells report it


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so a build unwinds as on Ctrl-C: its staging
    folder is removed and the previous output stays. A BaseException, like
    KeyboardInterrupt, so no ``except Exception`` takes it for a failed page."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors; keep its wording
        self.print_usage(sys.stderr)
        sys.stderr.write(f"coursebuild: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="coursebuild", description="Build interactive course websites from Markdown.")
    parser.add_argument("--version", action="version", version=f"coursebuild {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    build = commands.add_parser("build", help="build the course into a static site",
                                description="Build COURSE_DIR into a static site.")
    _common(build)
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--quiet", "-q", action="store_true", help="print only problems and the summary")
    build.add_argument("--no-search", action="store_true", help="skip the search index (faster)")
    build.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                       help="worker processes for rendering (default: one per CPU)")
    serve = commands.add_parser("serve", help="build, serve and rebuild on every change",
                                description="Build COURSE_DIR, serve it and rebuild on changes.")
    _common(serve)
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--open", action="store_true", help="open the site in a web browser")
    return parser


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("course_dir", nargs="?", default=".", metavar="COURSE_DIR",
                     help="the course folder (default: the current folder)")
    cmd.add_argument("--out", "-o", default=None, metavar="DIR", help="output folder (default: COURSE_DIR/_site)")
    cmd.add_argument("--base-url", default=None, metavar="PATH",
                     help="path the site is served under, e.g. /my-course/")


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    course_dir = Path(args.course_dir)
    if not course_dir.is_dir():
        print(f"coursebuild: error: course folder '{args.course_dir}' does not exist", file=sys.stderr)
        return EXIT_USAGE
    out_dir = Path(args.out) if args.out else course_dir / "_site"
    try:
        if args.command == "build":
            return run_build(args, course_dir, out_dir)
        from .serve.command import run_serve

        return run_serve(args, course_dir, out_dir)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Terminated:
        return EXIT_TERMINATED
    except Exception as exc:  # a bug of ours: say so in one line, full detail on request
        if os.environ.get("COURSEBUILD_DEBUG"):
            raise
        print(f"coursebuild: internal error: {type(exc).__name__}: {exc} "
              "(this is a bug in coursebuild; set COURSEBUILD_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_CONTENT


def run_build(args: argparse.Namespace, course_dir: Path, out_dir: Path) -> int:
    from .pipeline import BuildOptions, Builder

    signal.signal(signal.SIGTERM, _terminate)  # unwind like Ctrl-C: staging removed, output kept
    if args.jobs is not None and args.jobs < 1:
        print("coursebuild: error: --jobs must be 1 or more", file=sys.stderr)
        return EXIT_USAGE
    options = BuildOptions(course_dir, out_dir, base_url=args.base_url, strict=args.strict,
                           search=not args.no_search, jobs=args.jobs)
    result = Builder(options).build()
    report(result, quiet=args.quiet, strict=args.strict)
    if result.usage_error:
        return EXIT_USAGE
    return EXIT_OK if result.written else EXIT_CONTENT


def report(result, quiet: bool = False, strict: bool = False, stream=None) -> None:  # type: ignore[no-untyped-def]
    """Print each diagnostic on its own line, then one summary line."""
    stream = stream or sys.stderr
    for diag in result.diagnostics:
        if quiet and diag.severity is Severity.INFO:
            continue
        print(diag.format(), file=stream)
    errors, warnings = result.errors, result.warnings
    noun = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
    if result.written:
        summary = f"built {noun(result.pages, 'page')} in {result.seconds:.2f} s"
    elif result.usage_error:
        summary = "build not started"
    else:
        summary = "build failed, previous output left unchanged"
        if strict and not errors and warnings:
            summary += " (--strict: warnings count as errors)"
    print(f"{summary}, {noun(errors, 'error')}, {noun(warnings, 'warning')}", file=stream)
