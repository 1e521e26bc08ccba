"""Output-page fingerprints kept between command-line builds, so that a page whose
template context did not change is read back from the previous output instead of
being templated again.

The record is data only (JSON decoded by msgspec against one exact type, in the
render cache's folder outside the course): for each output page, the fingerprint
of its template context and the digest of the bytes it produced. A page is reused
only when its fingerprint matches and the previous output's file still has exactly
those bytes; anything else (a missing, edited or foreign file, a record of another
shape) means templating the page again, never an error.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec

from .diskcache import write_atomic
from .pages import code_fingerprint
from .write import unprefix_urls

Record = tuple[str, str, str, dict[str, tuple[str, str]]]
"""The output folder it describes, the coursebuild code that wrote it (a new version
templates every page again), the base URL its pages were written under, and per
output page: (context fingerprint, digest of the template's bytes)."""

FILE_NAME = "pages.json"
_ENCODER = msgspec.json.Encoder(order="deterministic")
_DECODER = msgspec.json.Decoder(Record)


def digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=20).hexdigest()


class PageStore:
    """The fingerprints of the last build written to ``out_dir`` (one record per course)."""

    def __init__(self, folder: Path, out_dir: Path, base_url: str = "/") -> None:
        self.path = folder / FILE_NAME
        self.out_dir = out_dir.resolve()
        self.base_url = base_url
        self._written_under = "/"
        self._old = self._load()
        self.new: dict[str, tuple[str, str]] = {}
        self.reused: set[str] = set()
        """Pages read back from the previous output: its files hold exactly these pages
        (under the same base URL), so the writer links them without reading them again."""

    def _load(self) -> dict[str, tuple[str, str]]:
        try:
            where, code, self._written_under, pages = _DECODER.decode(self.path.read_bytes())
        except (OSError, msgspec.DecodeError):
            return {}
        return pages if (where, code) == (str(self.out_dir), code_fingerprint()) else {}

    def get(self, path: str, key: str) -> bytes | None:
        """The previous output's bytes of ``path`` if they were made from context ``key``."""
        old = self._old.get(path)
        if old is None or old[0] != key:
            return None
        try:
            content = (self.out_dir / path).read_bytes()
            if self._written_under != "/":  # the base URL was put in front of root-relative URLs
                content = unprefix_urls(content.decode("utf-8"), self._written_under).encode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        if digest(content) != old[1]:
            return None
        self.new[path] = old
        self.reused.add(path)
        return content

    def digests(self) -> dict[str, bytes]:
        """This build's pages' digests (:func:`digest`, as bytes), for the search digest."""
        return {path: bytes.fromhex(entry[1]) for path, entry in self.new.items()}

    def same_as_previous(self) -> set[str]:
        """Pages whose previous output file may be linked as it is (same base URL only)."""
        return self.reused if self._written_under == self.base_url else set()

    def put(self, path: str, key: str, content: bytes) -> None:
        self.new[path] = (key, digest(content))

    def save(self) -> None:
        """Record this build's pages (after its output was swapped in); best effort."""
        write_atomic(self.path, _ENCODER.encode((str(self.out_dir), code_fingerprint(), self.base_url, self.new)))
