"""``coursebuild clean``: remove the built site and the render cache.

Both are made again by the next build: the output folder from the sources,
the cache (rendered page bodies, data only) as pages are rendered.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .diskcache import course_cache_dir
from .pages import LEGACY_CACHE_DIR
from .write import MARKER, OutputRefused, check_output_dir

EXIT_OK, EXIT_USAGE = 0, 2


def cache_dir(course_dir: Path) -> Path:
    """Where builds of ``course_dir`` keep their render cache (in the user's cache folder)."""
    return course_cache_dir(course_dir)


def run_clean(args: argparse.Namespace, course_dir: Path, out_dir: Path) -> int:
    """Remove ``out_dir`` (only if coursebuild made it) and the cache; say what went."""
    problem = _refusal(out_dir, course_dir)
    if problem:
        print(f"coursebuild: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    removed = []
    # The course's own .coursebuild-cache/ is what versions before 0.2 left behind.
    for folder in (out_dir, cache_dir(course_dir), course_dir / LEGACY_CACHE_DIR):
        if folder.is_dir():
            shutil.rmtree(folder)
            removed.append(str(folder))
    print(f"removed {' and '.join(removed)}" if removed else "nothing to remove: no output folder and no cache")
    return EXIT_OK


def _refusal(out_dir: Path, course_dir: Path) -> str:
    """Why ``out_dir`` must not be removed ("" when it may)."""
    if not out_dir.exists():
        return ""
    try:
        check_output_dir(out_dir, course_dir)
    except OutputRefused as exc:
        return f"{exc}; nothing removed"
    if not (out_dir / MARKER).is_file():
        return f"{out_dir} was not made by coursebuild (it has no {MARKER} file); nothing removed"
    return ""
