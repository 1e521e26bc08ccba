"""Symbolic links: followed only when they lead to a place inside the course folder.

A course folder is untrusted input (a clone), and a symbolic link in it can
point anywhere on the machine of whoever builds it: ``static/`` linked to the
home folder, a template or ``bibliography.bib`` linked to a private file. Such
a link is not followed: nothing is read through it or published, and the
build warns, naming the link.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import jinja2
from jinja2.loaders import split_template_path

from .diagnostics import Diagnostic, warning

RULE = "symlink-outside"
MESSAGE = "symbolic link to outside the course folder: not followed (nothing read or published)"


def inside(path: Path, root: Path) -> bool:
    """True when ``path``, links resolved, lies in ``root`` (False for a link loop)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a link loop before Python 3.13
        return False


class Confined:
    """:func:`inside` for the many paths of one walk through ``root``.

    A path that is not itself a link resolves to its folder's resolved path plus its
    name, so it is inside whenever its folder is: each folder is resolved once, and each
    file costs one ``lstat`` instead of a walk up to ``/``. Anything else (a link, a path
    whose folder is outside) gets the full check, so the answer is always :func:`inside`'s.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: dict[Path, bool] = {}

    def __call__(self, path: Path) -> bool:
        parent = path.parent
        if path == self.root or parent == path or path.name in ("", ".", ".."):
            return inside(path, self.root)
        try:
            link = path.is_symlink()
        except OSError:
            return False
        if not link and self._folder_inside(parent):
            return True
        return inside(path, self.root)

    def _folder_inside(self, folder: Path) -> bool:
        known = self._folders.get(folder)
        if known is None:
            known = self._folders[folder] = self(folder)
        return known


def outside_warning(path: Path, course_dir: Path) -> Diagnostic:
    """The warning for the link at ``path`` (named relative to the course folder)."""
    try:
        rel = path.relative_to(course_dir).as_posix()
    except ValueError:
        rel = path.as_posix()
    return warning(rel, 0, 0, RULE, MESSAGE)


def links_out(course_dir: Path, top: Path) -> list[Diagnostic]:
    """A warning for every symbolic link in ``top`` (or ``top`` itself) that leads out."""
    course_dir = course_dir.resolve()
    if top.is_symlink() and not inside(top, course_dir):
        return [outside_warning(top, course_dir)]
    if not top.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(top):  # links to folders are listed, not entered
        for name in sorted(dirs + files):
            path = Path(folder) / name
            if path.is_symlink() and not inside(path, course_dir):
                found.append(outside_warning(path, course_dir))
    return found


class ConfinedLoader(jinja2.FileSystemLoader):
    """The course's templates/, minus any template that is a link to outside the course
    (the built-in theme's template of that name is used instead)."""

    def __init__(self, folder: Path, course_dir: Path) -> None:
        super().__init__(folder)
        self.folder = folder
        self.course_dir = course_dir

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        candidate = self.folder.joinpath(*split_template_path(template))
        if candidate.exists() and not inside(candidate, self.course_dir):
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)
