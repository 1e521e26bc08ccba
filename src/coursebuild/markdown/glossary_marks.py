"""Mark the first use of each glossary term on a page.

Whole words, case-insensitive, a plural "s" allowed; never in headings, links,
code, math or side notes. The mark links to the glossary entry and carries
the definition for the theme's popover.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .state import GlossaryTerm, PageState

SKIP_DEPTH = {"link_open": 1, "link_close": -1}


@lru_cache(maxsize=32)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(?:s|es)?(?![\w-])", re.I)


def mark_glossary(state: StateCore) -> None:
    page: PageState = state.env["cb"]
    if not page.glossary_autolink or not page.glossary or state.inlineMode:
        return
    pattern = _pattern(tuple(page.glossary))
    if pattern is None:
        return
    in_heading = False
    for token in state.tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and token.children and not in_heading:
            token.children = _mark(token.children, pattern, page)


def _mark(children: list[Token], pattern: re.Pattern[str], page: PageState) -> list[Token]:
    out: list[Token] = []
    depth = 0
    for child in children:
        depth += SKIP_DEPTH.get(child.type, 0)
        if child.type != "text" or depth > 0:
            out.append(child)
            continue
        out.extend(_split_text(child, pattern, page))
    return out


def _split_text(token: Token, pattern: re.Pattern[str], page: PageState) -> list[Token]:
    text = token.content
    pieces: list[Token] = []
    pos = 0
    for match in pattern.finditer(text):
        key = match.group(1).casefold()
        entry = page.glossary.get(key)
        if entry is None or key in page.glossary_used:
            continue
        page.glossary_used.append(key)
        pieces.append(_text(token, text[pos:match.start()]))
        pieces.append(_html(token, _mark_html(entry, match.group(0))))
        pos = match.end()
    if not pieces:
        return [token]
    pieces.append(_text(token, text[pos:]))
    return [p for p in pieces if p.content]


def _mark_html(entry: GlossaryTerm, shown: str) -> str:
    return (f'<a class="glossary-term" href="/glossary/#{entry.anchor}" '
            f'data-term="{escape(entry.term)}" data-definition="{escape(entry.definition)}">'
            f"{escape(shown)}</a>")


def _text(like: Token, content: str) -> Token:
    token = Token("text", "", 0, content=content)
    token.meta = dict(like.meta)
    return token


def _html(like: Token, content: str) -> Token:
    token = Token("html_inline", "", 0, content=content)
    token.meta = dict(like.meta)
    return token
