"""The build pipeline, read top to bottom:

config → discover → front matter → course model and structure checks →
render page bodies (parallel, cached) → resolve links across pages →
templates → atomic write (+ search index).

``build`` and ``serve`` both call :meth:`Builder.build`; a Builder keeps its
caches between calls, which is what makes serve's rebuilds incremental.
"""

from __future__ import annotations

import hashlib
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ContextManager

import jinja2

from . import assets, confine, course as course_mod, links, structure
from .bibliography import Bibliography, load_bibliography
from .config import CourseConfig, load_config
from .diagnostics import Diagnostic, Severity, count, info, sort_key
from .discover import SourcePage, discover
from .diskcache import course_cache_dir
from .markdown.render import RenderedBody
from .outputs import PageCache, asset_files, course_template_names, render_pages
from .pages import RenderCache, RenderSettings, render_all
from .search import SearchIndexFailed, index_site
from .site import SiteData, TemplateFailure, environment
from .swap import recover
from .write import Content, IncrementalWriter, OutputRefused, check_output_dir, write_site


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
    templated: list[str] = field(default_factory=list)
    """Output pages rendered from templates this time (the rest came from the cache)."""
    changed: list[str] = field(default_factory=list)
    """Output files added, changed or removed this time (incremental mode)."""

    @property
    def errors(self) -> int:
        return count(self.diagnostics, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.diagnostics, Severity.WARNING)


