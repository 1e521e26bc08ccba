"""The ``pdf`` command: build the course with the usual pipeline, then print its book."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .. import assets
from ..config import SOLUTION_MODES
from ..diagnostics import did_you_mean

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    pdf = commands.add_parser("pdf", help="print the whole course (or one topic) as a PDF book",
                              description="Build COURSE_DIR and print it as one PDF book in "
                                          "learning-path order (needs Chromium: pip install 'coursebuild[pdf]').")
    pdf.add_argument("course_dir", nargs="?", default=".", metavar="COURSE_DIR",
                     help="the course folder (default: the current folder)")
    pdf.add_argument("--out", "-o", default=None, metavar="FILE",
                     help="the PDF to write (default: COURSE_DIR/<course-title>.pdf, or <slug>.pdf with --topic)")
    pdf.add_argument("--topic", default=None, metavar="SLUG", help="only this topic, as a handout")
    pdf.add_argument("--solutions", default=None, choices=SOLUTION_MODES, metavar="MODE",
                     help="exercise solutions: show (after each exercise), end (of each chapter) "
                          "or omit (no solutions, no answer keys); wins over course.yml")
    pdf.add_argument("--chromium", default=None, metavar="PATH",
                     help="the Chromium to print with (default: $COURSEBUILD_CHROMIUM, else /usr/bin/chromium)")
    pdf.add_argument("--quiet", "-q", action="store_true", help="print only problems and the summary")
    return pdf


def run_pdf(args: argparse.Namespace, course_dir: Path) -> int:
    # Imported here: ``coursebuild build`` imports this module for its arguments only.
    from ..cli import report
    from ..pipeline import BuildOptions, Builder
    from ..site import TemplateFailure, environment
    from .book import BookOptions, render_book
    from .pdf import PdfEngineMissing, check_engine, find_chromium, print_book
    from .portable import folder_name

    try:
        check_engine()
        chromium = find_chromium(args.chromium)
    except PdfEngineMissing as exc:
        print(f"coursebuild: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="coursebuild-pdf-") as tmp:
        result = Builder(BuildOptions(course_dir, Path(tmp) / "site", search=False,
                                      solutions=args.solutions)).build()
        if not result.written or result.site is None:
            report(result, quiet=args.quiet)
            return EXIT_USAGE if result.usage_error else EXIT_CONTENT
        data = result.site
        if args.topic is not None and args.topic not in data.course.by_slug:
            print(f"coursebuild: error: no topic '{args.topic}'{did_you_mean(args.topic, data.course.by_slug)}",
                  file=sys.stderr)
            return EXIT_USAGE
        config = data.course.config
        out = Path(args.out) if args.out else course_dir / f"{args.topic or folder_name(config.title)}.pdf"
        env = environment(data.course.course_dir, assets.theme_dir())
        options = BookOptions(topic=args.topic)
        try:
            title = data.course.by_slug[args.topic].meta.title if args.topic else config.title
            stats = print_book(Path(tmp) / "site", lambda pages: render_book(data, env, options, pages),
                               out, chromium, title, config.author)
        except TemplateFailure as exc:
            result.diagnostics.append(exc.diagnostic)
            result.written = False
            report(result, quiet=args.quiet)
            return EXIT_CONTENT
        except PdfEngineMissing as exc:
            print(f"coursebuild: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except OSError as exc:
            print(f"coursebuild: error: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    for diag in result.diagnostics:
        if not (args.quiet and diag.severity.name == "INFO"):
            print(diag.format(), file=sys.stderr)
    rate = stats.pages / stats.seconds if stats.seconds else 0.0
    print(f"wrote {out}: {stats.pages} pages in {stats.seconds:.1f} s ({rate:.1f} pages/s), "
          f"{result.errors} errors, {result.warnings} warnings", file=sys.stderr)
    return EXIT_OK
