"""Numbered figures, tables, equations and sections, and ``{% ref %}`` to them.

Labels use the attribute syntax of Pandoc and Quarto::

    ![alt](images/x.png "Caption"){#fig-car}      a figure
    $$ E = mc^2 $$ {#eq-energy}                   a display formula
    : Results of the probe {#tbl-results}         a caption line after a table
    ## Method {#sec-method}                       a section (the heading's id)

Each page numbers its figures, tables and equations from 1 in reading order.
``{% ref "fig-car" %}`` cannot be resolved while one page renders (the label
may live on another page, rendered in parallel or taken from the cache), so it
leaves a placeholder and records the reference; ``coursebuild.xrefs`` fills
every placeholder once all pages are rendered, from the labels each page
reports. The cached render therefore never holds another page's numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any, MutableMapping

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..diagnostics import Severity
from .shortcode_syntax import Call
from .shortcodes import ShortcodeContext, shortcode
from .state import PageState

PREFIXES = ("fig-", "tbl-", "eq-", "sec-")
"""What starts a label (any other ``{#id}`` on a heading is a plain explicit id)."""
NAMES = {"figure": "Figure", "table": "Table", "equation": "Equation"}
"""The word before a number; a section is referred to by its title."""
LABEL_RE = re.compile(r"\s*\{#([A-Za-z][\w:.-]*)\}\s*$")
STRAY_RE = re.compile(r"\{#((?:fig|tbl|eq|sec)-[\w:.-]*)\}")
HAND_NUMBERED_RE = re.compile(r"^\s*(?:Figure|Fig\.?)\s*\d+\s*[:.]", re.I)
CAPTION_RE = re.compile(r"^(?::|Table:)\s+")
PLACEHOLDER = '<a class="xref" data-xref-site="{}"></a>'
PLACEHOLDER_RE = re.compile(r'<a class="xref" data-xref-site="(\d+)"></a>')


@dataclass(frozen=True)
class Label:
    """A numbered (or, for sections, titled) target on one page."""

    name: str
    kind: str
    """``figure``, ``table``, ``equation`` or ``section``."""
    number: int
    """Per page, in reading order; 0 for sections."""
    text: str
    """Caption or section title as plain text."""
    preview: str
    """HTML shown when a reference is hovered: formula, caption, …"""
    image: str
    """A figure's image URL as written in the page (resolved against the page later)."""
    line: int
    col: int


@dataclass(frozen=True)
class XrefSite:
    """One ``{% ref %}`` on a page."""

    label: str
    prefix: str | None
    line: int
    col: int


@dataclass
class XrefState:
    """What one page's render collects; lives in the Markdown env under ``"xref"``."""

    labels: list[Label] = field(default_factory=list)
    sites: list[XrefSite] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def next_number(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]


def xref_state(env: MutableMapping[str, Any]) -> XrefState:
    if "xref" not in env:
        env["xref"] = XrefState()
    state: XrefState = env["xref"]
    return state


def xref_plugin(md: MarkdownIt) -> None:
    """Read labels before heading ids are made (an explicit id must win)."""
    md.block.ruler.before("math_block", "cb_labelled_math", _labelled_math_block)
    md.core.ruler.before("anchor", "cb_xref_labels", _labels)


_CLOSING_LABEL_RE = re.compile(r"\$\$\s*\{#([A-Za-z][\w:.-]*)\}\s*$")


def _labelled_math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """``$$ … $$ {#eq-x}`` as a display formula with a label.

    dollarmath's own block rule does not know the label and would read on to
    the next ``$$``; this rule runs first and takes only a formula whose
    closing ``$$`` carries a label, with no blank line inside. (A line indented
    four spaces never gets here: the indented-code rule runs first.)"""
    start = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("$$", start):
        return False
    for line in range(start_line, end_line):
        begin = start + 2 if line == start_line else state.bMarks[line] + state.tShift[line]
        text = state.src[begin:state.eMarks[line]]
        if line > start_line and not text.strip():
            return False
        match = _CLOSING_LABEL_RE.search(text)
        if match:
            break
        if text.rstrip().endswith("$$"):
            return False  # an unlabelled formula: dollarmath's rule
    else:
        return False
    # Never asked in silent mode: the rule interrupts nothing (it has no "alt" chains).
    token = state.push("math_block", "math", 0)
    token.content = state.src[start + 2:begin + match.start()]
    token.map = [start_line, line + 1]
    token.meta["xref_label"] = match.group(1)
    state.line = line + 1
    return True


@shortcode("ref", 'Refer to a label: {% ref "fig-car" %} or {% ref "fig-car" "Fig." %}', args=(1, 2))
def ref(ctx: ShortcodeContext, call: Call) -> str:
    state = xref_state(ctx.env)
    prefix = call.args[1] if len(call.args) > 1 else None
    state.sites.append(XrefSite(call.args[0].strip(), prefix, ctx.line, ctx.col))
    return PLACEHOLDER.format(len(state.sites) - 1)


# --- Reading labels -----------------------------------------------------------

def _labels(state: StateCore) -> None:
    if state.inlineMode:
        return
    page: PageState = state.env["cb"]
    xref = xref_state(state.env)
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            _heading(tokens[index], tokens[index + 1], page, xref)
        elif token.type == "paragraph_open":  # always followed by its inline and close
            inline = tokens[index + 1]
            kids = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
            _figure(tokens[index:index + 3], kids, page, xref)
        elif token.type == "math_block" and "xref_label" in token.meta:
            _block_equation(token, page, xref)
        elif token.type == "table_close" and index + 3 < len(tokens):
            index = _table_caption(tokens, index, page, xref)
        index += 1
    _stray_labels(tokens, page)


def _take_label(kids: list[Token]) -> tuple[str, Token] | None:
    """The ``{#label}`` ending the last text child, if any (the child is returned too)."""
    if not kids or kids[-1].type != "text":
        return None
    match = LABEL_RE.search(kids[-1].content)
    return (match.group(1), kids[-1]) if match else None


def _where(page: PageState, token: Token, name: str) -> tuple[int, int]:
    """Where ``{#name}`` is written: a token of a multi-line paragraph knows only
    the paragraph's first line, so look a few lines further too."""
    line = token.meta["line"]  # every inline child has one (rules._positions)
    for candidate in range(line, line + 30):
        col = page.column(candidate, "{#" + name + "}")
        if col:
            return candidate, col
    return line, 0


def _check_kind(name: str, want: str, page: PageState, token: Token) -> bool:
    """A label's prefix must fit what it is on: ``fig-`` on an image, …"""
    if name.split("-", 1)[0] == want:
        return True
    what = {"fig": "a figure", "tbl": "a table", "sec": "a heading"}[want]
    page.report(Severity.ERROR, *_where(page, token, name), "xref-label",
                f"label '{name}' cannot go on {what}: its label must start with '{want}-'")
    return False


def _strip(token: Token, name: str) -> None:
    token.content = LABEL_RE.sub("", token.content)


def _figure(trio: list[Token], kids: list[Token], page: PageState, xref: XrefState) -> None:
    """An image alone in its paragraph with a ``{#fig-…}`` label becomes a numbered figure."""
    found = _take_label(kids)
    if not found or len(kids) != 2 or kids[0].type != "image":
        return
    name, text = found
    text.content = ""
    if not _check_kind(name, "fig", page, text):
        return
    image = kids[0]
    caption = str(image.attrGet("title") or "")
    line, col = _where(page, text, name)
    number = xref.next_number("figure")
    if HAND_NUMBERED_RE.match(caption):
        page.report(Severity.WARNING, line, col, "xref-numbered",
                    f"the caption of '{name}' already starts with a number ('{caption.split(':')[0].strip()}'); "
                    "the label numbers figures itself: remove the hand-written number")
        label_html = ""
    else:
        label_html = f'<span class="xref-label">Figure {number}</span>' + (": " if caption else "")
    image.meta.update(figure=True, xref_id=name, xref_caption=label_html)
    trio[0].hidden = trio[2].hidden = True
    xref.labels.append(Label(name, "figure", number, caption, escape(caption),
                             str(image.attrGet("src") or ""), line, col))


def _block_equation(token: Token, page: PageState, xref: XrefState) -> None:
    """A display formula read by :func:`_labelled_math_block`."""
    name = token.meta["xref_label"]
    line = page.file_line(token.map[1] - 1) if token.map else 0
    col = page.column(line, "{#" + name + "}")
    if name.split("-", 1)[0] != "eq":
        page.report(Severity.ERROR, line, col, "xref-label",
                    f"label '{name}' cannot go on a display formula: its label must start with 'eq-'")
        return
    number = xref.next_number("equation")
    token.meta.update(xref_id=name, xref_number=number)
    xref.labels.append(Label(name, "equation", number, token.content.strip(), "", "", line, col))


def _heading(opening: Token, inline: Token, page: PageState, xref: XrefState) -> None:
    found = _take_label(inline.children or [])
    if not found:
        return
    name, text = found
    _strip(text, name)
    opening.attrSet("id", name)  # the anchors plugin keeps an explicit id
    if not name.startswith(PREFIXES):
        return  # a plain explicit id, not a label
    if not _check_kind(name, "sec", page, text):
        return
    title = "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline")).strip()
    line, col = _where(page, text, name)
    xref.labels.append(Label(name, "section", 0, title, escape(title), "", line, col))


