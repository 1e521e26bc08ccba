"""The render cache on disk: plain data, kept outside the course folder.

A course repository is untrusted input, so nothing it ships may be loaded as
code: entries are JSON of plain values (strings, numbers, lists), decoded by
msgspec against the exact types the renderer produces. A file of any other
shape is a cache miss, never an error and never executed.

The entries live in the user's cache folder (``$XDG_CACHE_HOME/coursebuild``
or ``~/.cache/coursebuild`` on Linux, the platform's cache folder elsewhere),
one sub-folder per course (a hash of its resolved path), so a cloned course
never brings a cache along.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path

import msgspec
import platformdirs

from .markdown.render import RenderedBody

Entry = tuple[RenderedBody, tuple[tuple[str, str], ...]]
"""A rendered body and the digests of the bibliography entries it used."""

KEY_RE = re.compile(r"^[0-9a-f]{16,64}$")
_ENCODER = msgspec.json.Encoder(order="deterministic")
_DECODER = msgspec.json.Decoder(Entry)


def cache_root() -> Path:
    """The user's coursebuild cache folder (not created here)."""
    return platformdirs.user_cache_path("coursebuild", appauthor=False)


def course_cache_dir(course_dir: Path) -> Path:
    """Where the renders of ``course_dir`` are kept: one folder per resolved course path."""
    digest = hashlib.blake2b(str(course_dir.resolve()).encode("utf-8", "surrogateescape"), digest_size=10)
    return cache_root() / digest.hexdigest()


def write_atomic(path: Path, content: bytes) -> bool:
    """Write ``path`` whole or not at all (a rename), creating its folder; True when
    written. Best effort: a cache folder we cannot write only costs speed."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(content)
        os.replace(tmp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False


class DiskStore:
    """Entries by key (hex digests) under ``folder/<first two>/<key>.json``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path | None:
        return self.folder / key[:2] / f"{key}.json" if KEY_RE.match(key) else None

    def load(self, key: str) -> Entry | None:
        """The entry for ``key``; None when missing, unreadable or of the wrong shape."""
        path = self._path(key)
        if path is None:
            return None
        try:
            return _DECODER.decode(path.read_bytes())
        except (OSError, msgspec.DecodeError):
            return None

    def store(self, key: str, entry: Entry) -> bool:
        """Keep ``entry``; True when it was written."""
        path = self._path(key)
        return path is not None and write_atomic(path, _ENCODER.encode(entry))

    def prune(self, keep: set[str]) -> int:
        """Delete entries whose key is not in ``keep``; returns how many."""
        if not self.folder.is_dir():
            return 0
        removed = 0
        for path in self.folder.glob("??/*"):
            if path.name.removesuffix(".json") not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
