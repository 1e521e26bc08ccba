"""The shortcode registry: one place that maps a tag name to its function.

Adding a shortcode is a function and a test::

    @shortcode("kbd", "Show a key: {% kbd \"Ctrl\" %}", args=(1, 1))
    def kbd(ctx: ShortcodeContext, call: Call) -> str:
        return f"<kbd>{escape(call.args[0])}</kbd>"

The function returns HTML. It reads its arguments from ``call``, renders
inline Markdown with ``ctx.inline(...)`` and reports problems with
``ctx.error(...)`` / ``ctx.warning(...)``, which carry the tag's position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, MutableMapping

from ..diagnostics import Severity
from .shortcode_syntax import Call
from .state import PageState

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass
class ShortcodeContext:
    """What a shortcode function may use while it renders one tag."""

    md: "MarkdownIt"
    env: MutableMapping[str, Any]
    state: PageState
    line: int
    col: int

    def inline(self, text: str) -> str:
        """Render ``text`` as inline Markdown, shortcodes and math included."""
        from .rules import render_inline_fragment  # rules imports this module

        return render_inline_fragment(self.md, text, self.env, self.line)

    def error(self, message: str, rule: str = "shortcode") -> None:
        self.state.report(Severity.ERROR, self.line, self.col, rule, message)

    def warning(self, message: str, rule: str = "shortcode") -> None:
        self.state.report(Severity.WARNING, self.line, self.col, rule, message)


ShortcodeFn = Callable[[ShortcodeContext, Call], str]


@dataclass(frozen=True)
class Shortcode:
    name: str
    fn: ShortcodeFn
    doc: str
    min_args: int
    max_args: int | None
    kwargs: tuple[str, ...]


REGISTRY: dict[str, Shortcode] = {}


def shortcode(name: str, doc: str, args: tuple[int, int | None] = (1, 1),
              kwargs: tuple[str, ...] = ()) -> Callable[[ShortcodeFn], ShortcodeFn]:
    """Register ``fn`` as the shortcode ``name`` taking ``args`` positional strings."""

    def register(fn: ShortcodeFn) -> ShortcodeFn:
        REGISTRY[name] = Shortcode(name, fn, doc, args[0], args[1], kwargs)
        return fn

    return register


def expand(ctx: ShortcodeContext, call: Call) -> str:
    """Check ``call`` against its registration, then run it."""
    _load_builtins()
    spec = REGISTRY.get(call.name)
    if spec is None:
        known = ", ".join(sorted(REGISTRY))
        ctx.error(f"unknown shortcode '{call.name}' (known: {known}, raw)", "shortcode-unknown")
        return ""
    count = len(call.args)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        wanted = _arity(spec)
        ctx.error(f"shortcode '{call.name}' takes {wanted}, got {count}", "shortcode-args")
        return ""
    for key, _ in call.kwargs:
        if key not in spec.kwargs:
            allowed = ", ".join(spec.kwargs) or "none"
            ctx.error(f"shortcode '{call.name}' has no option '{key}' (options: {allowed})",
                      "shortcode-args")
            return ""
    return spec.fn(ctx, call)


def _arity(spec: Shortcode) -> str:
    if spec.max_args == spec.min_args:
        return f"{spec.min_args} argument" + ("" if spec.min_args == 1 else "s")
    if spec.max_args is None:
        return f"at least {spec.min_args} argument" + ("" if spec.min_args == 1 else "s")
    return f"{spec.min_args} to {spec.max_args} arguments"


def _load_builtins() -> None:
    # Imported lazily so the built-in shortcodes register themselves exactly once.
    from . import citations, notes  # noqa: F401
    from . import narrative, xref  # noqa: F401
