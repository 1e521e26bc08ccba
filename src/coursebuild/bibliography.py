"""Load a course's BibTeX file into immutable, render-ready references.

Scanning the text, with line/column tracking and recovery from syntax
errors, is done by ``coursebuild.bibtex_scan``; this module reads the file,
turns the raw entries into ``Reference`` objects (LaTeX decoded to plain
text, names split, identifiers cleaned) and formats them.

Keys are case-sensitive for lookup: a page must cite ``olah2020zoom``
exactly as the .bib file spells it. Keys differing only in case are still
duplicates, because BibTeX and pybtex treat them as one entry.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import json
import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from urllib.parse import quote, urlsplit

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import pybtex.errors
from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person

from .bibtex_scan import RawEntry, scan
from .controlchars import drop_control_characters
from .diagnostics import Diagnostic, did_you_mean, error, sort_key, warning

MAX_LISTED_AUTHORS = 6
VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "howpublished",
                "publisher", "institution", "school")
# The LaTeX codec is slow; most names and many titles need none of it.
_NEEDS_DECODING = re.compile(r"[\\~`$]|--|''")
_LATEX_SYNTAX = re.compile(r"[\\{}$~`'-]")
_DOI_PREFIX = r"^(doi:\s*|https?://(dx\.)?doi\.org/)"  # keep the bare DOI


def _latex_to_text(latex: str) -> str:
    """Plain Unicode for a BibTeX value: accents decoded, braces dropped."""
    if not _LATEX_SYNTAX.search(latex):  # the common case, kept fast
        return re.sub(r"[ \t\n]+", " ", latex).strip()
    text = latex
    if _NEEDS_DECODING.search(latex):
        with suppress(UnicodeError, ValueError):  # keep bad LaTeX readable
            # latexcodec decodes str to str, which typeshed cannot know.
            text = codecs.decode(  # type: ignore[call-overload]
                latex, "ulatex")
    # Escaped braces and dollars are literal: park them while stripping.
    text = (text.replace(r"\{", "\x01").replace(r"\}", "\x02")
            .replace(r"\$", "\x03").replace("\\\\", " "))
    text = re.sub(r"\\[A-Za-z]+\s*(?=\{)", "", text)  # \emph{x} -> {x}
    text = re.sub(r"\\([A-Za-z]+)\s*", r"\1", text)  # \LaTeX -> LaTeX
    text = re.sub(r"[{}$]", "", text)
    text = text.replace("\x01", "{").replace("\x02", "}")
    return re.sub(r"[ \t\n]+", " ", text.replace("\x03", "$")).strip()


def _end_sentence(text: str) -> str:
    """``text`` with a full stop unless it already ends a sentence."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _is_web_url(url: str) -> bool:
    """Only http(s) URLs become links (never ``javascript:``)."""
    return bool(url) and urlsplit(url).scheme.lower() in ("http", "https")


_ARXIV_PAGE = re.compile(r"^(?:export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:v\d+)?(?:\.pdf)?$")


def _url_identity(url: str) -> str:
    """``url`` without scheme, www./dx. and trailing slash, lower-cased.

    Good enough to spot a url repeating the DOI or arXiv link: any arXiv
    page of an eprint (abstract or PDF, any version) is the same work.
    """
    url = re.sub(r"^https?://(www\.|dx\.)?", "", url.strip().lower()).rstrip("/")
    return _ARXIV_PAGE.sub(r"arxiv.org/abs/\1", url)


