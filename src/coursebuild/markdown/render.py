"""Render one page body: Markdown in, HTML plus what the page contains out.

"Render returns what it found" (as Zola does): headings for the table of
contents, links for the cross-page check, citations for the bibliography
page, glossary uses and diagnostics, so no later stage parses again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Mapping

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..diagnostics import Diagnostic, Severity
from .citations import references_html
from .glossary_marks import mark_glossary
from .highlight import highlight_code
from .math import NO_MACROS, MathError, failed_math, prepare, render_math
from .practice_blocks import PracticeState, Question
from .practice_render import practice_plugin, questions_of
from .rules import shortcode_plugin
from .state import CiteSite, GlossaryTerm, PageState
from .xref import Label, XrefSite, figure_attrs, figure_caption_prefix, numbered_equation, xref_plugin, xref_state

if TYPE_CHECKING:
    from ..bibliography import Bibliography

HTML_URL_RE = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
ID_RE = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""")
WORD_RE = re.compile(r"[\w'’-]+")
TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class LinkRef:
    """An internal or external URL found in the page, with where it is."""

    url: str
    line: int
    col: int
    kind: str
    """``link``, ``image`` or ``html``."""


@dataclass(frozen=True)
class RenderedBody:
    html: str
    references_html: str
    headings: tuple[Heading, ...]
    links: tuple[LinkRef, ...]
    cited: tuple[str, ...]
    """Cited keys in first-citation order."""
    cite_sites: tuple[CiteSite, ...]
    glossary_used: tuple[str, ...]
    words: int
    diagnostics: tuple[Diagnostic, ...]
    ids: frozenset[str] = frozenset()
    """Every element id in the body and References (targets for ``#anchor`` links)."""
    questions: tuple[Question, ...] = ()
    """The page's questions in reading order (for progress and the review page)."""
    exercises: int = 0
    labels: tuple[Label, ...] = ()
    """Figures, tables, equations and sections labelled for cross-references."""
    xref_sites: tuple[XrefSite, ...] = ()
    """Each ``{% ref %}``: its placeholder in ``html`` is filled in by ``coursebuild.xrefs``."""


def slugify(title: str) -> str:
    """Heading id: lowercase words joined by single hyphens, punctuation dropped.

    Text a shortcode or formula left out does not leave stray hyphens behind
    (``Results {% cite "x" %}`` → ``results``)."""
    text = re.sub(r"[^\w\- ]", "", title.strip().lower())
    text = re.sub(r"[\s-]*\s[\s-]*", "-", text.strip())
    return text.strip("-") or "section"


@lru_cache(maxsize=2)
def create_markdown(smart_punctuation: bool = True) -> MarkdownIt:
    """The one Markdown parser configuration every page uses.

    Smart punctuation is markdown-it's typographer: it rewrites text tokens only,
    so code, math, raw HTML and shortcode arguments keep their straight quotes."""
    md = MarkdownIt("commonmark", {"html": True, "highlight": highlight_code,
                                   "typographer": smart_punctuation})
    md.enable(["table", "strikethrough"])
    if smart_punctuation:
        md.enable(["replacements", "smartquotes"])
    footnote_plugin(md)
    dollarmath_plugin(md, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True)
    anchors_plugin(md, min_level=1, max_level=6, slug_func=slugify, permalink=True, permalinkSymbol="#",
                   permalinkBefore=False, permalinkSpace=True)
    shortcode_plugin(md)
    xref_plugin(md)
    md.core.ruler.push("cb_glossary", mark_glossary)
    md.core.ruler.push("cb_anchor_labels", _label_anchors)
    practice_plugin(md)
    md.add_render_rule("math_inline", _render_math_inline)
    md.add_render_rule("math_inline_double", _render_math_display)
    md.add_render_rule("math_block", _render_math_block)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("table_open", lambda *a: '<div class="table-wrap" tabindex="0"><table>\n')
    md.add_render_rule("table_close", lambda *a: "</table></div>\n")
    return md


def render_body(path: str, body: str, body_line: int, bibliography: "Bibliography",
                citation_style: str = "numeric", glossary: Mapping[str, GlossaryTerm] | None = None,
                glossary_autolink: bool = True, solutions: str = "show",
                smart_punctuation: bool = False,
                math_macros: tuple[tuple[str, str], ...] = NO_MACROS) -> RenderedBody:
    """Render ``body`` (which starts at file line ``body_line``) of ``path``."""
    md = create_markdown(smart_punctuation)
    state = PageState(path=path, line_offset=body_line, source_lines=body.split("\n"),
                      bibliography=bibliography, citation_style=citation_style,
                      glossary=glossary or {}, glossary_autolink=glossary_autolink,
                      math_macros=math_macros)
    # Columns are looked up in the body; lines are file lines, so pad the front.
    state.source_lines = [""] * (body_line - 1) + state.source_lines
    env: dict = {"cb": state, "cb_practice": PracticeState(solutions=solutions)}
    tokens = md.parse(body, env)
    questions, exercises = questions_of(env)
    prepare(_formulas(tokens), math_macros)  # the page's formulas in one call into KaTeX
    html = md.renderer.render(tokens, md.options, env)
    references = references_html(state)
    return RenderedBody(
        html=html,
        references_html=references,
        headings=tuple(_headings(tokens)),
        links=tuple(_links(tokens, state)),
        cited=tuple(state.cited),
        cite_sites=tuple(state.cite_sites),
        glossary_used=tuple(state.glossary_used),
        words=len(WORD_RE.findall(TAG_RE.sub(" ", html))),
        diagnostics=tuple(state.diagnostics),
        ids=frozenset(ID_RE.findall(html + references)),
        questions=questions,
        exercises=exercises,
        labels=tuple(xref_state(env).labels),
        xref_sites=tuple(xref_state(env).sites),
    )


