"""Bibliographies in JSON: CSL-JSON arrays and the Eleventy course's JSON map.

* CSL-JSON (what Zotero and Better BibTeX export): an array of items with
  ``id``, ``type``, ``title``, ``author`` (``family``/``given`` or
  ``literal``), ``issued`` (``date-parts``, ``raw`` or ``literal``),
  ``container-title``, ``publisher``, ``DOI``, ``URL`` …
* The JSON map the Eleventy course keeps in ``src/_data/references.json``:
  ``{"key": {"title", "authors": "Elhage, N., Hume, T., et al.", "year",
  "venue", "url"}}``. A trailing "et al." is kept (as BibTeX's "and others").

Both become the same :class:`Reference` objects as BibTeX entries do.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..bibliography import Reference, _is_web_url
from ..diagnostics import Diagnostic, did_you_mean, error, warning
from .jsonpos import Positions

MAP_FIELDS = ("title", "authors", "author", "year", "venue", "journal", "publisher", "url", "doi",
              "arxiv", "type", "note")
CSL_TYPES = {"article-journal": "article", "article": "article", "paper-conference": "inproceedings",
             "book": "book", "chapter": "incollection", "report": "techreport", "thesis": "phdthesis",
             "webpage": "online", "post-weblog": "online", "manuscript": "unpublished"}
_INITIALS = re.compile(r"^(?:[A-Z\u00C0-\u024F][a-z]{0,2}\.?[\s-]*)+$")
_ET_AL = re.compile(r",?\s*(?:et\.?\s*al\.?|and others)\s*$", re.I)
_DOI_PREFIX = re.compile(r"^(doi:\s*|https?://(dx\.)?doi\.org/)", re.I)


class JsonBibError(Exception):
    """The file is not JSON (or not one of the two shapes); carries a position."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.line, self.col, self.message = line, col, message


def parse_json(text: str, path: str) -> tuple[list[tuple[Reference, str]], list[Diagnostic]]:
    """(reference, digest) pairs in file order, and diagnostics; never raises."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [error(path, exc.lineno, exc.colno, "bib-syntax", f"invalid JSON: {exc.msg}")]
    positions = Positions(text)
    if isinstance(data, list):
        return _csl_items(data, positions, path)
    if isinstance(data, dict):
        return _map_entries(data, positions, path)
    return [], [error(path, 1, 1, "bib-syntax", "a JSON bibliography must be an array of CSL-JSON items "
                      "or a map of keys to entries")]


def _digest(key: str, value: Any) -> str:
    raw = json.dumps([key, value], sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _clean_doi(value: Any) -> str:
    return _DOI_PREFIX.sub("", _text(value))


# --- The Eleventy JSON map ---------------------------------------------------

def _map_entries(data: dict[str, Any], positions: Positions,
                 path: str) -> tuple[list[tuple[Reference, str]], list[Diagnostic]]:
    out: list[tuple[Reference, str]] = []
    diags: list[Diagnostic] = []
    for key, entry in data.items():
        line, col = positions.where((key,))
        if not isinstance(entry, dict):
            diags.append(error(path, line, col, "bib-syntax",
                               f"entry '{key}' must be an object with title, authors, year, …"))
            continue
        for name in entry:
            if name not in MAP_FIELDS:
                where = positions.where((key, name))
                diags.append(warning(path, *where, "bib-field", f"unknown field '{name}' in entry '{key}' is "
                                     f"ignored{did_you_mean(name, MAP_FIELDS)}"))
        names = entry.get("authors", entry.get("author", ""))
        authors, lasts, et_al = split_authors(names)
        url = _text(entry.get("url"))
        ref = Reference(key=key, entry_type=_text(entry.get("type")) or "misc", authors=authors,
                        author_lasts=lasts, et_al=et_al, title=_text(entry.get("title")),
                        venue=_text(entry.get("venue") or entry.get("journal") or entry.get("publisher")),
                        year=_text(entry.get("year")), doi=_clean_doi(entry.get("doi")),
                        url=url if _is_web_url(url) else "",
                        eprint=re.sub(r"^arxiv:", "", _text(entry.get("arxiv")), flags=re.I), line=line)
        diags += _common_warnings(ref, url, positions, (key,), path)
        out.append((ref, _digest(key, entry)))
    return out, diags


def split_authors(value: Any) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(display names, last names, et al.) from "Elhage, N., Hume, T., et al.".

    Also takes "N. Elhage and T. Hume", "Elhage, N. & Hume, T." and a JSON list
    of such names. A part that looks like initials belongs to the name before it.
    """
    if isinstance(value, list):
        value = ", ".join(_text(v) for v in value)
    text = _text(value)
    et_al = bool(_ET_AL.search(text))
    text = _ET_AL.sub("", text)
    parts = [p.strip() for p in re.split(r",|\s+&\s+|\s+and\s+", text) if p.strip()]
    shown: list[str] = []
    lasts: list[str] = []
    for part in parts:
        if _INITIALS.match(part) and shown and shown[-1] == lasts[-1]:
            shown[-1] = f"{part} {lasts[-1]}"  # "Elhage", "N." -> "N. Elhage"
        elif " " in part and not _INITIALS.match(part):
            shown.append(part)
            lasts.append(part.rsplit(" ", 1)[1])  # "Nelson Elhage"
        else:
            shown.append(part)
            lasts.append(part)
    return tuple(shown), tuple(lasts), et_al