def _table_caption(tokens: list[Token], close_at: int, page: PageState, xref: XrefState) -> int:
    """``: Caption {#tbl-x}`` just after a table becomes its ``<caption>``.

    Returns the index of the table's closing token afterwards."""
    opening, inline, closing = tokens[close_at + 1:close_at + 4]
    kids = inline.children or []
    if opening.type != "paragraph_open" or not kids or kids[0].type != "text" \
            or not CAPTION_RE.match(kids[0].content):
        return close_at
    kids[0].content = CAPTION_RE.sub("", kids[0].content)
    found = _take_label(kids)  # adjacent text is one token: the last child holds the label
    label_html = ""
    if found:
        name, text = found
        _strip(text, name)
        if _check_kind(name, "tbl", page, text):
            number = xref.next_number("table")
            opening.attrSet("id", name)
            label_html = f'<span class="xref-label">Table {number}</span>: '
            caption = "".join(c.content for c in kids if c.type == "text").strip()
            xref.labels.append(Label(name, "table", number, caption, escape(caption), "",
                                     *_where(page, text, name)))
    if label_html:
        prefix = Token("html_inline", "", 0)
        prefix.content = label_html
        inline.children = [prefix, *kids]
    opening.tag = closing.tag = "caption"
    start = next(i for i in range(close_at, -1, -1) if tokens[i].type == "table_open")
    tokens[start + 1:start + 1] = tokens[close_at + 1:close_at + 4]
    del tokens[close_at + 4:close_at + 7]
    return close_at + 3


