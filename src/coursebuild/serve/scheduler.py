"""Coalesce change notifications into as few rebuilds as possible."""

from __future__ import annotations

import sys
import threading
from typing import Callable, Iterable

BuildFunction = Callable[[frozenset[str]], None]


class RebuildScheduler:
    """Run ``build(changed_paths)`` on a thread of its own, one build at a time.

    :meth:`request` only records the paths and sets a dirty flag; the thread
    checks the flag after every build. Any number of requests made while a
    build runs therefore cause exactly one more build, which sees all of them.
    """

    def __init__(self, build: BuildFunction, name: str = "coursebuild-rebuild") -> None:
        self._build = build
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._dirty = False
        self._busy = False
        self._stopped = False
        self.builds = 0
        """How many builds have run (tests and logging use it)."""
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self, paths: Iterable[str] = ()) -> None:
        """Ask for a rebuild because ``paths`` changed; returns at once."""
        with self._cond:
            self._pending.update(paths)
            self._dirty = True
            self._cond.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the running build (if any), then end the thread."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Block until no build is running or pending; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not (self._dirty or self._busy), timeout)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._dirty or self._stopped)
                if self._stopped:
                    return
                paths = frozenset(self._pending)
                self._pending.clear()
                self._dirty = False
                self._busy = True
            try:
                self._run(paths)
            finally:
                with self._cond:
                    self._busy = False
                    self.builds += 1
                    self._cond.notify_all()

    def _run(self, paths: frozenset[str]) -> None:
        try:
            self._build(paths)
        except Exception as exc:  # one broken rebuild must not end the watch loop
            print(f"coursebuild: rebuild failed unexpectedly: {type(exc).__name__}: {exc}",
                  file=sys.stderr, flush=True)
