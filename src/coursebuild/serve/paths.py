"""Map a request target to a file inside the output folder, or refuse it.

Two steps: :func:`route` looks only at the URL (traversal tricks, the base
URL, our own endpoints) and :func:`locate` checks the file system (symlinks
must not lead out of the output folder, directories need a trailing slash).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

ENDPOINT_DIR = "__coursebuild"

# Encoded separators and NUL would let a segment smuggle a path in once
# decoded; a browser never sends them for a static site, so they are refused.
_FORBIDDEN_ENCODED = ("%2f", "%5c", "%00")
MAX_PATH = 4096
"""Longest request path answered (Linux's PATH_MAX); longer is 414 URI Too Long."""
MAX_SEGMENT = 255
"""Longest path segment in bytes (NAME_MAX): no file of the site can have a longer name."""


@dataclass(frozen=True)
class Route:
    """What a request target asks for, before the file system is consulted."""

    kind: str
    """``path``, ``endpoint``, ``redirect``, ``bad`` (400), ``missing`` (404) or ``too_long`` (414)."""
    segments: tuple[str, ...] = ()
    """Path segments below the base URL (``path``), or the endpoint name."""
    trailing_slash: bool = False
    location: str = ""
    """Where a ``redirect`` points (always a path on this server)."""
    query: str = ""


@dataclass(frozen=True)
class Located:
    """A file to send, a redirect, or nothing."""

    kind: str
    """``file``, ``redirect`` or ``missing``."""
    path: Path | None = None
    location: str = ""


def route(target: str, base_url: str = "/") -> Route:
    """Parse the raw request target (``/a/b?x``) against ``base_url`` (``/prefix/``)."""
    if not target.startswith("/"):
        return Route("bad")  # absolute-form or "*" targets are not for a static server
    path, _, query = target.partition("?")
    path = path.partition("#")[0]
    if len(path) > MAX_PATH:
        return Route("too_long")
    if "\\" in path or "\x00" in path or any(code in path.lower() for code in _FORBIDDEN_ENCODED):
        return Route("bad")
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return Route("bad")
    raw_segments = decoded.split("/")
    if any(seg in (".", "..") for seg in raw_segments) or "\x00" in decoded:
        return Route("bad")
    segments = tuple(seg for seg in raw_segments if seg)
    if any(_hidden_or_drive(seg) or len(seg.encode("utf-8", "surrogatepass")) > MAX_SEGMENT
           for seg in segments):
        return Route("missing")
    return _under_base(segments, decoded.endswith("/"), query, base_url)


def _hidden_or_drive(segment: str) -> bool:
    """Dot files (the output marker) and ``C:``-style segments are never served."""
    return segment.startswith(".") or ":" in segment


def _under_base(segments: tuple[str, ...], trailing: bool, query: str, base_url: str) -> Route:
    if segments[:1] == (ENDPOINT_DIR,):
        return _endpoint(segments[1:])
    base = tuple(seg for seg in base_url.split("/") if seg)
    if segments[:len(base)] != base:
        # Only the bare root is redirected; anything else outside the prefix is missing.
        return Route("redirect", location=base_url) if not segments else Route("missing")
    rest = segments[len(base):]
    if base and not rest and not trailing:
        return Route("redirect", location=base_url + _query(query))
    if rest[:1] == (ENDPOINT_DIR,):
        return _endpoint(rest[1:])
    return Route("path", rest, trailing, query=query)


def _endpoint(rest: tuple[str, ...]) -> Route:
    return Route("endpoint", rest) if len(rest) == 1 else Route("missing")


def _query(query: str) -> str:
    return f"?{query}" if query else ""


def locate(root: Path, found: Route, base_url: str = "/") -> Located:
    """The file a ``path`` route names inside ``root`` (already resolved)."""
    try:
        return _locate(root, found, base_url)
    except (OSError, ValueError):  # a name the file system refuses is just not there
        return Located("missing")


def _locate(root: Path, found: Route, base_url: str) -> Located:
    candidate = root.joinpath(*found.segments)
    real = _real(candidate, root)
    if real is None:
        return Located("missing")
    if real.is_dir():
        if not found.trailing_slash and found.segments:
            location = base_url + "/".join(quote(seg) for seg in found.segments) + "/"
            return Located("redirect", location=location + _query(found.query))
        real = _real(real / "index.html", root)
        return Located("file", real) if real is not None and real.is_file() else Located("missing")
    if real.is_file() and not found.trailing_slash:
        return Located("file", real)
    return Located("missing")


def _real(candidate: Path, root: Path) -> Path | None:
    """``candidate`` with symlinks followed, or None if it leads outside ``root``."""
    try:
        real = candidate.resolve()
    except (OSError, RuntimeError):  # symlink loops raise RuntimeError before Python 3.13
        return None
    return real if real.is_relative_to(root) else None
