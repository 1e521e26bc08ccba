"""Watch the course's sources with watchfiles and report changed paths.

Two loops, because watchfiles' ``recursive`` applies to all paths of one
watch: the content, templates/ and static/ folders recursively, and the
course folder itself flat (course.yml, the .bib, and the creation of a
templates/ or static/ folder). Watching the whole course folder recursively
would also register every folder of ``node_modules/`` or ``.venv/`` when the
course lives in a repository, as the real one does.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from typing import Callable, Iterable

import watchfiles

from ..config import CONFIG_FILE, load_config
from ..pages import LEGACY_CACHE_DIR

DEBOUNCE_MS = 30
"""Upper bound on grouping a burst of changes (watchfiles' default is 1600)."""
STEP_MS = 10
"""A batch is delivered once no new change came for this long (default 50)."""
RETRY_SECONDS = 1.0
"""Wait before watching again after the file system refused (e.g. a folder vanished)."""

OnChange = Callable[[set[str]], None]


class _Loop:
    """One ``watchfiles.watch`` in a thread, restarted whenever its paths change."""

    def __init__(self, name: str, paths: Callable[[], list[Path]], recursive: bool,
                 accept: Callable[[watchfiles.Change, str], bool],
                 deliver: Callable[[set[tuple[watchfiles.Change, str]]], None]) -> None:
        self._paths, self._recursive, self._accept, self._deliver = paths, recursive, accept, deliver
        self._stopped = False
        self._session = threading.Event()
        self._last_problem = ""
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def restart(self) -> None:
        """Watch again with freshly computed paths."""
        self._session.set()

    def stop(self) -> None:
        self._stopped = True
        self._session.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)

    def _run(self) -> None:
        while not self._stopped:
            self._session = session = threading.Event()
            if self._stopped:  # stop() may have set the previous event just now
                return
            paths = [p for p in self._paths() if p.exists()]
            if not paths:
                session.wait()
                continue
            try:
                self._watch(paths, session)
            except (OSError, RuntimeError) as exc:  # a folder deleted under us, inotify limits
                self._problem(f"{type(exc).__name__}: {exc}")
                session.wait(RETRY_SECONDS)

    def _watch(self, paths: list[Path], session: threading.Event) -> None:
        for changes in watchfiles.watch(*paths, watch_filter=self._accept, debounce=DEBOUNCE_MS,
                                        step=STEP_MS, stop_event=session, recursive=self._recursive,
                                        raise_interrupt=False, ignore_permission_denied=True):
            self._last_problem = ""
            self._deliver(changes)

    def _problem(self, message: str) -> None:
        if message != self._last_problem:
            print(f"coursebuild: warning: watching for changes failed, retrying: {message}",
                  file=sys.stderr, flush=True)
        self._last_problem = message


class CourseWatcher:
    """Calls ``on_change(paths)`` (relative to the course folder) after each batch of edits."""

    def __init__(self, course_dir: Path, out_dir: Path, on_change: OnChange,
                 base_url: str | None = None) -> None:
        self.course_dir = course_dir.resolve()
        self._on_change = on_change
        self._base_url = base_url
        self._ignored = [out_dir.resolve(), self.course_dir / LEGACY_CACHE_DIR]
        self._default = watchfiles.DefaultFilter()
        # watchfiles logs every batch at INFO; our own summary line says more.
        logging.getLogger("watchfiles").setLevel(logging.WARNING)
        self._lock = threading.Lock()
        self._trees: list[Path] = []
        self._flat_files: set[Path] = set()
        self._flat_dirs: list[Path] = []
        self._locate_sources()
        self._tree_loop = _Loop("coursebuild-watch-tree", lambda: list(self._trees), True,
                                self._accept_tree, self._tree_changed)
        self._flat_loop = _Loop("coursebuild-watch-course", lambda: list(self._flat_dirs), False,
                                self._accept_flat, self._flat_changed)

    def start(self) -> None:
        self._tree_loop.start()
        self._flat_loop.start()

    def stop(self) -> None:
        self._tree_loop.stop()
        self._flat_loop.stop()

    def _locate_sources(self) -> bool:
        """Recompute what to watch from course.yml; True when it changed."""
        config, _ = load_config(self.course_dir, self._base_url)
        course = self.course_dir
        trees = [course / config.content_dir, course / "templates", course / "static"]
        # "../refs.bib" as events name it
        bibs = [Path(os.path.normpath(course / rel)) for rel in config.bibliography]
        if config.citation_style.endswith(".csl"):  # a course's own CSL style file
            bibs.append(Path(os.path.normpath(course / config.citation_style)))
        flat_dirs = list(dict.fromkeys([course, *(bib.parent for bib in bibs)]))
        flat_files = {course / CONFIG_FILE, *bibs, *trees}
        with self._lock:
            changed = (trees, flat_dirs, flat_files) != (self._trees, self._flat_dirs, self._flat_files)
            self._trees, self._flat_dirs, self._flat_files = trees, flat_dirs, flat_files
        return changed

    def _ignored_path(self, path: Path) -> bool:
        return any(path == folder or path.is_relative_to(folder) for folder in self._ignored)

    def _accept_tree(self, change: watchfiles.Change, path: str) -> bool:
        # Dot files never reach the site (discover and the asset copy skip
        # them), and editors and atomic writers create many: no rebuild.
        where = Path(path)
        if not self._default(change, path) or self._ignored_path(where):
            return False
        parts = where.relative_to(self.course_dir).parts if where.is_relative_to(self.course_dir) else ()
        return not any(part.startswith(".") for part in parts)

    def _accept_flat(self, change: watchfiles.Change, path: str) -> bool:
        with self._lock:
            return Path(path) in self._flat_files

    def _tree_changed(self, changes: set[tuple[watchfiles.Change, str]]) -> None:
        self._on_change(self._relative(path for _, path in changes))

    def _flat_changed(self, changes: set[tuple[watchfiles.Change, str]]) -> None:
        # course.yml may have moved the content or the .bib; a folder may have
        # appeared or vanished. Re-aim both loops when what to watch changed.
        paths = {Path(path) for _, path in changes}
        if self._locate_sources() or any(p in self._trees for p in paths):
            self._tree_loop.restart()
            self._flat_loop.restart()
        self._on_change(self._relative(str(p) for p in paths))

    def _relative(self, paths: Iterable[str]) -> set[str]:
        out = set()
        for raw in paths:
            path = Path(raw)
            try:
                out.add(path.relative_to(self.course_dir).as_posix())
            except ValueError:
                out.add(raw)
        return out
