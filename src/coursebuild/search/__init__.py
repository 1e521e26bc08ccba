"""Full-text search: a Pagefind index built into the staged site before it is swapped in.

Pagefind (the pinned ``pagefind-bin`` wheel ships its binary) indexes what the
templates mark with ``data-pagefind-body`` and weights side notes and references lower
through ``data-pagefind-weight`` attributes. The stages: the pages as Pagefind reads them
(copy.py), running Pagefind (pagefind.py), and building or keeping the index (index.py).
"""

from .index import DIGEST_FILE, SEARCH_COPY, index_in_place, index_or_reuse, index_site, pages_digest
from .pagefind import SearchIndexFailed, pagefind_executable

__all__ = ["DIGEST_FILE", "SEARCH_COPY", "SearchIndexFailed", "index_in_place", "index_or_reuse", "index_site",
           "pages_digest", "pagefind_executable"]