def _stray_labels(tokens: list[Token], page: PageState) -> None:
    """A fig-/eq-/tbl-/sec- label left in the text sits on something that cannot carry it."""
    for token in tokens:
        for child in token.children or [] if token.type == "inline" else []:
            if child.type != "text":
                continue
            for match in STRAY_RE.finditer(child.content):
                name = match.group(1)
                page.report(Severity.ERROR, *_where(page, child, name), "xref-label",
                            f"label '{{#{name}}}' is not on anything that can carry it: put it right after "
                            "an image alone in its paragraph, a display formula ($$ … $$), a table's caption "
                            "line (': Caption') or at the end of a heading")


# --- Render hooks (called from render.py) ----------------------------------------

def figure_attrs(token: Token) -> str:
    """`` id="fig-x"`` for a labelled figure, else ""."""
    name = token.meta.get("xref_id")
    return f' id="{escape(name)}"' if name else ""


def figure_caption_prefix(token: Token) -> str:
    return str(token.meta.get("xref_caption", ""))


def numbered_equation(token: Token, env: MutableMapping[str, Any], html: str) -> str | None:
    """A labelled display formula as a block with its number beside it, else None."""
    name = token.meta.get("xref_id")
    if not name:
        return None
    number = token.meta["xref_number"]
    labels = xref_state(env).labels
    at = next(i for i, lab in enumerate(labels) if lab.name == name and lab.kind == "equation")
    labels[at] = replace(labels[at], preview=html)
    return (f'<div class="math-display math-numbered" id="{escape(name)}" tabindex="0">{html}'
            f'<span class="eq-number">({number})</span></div>\n')
