"""KaTeX on V8: the npm ``katex`` (the same release as the stylesheet and fonts)
running in an embedded V8 isolate (the ``mini-racer`` package).

One isolate per process, created on first use. Formulas are rendered in
batches (one call into V8 per page) and the results are cached for the life
of the process, so a formula used on many pages is rendered once.

KaTeX reports some problems only through ``console.warn``; the script below
collects them per formula so they become diagnostics with a position instead
of lines on stdout.
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import assets

# Renders a list of [tex, display] pairs; macros are copied for each formula
# because KaTeX's \gdef writes into the object it is given.
_BATCH_JS = r"""
var cbWarnings = [];
console.warn = function () { cbWarnings.push(Array.prototype.join.call(arguments, " ")); };
function cbRenderBatch(items, macros) {
  return items.map(function (item) {
    cbWarnings = [];
    try {
      var html = katex.renderToString(item[0], {displayMode: item[1], output: "htmlAndMathml",
        throwOnError: true, strict: "ignore", macros: Object.assign({}, macros)});
      return [html, null, cbWarnings];
    } catch (e) {
      return [null, String(e && e.message !== undefined ? e.message : e), cbWarnings];
    }
  });
}
"""


@dataclass(frozen=True)
class Rendered:
    """KaTeX's answer for one formula: HTML, or the error message; warnings either way."""

    html: str | None
    error: str | None
    warnings: tuple[str, ...]


class EngineMissing(Exception):
    """KaTeX's script or the V8 engine is not available."""


def katex_script() -> Path:
    """``katex.min.js`` next to the stylesheet coursebuild ships (same KaTeX release)."""
    path = assets.katex_dist() / "katex.min.js"
    if not path.is_file():
        raise EngineMissing(f"{path} is missing: run `npm ci` (or `make setup`), or reinstall coursebuild")
    return path


class KatexEngine:
    """One V8 isolate with KaTeX loaded."""

    def __init__(self, script: Path) -> None:
        try:
            from py_mini_racer import MiniRacer
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise EngineMissing("the mini-racer package is not installed") from exc
        self._lock = threading.Lock()  # serve may build from more than one thread
        self._ctx: Any = MiniRacer()
        self._ctx.eval(script.read_text("utf-8"))
        self._ctx.eval(_BATCH_JS)

    def render(self, items: list[tuple[str, bool]], macros: dict[str, str]) -> list[Rendered]:
        """Render ``items`` (tex, display) in one call into V8."""
        with self._lock:
            answers = self._ctx.call("cbRenderBatch", [list(i) for i in items], macros)
        return [Rendered(html, error, tuple(warnings)) for html, error, warnings in answers]

    def close(self) -> None:
        # An isolate left to the garbage collector at interpreter exit can hang the process.
        with self._lock:
            if self._ctx is not None:
                self._ctx.close()
                self._ctx = None


_ENGINE: KatexEngine | None = None
_ENGINE_LOCK = threading.Lock()


def engine() -> KatexEngine:
    """This process's engine, started on first use and closed at exit."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = KatexEngine(katex_script())
            atexit.register(_ENGINE.close)
        return _ENGINE
