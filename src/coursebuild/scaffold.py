"""``coursebuild new DIR``: a starter course, and what to say where no course is.

The starter files are package data in ``starter/`` (shipped in the wheel):
a course.yml with every setting commented, two blocks, three topics that
show citations, a side note, math, a figure, a prerequisite and a glossary
term, a bibliography, a .gitignore, a requirements.txt and a GitHub Pages
workflow. ``%%TITLE%%`` and ``%%VERSION%%`` in them are filled in here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .config import CONFIG_FILE

STARTER_DIR = Path(__file__).resolve().parent / "starter"
RENAMED = {
    "gitignore": ".gitignore",
    "publish-github-pages.yml": ".github/workflows/publish.yml",
}
"""Starter files stored under another name: dot files do not travel well as package data."""
WORKFLOW = RENAMED["publish-github-pages.yml"]
EXIT_OK, EXIT_USAGE = 0, 2


def starter_files(title: str) -> dict[str, bytes]:
    """Every file of the starter course (path in the new course → content)."""
    # Quoted YAML strings and JSON strings escape alike; the title sits in quotes.
    quoted = json.dumps(title, ensure_ascii=False)[1:-1]
    files: dict[str, bytes] = {}
    for path in sorted(STARTER_DIR.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(STARTER_DIR).as_posix()
        data = path.read_bytes()
        if b"%%" in data:
            text = data.decode("utf-8").replace("%%VERSION%%", __version__)
            text = text.replace("%%TITLE%%", title if rel == "README.md" else quoted)
            data = text.encode("utf-8")
        files[RENAMED.get(rel, rel)] = data
    return files


def title_for(folder: Path) -> str:
    """``my-first_course`` → ``My first course``."""
    words = folder.resolve().name.replace("-", " ").replace("_", " ").split()
    return " ".join(words).capitalize() or "My course"


def create_course(target: Path, title: str) -> list[str]:
    """Write the starter course into ``target`` (missing or empty); return the files written."""
    files = starter_files(title)
    for rel, data in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return sorted(files)


def run_new(args: argparse.Namespace) -> int:
    """The ``new`` command: refuses anything but a missing or empty folder (exit 2)."""
    target = Path(args.course_dir)
    problem = _refusal(target)
    if problem:
        print(f"coursebuild: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    title = args.title or title_for(target)
    try:
        written = create_course(target, title)
    except OSError as exc:
        print(f"coursebuild: error: cannot write the course: {exc.strerror or exc}: {exc.filename or target}",
              file=sys.stderr)
        return EXIT_USAGE
    print(f"Created the course '{title}' in {target} ({len(written)} files). Next:\n"
          f"  cd {target}\n"
          "  coursebuild serve --open     # preview, rebuilt on every save\n"
          "  coursebuild build --strict   # the finished site, in _site/\n"
          f"{target / 'README.md'} says how to publish it (GitHub Pages, Netlify, any web host).")
    return EXIT_OK


def _refusal(target: Path) -> str:
    if target.exists() and not target.is_dir():
        return f"'{target}' exists and is not a folder"
    if target.is_dir() and any(target.iterdir()):
        return f"'{target}' is not empty; `coursebuild new` writes only into a new or empty folder"
    return ""


def looks_like_course(course_dir: Path) -> bool:
    """A course folder has a course.yml, a content/ folder, or both."""
    return (course_dir / CONFIG_FILE).is_file() or (course_dir / "content").is_dir()


def no_course_message(course_dir: Path) -> str:
    """What to tell someone who ran build or serve outside a course folder."""
    shown = "the current folder" if str(course_dir) in ("", ".") else f"'{course_dir}'"
    return (
        f"coursebuild: error: {shown} is not a course folder: it has neither {CONFIG_FILE} nor content/.\n"
        "A course folder holds:\n"
        f"  {CONFIG_FILE:<26}settings: title, description, base_url, ... (optional)\n"
        "  content/index.md          the home page's introduction\n"
        "  content/topics/<block>/_block.yml, content/topics/<block>/<topic>/index.md   the topics\n"
        "  bibliography.bib          the works topics cite (optional)\n"
        "Run `coursebuild new my-course` to start one, or pass the course folder: "
        "`coursebuild build path/to/course`."
    )
