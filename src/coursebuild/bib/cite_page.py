"""The "Cite this page" box of a topic: a BibTeX entry and a formatted reference.

Built from course.yml (``title``, ``author``, ``site_url``, ``base_url``) and
the topic's title and URL; the year is the build's (``SOURCE_DATE_EPOCH``
when set, for reproducible builds). Without ``site_url`` there is no
absolute address to cite, so the entry has no ``url``.
"""

from __future__ import annotations

import os
import re
import time
from functools import lru_cache

from ..bibliography import Reference, _people
from ..config import CourseConfig

_BIBTEX_SPECIAL = re.compile(r"([&%$#_])")


def build_year() -> str:
    """The year of this build (reproducible with ``SOURCE_DATE_EPOCH``)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else time.time()
    return str(time.gmtime(seconds).tm_year)


def cite_this_page(config: CourseConfig, title: str, url: str, slug: str) -> dict[str, str]:
    """``{"bibtex": …, "html": …, "text": …}`` for one topic."""
    absolute = (config.site_url.rstrip("/") + config.base_url.rstrip("/") + url) if config.site_url else ""
    return dict(_cite(config.author, config.title, title, absolute, slug, build_year()))


@lru_cache(maxsize=4096)
def _cite(author: str, course: str, title: str, url: str, slug: str, year: str) -> tuple[tuple[str, str], ...]:
    authors, lasts, _ = _people(author.replace(", ", " and ")) if author.strip() else ((), (), False)
    ref = Reference(key=slug, entry_type="misc", authors=authors, author_lasts=lasts, et_al=False,
                    title=title, venue=course, year=year, doi="", url=url, eprint="", line=0)
    return (("bibtex", _bibtex(ref, lasts)), ("html", ref.html()), ("text", ref.plain() + (f" {url}" if url else "")))


def _bibtex(ref: Reference, lasts: tuple[str, ...]) -> str:
    """A @misc entry; the key is the first author's (or course's) name, year and slug."""
    first = re.sub(r"[^a-z0-9]", "", (lasts[0] if lasts else ref.venue).lower())[:20] or "course"
    fields = [("author", " and ".join(ref.authors)), ("title", ref.title), ("howpublished", ref.venue),
              ("year", ref.year), ("url", ref.url)]
    body = ",\n".join(f"  {name} = {{{_bibtex_value(value)}}}" for name, value in fields if value)
    return f"@misc{{{first}{ref.year}{ref.key},\n{body}\n}}"


def _bibtex_value(value: str) -> str:
    """Braces would unbalance the entry; LaTeX specials are escaped (not in URLs)."""
    value = value.replace("{", "").replace("}", "")
    return value if value.startswith("http") else _BIBTEX_SPECIAL.sub(r"\\\1", value)
