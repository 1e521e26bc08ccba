"""Citations: the ``cite`` shortcode and the References section of a page.

Numbers follow the first citation on the page and a work cited again keeps
its number. Every citation gets an anchor (``cite-N``) so the reference can
link back to each place that cites it, and the site-wide bibliography can
link to the exact spot.
"""

from __future__ import annotations

from html import escape

from ..diagnostics import did_you_mean
from .shortcode_syntax import Call
from .shortcodes import ShortcodeContext, shortcode
from .state import CiteSite, PageState


@shortcode("cite", 'Cite works from bibliography.bib: {% cite "key" "key2" page="12" %}',
           args=(1, None), kwargs=("page",))
def cite(ctx: ShortcodeContext, call: Call) -> str:
    state = ctx.state
    parts: list[str] = []
    for key in call.args:
        key = key.strip()
        ref = state.bibliography.get(key)
        if ref is None:
            hint = did_you_mean(key, state.bibliography.keys())
            ctx.error(f"unknown citation key '{key}'{hint}", "citation-key")
            parts.append('<span class="citation-missing">?</span>')
            continue
        number = state.cited.setdefault(key, len(state.cited) + 1)
        anchor = f"cite-{len(state.cite_sites) + 1}"
        state.cite_sites.append(CiteSite(key, anchor, ctx.line))
        text = str(number) if state.citation_style == "numeric" else ref.author_year()
        parts.append(f'<a class="cite-link" href="#ref-{escape(key)}" id="{anchor}" '
                     f'data-cite="{escape(key)}">{escape(text)}</a>')
    page = call.kwarg("page")
    if page:
        parts.append(f'<span class="cite-locator">p.&#160;{escape(page)}</span>')
    open_, close = ("[", "]") if state.citation_style == "numeric" else ("(", ")")
    sep = ", " if state.citation_style == "numeric" else "; "
    inner = sep.join(parts) if not page else sep.join(parts[:-1]) + ", " + parts[-1]
    return f'<span class="citation">{open_}{inner}{close}</span>'


def references_html(state: PageState) -> str:
    """The page's References section: one entry per cited work, with backlinks."""
    if not state.cited:
        return ""
    keys = list(state.cited)
    if state.citation_style != "numeric":
        keys.sort(key=lambda k: state.bibliography.get(k).sort_key())  # type: ignore[union-attr]
    tag = "ol" if state.citation_style == "numeric" else "ul"
    sites_of: dict[str, list[CiteSite]] = {}
    for site in state.cite_sites:  # one pass: a page may cite thousands of times
        sites_of.setdefault(site.key, []).append(site)
    items = []
    for key in keys:
        ref = state.bibliography.get(key)
        assert ref is not None  # only resolved keys are in ``cited``
        sites = sites_of[key]
        back = " ".join(
            f'<a class="ref-backlink" href="#{s.anchor}" aria-label="Back to citation {i} of {len(sites)}">'
            f"↩&#xFE0E;{'' if len(sites) == 1 else f'<sup>{i}</sup>'}</a>"
            for i, s in enumerate(sites, 1)
        )
        value = f' value="{state.cited[key]}"' if tag == "ol" else ""
        items.append(f'<li id="ref-{escape(key)}"{value}><span class="ref-text">{ref.html()}</span> '
                     f'<span class="ref-backlinks">{back}</span></li>')
    return (f'<section class="references" aria-labelledby="references" data-pagefind-weight="0.3">'
            f'<h2 id="references">References</h2><{tag} class="reference-list">'
            + "".join(items) + f"</{tag}></section>")
