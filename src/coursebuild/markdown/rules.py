"""coursebuild's markdown-it rules: shortcodes, positions, figures, definitions.

Parsing stays markdown-it's: shortcodes are an inline rule (so code spans and
fences are left alone for free) and a core pass expands them in document
order, which is what makes citation and side-note numbering follow reading
order, including tags inside raw HTML blocks such as ``<figcaption>``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any, MutableMapping

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ..diagnostics import Severity
from .shortcode_syntax import Call, ShortcodeSyntaxError, parse_call, raw_section
from .shortcodes import ShortcodeContext, expand
from .state import PageState

NEWLINE_RE = re.compile(r"\n")
CODE_ELEMENT_RE = re.compile(r"<(code|pre|kbd|samp)\b.*?</\1\s*>", re.S | re.I)


def state_of(env: MutableMapping[str, Any]) -> PageState:
    return env["cb"]


def shortcode_plugin(md: MarkdownIt) -> None:
    """Install the shortcode inline rule, position stamping and the core passes."""
    md.inline.ruler.before("text", "shortcode", _shortcode_inline)
    _stamp_offsets(md)
    md.core.ruler.after("inline", "cb_positions", _positions)
    md.core.ruler.after("cb_positions", "cb_shortcodes", _expand_all)
    md.core.ruler.push("cb_blocks", _figures_and_definitions)
    md.add_render_rule("shortcode", lambda self, tokens, idx, options, env: tokens[idx].content)
    md.add_render_rule("shortcode_error", lambda self, tokens, idx, options, env: "")


POSITIONED_RULES = ("math_inline", "link", "image", "autolink", "html_inline")
"""The inline rules whose tokens are reported or checked at a position (formulas,
links, images, raw HTML); shortcodes record their own offset."""


def _stamp_offsets(md: MarkdownIt) -> None:
    """Wrap the inline rules of :data:`POSITIONED_RULES` so each token they push
    records its source offset.

    markdown-it gives inline tokens no position; with the offset and the parent
    block's line we can report math, links and shortcodes at their exact line.
    Only these rules are wrapped: a wrapper around every rule (text, emphasis,
    escapes, …) cost a quarter of all parsing time.
    """
    for rule in md.inline.ruler.__rules__:
        if rule.name in POSITIONED_RULES:
            rule.fn = _stamping(rule.fn)
    md.inline.ruler.__cache__ = None


def _stamping(fn: Any) -> Any:
    def wrapped(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        ok = fn(state, silent)
        if ok and not silent:
            for token in state.tokens[count:]:
                token.meta.setdefault("offset", start)
        return ok

    return wrapped


def _shortcode_inline(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("{%", pos):
        return False
    try:
        call = parse_call(src, pos)
    except ShortcodeSyntaxError as exc:
        if not silent:
            token = state.push("shortcode_error", "", 0)
            token.meta = {"offset": exc.offset, "message": exc.message}
            token.content = ""
        # Show the broken tag as text and go on after its '%}' (or to the end): one
        # error per broken tag, and no quadratic rescanning of a long paragraph.
        close = src.find("%}", pos + 2)
        end = len(src) if close < 0 else close + 2
        state.pending += src[pos:end]
        state.pos = end
        return True
    if call.name == "raw":
        return _raw_inline(state, call, silent)
    if silent:
        state.pos = call.end
        return True
    if call.trim_before:
        _trim_before(state)
    token = state.push("shortcode", "", 0)
    token.meta = {"call": call, "offset": pos}
    end = call.end
    if call.trim_after:
        while end < len(src) and src[end] in " \t\n":
            end += 1
    state.pos = end
    return True


def _raw_inline(state: StateInline, call: Call, silent: bool) -> bool:
    section = raw_section(state.src, call)
    if section is None:
        if not silent:
            token = state.push("shortcode_error", "", 0)
            token.meta = {"offset": call.start, "message": "'{% raw %}' without '{% endraw %}'"}
        state.pending += state.src[call.start:call.end]
        state.pos = call.end
        return True
    if not silent:
        if call.trim_before:
            _trim_before(state)
        state.pending += section[0]
    state.pos = section[1]
    return True


def _trim_before(state: StateInline) -> None:
    state.pending = state.pending.rstrip()
    while not state.pending and state.tokens and state.tokens[-1].type in ("softbreak", "hardbreak"):
        state.tokens.pop()
        if state.tokens and state.tokens[-1].type == "text":
            state.tokens[-1].content = state.tokens[-1].content.rstrip()


def _positions(state: StateCore) -> None:
    """Turn each inline child's offset into a file line (meta ``line``)."""
    page = state_of(state.env)
    if state.inlineMode:  # a side note's text: every token is on the tag's line
        for token in state.tokens:
            for child in token.children or []:
                child.meta["line"] = page.fragment_line
        return
    last_line = 0
    for token in state.tokens:
        if token.map:
            last_line = token.map[0]
        if token.type == "inline" and token.children:
            block_line = token.map[0] if token.map else last_line
            _set_lines(token.children, token.content, page.file_line(block_line), page)


