"""Resolve ``{% ref %}`` across pages, once every page body is rendered.

Rendering leaves a placeholder for each reference (see
``coursebuild.markdown.xref``) and reports the labels each page defines.
Here, as with link checking, the whole course is known: labels are checked
for uniqueness, each placeholder becomes a link ("Figure 2", "Table 1 in
*Probing*", "Equation (3)") and the page gets a hidden preview of every
target it refers to, for the hover/focus popover. The cached renders are
never changed: a page whose label numbers change updates every page that
refers to it on the next build.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from .course import Page
from .diagnostics import Diagnostic, did_you_mean, error
from .links import resolve as resolve_url
from .markdown.render import RenderedBody
from .markdown.xref import NAMES, PLACEHOLDER_RE, Label


def resolve(pages: list[Page], bodies: dict[str, RenderedBody]) -> tuple[dict[str, RenderedBody], list[Diagnostic]]:
    """Bodies with every reference filled in, and the diagnostics."""
    table, diags = _label_table(pages, bodies)
    out = dict(bodies)
    for page in pages:
        body = bodies[page.rel]
        if body.xref_sites:
            html, page_diags = _fill(page, body, table)
            out[page.rel] = replace(body, html=html)
            diags += page_diags
    return out, diags


def _label_table(pages: list[Page], bodies: dict[str, RenderedBody]
                 ) -> tuple[dict[str, tuple[Page, Label]], list[Diagnostic]]:
    """Every label of the course; a label defined twice is an error at both places."""
    table: dict[str, tuple[Page, Label]] = {}
    diags: list[Diagnostic] = []
    for page in pages:
        for label in bodies[page.rel].labels:
            first = table.get(label.name)
            if first is None:
                table[label.name] = (page, label)
                continue
            other_page, other = first
            diags.append(error(page.rel, label.line, label.col, "xref-duplicate",
                               f"duplicate label '{label.name}' (also defined at "
                               f"{other_page.rel}:{other.line}:{other.col})"))
            diags.append(error(other_page.rel, other.line, other.col, "xref-duplicate",
                               f"duplicate label '{label.name}' (also defined at "
                               f"{page.rel}:{label.line}:{label.col})"))
    return table, diags


def _fill(page: Page, body: RenderedBody, table: dict[str, tuple[Page, Label]]) -> tuple[str, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    previews: dict[str, str] = {}

    def link(match: object) -> str:
        site = body.xref_sites[int(match.group(1))]  # type: ignore[attr-defined]
        found = table.get(site.label)
        if found is None:
            diags.append(error(page.rel, site.line, site.col, "xref-unknown",
                               f"unknown label '{site.label}'{did_you_mean(site.label, table)}"))
            return '<span class="xref-missing">??</span>'
        target_page, label = found
        text = _link_text(label, site.prefix)
        href = f"#{label.name}"
        if target_page.rel != page.rel:
            text += f" in <em>{escape(target_page.meta.title or target_page.slug or 'the home page')}</em>"
            href = target_page.url + href
        previews.setdefault(label.name, _preview(label, target_page))
        return f'<a class="xref" href="{escape(href)}" data-xref="{escape(label.name)}">{text}</a>'

    html = PLACEHOLDER_RE.sub(link, body.html)
    if previews:
        html += ('<div class="xref-previews" hidden data-pagefind-ignore>'
                 + "".join(f'<template data-xref-for="{escape(name)}">{content}</template>'
                           for name, content in previews.items()) + "</div>\n")
    return html, diags


def _link_text(label: Label, prefix: str | None) -> str:
    """"Figure 2", "Fig. 2", "Equation (3)" or a section's title."""
    if label.kind == "section":
        return escape(f"{prefix} {label.text}" if prefix else label.text)
    number = f"({label.number})" if label.kind == "equation" else str(label.number)
    return escape(f"{prefix if prefix is not None else NAMES[label.kind]} {number}".strip())


def _preview(label: Label, page: Page) -> str:
    """What the popover shows: the image and caption, the formula, or the title."""
    if label.kind == "figure" and label.image:
        resolved = resolve_url(label.image, page.url)
        src = resolved[0] if resolved else label.image
        caption = f'<p class="xref-caption">{label.preview}</p>' if label.preview else ""
        return f'<img class="xref-thumb" src="{escape(src)}" alt="">{caption}'
    if label.kind == "equation":
        return label.preview
    return f'<p class="xref-caption">{label.preview}</p>'
