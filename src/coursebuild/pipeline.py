"""The build pipeline, read top to bottom:

config → discover → front matter → course model and structure checks →
render page bodies (parallel, cached) → resolve links across pages →
templates → atomic write (+ search index).

``build`` and ``serve`` both call :meth:`Builder.build`; a Builder keeps its
caches between calls, which is what makes serve's rebuilds incremental. What a
build is asked and what it returns are plain data in :mod:`coursebuild.buildtypes`.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable, ContextManager

import jinja2

from . import assets, confine, course as course_mod, links, structure, uptodate, xrefs
from .bib import load_all
from .bib.citing import check_style, cited_keys, citation_mode, style_stamp as _style_stamp
from .bib.styles import apply_style
from .bibliography import Bibliography
from .config import CITATION_STYLES, CourseConfig, load_config
from .diagnostics import Diagnostic, Severity, info, sort_key
from .images import ImageSizes
from .postprocess import finish_bodies
from .discover import SourcePage, discover
from .diskcache import course_cache_dir
from .macros import load_macros
from .memory import give_back_memory
from .markdown.render import RenderedBody
from .output import portable
from .outputs import PageCache, asset_files, course_template_names, render_pages, site_url_note
from .pages import PARALLEL_THRESHOLD, EarlyPool, RenderCache, RenderSettings, cache_is_empty, render_all
from .buildtypes import BuildOptions, BuildResult
from .pagestore import PageStore
from .fmstore import FrontMatterStore
from .frontmatter import parse as parse_header
from .search import SearchIndexFailed, index_or_reuse, pages_digest
from .site import SiteData, TemplateFailure, environment
from .swap import recover
from .write import Content, IncrementalWriter, OutputRefused, check_output_dir, write_site

__all__ = ["BuildOptions", "BuildResult", "Builder"]


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
        self._styled_bib: tuple[tuple[object, ...], Bibliography, Bibliography] | None = None
        self._env: tuple[tuple[str, ...], jinja2.Environment] | None = None
        self.writer = IncrementalWriter(options.out_dir) if options.incremental else None
        self._pages: dict[Path, tuple[tuple[int, int], course_mod.Page | None, list[Diagnostic]]] = {}
        self.image_sizes = ImageSizes()

    def build(self) -> BuildResult:
        start = time.perf_counter()
        result = BuildResult()
        self._inputs: str | None = None  # what uptodate.py records once this build has written
        self._early: EarlyPool | None = None
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
        finally:
            if self._early is not None:  # the build stopped before rendering
                self._early.close()
        result.diagnostics.sort(key=sort_key)
        if self._inputs is not None and result.written:
            uptodate.remember(course_cache_dir(self.course_dir), self._inputs, self.options.out_dir.resolve(), result)
        result.seconds = time.perf_counter() - start
        return result

    def _run(self, result: BuildResult) -> None:
        """The stages in order; each adds its diagnostics to ``result``."""
        config = self._configure(result)
        if config is None:
            return
        if self._kept(result):
            return
        self._tell("reading pages")
        course, bib, glossary = self._model(config, result)
        everything = course.topics + course.pages + ([course.home] if course.home else [])
        bodies = self._render(everything, bib, glossary, config, result)
        bodies, xref_diags = xrefs.resolve(everything, bodies)  # after all pages: labels cross pages
        result.diagnostics += xref_diags
        theme = assets.theme_dir()
        files = asset_files(self.course_dir, theme, course.topics)
        # Image sizes come from the files, not the Markdown: after the render cache.
        bodies = finish_bodies(bodies, {p.rel: p.url for p in everything}, files, self.image_sizes)
        # serve sends no-store and swaps stylesheets itself: a fixed id there keeps a
        # CSS edit from re-rendering every page.
        build_id = "serve" if self.options.incremental else _assets_id(files, config)
        data = result.site = SiteData(course, bodies, glossary, bib, build_id, self._reuse_dir())
        # Only serve builds again in the same process: a one-off build would fingerprint
        # every page's context for a cache nobody reads.
        page_cache = self.page_cache if self.options.incremental else None
        store = self._page_store(config)
        outputs, result.templated = render_pages(data, self._environment(theme), page_cache,
                                                 self._counter("applying templates"), store,
                                                 drop_bodies=not self.options.keep_site)
        result.diagnostics += _check_all_links(glossary, everything, bodies, set(files) | set(outputs),
                                               self.options.strict, outputs)
        result.pages = sum(1 for p in outputs if p.endswith(".html"))
        result.outputs = outputs
        if not _failed(result, self.options.strict):
            site_files: dict[str, Content] = {**files, **outputs}
            if self._portable(config):
                site_files = portable.make_portable(site_files, config.title, config.author, self.options.search)
            release = (lambda: None) if self.options.keep_site else \
                lambda: self._release(everything, site_files, outputs, bodies)
            self._write(site_files, config, result, release, store)
            if store is not None:
                store.save()  # only now does the output hold what it records

    def _kept(self, result: BuildResult) -> bool:
        """Nothing the build reads changed since the last one (uptodate.py): output kept."""
        self._inputs, record = uptodate.check(self.options, self.course_dir, course_cache_dir(self.course_dir))
        if record is not None:
            uptodate.replay(record, result)
        return record is not None

    def _configure(self, result: BuildResult) -> CourseConfig | None:
        """course.yml and the output folder: problems here stop the build (exit 2)."""
        config, config_diags = load_config(self.course_dir, self.options.base_url)
        result.diagnostics += config_diags
        if any(d.severity is Severity.ERROR for d in config_diags):
            result.usage_error = True
            return None
        if self.options.solutions:
            config = dataclasses.replace(config, solutions=self.options.solutions)
        style_problem = check_style(config.citation_style, self.course_dir)
        if style_problem is not None:
            result.diagnostics.append(style_problem)
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
        self._early = self._early_workers(len(found.pages))
        for folder in ("static", "templates"):  # their readers skip these links (confine.py)
            result.diagnostics += confine.links_out(self.course_dir, self.course_dir / folder)
        pages = self._read_pages(found.pages, result)
        bib, bib_diags = self._bibliography(config.bibliography)
        result.diagnostics += bib_diags
        bib = self._styled(bib, config.citation_style, pages)
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
        macros, macro_diags = load_macros(self.course_dir)
        result.diagnostics += macro_diags
        settings = RenderSettings(citation_mode(config.citation_style, self.course_dir), config.glossary_autolink,
                                  {k: item.term for k, item in glossary.items()}, solutions=config.solutions,
                                  smart_punctuation=config.smart_punctuation, math_macros=macros)
        misses = self.cache.misses
        early, self._early = self._early, None
        bodies = render_all(pages, bib, settings, self.cache, self.options.jobs,
                            self._counter("rendering Markdown"), early)
        result.rendered = self.cache.misses - misses
        if not self.options.incremental:  # only serve renders again in this process
            self.cache.forget_bodies()
        for page in pages:
            result.diagnostics += bodies[page.rel].diagnostics
        result.diagnostics += _uncited(bib, bodies)
        return bodies

    def _early_workers(self, sources: int) -> EarlyPool | None:
        """Render workers started now, before the pages are read, when this build will
        render every body (the first one, with an empty render cache)."""
        workers = self.options.jobs if self.options.jobs is not None else (os.cpu_count() or 1)
        first = self.cache.hits + self.cache.misses == 0
        if workers < 2 or sources < PARALLEL_THRESHOLD or not first or not cache_is_empty(self.cache.folder):
            return None
        try:
            return EarlyPool(workers)
        except OSError:  # no temporary folder, no processes to spare: workers start later, as usual
            return None

    def _environment(self, theme: Path) -> jinja2.Environment:
        # Reuse compiled templates (Jinja reloads an edited one itself); a new or removed
        # course override changes which file a name means, so that needs a fresh loader.
        overrides = course_template_names(self.course_dir)
        if self._env is None or self._env[0] != overrides:
            self._env = (overrides, environment(self.course_dir, theme))
        return self._env[1]

    def _page_store(self, config: CourseConfig) -> PageStore | None:
        """A command-line build reads pages whose context did not change back from the
        previous output (serve keeps them in memory instead); not for a portable site,
        whose pages are rewritten after templating."""
        if self.options.incremental or not self.options.disk_cache or self._portable(config):
            return None
        return PageStore(course_cache_dir(self.course_dir), self.options.out_dir, config.base_url)

    def _portable(self, config: CourseConfig) -> bool:
        """``--portable``/``--zip``, or course.yml's ``portable`` (not under serve, which has a server)."""
        return self.options.portable or self.options.zip_path is not None or \
            (config.portable and not self.options.incremental)

    def _write(self, files: dict[str, Content], config: CourseConfig, result: BuildResult,
               release: Callable[[], None], store: PageStore | None = None) -> None:
        if self.writer is not None:
            with self.write_guard():
                result.changed = self.writer.update(files, config.base_url)
        else:
            relative = self._portable(config)
            self._tell("writing files")
            search = self.options.search and not relative
            known = store.digests() if store is not None else {}
            digest = pages_digest(files, config.base_url, known) if search else ""
            result.changed = sorted(files)
            indexer = self._search_indexer(digest, result, release) if search else None
            write_site(self.options.out_dir, files, "/" if relative else config.base_url, before_swap=indexer,
                       unchanged=store.same_as_previous() if store is not None else ())
            self.cache.prune_disk(self.cache.in_use())
            if self.options.zip_path is not None:
                portable.write_zip(self.options.out_dir, self.options.zip_path, portable.folder_name(config.title))
        result.written = True
        result.diagnostics += site_url_note(config)

    def _tell(self, stage: str, done: int = 0, total: int = 0) -> None:
        if self.options.progress is not None:
            self.options.progress(stage, done, total)

    def _counter(self, stage: str) -> Callable[[int, int], None] | None:
        if self.options.progress is None:
            return None
        return lambda done, total: self._tell(stage, done, total)

    def _search_indexer(self, digest: str, result: BuildResult, release: Callable[[], None]
                        ) -> Callable[[Path], None]:
        """Pagefind over the staged site, unless no page changed since the last build."""
        def indexer(site: Path) -> None:
            self._tell("building the search index")
            release()
            result.search_reused = index_or_reuse(site, self.options.out_dir, digest)
        return indexer

    @staticmethod
    def _release(pages: list[course_mod.Page], *held: dict[str, Any]) -> None:
        """Once the staging folder holds every page, ``coursebuild build`` needs neither the
        pages, their Markdown nor the rendered bodies any more: give their memory back before
        Pagefind starts, so the two processes' peaks do not add up (at 1,000 topics the pages
        and bodies are most of coursebuild's memory)."""
        for page in pages:
            page.let_go_of_body()
        for mapping in held:
            mapping.clear()
        gc.collect()
        give_back_memory()

    def _bibliography(self, files: tuple[str, ...]) -> tuple[Bibliography, list[Diagnostic]]:
        """The bibliography files, parsed again only when a size or mtime changed; a file
        that is a link leading out of the course is not read (a warning instead)."""
        stamp: list[object] = []
        outside: list[Diagnostic] = []
        readable: list[str] = []
        for rel in files:
            path = self.course_dir / rel
            if path.exists() and not confine.inside(path, self.course_dir):
                outside.append(confine.outside_warning(path, self.course_dir))
                continue
            readable.append(rel)
            try:
                stat = path.stat()
                stamp.append((rel, stat.st_mtime_ns, stat.st_size))
            except OSError:
                stamp.append((rel, None))
        if self._bib is None or self._bib[0] != tuple(stamp):
            self._bib = (tuple(stamp), *load_all(self.course_dir, tuple(readable)))
        return self._bib[1], outside + list(self._bib[2])
        return self._bib[1], list(self._bib[2])

    def _styled(self, bib: Bibliography, style: str, pages: list[course_mod.Page]) -> Bibliography:
        """``bib`` formatted by a CSL style (again only when the bibliography, the style or
        the set of cited keys changed), else as is."""
        if style in CITATION_STYLES:
            return bib
        keys = cited_keys(page.body for page in pages)
        stamp = (id(bib), style, _style_stamp(style, self.course_dir), keys)
        if self._styled_bib is None or self._styled_bib[0] != stamp:
            self._styled_bib = (stamp, apply_style(bib, style, self.course_dir, keys)[0], bib)
        return self._styled_bib[1]

    def _read_pages(self, sources: tuple[SourcePage, ...], result: BuildResult) -> list[course_mod.Page]:
        """Front matter of every file, re-read only when its size or mtime changed."""
        pages = []
        store = self._front_matter_store()
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
                page, diags = course_mod.read_page(source, self.course_dir, store.parse if store else parse_header)
                cached = (stamp, page, diags)
                self._pages[source.path] = cached
            result.diagnostics += cached[2]
            if cached[1] is not None:
                pages.append(cached[1])
        if store is not None:
            store.save()
        return pages

    def _reuse_dir(self) -> Path | None:
        """Where a command-line build keeps what the next one can reuse: checked headers
        (fmstore.py), the course map; serve keeps them in memory instead."""
        if self.options.incremental or not self.options.disk_cache:
            return None
        return course_cache_dir(self.course_dir)

    def _front_matter_store(self) -> FrontMatterStore | None:
        folder = self._reuse_dir()
        return FrontMatterStore(folder) if folder is not None else None


def _failed(result: BuildResult, strict: bool) -> bool:
    return result.errors > 0 or (strict and result.warnings > 0)


def _uncited(bib: Bibliography, bodies: dict) -> list[Diagnostic]:
    """One info line per bibliography file with entries no page cites."""
    cited = {k for body in bodies.values() for k in body.cited}
    by_file: dict[str, list[str]] = {}
    for key in bib.keys():
        if key not in cited:
            by_file.setdefault(bib.origin(key), []).append(key)
    diags = []
    for path, unused in by_file.items():
        shown = ", ".join(unused[:8]) + (f" and {len(unused) - 8} more" if len(unused) > 8 else "")
        are = "entry is" if len(unused) == 1 else "entries are"
        diags.append(info(path, 0, 0, "bib-uncited", f"{len(unused)} {are} not cited by any page: {shown}"))
    return diags


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
