"""Keep the preview's search index current, in the background.

Indexing takes longer than a rebuild, so it runs on its own thread after
rebuilds that changed pages; requests during a burst of edits coalesce into
one more run.
"""

from __future__ import annotations

import sys
import threading
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, ContextManager, TextIO

from ..search import SearchIndexFailed, index_in_place


class SearchIndexer:
    def __init__(self, site_dir: Path, log: TextIO | None = None,
                 swap_guard: Callable[[], ContextManager[object]] = nullcontext) -> None:
        self.site_dir = site_dir
        self.swap_guard = swap_guard
        self.log = log or sys.stderr
        self._wanted = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="coursebuild-search", daemon=True)
        self.runs = 0

    def start(self) -> None:
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            if self._stopped.is_set():
                return
            self._wanted.clear()
            try:
                index_in_place(self.site_dir, self.swap_guard)
                self.runs += 1
            except (SearchIndexFailed, OSError) as exc:
                print(f"coursebuild: warning: search index not updated: {exc}", file=self.log, flush=True)