class Builder:
    """Runs the pipeline; keeps per-file caches between runs."""

    def __init__(self, options: BuildOptions,
                 write_guard: Callable[[], ContextManager[None]] = nullcontext) -> None:
        """``write_guard`` is held only while the output folder is updated: serve passes its
        lock, so readers get the last complete site during the rest of the build."""
        self.options = options
        self.write_guard = write_guard
        self.course_dir = options.course_dir.resolve()
        folder = course_cache_dir(self.course_dir) if options.disk_cache else None
        self.cache = RenderCache(folder)
        self.page_cache = PageCache()
        self._bib: tuple[tuple[object, ...], Bibliography, list[Diagnostic]] | None = None
        self._env: tuple[tuple[str, ...], jinja2.Environment] | None = None
        self.writer = IncrementalWriter(options.out_dir) if options.incremental else None
        self._pages: dict[Path, tuple[tuple[int, int], course_mod.Page | None, list[Diagnostic]]] = {}

    def build(self) -> BuildResult:
        start = time.perf_counter()
        result = BuildResult()
        try:
            self._run(result)
        except TemplateFailure as exc:
            result.diagnostics.append(exc.diagnostic)
        except SearchIndexFailed as exc:
            result.diagnostics.append(Diagnostic(".", 0, 0, Severity.ERROR, "search", str(exc)))
        except OSError as exc:  # unreadable folders, a full disk: name the path, no traceback
            where = exc.filename or "."
            try:
                where = Path(where).resolve().relative_to(self.course_dir).as_posix()
            except ValueError:
                pass
            result.diagnostics.append(Diagnostic(str(where), 0, 0, Severity.ERROR, "io",
                                                 exc.strerror or str(exc)))
        except assets.AssetsMissing as exc:
            result.diagnostics.append(Diagnostic(".", 0, 0, Severity.ERROR, "assets", str(exc)))
            result.usage_error = True
        result.diagnostics.sort(key=sort_key)
        result.seconds = time.perf_counter() - start
        return result

    def _run(self, result: BuildResult) -> None:
        """The stages in order; each adds its diagnostics to ``result``."""
        config = self._configure(result)
        if config is None:
            return
        course, bib, glossary = self._model(config, result)
        everything = course.topics + course.pages + ([course.home] if course.home else [])
        bodies = self._render(everything, bib, glossary, config, result)
        theme = assets.theme_dir()
        files = asset_files(self.course_dir, theme, course.topics)
        # serve sends no-store and swaps stylesheets itself: a fixed id there keeps a
        # CSS edit from re-rendering every page.
        build_id = "serve" if self.options.incremental else _assets_id(files, config)
        data = SiteData(course, bodies, glossary, bib, build_id)
        outputs, result.templated = render_pages(data, self._environment(theme), self.page_cache)
        result.diagnostics += _check_all_links(glossary, everything, bodies, set(files) | set(outputs),
                                               self.options.strict, outputs)
        result.pages = sum(1 for p in outputs if p.endswith(".html"))
        result.outputs = outputs
        if not _failed(result, self.options.strict):
            self._write({**files, **outputs}, config, result)

    def _configure(self, result: BuildResult) -> CourseConfig | None:
        """course.yml and the output folder: problems here stop the build (exit 2)."""
        config, config_diags = load_config(self.course_dir, self.options.base_url)
        result.diagnostics += config_diags
        if any(d.severity is Severity.ERROR for d in config_diags):
            result.usage_error = True
            return None
        try:
            check_output_dir(self.options.out_dir, self.course_dir, config.content_dir)
        except OutputRefused as exc:
            result.diagnostics.append(Diagnostic("", 0, 0, Severity.ERROR, "output", str(exc)))
            result.usage_error = True
            return None
        recover(self.options.out_dir.resolve())  # a build killed mid-swap, leftovers of dead builds
        return config

    def _model(self, config: CourseConfig, result: BuildResult
               ) -> tuple[course_mod.Course, Bibliography, dict[str, structure.GlossaryItem]]:
        """Discover, front matter, bibliography, learning path and the structure checks."""
        found = discover(self.course_dir, config.content_dir)
        result.diagnostics += found.diagnostics
        for folder in ("static", "templates"):  # their readers skip these links (confine.py)
            result.diagnostics += confine.links_out(self.course_dir, self.course_dir / folder)
        pages = self._read_pages(found.pages, result)
        bib, bib_diags = self._bibliography(config.bibliography)
        result.diagnostics += bib_diags
        course = course_mod.assemble(config, self.course_dir, found, pages)
        result.diagnostics += structure.check_order(course)
        result.diagnostics += structure.check_prerequisites(course)
        glossary, gloss_diags = structure.collect_glossary(course)
        result.diagnostics += gloss_diags
        return course, bib, glossary

    def _render(self, pages: list[course_mod.Page], bib: Bibliography,
                glossary: dict[str, structure.GlossaryItem], config: CourseConfig,
                result: BuildResult) -> dict[str, RenderedBody]:
        """Every page body (parallel, cached by content hash)."""
        settings = RenderSettings(config.citation_style, config.glossary_autolink,
                                  {k: item.term for k, item in glossary.items()})
        misses = self.cache.misses
        bodies = render_all(pages, bib, settings, self.cache, self.options.jobs)
        result.rendered = self.cache.misses - misses
        for page in pages:
            result.diagnostics += bodies[page.rel].diagnostics
        result.diagnostics += _uncited(bib, bodies)
        return bodies

    def _environment(self, theme: Path) -> jinja2.Environment:
        # Reuse compiled templates (Jinja reloads an edited one itself); a new or removed
        # course override changes which file a name means, so that needs a fresh loader.
        overrides = course_template_names(self.course_dir)
        if self._env is None or self._env[0] != overrides:
            self._env = (overrides, environment(self.course_dir, theme))
        return self._env[1]

    def _write(self, files: dict[str, Content], config: CourseConfig, result: BuildResult) -> None:
        if self.writer is not None:
            with self.write_guard():
                result.changed = self.writer.update(files, config.base_url)
        else:
            indexer = index_site if self.options.search else None
            write_site(self.options.out_dir, files, config.base_url, before_swap=indexer)
            result.changed = sorted(files)
            self.cache.prune_disk(set(self.cache.memory))
        result.written = True

    def _bibliography(self, rel: str) -> tuple[Bibliography, list[Diagnostic]]:
        """The .bib file, parsed again only when its size or mtime changed."""
        path = self.course_dir / rel
        if path.exists() and not confine.inside(path, self.course_dir):
            return Bibliography(rel), [confine.outside_warning(path, self.course_dir)]
        try:
            stat = path.stat()
            stamp: tuple[object, ...] = (rel, stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = (rel, None)
        if self._bib is None or self._bib[0] != stamp:
            self._bib = (stamp, *load_bibliography(self.course_dir, rel))
        return self._bib[1], list(self._bib[2])

    def _read_pages(self, sources: tuple[SourcePage, ...], result: BuildResult) -> list[course_mod.Page]:
        """Front matter of every file, re-read only when its size or mtime changed."""
        pages = []
        for source in sources:
            try:
                stat = source.path.stat()
            except OSError as exc:
                result.diagnostics.append(Diagnostic(source.rel, 0, 0, Severity.ERROR, "read",
                                                     f"cannot read file: {exc.strerror or exc}"))
                continue
            stamp = (stat.st_mtime_ns, stat.st_size)
            cached = self._pages.get(source.path)
            if cached is None or cached[0] != stamp or (cached[1] and cached[1].source != source):
                page, diags = course_mod.read_page(source, self.course_dir)
                cached = (stamp, page, diags)
                self._pages[source.path] = cached
            result.diagnostics += cached[2]
            if cached[1] is not None:
                pages.append(cached[1])
        return pages


def _failed(result: BuildResult, strict: bool) -> bool:
    return result.errors > 0 or (strict and result.warnings > 0)


def _uncited(bib: Bibliography, bodies: dict) -> list[Diagnostic]:
    cited = {k for body in bodies.values() for k in body.cited}
    unused = [k for k in bib.keys() if k not in cited]
    if not unused:
        return []
    shown = ", ".join(unused[:8]) + (f" and {len(unused) - 8} more" if len(unused) > 8 else "")
    are = "entry is" if len(unused) == 1 else "entries are"
    return [info(bib.path, 0, 0, "bib-uncited", f"{len(unused)} {are} not cited by any page: {shown}")]


def _check_all_links(glossary: dict[str, structure.GlossaryItem], pages: list[course_mod.Page], bodies: dict,
                     files: set[str], strict: bool, outputs: dict[str, bytes]) -> list[Diagnostic]:
    ids = {page.output: bodies[page.rel].ids for page in pages}
    ids["glossary/index.html"] = frozenset(item.term.anchor for item in glossary.values())
    anchors = links.Anchors(ids, outputs)
    diags: list[Diagnostic] = []
    for page in pages:
        diags += links.check_links(page.rel, page.url, bodies[page.rel].links, files, anchors, strict)
    return diags


def _assets_id(files: dict, config: CourseConfig) -> str:
    """Changes when a stylesheet, script or setting changes (cache-busting ``?v=``), and
    not when a page's text does, so an edit re-renders only the pages it affects."""
    digest = hashlib.blake2b(repr(config).encode(), digest_size=6)
    for rel in sorted(files):
        if rel.endswith((".css", ".js")):
            content = files[rel]
            if isinstance(content, Path):
                stat = content.stat()
                digest.update(f"{rel}|{stat.st_mtime_ns}|{stat.st_size}".encode())
            else:
                digest.update(rel.encode() + content)
    return digest.hexdigest()
