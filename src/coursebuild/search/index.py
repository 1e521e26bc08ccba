"""Building the search index, or keeping the previous one when no page it was built from
changed."""

from __future__ import annotations

import hashlib
import os
import shutil
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, ContextManager, Mapping

from .copy import link_or_copy, write_copy
from .pagefind import SearchIndexFailed, pagefind_version, run_pagefind

DIGEST_FILE = ".coursebuild-digest"
"""In ``pagefind/``: a digest of every HTML page the index was built from."""
SEARCH_COPY = ".coursebuild-search-pages"
"""In the site while Pagefind runs: the pages as Pagefind is given them (copy.py)."""


def index_site(site_dir: Path, output: Path | None = None, nice: int = 0) -> None:
    """Write ``site_dir/pagefind/`` (or ``output``): the index and Pagefind's own scripts."""
    copy = site_dir / SEARCH_COPY
    shutil.rmtree(copy, ignore_errors=True)
    try:
        write_copy(site_dir, copy)
        run_pagefind(copy, output or site_dir / "pagefind", nice)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def pages_digest(files: Mapping[str, object], base_url: str, known: Mapping[str, bytes] | None = None) -> str:
    """Digest of what Pagefind reads: every HTML page's bytes (and the base URL and
    Pagefind's version). Equal digests mean an equal index. ``known`` holds pages'
    digests already taken (blake2b, 20 bytes: the page record's), so a thousand pages
    are not hashed twice."""
    known = known or {}
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{base_url}|{pagefind_version()}".encode())
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
            shutil.copytree(old, site_dir / "pagefind", copy_function=link_or_copy)
        except OSError:
            shutil.rmtree(site_dir / "pagefind", ignore_errors=True)
            reusable = False
    if not reusable:
        index_site(site_dir)
    (site_dir / "pagefind" / DIGEST_FILE).write_text(digest + "\n", "utf-8")
    return reusable


def index_in_place(site_dir: Path, swap_guard: Callable[[], ContextManager[object]] = nullcontext) -> None:
    """Re-index a live site: write the new index beside it, then swap folders.

    ``serve`` runs this in the background after rebuilds, so search stays current without
    slowing the edit-to-reload loop; it passes the lock that its requests read the site
    under as ``swap_guard``, so no request finds the index between the two renames.
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
