"""Keep the output of a command-line build whose inputs did not change since the last one.

make's rule, applied to the whole site. A successful build records what it read and what
it left: every file of the course folder and of the theme by size, times and inode,
coursebuild's own code, the versions of the libraries that shape the output (KaTeX,
Pagefind, Pygments …), the options, the year "cite this page" prints, and then the
output folder's own listing, times included. When the next build finds both exactly as
recorded, the output already holds what it would write: it is left as it is (not a
byte rewritten, not a file re-linked, no search index built) and the previous build's
diagnostics are reported again. Any difference, however small, means a full build.

Only ``coursebuild build`` takes this path (not ``serve``, which rebuilds in place, nor a
build that also writes a zip). The record is data (msgspec JSON) in the course's cache
folder; a record that cannot be read is no record.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from importlib import metadata
from pathlib import Path

import msgspec

from . import __version__, assets
from .bib.cite_page import build_year
from .buildtypes import BuildOptions, BuildResult
from .diagnostics import Diagnostic, Severity
from .pages import code_fingerprint

FILE_NAME = "uptodate.json"
_NAME_RE = re.compile(r"[A-Za-z0-9._-]*")  # a requirement's distribution name

# Folders of a course folder that no build reads: version control, environments, caches.
# The output folder and its staging and old copies (".NAME.staging-PID") are skipped too.
SKIPPED = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__",
                     ".mypy_cache", ".ruff_cache", ".pytest_cache", ".tox"})


class Record(msgspec.Struct, frozen=True):
    inputs: str
    output: str
    pages: int
    diagnostics: list[tuple[str, int, int, str, str, str]]


_DECODER = msgspec.json.Decoder(Record)


def check(options: BuildOptions, course_dir: Path, folder: Path) -> tuple[str | None, Record | None]:
    """(the inputs' digest, to :func:`remember` once this build has written, or None; the
    record of the last build when this one can keep its output, or None)."""
    if options.incremental or not options.disk_cache or options.keep_site or options.zip_path is not None:
        return None, None
    out_dir = options.out_dir.resolve()
    inputs = inputs_key(options, course_dir, out_dir)
    record = kept(folder, inputs, out_dir) if inputs is not None else None
    if record is not None:
        return None, record
    forget(folder)  # this build writes: until it is done, there is no record
    return inputs, None


def inputs_key(options: BuildOptions, course_dir: Path, out_dir: Path) -> str | None:
    """A digest of everything the build reads; None when it cannot be known for sure."""
    libraries = _library_versions()
    if libraries is None:
        return None
    try:
        theme, katex = assets.theme_dir(), assets.katex_dist()
    except assets.AssetsMissing:
        return None
    digest = hashlib.blake2b(digest_size=20)
    settings = (__version__, code_fingerprint(), sys.version, libraries, build_year(), str(out_dir),
                options.base_url, options.strict, options.search, options.solutions, options.portable)
    digest.update(repr(settings).encode("utf-8", "surrogateescape"))
    for root, skip in ((course_dir, out_dir), (theme / "templates", None), (theme / "static", None), (katex, None)):
        _listing(digest, root, skip)
    return digest.hexdigest()


def output_key(out_dir: Path) -> str:
    """A digest of the output folder's listing: names, sizes, times and inodes."""
    digest = hashlib.blake2b(digest_size=20)
    _listing(digest, out_dir, None)
    return digest.hexdigest()


def kept(folder: Path, inputs: str, out_dir: Path) -> Record | None:
    """The record of the last build when its inputs and output are exactly as now."""
    try:
        record = _DECODER.decode((folder / FILE_NAME).read_bytes())
    except (OSError, msgspec.DecodeError):
        return None
    if record.inputs != inputs or record.output != output_key(out_dir):
        return None
    return record


def replay(record: Record, result: BuildResult) -> None:
    """Report the kept build as this one: its pages and its diagnostics."""
    result.diagnostics += [Diagnostic(path, line, col, Severity(severity), rule, message)
                           for path, line, col, severity, rule, message in record.diagnostics]
    result.pages = record.pages
    result.written = True
    result.search_reused = True


def forget(folder: Path) -> None:
    """Drop the record before a build writes: a build killed halfway leaves none."""
    try:
        (folder / FILE_NAME).unlink()
    except OSError:
        pass


def remember(folder: Path, inputs: str, out_dir: Path, result: BuildResult) -> None:
    """Record a build that has just written ``out_dir`` (best effort, like every cache)."""
    from .diskcache import write_atomic

    diagnostics = [(d.path, d.line, d.col, d.severity.value, d.rule, d.message) for d in result.diagnostics]
    record = Record(inputs, output_key(out_dir), result.pages, diagnostics)
    write_atomic(folder / FILE_NAME, msgspec.json.encode(record))


def _listing(digest: "hashlib.blake2b", root: Path, skip: Path | None) -> None:
    """Feed ``digest`` every entry under ``root`` (not following links into folders)."""
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            digest.update(f"{folder}|unreadable|{exc.errno}\n".encode("utf-8", "surrogateescape"))
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name in SKIPPED or (skip is not None and _beside(path, skip)):
                continue
            info = entry.stat(follow_symlinks=False)
            line = f"{path}|{_stamp(info)}"
            if stat.S_ISLNK(info.st_mode):
                line += "|" + _link_target(path)
            elif stat.S_ISDIR(info.st_mode):
                pending.append(path)
            digest.update(line.encode("utf-8", "surrogateescape") + b"\n")


def _beside(path: Path, out_dir: Path) -> bool:
    """The output folder itself, or a staging or old copy of it beside it."""
    return path == out_dir or (path.parent == out_dir.parent and path.name.startswith(f".{out_dir.name}."))


def _stamp(info: os.stat_result) -> str:
    return f"{info.st_mode}|{info.st_size}|{info.st_mtime_ns}|{info.st_ctime_ns}|{info.st_ino}"


def _link_target(path: Path) -> str:
    """Where a link leads, with what is there now (a link's own times do not change when
    its target does)."""
    try:
        return f"{os.readlink(path)}|{_stamp(path.stat())}"
    except OSError:
        return "dangling"


def _library_versions() -> tuple[tuple[str, str], ...] | None:
    """The versions of coursebuild's dependencies; None when coursebuild is not installed
    (then a library could change unseen)."""
    try:
        required = metadata.requires("coursebuild") or []
    except metadata.PackageNotFoundError:
        return None
    names = sorted({_NAME_RE.match(r).group(0) for r in required if "extra ==" not in r})  # type: ignore[union-attr]
    versions = []
    for name in names:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, ""))
    return tuple(versions)
