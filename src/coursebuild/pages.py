"""Render every page body, in parallel and from a content-hash cache.

A page's rendered body depends only on its own file, the glossary, the
citation settings and the bibliography entries it looked up, so the result
can be reused whenever those are unchanged: in ``serve`` (memory) and across
``build`` runs (JSON in the user's cache folder, see :mod:`diskcache`).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Generator, Iterator, Mapping

from . import __version__
from .bibliography import Bibliography
from .course import Page
from .diskcache import DiskStore, Entry
from .markdown.render import RenderedBody, render_body
from .markdown.state import GlossaryTerm

LEGACY_CACHE_DIR = ".coursebuild-cache"
"""Where versions before 0.2 kept (pickled) renders inside the course: never read now."""
PARALLEL_THRESHOLD = 48  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class RenderSettings:
    citation_style: str
    glossary_autolink: bool
    glossary: Mapping[str, GlossaryTerm]
    solutions: str = "show"
    smart_punctuation: bool = True
    math_macros: tuple[tuple[str, str], ...] = ()

    def fingerprint(self) -> str:
        terms = sorted((k, t.term, t.anchor, t.definition) for k, t in self.glossary.items())
        raw = repr((code_fingerprint(), self.citation_style, self.glossary_autolink, terms, self.solutions,
                    self.smart_punctuation, self.math_macros))
        return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


@dataclass
class RenderCache:
    """Rendered bodies by key, in memory and optionally on disk (data only)."""

    folder: Path | None = None
    memory: dict[str, Entry] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    used: set[str] = field(default_factory=set)
    """Keys of bodies let go by :meth:`forget_bodies` (still in use by this build)."""

    def __post_init__(self) -> None:
        self._disk = DiskStore(self.folder) if self.folder is not None else None

    def get(self, key: str, bib: Bibliography) -> RenderedBody | None:
        item = self.memory.get(key)
        if item is None and self._disk is not None:
            item = self._disk.load(key)
        if item is None or not _bib_unchanged(item[1], bib):
            return None
        self.memory[key] = item
        return item[0]

    def put(self, key: str, body: RenderedBody, bib: Bibliography) -> None:
        item = (body, _bib_fingerprint(body, bib))
        self.memory[key] = item
        if self._disk is not None:
            self._disk.store(key, item)

    def retain(self, keys: set[str]) -> None:
        """Forget renders no page uses any more (serve edits would otherwise pile up)."""
        for stale in set(self.memory) - keys:
            del self.memory[stale]

    def forget_bodies(self) -> None:
        """Let go of the bodies kept in memory, remembering their keys: a one-off build
        holds its bodies itself (and turns them into finished copies), and a second
        reference would keep every original alive until the end."""
        self.used |= set(self.memory)
        self.memory.clear()

    def in_use(self) -> set[str]:
        return self.used | set(self.memory)

    def prune_disk(self, keys: set[str]) -> int:
        """Delete cache files of renders no page uses any more; returns how many."""
        return self._disk.prune(keys) if self._disk is not None else 0


def _bib_fingerprint(body: RenderedBody, bib: Bibliography) -> tuple[tuple[str, str], ...]:
    """Digests of every key the page asked for (missing keys too: adding one must re-render)."""
    asked = set(body.cited) | {_missing_key(d.message) for d in body.diagnostics if d.rule == "citation-key"}
    return tuple(sorted((k, bib.digest(k) if bib.get(k) else "") for k in asked if k))


def _missing_key(message: str) -> str:
    return message.split("'")[1] if message.count("'") >= 2 else ""


def _bib_unchanged(fingerprint: tuple[tuple[str, str], ...], bib: Bibliography) -> bool:
    return all((bib.digest(k) if bib.get(k) else "") == digest for k, digest in fingerprint)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of coursebuild's own source: a new version never reuses old renders."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(page: Page, settings_fp: str) -> str:
    raw = f"{page.digest}|{page.rel}|{settings_fp}"
    return hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()


# Worker-process globals, set once per worker by the pool initializer so the
# bibliography and glossary are not pickled again for every page.
_WORKER: dict[str, object] = {}


SPILLED = "\0in the render cache"
"""The HTML of a body a worker wrote to the disk cache instead of sending it back (no
page's HTML can hold a NUL: control characters are dropped from every source)."""


def _init_worker(bib: Bibliography, settings: RenderSettings, folder: Path | None) -> None:
    _WORKER["bib"], _WORKER["settings"] = bib, settings
    _WORKER["store"] = DiskStore(folder) if folder is not None else None


def _warm_up() -> None:
    """Start KaTeX (V8) in an early worker while the build reads the course."""
    from .markdown.katex_engine import engine

    engine()


class EarlyPool:
    """Render workers started before the course is read, for a build that will render
    many bodies (an empty render cache): a worker's start (a new interpreter, the imports,
    V8 with KaTeX: about 0.3 s) then overlaps with reading the course instead of following
    it. The bibliography and settings are not known yet when the workers start: they go
    to a private file, which each worker reads with its first page."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.folder = Path(tempfile.mkdtemp(prefix="coursebuild-render-"))  # mode 0700
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        try:
            for _ in range(workers):  # one task each: a spawning pool starts a worker per task
                self.pool.submit(_warm_up)
        except BaseException:
            self.close()
            raise

    def give(self, bib: Bibliography, settings: RenderSettings, folder: Path | None) -> str | None:
        """Where the workers find the setup of this build's pages; None when it cannot be
        written (then these workers are not used: a full temporary folder must not fail a
        build that can start its workers the usual way)."""
        path = self.folder / "setup"
        try:
            # Our own data for our own workers, gone with the build: not a cache.
            path.write_bytes(pickle.dumps((bib, settings, folder), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            return None
        return str(path)

    def close(self, wait: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def cache_is_empty(folder: Path | None) -> bool:
    """No rendered body on disk yet: the next build renders every page."""
    if folder is None:
        return True
    try:
        return not any(entry.is_dir() and len(entry.name) == 2 for entry in os.scandir(folder))
    except OSError:
        return True


def _render_in_worker(job: tuple[str, str, int, str, str]) -> RenderedBody:
    """Render one body. With a disk cache, the worker stores it there itself and sends
    back the body without its HTML, which the build process reads from the cache once
    the workers have ended: the build then never holds every page's HTML while the
    workers still hold their memory (at 1,000 topics that overlap was the build's peak)."""
    rel, source, line, key, setup = job
    if setup and _WORKER.get("setup") != setup:  # an early worker's first page (EarlyPool)
        with open(setup, "rb") as handle:
            _init_worker(*pickle.load(handle))
        _WORKER["setup"] = setup
    bib: Bibliography = _WORKER["bib"]  # type: ignore[assignment]
    body = _render(rel, source, line, bib, _WORKER["settings"])  # type: ignore[arg-type]
    store = _WORKER["store"]
    if isinstance(store, DiskStore) and store.store(key, (body, _bib_fingerprint(body, bib))):
        return replace(body, html=SPILLED)
    return body


def _render(rel: str, body: str, line: int, bib: Bibliography, settings: RenderSettings) -> RenderedBody:
    return render_body(rel, body, line, bib, settings.citation_style, settings.glossary,
                       settings.glossary_autolink, settings.solutions, settings.smart_punctuation,
                       settings.math_macros)


def render_all(pages: list[Page], bib: Bibliography, settings: RenderSettings,
               cache: RenderCache, jobs: int | None = None,
               progress: Callable[[int, int], None] | None = None,
               early: EarlyPool | None = None) -> dict[str, RenderedBody]:
    """Rendered body of every page, by the page's source path; ``progress(done, total)``
    is told of each page rendered. ``early``: workers already started (then used whatever
    the number of pages to render)."""
    fp = settings.fingerprint()
    results: dict[str, RenderedBody] = {}
    todo: list[tuple[Page, str]] = []
    keys: set[str] = set()
    for page in pages:
        key = cache_key(page, fp)
        keys.add(key)
        hit = cache.get(key, bib)
        if hit is not None:
            cache.hits += 1
            results[page.rel] = hit
        else:
            cache.misses += 1
            todo.append((page, key))
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    setup = early.give(bib, settings, cache.folder) if early is not None and todo else None
    if early is not None and setup is None:
        early.close()
        early = None
    if early is not None and setup is not None:
        rendered = _render_in(early.pool, todo, early.workers, setup)
    elif len(todo) >= PARALLEL_THRESHOLD and workers > 1:
        rendered = _render_parallel(todo, bib, settings, workers, cache.folder)
    else:
        rendered = (_render(p.rel, p.body, p.body_line, bib, settings) for p, _ in todo)
    spilled: list[tuple[Page, str]] = []
    finished = False
    try:
        for done, ((page, key), body) in enumerate(zip(todo, rendered), 1):
            if body.html == SPILLED:
                spilled.append((page, key))
            else:
                cache.put(key, body, bib)
                results[page.rel] = body
            if progress is not None:
                progress(done, len(todo))
        # The workers end before their bodies are read back from the cache: at 1,000 topics
        # they hold ≈280 MB. (zip stops at the last page without resuming the generator, whose
        # pool would otherwise live on until the generator is collected.)
        if isinstance(rendered, Generator):
            rendered.close()
        finished = True
    finally:
        if early is not None:  # waited for after the last page; not after a failure
            early.close(wait=finished)
    for page, key in spilled:  # the workers have ended: read back what they stored
        stored = cache.get(key, bib)
        if stored is None:  # gone meanwhile (another build pruned it): render it here
            stored = _render(page.rel, page.body, page.body_line, bib, settings)
            cache.put(key, stored, bib)
        results[page.rel] = stored
    cache.retain(keys)
    return {page.rel: results[page.rel] for page in pages}  # in the pages' order, as before


def _render_parallel(todo: list[tuple[Page, str]], bib: Bibliography, settings: RenderSettings,
                     workers: int, folder: Path | None) -> Iterator[RenderedBody]:
    # Workers are started fresh ("spawn"), never forked: a forked copy of a process
    # whose V8 (KaTeX) threads are running cannot start V8 again.
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(bib, settings, folder),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from _render_in(pool, todo, workers)


def _render_in(pool: ProcessPoolExecutor, todo: list[tuple[Page, str]], workers: int,
               setup: str = "") -> Iterator[RenderedBody]:
    jobs = [(p.rel, p.body, p.body_line, key, setup) for p, key in todo]
    chunk = max(1, len(jobs) // (workers * 4))
    try:
        yield from pool.map(_render_in_worker, jobs, chunksize=chunk)
    except GeneratorExit:  # closed after the last page: the pool's owner waits for its workers
        raise
    except BaseException:  # Ctrl-C or SIGTERM: stop now, not after rendering every queued page
        pool.shutdown(wait=False, cancel_futures=True)
        raise