# --- CSL-JSON -------------------------------------------------------------------

def _csl_items(data: list[Any], positions: Positions,
               path: str) -> tuple[list[tuple[Reference, str]], list[Diagnostic]]:
    out: list[tuple[Reference, str]] = []
    diags: list[Diagnostic] = []
    for index, item in enumerate(data):
        line, col = positions.where((index,))
        key = _text(item.get("id")) if isinstance(item, dict) else ""
        if not key:
            diags.append(error(path, line, col, "bib-syntax", "CSL-JSON item needs an 'id' (its citation key)"))
            continue
        authors, lasts, et_al = _csl_names(item.get("author"))
        url = _text(item.get("URL"))
        ref = Reference(key=key, entry_type=CSL_TYPES.get(_text(item.get("type")), "misc"),
                        authors=authors, author_lasts=lasts, et_al=et_al, title=_text(item.get("title")),
                        venue=_text(item.get("container-title") or item.get("publisher")
                                    or item.get("event-title")),
                        year=_csl_year(item.get("issued")), doi=_clean_doi(item.get("DOI")),
                        url=url if _is_web_url(url) else "", eprint="", line=line)
        diags += _common_warnings(ref, url, positions, (index,), path)
        out.append((ref, _digest(key, item)))
    return out, diags


def _csl_names(value: Any) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    shown: list[str] = []
    lasts: list[str] = []
    for person in value if isinstance(value, list) else []:
        if not isinstance(person, dict):
            continue
        literal = _text(person.get("literal"))
        if literal:
            shown.append(literal)
            lasts.append(literal)
            continue
        family = " ".join(p for p in (_text(person.get("non-dropping-particle")), _text(person.get("family"))) if p)
        given = " ".join(p for p in (_text(person.get("given")), _text(person.get("dropping-particle"))) if p)
        if family:
            shown.append(" ".join(p for p in (given, family, _text(person.get("suffix"))) if p))
            lasts.append(family)
    return tuple(shown), tuple(lasts), False


def _csl_year(issued: Any) -> str:
    if not isinstance(issued, dict):
        return ""
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        return _text(parts[0][0])
    found = re.search(r"\d{4}", _text(issued.get("raw") or issued.get("literal")))
    return found.group() if found else ""


def _common_warnings(ref: Reference, url: str, positions: Positions, where: tuple[Any, ...],
                     path: str) -> list[Diagnostic]:
    diags = []
    if not ref.title:
        diags.append(warning(path, *positions.where(where), "bib-field", f"entry '{ref.key}' has no title"))
    if url and not _is_web_url(url):
        field = "URL" if isinstance(where[0], int) else "url"
        diags.append(warning(path, *positions.where(where + (field,)), "bib-field",
                             f"url of entry '{ref.key}' is not an http(s) address and is not linked: "
                             f"'{url[:60]}'"))
    return diags
