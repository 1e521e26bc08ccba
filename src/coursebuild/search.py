"""Full-text search: a Pagefind index built into the staged site before it is swapped in.

Pagefind (the pinned ``pagefind-bin`` wheel ships its binary) indexes what the
templates mark with ``data-pagefind-body`` and weights side notes and
references lower through ``data-pagefind-weight`` attributes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


TIMEOUT_SECONDS = 600.0
"""Longer than any real course needs: a Pagefind that runs this long has hung."""


class SearchIndexFailed(Exception):
    pass


def pagefind_executable() -> Path:
    try:
        import pagefind_bin
    except ImportError as exc:  # pragma: no cover - it is a declared dependency
        raise SearchIndexFailed("the pagefind-bin package is not installed") from exc
    try:
        return Path(pagefind_bin.get_executable())
    except FileNotFoundError as exc:
        raise SearchIndexFailed(f"the Pagefind binary is missing ({exc})") from exc


def index_site(site_dir: Path) -> None:
    """Write ``site_dir/pagefind/`` (the index and Pagefind's own UI scripts)."""
    _run_pagefind(["--site", str(site_dir)])


def index_in_place(site_dir: Path) -> None:
    """Re-index a live site: write the new index beside it, then swap folders.

    ``serve`` runs this in the background after rebuilds, so search stays
    current without slowing the edit-to-reload loop.
    """
    fresh = site_dir / ".pagefind-new"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        # Low priority: the next rebuild, which the author is waiting for, comes first.
        _run_pagefind(["--site", str(site_dir), "--output-path", str(fresh)], nice=15)
    except SearchIndexFailed:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = site_dir / ".pagefind-old"
    shutil.rmtree(old, ignore_errors=True)
    if (site_dir / "pagefind").exists():
        os.rename(site_dir / "pagefind", old)
    os.rename(fresh, site_dir / "pagefind")
    shutil.rmtree(old, ignore_errors=True)


def _run_pagefind(args: list[str], nice: int = 0) -> None:
    command = [str(pagefind_executable()), *args, "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False,
                              preexec_fn=(lambda: os.nice(nice)) if nice else None)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexFailed(f"Pagefind could not run: {exc}") from exc
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise SearchIndexFailed("Pagefind failed: " + (message[-1] if message else f"exit {done.returncode}"))
