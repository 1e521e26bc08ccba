"""Live build progress on a terminal: the stage and pages done out of the total.

Shown only on a terminal, only once a build has taken longer than
:data:`DELAY` seconds (a quick build prints nothing but its summary), and
redrawn at most every :data:`INTERVAL` seconds on one line that is cleared
before the diagnostics and the summary are printed.
"""

from __future__ import annotations

import os
import time
from typing import Callable, TextIO

DELAY = float(os.environ.get("COURSEBUILD_PROGRESS_DELAY", "1.0"))
"""Seconds before progress appears (the variable exists for the tests)."""
INTERVAL = 0.1

ProgressFn = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; ``total`` 0 means the stage has no count."""


class TerminalProgress:
    """A :data:`ProgressFn` that draws on ``stream`` (a terminal)."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.start = clock()
        self.last_draw = 0.0
        self.drawn = False
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        # A new stage and the end of one are always drawn; counts in between are throttled.
        news = stage != self.stage or (total and done >= total)
        self.stage = stage
        if now - self.start < DELAY or (now - self.last_draw < INTERVAL and not news):
            return
        self.last_draw = now
        text = f"{stage}: {done}/{total} pages" if total else f"{stage}…"
        self.stream.write(f"\r\x1b[K{text}")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        """Remove the progress line (before the summary is printed)."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


def for_stream(stream: TextIO, quiet: bool) -> TerminalProgress | None:
    """Progress for ``stream`` when it is a terminal and the user did not ask for quiet."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return TerminalProgress(stream) if tty and not quiet else None
