"""Math: LaTeX rendered at build time by KaTeX (on V8, see katex_engine.py).

A formula KaTeX rejects is an error at its line with KaTeX's own message; the
page then shows the source in a marked span instead of a silent red one.
Formulas longer than :data:`MAX_FORMULA_CHARS` are not given to KaTeX at all
(its parser is slow on huge input): they are an error too.
"""

from __future__ import annotations

from html import escape
from typing import Iterable, Mapping

from .katex_engine import Rendered, engine

MAX_FORMULA_CHARS = 10_000
"""The longest formula KaTeX is given (real formulas are well under 2,000 characters)."""

_CACHE_LIMIT = 2_000
"""About 20 MB of KaTeX HTML (≈10 KB a formula): a course's repeats are close together
(the same page, the next pages), and rendering a formula again costs half a millisecond,
while a render worker of a 1,000-topic course would otherwise keep 65 MB of formulas."""
_CACHE: dict[tuple[str, bool, tuple[tuple[str, str], ...]], Rendered] = {}
"""KaTeX's answers for this process, by formula, display mode and macros."""

NO_MACROS: tuple[tuple[str, str], ...] = ()


class MathError(Exception):
    pass


def macro_key(macros: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(macros.items()))


def prepare(formulas: Iterable[tuple[str, bool]], macros: tuple[tuple[str, str], ...] = NO_MACROS) -> None:
    """Render every formula not yet cached in one call into KaTeX (a page's worth)."""
    todo = list(dict.fromkeys((tex, display) for tex, display in formulas
                              if (tex, display, macros) not in _CACHE and len(tex) <= MAX_FORMULA_CHARS))
    if not todo:
        return
    if len(_CACHE) + len(todo) > _CACHE_LIMIT:
        _CACHE.clear()  # a bound on memory in long serve sessions; the next page refills it
    for (tex, display), answer in zip(todo, engine().render(todo, dict(macros))):
        _CACHE[(tex, display, macros)] = answer


KATEX_HTML = '<span class="katex-html" aria-hidden="true">'
KATEX_HTML_IGNORED = '<span class="katex-html" aria-hidden="true" data-pagefind-ignore="">'
KATEX_HTML_END = "<!--/katex-html-->"


def render_math(tex: str, display: bool,
                macros: tuple[tuple[str, str], ...] = NO_MACROS) -> tuple[str, tuple[str, ...]]:
    """KaTeX HTML+MathML for ``tex`` and KaTeX's warnings; raises :class:`MathError`
    with KaTeX's message."""
    if len(tex) > MAX_FORMULA_CHARS:
        raise MathError(f"the formula is {len(tex):,} characters long; formulas may have at most "
                        f"{MAX_FORMULA_CHARS:,} (split it into several)")
    answer = _CACHE.get((tex, display, macros))
    if answer is None:
        prepare([(tex, display)], macros)
        answer = _CACHE[(tex, display, macros)]
    if answer.html is None:
        raise MathError((answer.error or "unknown KaTeX error").replace("KaTeX parse error: ", ""))
    # The visual copy is for eyes only: search indexes the MathML copy once, not both. It is
    # the last child of the formula's span (two spans deep in display math), and a comment
    # after it lets the indexer cut it from its copy of the page without parsing (search/copy.py).
    html = answer.html.replace(KATEX_HTML, KATEX_HTML_IGNORED)
    closing = "</span>" * (2 if display else 1)
    if html.count(KATEX_HTML_IGNORED) == 1 and html.endswith(closing):
        html = html[:-len(closing)] + KATEX_HTML_END + closing
    return html, answer.warnings


def failed_math(tex: str, display: bool) -> str:
    tag = "div" if display else "span"
    return f'<{tag} class="math-error" title="KaTeX could not render this formula">{escape(tex)}</{tag}>'
