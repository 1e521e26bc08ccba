"""Narrative citations: ``{% citet "key" %}`` names the authors in the sentence.

"Olah et al. [3]" in numeric styles, "Olah et al. (2020)" in author-year
ones. The citation counts like ``{% cite %}``: it takes (or reuses) the work's
number, gets a ``cite-N`` anchor and a backlink in the References section.
"""

from __future__ import annotations

import re
from html import escape

from ..diagnostics import did_you_mean
from .shortcode_syntax import Call
from .shortcodes import ShortcodeContext, shortcode
from .state import CiteSite, PageState

_YEAR_RE = re.compile(r"(\d{4}[a-z]?|n\.d\.)\s*$")


@shortcode("citet", 'Name the authors in the sentence: {% citet "key" %} → Olah et al. [1]',
           args=(1, None), kwargs=("page",))
def citet(ctx: ShortcodeContext, call: Call) -> str:
    state = ctx.state
    numeric = state.citation_style == "numeric"
    page = call.kwarg("page")
    parts: list[str] = []
    for index, raw_key in enumerate(call.args):
        key = raw_key.strip()
        ref = state.bibliography.get(key)
        if ref is None:
            ctx.error(f"unknown citation key '{key}'{did_you_mean(key, state.bibliography.keys())}",
                      "citation-key")
            parts.append('<span class="citation-missing">?</span>')
            continue
        number, anchor = _register(state, key, ctx.line)
        label = ref.author_year()  # "Olah et al., 2020" (or a CSL style's "Olah et al. 2020a")
        year = _YEAR_RE.search(label)
        inner = str(number) if numeric else (year.group(1) if year else ref.year or "n.d.")
        names = _names(ref.author_lasts, ref.et_al) or _YEAR_RE.sub("", label).rstrip(", ")
        if page and index == len(call.args) - 1:
            locator = f', <span class="cite-locator">p.&#160;{escape(page)}</span>'
        else:
            locator = ""
        link = (f'<a class="cite-link" href="#ref-{escape(key)}" id="{anchor}" '
                f'data-cite="{escape(key)}">{escape(inner)}</a>')
        open_, close = ("[", "]") if numeric else ("(", ")")
        parts.append(f"{escape(names)} {open_}{link}{locator}{close}")
    return f'<span class="citation citation-narrative">{_join(parts)}</span>'


def _register(state: PageState, key: str, line: int) -> tuple[int, str]:
    """The work's number on this page and the anchor of this citation."""
    number = state.cited.setdefault(key, len(state.cited) + 1)
    anchor = f"cite-{len(state.cite_sites) + 1}"
    state.cite_sites.append(CiteSite(key, anchor, line))
    return number, anchor


def _names(lasts: tuple[str, ...], et_al: bool) -> str:
    """"Olah", "Olah and Cammarata" or "Olah et al."."""
    if not lasts:
        return ""
    if et_al or len(lasts) >= 3:
        return f"{lasts[0]} et al."
    return " and ".join(lasts)


def _join(parts: list[str]) -> str:
    if len(parts) < 3:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
