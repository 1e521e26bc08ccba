"""Math: LaTeX rendered at build time by KaTeX (through pykatex).

A formula KaTeX rejects is an error at its line with KaTeX's own message; the
page then shows the source in a marked span instead of a silent red one.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

import pykatex


class MathError(Exception):
    pass


@lru_cache(maxsize=4096)
def render_math(tex: str, display: bool) -> str:
    """KaTeX HTML+MathML for ``tex``; raises :class:`MathError` with KaTeX's message."""
    try:
        html = pykatex.renderToString(tex, displayMode=display, output="htmlAndMathml",
                                      throwOnError=True, strict="ignore")
    except pykatex.ParseError as exc:
        raise MathError(str(exc).replace("KaTeX parse error: ", "")) from None
    except Exception as exc:  # pykatex is young: keep any engine failure a content error
        raise MathError(f"KaTeX could not render this formula ({exc})") from None
    # The visual copy is for eyes only: search indexes the MathML copy once, not both.
    return html.replace('<span class="katex-html" aria-hidden="true">',
                        '<span class="katex-html" aria-hidden="true" data-pagefind-ignore="">')


def failed_math(tex: str, display: bool) -> str:
    tag = "div" if display else "span"
    return f'<{tag} class="math-error" title="KaTeX could not render this formula">{escape(tex)}</{tag}>'
