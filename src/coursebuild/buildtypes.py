"""What a build is asked to do (:class:`BuildOptions`) and what it did (:class:`BuildResult`):
the plain data that ``build``, ``serve`` and ``pdf`` hand to and get back from the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, Severity, count
from .progress import ProgressFn
from .site import SiteData


@dataclass(frozen=True)
class BuildOptions:
    course_dir: Path
    out_dir: Path
    base_url: str | None = None
    strict: bool = False
    disk_cache: bool = True
    search: bool = True
    jobs: int | None = None
    incremental: bool = False
    """Update the output folder file by file (serve) instead of swapping a staged copy."""
    solutions: str | None = None
    """``--solutions``: wins over course.yml's ``solutions``."""
    portable: bool = False
    """Relative URLs and a script-loaded search index, to open from disk (also course.yml)."""
    zip_path: Path | None = None
    """Also pack the (portable) site into this zip file."""
    progress: ProgressFn | None = None
    """Told of each stage and page (the command line draws it on a terminal)."""
    keep_site: bool = True
    """Keep ``result.site`` and ``result.outputs`` whole. ``coursebuild build`` needs
    neither afterwards and passes False: each body is let go of once its page is templated,
    and the pages once they are staged, before Pagefind runs (see ``Builder._release``)."""


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0
    written: bool = False
    usage_error: bool = False
    """True when the build could not start (course.yml or output folder problems)."""
    rendered: int = 0
    """Page bodies rendered this time (the rest came from the cache)."""
    outputs: dict[str, bytes] = field(default_factory=dict)
    """Every output page's bytes (emptied once staged unless ``BuildOptions.keep_site``)."""
    templated: list[str] = field(default_factory=list)
    """Output pages rendered from templates this time (the rest came from the cache)."""
    changed: list[str] = field(default_factory=list)
    """Output files added, changed or removed this time (incremental mode)."""
    site: SiteData | None = None
    """The course model with rendered bodies (``coursebuild pdf`` makes its book from it)."""
    search_reused: bool = False
    """The previous search index was kept: no page changed."""

    @property
    def errors(self) -> int:
        return count(self.diagnostics, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.diagnostics, Severity.WARNING)
