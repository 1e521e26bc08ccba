"""The serve session: the builder, the site's lock, its status and its events."""

from __future__ import annotations

import secrets
import sys
import threading
from typing import Any, Iterable, TextIO

from ..config import load_config
from ..diagnostics import Diagnostic, Severity
from ..pipeline import BuildOptions, BuildResult, Builder
from .events import EventBroker
from .indexer import SearchIndexer
from .paths import ENDPOINT_DIR
from .rwlock import ReadWriteLock

SHOWN_SOURCES = 3
"""How many changed source files the one-line rebuild summary names."""


def error_record(diag: Diagnostic) -> dict[str, Any]:
    """A diagnostic as the overlay shows it: ``path:line`` and the message."""
    location = diag.path or "."
    if diag.line:
        location += f":{diag.line}"
    return {"location": location, "message": diag.message, "path": diag.path, "line": diag.line,
            "col": diag.col, "severity": diag.severity.value, "rule": diag.rule, "text": diag.format()}


class ServeSession:
    """Owns the Builder; rebuilds (holding the write lock only while files are put in place)
    and tells the pages."""

    def __init__(self, options: BuildOptions, log: TextIO | None = None) -> None:
        self.lock = ReadWriteLock()
        # Readers wait only while changed files are put in place, not for the whole build.
        self.builder = Builder(options, write_guard=self.lock.write)
        self.options = options
        self.root = options.out_dir.resolve()
        self.broker = EventBroker()
        self.log = log or sys.stderr
        self.base_url = "/"
        self.indexer = SearchIndexer(self.root, self.log, self.lock.write) if options.search else None
        self.ok = False
        self.ever_built = False
        """True once a build succeeded: until then every path shows the errors."""
        self.errors: list[dict[str, Any]] = []
        self._token = secrets.token_hex(4)  # a restarted server never reuses build ids
        self._generation = 0
        self._reported: set[Diagnostic] = set()
        self._state_lock = threading.Lock()
        self._read_base_url()

    @property
    def build_id(self) -> str:
        """Changes whenever the pages should reload (or swap their CSS)."""
        return f"{self._token}-{self._generation}"

    @property
    def endpoint(self) -> str:
        """Where the injected script finds the event stream and the status."""
        return f"{self.base_url}{ENDPOINT_DIR}/"

    def status(self) -> dict[str, Any]:
        """The JSON answer of ``/__coursebuild/status``."""
        with self._state_lock:
            return {"ok": self.ok, "build": self.build_id, "built": self.ever_built,
                    "errors": list(self.errors), "clients": self.broker.count}

    def initial_build(self) -> BuildResult:
        """The first build; the caller reports it like ``coursebuild build`` does."""
        result = self.builder.build()  # until it is done, every request gets the "building" page
        self._apply(result)
        self._reported = set(result.diagnostics)
        return result

    def rebuild(self, sources: frozenset[str]) -> None:
        """Scheduler callback: build, print one summary line, notify the pages.

        Requests keep being answered from the last complete site while this builds;
        the builder takes the write lock only to update the output folder."""
        result = self.builder.build()
        event = self._apply(result)
        self._print(result, sources)
        if event == "errors":
            self.broker.publish("errors", {"errors": self.errors})
        elif event is not None:
            self.broker.publish(event, {"build": self.build_id})

    def _apply(self, result: BuildResult) -> str | None:
        """Update the status; return the event to send."""
        if self.indexer is not None and result.written and any(p.endswith(".html") for p in result.changed):
            self.indexer.request()
        with self._state_lock:
            if not result.written:
                self.ok = False
                self.errors = [error_record(d) for d in result.diagnostics if d.severity is Severity.ERROR]
                return "errors"
            was_ok, self.ok, self.errors = self.ok, True, []
            self.ever_built = True
            self._read_base_url()
            event = "reload" if not was_ok else classify(result.changed)
            if event is not None:
                self._generation += 1
            return event

    def _read_base_url(self) -> None:
        # course.yml may change base_url while serving; a broken one keeps the old value.
        config, diags = load_config(self.builder.course_dir, self.options.base_url)
        if not any(d.severity is Severity.ERROR for d in diags):
            self.base_url = config.base_url

    def _print(self, result: BuildResult, sources: frozenset[str]) -> None:
        # Errors every time (they block the site); warnings only when new, so a
        # course with known warnings does not flood the terminal on every save.
        for diag in result.diagnostics:
            new = diag not in self._reported
            if diag.severity is Severity.ERROR or (diag.severity is Severity.WARNING and new):
                print(diag.format(), file=self.log)
        self._reported = set(result.diagnostics)
        print(summary_line(result, sources), file=self.log, flush=True)


def classify(changed: list[str]) -> str | None:
    """``css`` when only stylesheets changed, None when nothing did, else ``reload``."""
    if not changed:
        return None
    return "css" if all(path.endswith(".css") for path in changed) else "reload"


def summary_line(result: BuildResult, sources: Iterable[str]) -> str:
    """E.g. ``rebuilt in 38 ms: 1 page (content/topics/x/index.md)``."""
    ms = round(result.seconds * 1000)
    cause = _sources(sources)
    if not result.written:
        errors = result.errors
        return f"build failed in {ms} ms: {_noun(errors, 'error')}, the served site is unchanged{cause}"
    changed = result.changed
    pages = sum(1 for path in changed if path.endswith(".html"))
    parts = [_noun(pages, "page")] if pages else []
    if len(changed) > pages:
        parts.append(_noun(len(changed) - pages, "other file"))
    return f"rebuilt in {ms} ms: {', '.join(parts) or 'no changes'}{cause}"


def _sources(sources: Iterable[str]) -> str:
    names = sorted(sources)
    if not names:
        return ""
    shown = ", ".join(names[:SHOWN_SOURCES])
    if len(names) > SHOWN_SOURCES:
        shown += f" and {len(names) - SHOWN_SOURCES} more"
    return f" ({shown})"


def _noun(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"