def _set_lines(children: list[Token], content: str, first_line: int, page: PageState) -> None:
    """Line (and column, when the line is found in the source) of every positioned
    child. Linear in the block: line starts are found once and each line of the
    block is looked up in the source once, however many tokens it holds."""
    starts: list[int] | None = None
    found: dict[int, int] = {}
    for child in children:
        offset = child.meta.get("offset")
        if offset is None:
            child.meta.setdefault("line", first_line)
            continue
        if starts is None:
            starts = [0] + [m.end() for m in NEWLINE_RE.finditer(content)]
        index = bisect_right(starts, offset) - 1
        line = child.meta["line"] = first_line + index
        if index not in found:
            end = starts[index + 1] - 1 if index + 1 < len(starts) else len(content)
            found[index] = page.column(line, content[starts[index]:end])
        if found[index]:
            child.meta["col"] = found[index] + offset - starts[index]


def _column_at(page: PageState, line: int, text: str, offset: int) -> int:
    """File column of ``text[offset]``: find the line of ``text`` holding it in the
    source line (block prefixes such as indentation or '> ' are not in ``text``)."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    found = page.column(line, text[start:end if end >= 0 else len(text)])
    return found + offset - start if found else 0


def _expand_all(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            _expand_children(state.md, state.env, token.children)
        elif token.type == "html_block" and "{%" in token.content:
            line = state_of(state.env).file_line(token.map[0] if token.map else 0)
            token.content = expand_in_html(state.md, state.env, token.content, line)


def _expand_children(md: MarkdownIt, env: MutableMapping[str, Any], children: list[Token]) -> None:
    page = state_of(env)
    for child in children:
        line = child.meta.get("line", 0)
        if child.type == "shortcode":
            call: Call = child.meta["call"]
            col = child.meta.get("col") or page.column(line, _tag_text(call))
            child.content = expand(ShortcodeContext(md, env, page, line, col), call)
        elif child.type == "shortcode_error":
            page.report(Severity.ERROR, line, child.meta.get("col") or page.column(line, "{%"),
                        "shortcode-syntax", child.meta["message"])


def _tag_text(call: Call) -> str:
    return "{%-" if call.trim_before else "{% " + call.name


def expand_in_html(md: MarkdownIt, env: MutableMapping[str, Any], html: str, first_line: int) -> str:
    """Expand shortcodes inside a raw HTML block, leaving code elements alone."""
    page = state_of(env)
    protected = [m.span() for m in CODE_ELEMENT_RE.finditer(html)]
    out: list[str] = []
    pos = 0
    while True:
        start = html.find("{%", pos)
        if start < 0:
            break
        if any(a <= start < b for a, b in protected):
            out.append(html[pos:start + 2])
            pos = start + 2
            continue
        line = first_line + html.count("\n", 0, start)
        try:
            call = parse_call(html, start)
        except ShortcodeSyntaxError as exc:
            error_line = first_line + html.count("\n", 0, exc.offset)
            page.report(Severity.ERROR, error_line, _column_at(page, error_line, html, exc.offset),
                        "shortcode-syntax", exc.message)
            close = html.find("%}", start + 2)  # as inline: one error per broken tag
            end = len(html) if close < 0 else close + 2
            out.append(html[pos:end])
            pos = end
            continue
        before = html[pos:start]
        out.append(before.rstrip() if call.trim_before else before)
        pos = call.end
        if call.name == "raw":
            section = raw_section(html, call)
            if section is None:
                page.report(Severity.ERROR, line, _column_at(page, line, html, start), "shortcode-syntax",
                            "'{% raw %}' without '{% endraw %}'")
                continue
            out.append(section[0])
            pos = section[1]
            continue
        col = _column_at(page, line, html, start) or page.column(line, "{%")
        out.append(expand(ShortcodeContext(md, env, page, line, col), call))
        if call.trim_after:
            while pos < len(html) and html[pos] in " \t\n":
                pos += 1
    out.append(html[pos:])
    return "".join(out)


def render_inline_fragment(md: MarkdownIt, text: str, env: MutableMapping[str, Any], line: int) -> str:
    """Render inline Markdown from a shortcode argument (a side note's text)."""
    page = state_of(env)
    outer, page.fragment_line = page.fragment_line, line
    try:
        tokens = md.parseInline(text, env)  # runs the core passes, expansion included
    finally:
        page.fragment_line = outer
    children = tokens[0].children or [] if tokens else []
    renderer: RendererHTML = md.renderer  # type: ignore[assignment]  # the default renderer
    return renderer.renderInline(children, md.options, env)


def _figures_and_definitions(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 2 < len(tokens):
            _maybe_figure(tokens[index:index + 3])
        elif token.type == "blockquote_open" and index + 2 < len(tokens):
            _maybe_definition(token, tokens[index + 2])


def _maybe_figure(trio: list[Token]) -> None:
    """A paragraph holding only an image with a title becomes a <figure>."""
    opening, inline, closing = trio
    kids = [c for c in (inline.children or []) if not (c.type == "text" and not c.content.strip())]
    if inline.type == "inline" and len(kids) == 1 and kids[0].type == "image" and kids[0].attrGet("title"):
        kids[0].meta["figure"] = True
        opening.hidden = closing.hidden = True


def _maybe_definition(opening: Token, inline: Token) -> None:
    """``> **Term:** text`` is a definition; the theme styles it as a card."""
    kids = [c for c in inline.children or [] if not (c.type == "text" and not c.content)]
    if (inline.type == "inline" and len(kids) >= 3 and kids[0].type == "strong_open"
            and kids[1].type == "text" and kids[1].content.rstrip().endswith(":")):
        opening.attrJoin("class", "definition")
        inline.meta["definition_term"] = kids[1].content.rstrip().rstrip(":")
