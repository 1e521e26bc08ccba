"""Side notes and margin notes, in the manner of Tufte's books.

The markup works without JavaScript: on wide screens CSS floats the note into
the right margin beside its line; on narrow screens the note is hidden behind
its number (a real button) and the theme's script toggles it.
"""

from __future__ import annotations

from html import escape

from .shortcode_syntax import Call
from .shortcodes import ShortcodeContext, shortcode


@shortcode("sidenote", 'A numbered note in the margin: {% sidenote "Markdown text" %}')
def sidenote(ctx: ShortcodeContext, call: Call) -> str:
    ctx.state.sidenotes += 1
    number = ctx.state.sidenotes
    return _note(ctx, call.args[0], f"sn-{number}", str(number), f"Side note {number}", "sidenote")


@shortcode("marginnote", 'An unnumbered note in the margin: {% marginnote "Markdown text" %}')
def marginnote(ctx: ShortcodeContext, call: Call) -> str:
    ctx.state.marginnotes += 1
    ident = f"mn-{ctx.state.marginnotes}"
    return _note(ctx, call.args[0], ident, "⊕", "Margin note", "marginnote")


def _note(ctx: ShortcodeContext, text: str, ident: str, mark: str, label: str, kind: str) -> str:
    if ctx.state.in_note:
        ctx.error(f"a {kind} cannot be placed inside another side or margin note", "shortcode-nested")
        return ""
    ctx.state.in_note = True
    try:
        body = ctx.inline(text)
    finally:
        ctx.state.in_note = False
    number = "" if kind == "marginnote" else f'<span class="note-number" aria-hidden="true">{escape(mark)}</span> '
    return (
        f'<span class="note-anchor {kind}-anchor">'
        f'<button type="button" class="note-ref {kind}-ref" aria-expanded="false" '
        f'aria-controls="{ident}" aria-label="{escape(label)}">{escape(mark)}</button></span>'
        f'<span class="note {kind}" id="{ident}" role="note" aria-label="{escape(label)}" '
        f'data-pagefind-weight="0.5">'
        f"{number}{body}</span>"
    )