def _label_anchors(state) -> None:  # type: ignore[no-untyped-def]
    """Give heading permalinks an accessible name instead of a bare "#"."""
    for token in state.tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "link_open" and child.attrGet("class") == "header-anchor":
                    child.attrSet("aria-label", "Link to this section")
                    child.attrSet("data-pagefind-ignore", "")  # keep "#" out of search titles


MATH_DISPLAY = {"math_inline": False, "math_inline_double": True, "math_block": True}


def _formulas(tokens: list[Token]) -> list[tuple[str, bool]]:
    """Every formula of the page as (tex, display), in order."""
    found = []
    for token in tokens:
        if token.type == "math_block":
            found.append((token.content.strip(), True))
        elif token.type == "inline" and token.children:
            found += [(c.content.strip(), MATH_DISPLAY[c.type]) for c in token.children if c.type in MATH_DISPLAY]
    return found


def _math(tokens: list[Token], idx: int, env: dict, display: bool, block: bool) -> str:
    token = tokens[idx]
    state: PageState = env["cb"]
    try:
        html, warnings = render_math(token.content.strip(), display, state.math_macros)
    except MathError as exc:
        line, col = _math_position(token, state)
        state.report(Severity.ERROR, line, col, "math", f"KaTeX could not render the formula: {exc}")
        html, warnings = failed_math(token.content, block), ()  # a <div> only where a block may stand
    for message in warnings:
        line, col = _math_position(token, state)
        state.report(Severity.WARNING, line, col, "math-warning", f"KaTeX: {message}")
    numbered = numbered_equation(token, env, html)
    if numbered is not None:
        return numbered
    if block:
        return f'<div class="math-display" tabindex="0">{html}</div>\n'
    if display:
        return f'<span class="math-display">{html}</span>'
    return html


def _math_position(token: Token, state: PageState) -> tuple[int, int]:
    line = state.file_line(token.map[0]) if token.map else token.meta.get("line", 0)
    col = state.column(line, "$$") if token.map else token.meta.get("col", 0)
    return line, col


def _render_math_inline(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    return _math(tokens, idx, env, display=False, block=False)


def _render_math_display(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    return _math(tokens, idx, env, display=True, block=False)


def _render_math_block(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    return _math(tokens, idx, env, display=True, block=True)


def _render_image(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = escape(token.attrGet("src") or "")
    title = token.attrGet("title") or ""
    img = f'<img src="{src}" alt="{escape(alt)}" loading="lazy" decoding="async">'
    if token.meta.get("figure"):
        caption = figure_caption_prefix(token) + escape(title)
        return f'<figure class="figure"{figure_attrs(token)}>{img}<figcaption>{caption}</figcaption></figure>\n'
    title_attr = f' title="{escape(title)}"' if title else ""
    return img[:-1] + title_attr + ">"


def _headings(tokens: list[Token]) -> list[Heading]:
    out = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.attrGet("id"):
            inline = tokens[index + 1]
            text = "".join(c.content for c in inline.children or []
                           if c.type in ("text", "code_inline", "math_inline") and
                           not (c.type == "text" and c.content == "#"))
            out.append(Heading(int(token.tag[1]), str(token.attrGet("id")), text.strip()))
    return out


def _links(tokens: list[Token], state: PageState) -> list[LinkRef]:
    out: list[LinkRef] = []
    last_line = 1
    for token in tokens:
        if token.map:
            last_line = state.file_line(token.map[0])
        if token.type == "inline":
            for child in token.children or []:
                line = child.meta.get("line", last_line)
                if child.type == "link_open" and child.attrGet("class") != "header-anchor":
                    url = str(child.attrGet("href") or "")
                    out.append(LinkRef(url, line, _link_column(child, line, url, state), "link"))
                elif child.type == "image":
                    url = str(child.attrGet("src") or "")
                    out.append(LinkRef(url, line, _link_column(child, line, url, state), "image"))
                elif child.type in ("html_inline", "shortcode"):
                    out.extend(_html_links(child.content, line, state, _span(child)))
        elif token.type == "html_block":
            for offset, piece in enumerate(token.content.split("\n")):
                out.extend(_html_links(piece, last_line + offset, state))
    return out


def _link_column(child: Token, line: int, url: str, state: PageState) -> int:
    """Column of a link's URL: looked for from the link's own start, so the second of two
    links to one URL on a line is not reported at the first; the link's start when the
    URL is not written there (a reference link)."""
    return state.column(line, url, *_span(child)) or child.meta.get("col", 0) or state.column(line, url)


def _span(child: Token) -> tuple[int, int | None]:
    """Where on its line a token's URLs can be: from its column on, and for a
    shortcode only within the tag (searching a whole long line for every one of
    thousands of citations was quadratic)."""
    col = child.meta.get("col")
    if not col:
        return 0, None
    if child.type == "shortcode":
        call = child.meta["call"]
        return col - 1, col - 1 + call.end - call.start
    return col - 1, None


def _html_links(html: str, line: int, state: PageState, span: tuple[int, int | None] = (0, None)) -> list[LinkRef]:
    refs = []
    for match in HTML_URL_RE.finditer(html):
        url = match.group(2) if match.group(2) is not None else match.group(3)
        refs.append(LinkRef(url, line, state.column(line, url, *span), "html"))
    return refs
