"""Checked front matter kept between command-line builds.

Reading a thousand topics' YAML headers (with the position of every value) is about a
fifth of a build in which nothing changed. A header whose text did not change checks
to the same result, so a command-line build keeps, per header, the validated
:class:`~coursebuild.frontmatter.FrontMatter` and its diagnostics, keyed by a digest
of the YAML text, the file's path and the fields it must have. (``serve`` keeps pages
in memory instead.)

The record is data only: JSON decoded by msgspec against one exact type, in the
render cache's folder outside the course, and tied to coursebuild's own code (another
version checks every header again). A record that is missing, damaged or of another
shape is ignored, never an error.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec

from . import frontmatter
from .diagnostics import Diagnostic
from .diskcache import write_atomic
from .frontmatter import FrontMatter, SplitSource
from .pages import code_fingerprint

Checked = tuple[FrontMatter, tuple[Diagnostic, ...]]
Record = tuple[str, dict[str, Checked]]
"""The coursebuild code that checked them, and the checked headers by key."""

FILE_NAME = "frontmatter.json"
_ENCODER = msgspec.json.Encoder(order="deterministic")
_DECODER = msgspec.json.Decoder(Record)


class FrontMatterStore:
    """``frontmatter.parse`` that remembers its results in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self._old = self._load()
        self._new: dict[str, Checked] = {}

    def _load(self) -> dict[str, Checked]:
        try:
            code, checked = _DECODER.decode(self.path.read_bytes())
        except (OSError, msgspec.DecodeError):
            return {}
        return checked if code == code_fingerprint() else {}

    def parse(self, path: str, source: SplitSource, required: tuple[str, ...]
              ) -> tuple[FrontMatter, list[Diagnostic]]:
        """What ``frontmatter.parse(path, source, required)`` returns."""
        if source.yaml_text is None or not source.closed:  # nothing to parse
            return frontmatter.parse(path, source, required)
        key = hashlib.blake2b("\0".join((path, ",".join(required), source.yaml_text)).encode("utf-8", "surrogatepass"),
                              digest_size=16).hexdigest()
        checked = self._old.get(key)
        if checked is None:
            meta, diags = frontmatter.parse(path, source, required)
            checked = (meta, tuple(diags))
        self._new[key] = checked
        return checked[0], list(checked[1])

    def save(self) -> None:
        """Keep this build's headers (those of files no longer read are dropped); written
        only when they differ from what was read, and never half (a rename)."""
        if self._new.keys() == self._old.keys():
            return
        write_atomic(self.path, _ENCODER.encode((code_fingerprint(), self._new)))