@dataclass(frozen=True)
class Reference:
    """One bibliography entry, converted to plain text."""

    key: str
    entry_type: str
    authors: tuple[str, ...]
    author_lasts: tuple[str, ...]
    et_al: bool
    title: str
    venue: str
    year: str
    doi: str
    url: str
    eprint: str
    line: int

    def names(self) -> str:
        """Authors for display: "A, B and C" or "A, …, F et al."."""
        shown = self.authors[:MAX_LISTED_AUTHORS]
        if self.et_al or len(self.authors) > MAX_LISTED_AUTHORS:
            return ", ".join(shown) + " et al." if shown else ""
        if len(shown) < 2:
            return "".join(shown)
        return ", ".join(shown[:-1]) + " and " + shown[-1]

    def links(self) -> list[tuple[str, str]]:
        """(href, text) pairs: DOI, arXiv, then the url unless a repeat."""
        found = []
        if self.doi:
            found.append((f"https://doi.org/{quote(self.doi, '/:;()')}",
                          f"doi:{self.doi}"))
        if self.eprint:
            found.append((f"https://arxiv.org/abs/{quote(self.eprint)}",
                          f"arXiv:{self.eprint}"))
        seen = {_url_identity(href) for href, _ in found}
        if _is_web_url(self.url) and _url_identity(self.url) not in seen:
            host = urlsplit(self.url).hostname or self.url
            found.append((self.url, host.removeprefix("www.")))
        return found

    def html(self) -> str:
        """The formatted reference as HTML; every value is escaped."""
        parts = []
        if self.authors:
            parts.append(html.escape(_end_sentence(self.names())))
        if self.title:
            cite = f"<cite>{html.escape(self.title)}</cite>"
            ended = _end_sentence(self.title) == self.title
            parts.append(cite if ended else cite + ".")
        venue = (f'<span class="venue">{html.escape(self.venue)}</span>'
                 if self.venue else "")
        published = ", ".join(p for p in (venue, html.escape(self.year)) if p)
        if published:
            # Judge the text, not the markup (which may end in "</span>").
            plain = ", ".join(p for p in (self.venue, self.year) if p)
            parts.append(published if _end_sentence(plain) == plain else published + ".")
        parts += [f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
                  for href, text in self.links()]
        return " ".join(parts)

    def plain(self) -> str:
        """One-line plain text (tooltips, search index)."""
        published = ", ".join(p for p in (self.venue, self.year) if p)
        parts = [_end_sentence(p)
                 for p in (self.names(), self.title, published) if p]
        parts += [f"doi:{self.doi}"] if self.doi else []
        parts += [f"arXiv:{self.eprint}"] if self.eprint else []
        return " ".join(parts)

    def author_year(self) -> str:
        """In-text label such as "Olah et al., 2020"."""
        lasts = self.author_lasts
        if not lasts:
            label = self._short_title()
        elif self.et_al or len(lasts) >= 3:
            label = f"{lasts[0]} et al."
        else:
            label = " and ".join(lasts)
        return f"{label}, {self.year or 'n.d.'}"

    def sort_key(self) -> tuple[str, str, str]:
        """(first author's last name, year, title), ignoring case."""
        first = self.author_lasts[0] if self.author_lasts else self.title
        return (first.casefold(), self.year, self.title.casefold())

    def _short_title(self) -> str:
        """Label for anonymous works: the title's first (up to 4) words."""
        words = re.split(r"[:.?!]", self.title, maxsplit=1)[0].split()
        if not words:
            return self.key
        return " ".join(words[:4]) + ("…" if len(words) > 4 else "")


@dataclass(frozen=True)
class Bibliography:
    """All references of one course, keyed exactly as in the file.

    The mappings are plain dicts typed read-only (``MappingProxyType``
    would make the object unpicklable, and the renderer ships it to
    worker processes).
    """

    path: str
    references: Mapping[str, Reference] = field(default_factory=dict)
    digests: Mapping[str, str] = field(default_factory=dict, repr=False)
    origins: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The file each key comes from, when several are loaded (else ``path``)."""
    csl: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The CSL-JSON item (as JSON text) of keys read from CSL-JSON, for CSL styles."""

    def origin(self, key: str) -> str:
        """The bibliography file that defines ``key``."""
        return self.origins.get(key, self.path)

    def get(self, key: str) -> Reference | None:
        return self.references.get(key)

    def keys(self) -> list[str]:
        """Keys in file order."""
        return list(self.references)

    def digest(self, key: str) -> str:
        """Hash of the entry's type, key and fields; "" if unknown.

        Every field counts (rendered or not), but layout, field order and
        position in the file do not.
        """
        return self.digests.get(key, "")


_Fields = dict[str, tuple[str, int, int]]  # lower-case name: value, line, col


def _first_values(raw: RawEntry,
                  path: str) -> tuple[_Fields, list[Diagnostic]]:
    """Fields by lower-case name; a repeated field keeps its first value."""
    values: _Fields = {}
    diags = []
    for name, value, line, col in raw.fields:
        name = name.lower()
        if name in values:
            diags.append(warning(
                path, line, col, "bib-field",
                f"field '{name}' is given twice in entry '{raw.key}'; the "
                f"first value (line {values[name][1]}) is used"))
        else:
            values[name] = (value, line, col)
    return values, diags


