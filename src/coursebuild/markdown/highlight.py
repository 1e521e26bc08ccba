"""Code highlighting with Pygments; one stylesheet carries light and dark colours."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from pygments import highlight as pyg_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# WCAG-AA contrast styles from accessible-pygments (registered as Pygments plugins).
LIGHT_STYLE = "a11y-light"
DARK_STYLE = "a11y-dark"
_FORMATTER = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=256)
def _lexer(lang: str):  # type: ignore[no-untyped-def]
    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, lang: str, _attrs: object = None) -> str:
    """A complete ``<pre>`` block; unknown languages fall back to plain text."""
    return _highlighted(code, lang or "")


@lru_cache(maxsize=2048)
def _highlighted(code: str, lang: str) -> str:
    """Each distinct block is highlighted once per process (courses repeat snippets)."""
    name = (lang or "").strip().split()[0].lower() if (lang or "").strip() else ""
    lexer = _lexer(name) if name else None
    body = pyg_highlight(code, lexer, _FORMATTER) if lexer else escape(code)
    label = f' data-lang="{escape(name)}"' if name else ""
    cls = f' class="language-{escape(name)}"' if name else ""
    return f'<pre class="highlight"{label} tabindex="0"><code{cls}>{body}</code></pre>\n'


def pygments_css() -> str:
    """Light colours by default, dark ones under the dark theme."""
    light = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".highlight")
    dark = HtmlFormatter(style=DARK_STYLE).get_style_defs(':root[data-theme="dark"] .highlight')
    # Drop Pygments' own backgrounds: the theme sets the code box colours.
    keep = (".highlight .", ':root[data-theme="dark"] .highlight .')
    lines = [ln for ln in (light + "\n" + dark).splitlines() if ln.startswith(keep) and " .hll " not in ln]
    return "\n".join(lines) + "\n"
