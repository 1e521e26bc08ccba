"""Shared test helpers and fixtures for the CLI tests.

The helpers live in ``course_helpers.py`` (import them from there: several
``conftest.py`` files exist under tests/, so ``from conftest import …`` is
ambiguous once the browser tests are collected too):

* ``write_course(root, {relative path: text or bytes})`` writes a course folder;
* ``run_build(course, out=None, *args)`` runs ``python -m coursebuild build
  COURSE --out OUT --no-search ARGS`` and returns ``(exit code, stdout, stderr)``
  (a ``Run`` tuple with ``.diagnostics``, ``.problems()`` and ``.summary``),
  failing the test if the output holds a Python traceback;
* ``run_cli(*args)``, ``topic(title, order, body, **front_matter)``, ``snapshot(folder)``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from course_helpers import CHROMIUM, Run, launch_chromium, require_tool, run_build, run_cli, snapshot, topic, write_course

__all__ = ["Run", "run_build", "run_cli", "snapshot", "topic", "write_course"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium per test process, shared by every browser test: a launch costs
    about a second, and tests keep apart through contexts of their own."""
    require_tool(CHROMIUM.exists(), f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    with launch_chromium() as launched:
        yield launched


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """An empty folder for a test course (the output goes to a sibling folder)."""
    return tmp_path / "course"


_CACHE_HOME: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Keep the render cache of every test build (in this process and in the builds it
    starts) out of the user's real cache folder."""
    _CACHE_HOME.append(tempfile.mkdtemp(prefix="coursebuild-test-cache-"))
    os.environ["XDG_CACHE_HOME"] = _CACHE_HOME[-1]
    # The interpreters the tests start (servers, builds with a browser) compile coursebuild's
    # modules once per run, not once per process, even where the machine sets
    # PYTHONDONTWRITEBYTECODE; the bytecode goes to a folder of this run only, so no stale
    # file can stand in for a changed source (tools/mutate.py relies on that).
    _CACHE_HOME.append(tempfile.mkdtemp(prefix="coursebuild-test-pyc-"))
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = _CACHE_HOME[-1]


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _CACHE_HOME:
        shutil.rmtree(folder, ignore_errors=True)


# Tests that share a session-scoped site run on one xdist worker (``--dist loadgroup`` in
# the Makefile), so each of those sites is built once per run, not once per worker; so do
# the browser modules whose site (or PDF) is module-scoped.
_SHARED_SITES = {"reader": "demo-site", "scale": "scale-site", "test_theme_browser.py": "browser-site",
                 **{name: name for name in ("test_pdf.py", "test_portable_disk.py", "test_questions_browser.py",
                                            "test_scholarly_browser.py", "test_live_reload.py")}}


# tryfirst: xdist's worker reads the marks in its own hook of the same name.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = item.path.parts
        group = next((_SHARED_SITES[p] for p in parts[-2:] if p in _SHARED_SITES), None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