def _people(names: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(display names, last names, et al.) from a BibTeX name list."""
    shown, lasts, et_al = [], [], False
    for name in split_name_list(names) if names.strip() else []:
        if name.strip().lower() == "others":
            et_al = True
            continue
        person = Person(name)
        last = person.prelast_names + person.last_names
        shown.append(_latex_to_text(" ".join(
            person.first_names + person.middle_names + last
            + person.lineage_names)))
        lasts.append(_latex_to_text(" ".join(last)))
    return tuple(shown), tuple(lasts), et_al


def _identifier(values: _Fields, name: str) -> str:
    """A url, doi or eprint: not LaTeX, apart from stray escapes/braces."""
    value = values.get(name, ("",))[0]
    return re.sub(r"\\([_%&#~])", r"\1", value).translate(
        {ord("{"): None, ord("}"): None}).strip()


def _arxiv_id(values: _Fields) -> str:
    """The eprint when it is an arXiv id (BibTeX or biblatex style)."""
    archive = values.get("archiveprefix") or values.get("eprinttype")
    if not archive or archive[0].strip().lower() != "arxiv":
        return ""
    return re.sub(r"^arxiv:", "", _identifier(values, "eprint"), flags=re.I)


def _build(raw: RawEntry,
           path: str) -> tuple[Reference, str, list[Diagnostic]]:
    """The Reference for one entry, its digest and field warnings."""
    values, diags = _first_values(raw, path)

    def text(*names: str) -> str:
        return next((_latex_to_text(values[n][0]) for n in names
                     if values.get(n, ("",))[0].strip()), "")

    author, line, col = values.get("author", ("", raw.line, raw.col))
    with pybtex.errors.capture() as name_errors:  # never raise or print
        authors, lasts, et_al = _people(author)
    diags += [warning(path, line, col, "bib-field",
                      f"author list of entry '{raw.key}': {e.args[0]}")
              for e in name_errors]
    url = _identifier(values, "url")
    ref = Reference(
        key=raw.key, entry_type=raw.entry_type, authors=authors,
        author_lasts=lasts, et_al=et_al, title=text("title"),
        venue=text(*VENUE_FIELDS), year=text("year") or text("date")[:4],
        doi=re.sub(_DOI_PREFIX, "", _identifier(values, "doi"), flags=re.I),
        url=url if _is_web_url(url) else "",
        eprint=_arxiv_id(values), line=raw.line)
    diags += _field_warnings(raw, values, url, path)
    return ref, _digest(raw, values), diags


def _field_warnings(raw: RawEntry, values: _Fields, url: str,
                    path: str) -> list[Diagnostic]:
    """A missing title; a url that will not be linked."""
    diags = []
    if not values.get("title", ("",))[0].strip():
        # Suggest misspellings such as "titel", not e.g. "booktitle".
        others = [n for n in values if not n.endswith("title")]
        diags.append(warning(path, raw.line, raw.col, "bib-field",
                             f"entry '{raw.key}' has no title"
                             + did_you_mean("title", others)))
    if url and not _is_web_url(url):
        diags.append(warning(path, *values["url"][1:], "bib-field",
                             f"url of entry '{raw.key}' is not an http(s) "
                             f"address and is not linked: '{url[:60]}'"))
    return diags


def _digest(raw: RawEntry, values: _Fields) -> str:
    """Hash of type, key and field values, independent of layout."""
    content = [raw.entry_type, raw.key,
               sorted((name, value) for name, (value, *_) in values.items())]
    encoded = json.dumps(content, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _read(file: Path, path: str) -> tuple[str | None, list[Diagnostic]]:
    """The text, without BOM and with \\n line ends; None if absent."""
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [error(path, 0, 0, "bib-read",
                            f"cannot read {path}: {exc.strerror or exc}")]
    try:
        text, diags = data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        # Go on with replacement characters so the other entries load.
        text = data.decode("utf-8-sig", errors="replace")
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start:exc.start].decode("utf-8-sig", "replace"))
        diags = [error(path, data.count(b"\n", 0, exc.start) + 1, col + 1,
                       "bib-encoding",
                       f"{path} is not valid UTF-8 (byte "
                       f"0x{data[exc.start]:02X}); save it as UTF-8")]
    text, controls = drop_control_characters(text.replace("\r\n", "\n").replace("\r", "\n"), path)
    return text, diags + controls


def load_bibliography(course_dir: Path, rel_path: str = "bibliography.bib"
                      ) -> tuple[Bibliography, list[Diagnostic]]:
    """Load ``course_dir/rel_path``; never raises, never prints.

    A missing file gives an empty bibliography and no diagnostic (a course
    need not cite anything). Valid entries survive errors elsewhere; of
    duplicate keys the first entry wins. Diagnostics come sorted.
    """
    path = PurePath(rel_path).as_posix()
    text, diags = _read(Path(course_dir) / rel_path, path)
    if text is None:
        return Bibliography(path), diags
    raws, scan_diags = scan(text, path)
    diags += scan_diags
    refs: dict[str, Reference] = {}
    digests: dict[str, str] = {}
    first_seen: dict[str, RawEntry] = {}
    for raw in raws:
        first = first_seen.setdefault(raw.key.casefold(), raw)
        if first is not raw:
            case = f" as '{first.key}'" if first.key != raw.key else ""
            diags.append(error(path, raw.line, raw.col, "bib-syntax",
                               f"duplicate entry key '{raw.key}' (first "
                               f"defined at line {first.line}{case})"))
            continue
        refs[raw.key], digests[raw.key], ref_diags = _build(raw, path)
        diags += ref_diags
    return Bibliography(path, refs, digests), sorted(diags, key=sort_key)

