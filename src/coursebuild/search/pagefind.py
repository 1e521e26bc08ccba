"""Running the Pagefind program (the pinned ``pagefind-bin`` wheel ships it)."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# Loaded here, not in the forked child, where loading a library could deadlock.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None

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


def pagefind_version() -> str:
    try:
        from importlib.metadata import version

        return version("pagefind-bin")
    except Exception:  # the version only makes digests stricter
        return ""


def run_pagefind(site: Path, output: Path, nice: int = 0) -> None:
    """Pagefind indexing ``site`` into ``output``; :class:`SearchIndexFailed` with its last
    line if it fails."""
    command = [str(pagefind_executable()), "--site", str(site), "--output-path", str(output), "--silent"]
    parent = os.getpid()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False,
                              preexec_fn=lambda: _child_setup(nice, parent))
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexFailed(f"Pagefind could not run: {exc}") from exc
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise SearchIndexFailed("Pagefind failed: " + (message[-1] if message else f"exit {done.returncode}"))


def _child_setup(nice: int, parent: int) -> None:
    """In the Pagefind child, before it starts: lower its priority, and on Linux have the
    kernel kill it when coursebuild dies, even by SIGKILL (no orphan keeps indexing)."""
    if nice:
        os.nice(nice)
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # coursebuild died before the line above
            os._exit(1)
