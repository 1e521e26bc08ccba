"""Full-text search: a Pagefind index built into the staged site before it is swapped in.

Pagefind (the pinned ``pagefind-bin`` wheel ships its binary) indexes what the
templates mark with ``data-pagefind-body`` and weights side notes and
references lower through ``data-pagefind-weight`` attributes. A build whose pages are all
unchanged keeps the previous index (linked in, not rebuilt).
"""

from __future__ import annotations

import hashlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, ContextManager, Mapping

from .markdown.math import KATEX_HTML_END, KATEX_HTML_IGNORED

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


SEARCH_COPY = ".coursebuild-search-pages"
"""In the site while Pagefind runs: the pages as Pagefind is given them (see below)."""

_KATEX_START = KATEX_HTML_IGNORED.encode()
_KATEX_END = KATEX_HTML_END.encode()


def index_site(site_dir: Path, output: Path | None = None, nice: int = 0) -> None:
    """Write ``site_dir/pagefind/`` (or ``output``): the index and Pagefind's own scripts.

    Pagefind reads a copy of the pages without the visual copy of each formula, which it
    skips anyway (``data-pagefind-ignore``): the index comes out byte for byte the same,
    and Pagefind, which spends most of its time parsing KaTeX's nested spans, needs about
    half the CPU. Pages without math are hard links, not copies."""
    copy = site_dir / SEARCH_COPY
    shutil.rmtree(copy, ignore_errors=True)
    try:
        _copy_for_search(site_dir, copy)
        _run_pagefind(["--site", str(copy), "--output-path", str(output or site_dir / "pagefind")], nice)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def _copy_for_search(site_dir: Path, copy: Path) -> None:
    for folder, dirs, files in os.walk(site_dir):
        if folder == str(site_dir):  # not Pagefind's own folders, nor this copy
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "pagefind"]
        target = copy / os.path.relpath(folder, site_dir)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            if not name.endswith(".html"):
                continue
            source = os.path.join(folder, name)
            with open(source, "rb") as handle:
                page = handle.read()
            if _KATEX_START in page:
                (target / name).write_bytes(_without_visual_math(page))
            else:
                _link_or_copy(source, str(target / name))


def _without_visual_math(page: bytes) -> bytes:
    """``page`` without each marked visual copy; one without its marker (see
    markdown/math.py) is left in, never cut up to the next formula's marker."""
    parts, start, search = [], 0, 0
    while (begin := page.find(_KATEX_START, search)) >= 0:
        end = page.find(_KATEX_END, begin)
        following = page.find(_KATEX_START, begin + 1)
        if end < 0:
            break
        if 0 <= following < end:  # this one has no marker: keep it
            search = following
            continue
        parts.append(page[start:begin])
        start = search = end + len(_KATEX_END)
    parts.append(page[start:])
    return b"".join(parts)


def index_in_place(site_dir: Path, swap_guard: Callable[[], ContextManager[object]] = nullcontext) -> None:
    """Re-index a live site: write the new index beside it, then swap folders.

    ``serve`` runs this in the background after rebuilds, so search stays
    current without slowing the edit-to-reload loop; it passes the lock that its
    requests read the site under as ``swap_guard``, so no request finds the index
    between the two renames.
    """
    fresh = site_dir / ".pagefind-new"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        # Low priority: the next rebuild, which the author is waiting for, comes first.
        index_site(site_dir, fresh, nice=15)
    except SearchIndexFailed:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = site_dir / ".pagefind-old"
    shutil.rmtree(old, ignore_errors=True)
    with swap_guard():
        if (site_dir / "pagefind").exists():
            os.rename(site_dir / "pagefind", old)
        os.rename(fresh, site_dir / "pagefind")
    shutil.rmtree(old, ignore_errors=True)


def _child_setup(nice: int, parent: int) -> None:
    """In the Pagefind child, before it starts: lower its priority, and on Linux have the
    kernel kill it when coursebuild dies, even by SIGKILL (no orphan keeps indexing)."""
    if nice:
        os.nice(nice)
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # coursebuild died before the line above
            os._exit(1)


def _run_pagefind(args: list[str], nice: int = 0) -> None:
    command = [str(pagefind_executable()), *args, "--silent"]
    parent = os.getpid()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False,
                              preexec_fn=lambda: _child_setup(nice, parent))
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexFailed(f"Pagefind could not run: {exc}") from exc
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise SearchIndexFailed("Pagefind failed: " + (message[-1] if message else f"exit {done.returncode}"))


DIGEST_FILE = ".coursebuild-digest"
"""In ``pagefind/``: a digest of every HTML page the index was built from."""


def pages_digest(files: Mapping[str, object], base_url: str, known: Mapping[str, bytes] | None = None) -> str:
    """Digest of what Pagefind reads: every HTML page's bytes (and the base URL and
    Pagefind's version). Equal digests mean an equal index. ``known`` holds pages'
    digests already taken (blake2b, 20 bytes: the page record's), so a thousand pages
    are not hashed twice."""
    known = known or {}
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{base_url}|{_pagefind_version()}".encode())
    for rel in sorted(files):
        content = files[rel]
        if rel.endswith(".html") and isinstance(content, bytes):
            page = known.get(rel) or hashlib.blake2b(content, digest_size=20).digest()
            digest.update(rel.encode() + b"\0" + page)
    return digest.hexdigest()


def index_or_reuse(site_dir: Path, previous_site: Path, digest: str) -> bool:
    """Index the staged ``site_dir``, or, when the previous output's index was built
    from exactly these pages, link its files in instead. True when reused."""
    old = previous_site / "pagefind"
    try:
        reusable = (old / DIGEST_FILE).read_text("utf-8").strip() == digest
    except OSError:
        reusable = False
    if reusable:
        try:
            # Hard links: the previous output is deleted after the swap, the files stay.
            shutil.copytree(old, site_dir / "pagefind", copy_function=_link_or_copy)
        except OSError:
            shutil.rmtree(site_dir / "pagefind", ignore_errors=True)
            reusable = False
    if not reusable:
        index_site(site_dir)
    (site_dir / "pagefind" / DIGEST_FILE).write_text(digest + "\n", "utf-8")
    return reusable


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _pagefind_version() -> str:
    try:
        from importlib.metadata import version

        return version("pagefind-bin")
    except Exception:  # the version only makes the digest stricter
        return ""
