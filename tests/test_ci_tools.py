"""A missing browser, axe-core or Pagefind skips the browser tests on a developer's machine
but fails them under ``CI=true``, the same way in tests/browser and tests/reader (both use
course_helpers.require_tool)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_helpers import require_tool

TESTS = Path(__file__).resolve().parent


def test_missing_chromium_fails_browser_and_reader_tests_under_ci(tmp_path: Path) -> None:
    env = dict(os.environ, CI="true", COURSEBUILD_TEST_CHROMIUM=str(tmp_path / "no-chromium"))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "tests/browser/test_theme_browser.py::test_wide_screens_show_the_sidebar",
                           "tests/reader/test_phone.py"],
                          cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout
    assert "2 errors" in done.stdout and "skipped" not in done.stdout, done.stdout
    assert done.stdout.count("ERROR at setup of") == 2, done.stdout
    assert ("no-chromium is missing: install Debian's chromium (make browser) "
            "(CI=true: a missing test tool is a failure, not a skip)") in done.stdout


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("1", pytest.fail.Exception),
                                         ("", pytest.skip.Exception), ("false", pytest.skip.Exception)])
def test_require_tool_skips_unless_ci(monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type) -> None:
    monkeypatch.setenv("CI", ci)
    require_tool(True, "present")  # nothing happens
    with pytest.raises(outcome, match="axe-core is missing"):
        require_tool(False, "axe-core is missing")
