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
from .config import SOLUTION_MODES
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


EPILOG = """\
exit codes:
  0  built (warnings allowed)
  1  content errors (or warnings with --strict)
  2  usage or configuration errors (bad flags, course.yml, refused folders)

guide: the coursebuild author's guide is the course in the content/ folder of
coursebuild's repository (`make demo` there builds it); `coursebuild new DIR`
writes a starter course that shows every kind of content, to copy from.
"""


def version_text() -> str:
    """``coursebuild X (KaTeX Y, Pagefind Z)``: the engines that shape every site."""
    from importlib.metadata import PackageNotFoundError, version

    from .assets import KATEX_VERSION

    try:
        pagefind = version("pagefind-bin")
    except PackageNotFoundError:
        pagefind = "not installed"
    return f"coursebuild {__version__} (KaTeX {KATEX_VERSION}, Pagefind {pagefind})"


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="coursebuild", description="Build interactive course websites from Markdown.",
                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=version_text())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    new = commands.add_parser("new", help="start a course: write a starter course into a new folder",
                              description="Write a starter course into DIR (a new or empty folder).",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    new.add_argument("course_dir", metavar="DIR", help="the folder to create")
    new.add_argument("--title", default=None, help="the course's title (default: from the folder name)")
    build = commands.add_parser("build", help="build the course into a static site",
                                description="Build COURSE_DIR into a static site.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(build)
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--quiet", "-q", action="store_true", help="print only problems and the summary")
    build.add_argument("--no-search", action="store_true", help="skip the search index (faster)")
    build.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                       help="worker processes for rendering (default: one per CPU)")
    build.add_argument("--portable", action="store_true",
                       help="relative URLs and a built-in search index: the site works opened from disk")
    build.add_argument("--zip", nargs="?", const="", default=None, metavar="FILE",
                       help="also pack the portable site into one zip (default: OUT.zip beside the output)")
    serve = commands.add_parser("serve", help="build, serve and rebuild on every change",
                                description="Build COURSE_DIR, serve it and rebuild on changes.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(serve)
    serve.add_argument("--port", type=int, default=None,
                       help="port to listen on (default 8000, or the next free one; 0 picks any free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--open", action="store_true", help="open the site in a web browser")
    clean = commands.add_parser("clean", help="remove the built site and the cache",
                                description="Remove the output folder and the render cache; "
                                            "the next build makes both again.")
    clean.add_argument("course_dir", nargs="?", default=".", metavar="COURSE_DIR",
                       help="the course folder (default: the current folder)")
    clean.add_argument("--out", "-o", default=None, metavar="DIR", help="output folder (default: COURSE_DIR/_site)")
    from .output.pdfcommand import add_parser as add_pdf_parser

    add_pdf_parser(commands)
    return parser


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("course_dir", nargs="?", default=".", metavar="COURSE_DIR",
                     help="the course folder (default: the current folder)")
    cmd.add_argument("--out", "-o", default=None, metavar="DIR", help="output folder (default: COURSE_DIR/_site)")
    cmd.add_argument("--base-url", default=None, metavar="PATH",
                     help="path the site is served under, e.g. /my-course/")
    cmd.add_argument("--solutions", default=None, choices=SOLUTION_MODES, metavar="MODE",
                     help="exercise solutions: show, end (of each page) or omit (wins over course.yml)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from . import scaffold

    if args.command == "new":
        return scaffold.run_new(args)
    course_dir = Path(args.course_dir)
    if not course_dir.is_dir():
        print(f"coursebuild: error: course folder '{args.course_dir}' does not exist", file=sys.stderr)
        return EXIT_USAGE
    if not scaffold.looks_like_course(course_dir):
        print(scaffold.no_course_message(Path(args.course_dir)), file=sys.stderr)
        return EXIT_USAGE
    out_dir = Path(args.out) if args.out else course_dir / "_site"
    try:
        if args.command == "build":
            return run_build(args, course_dir, out_dir)
        if args.command == "clean":
            from .clean import run_clean

            return run_clean(args, course_dir, out_dir)
        if args.command == "pdf":
            from .output.pdfcommand import run_pdf

            return run_pdf(args, course_dir)
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
    from .progress import for_stream

    signal.signal(signal.SIGTERM, _terminate)  # unwind like Ctrl-C: staging removed, output kept
    if args.jobs is not None and args.jobs < 1:
        print("coursebuild: error: --jobs must be 1 or more", file=sys.stderr)
        return EXIT_USAGE
    zip_path = None if args.zip is None else Path(args.zip) if args.zip else out_dir.with_name(out_dir.name + ".zip")
    if zip_path is not None and zip_path.resolve().is_relative_to(out_dir.resolve()):
        print("coursebuild: error: --zip must be outside the output folder (it is replaced on every build)",
              file=sys.stderr)
        return EXIT_USAGE
    progress = for_stream(sys.stderr, args.quiet)
    options = BuildOptions(course_dir, out_dir, base_url=args.base_url, strict=args.strict,
                           search=not args.no_search, jobs=args.jobs, solutions=args.solutions,
                           portable=args.portable, zip_path=zip_path, progress=progress, keep_site=False)
    result = Builder(options).build()
    if progress is not None:
        progress.clear()
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
