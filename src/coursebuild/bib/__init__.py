"""Bibliographies in several formats and files, merged into one.

The format is chosen by the file's extension and, for ``.json``, by its
content: BibTeX/BibLaTeX (``.bib``), CSL-JSON (a JSON array) or the simple
JSON map of the Eleventy course (a JSON object). Several files may be listed
in course.yml; a key defined twice is an error at the second place.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath

from ..bibliography import Bibliography, Reference, _read, load_bibliography
from ..diagnostics import Diagnostic, error, sort_key
from .json_formats import parse_json

JSON_SUFFIXES = (".json", ".csl-json", ".csljson")


def load_all(course_dir: Path, files: tuple[str, ...]) -> tuple[Bibliography, list[Diagnostic]]:
    """Load and merge ``files`` (paths relative to the course); never raises.

    A missing file is skipped silently here: course.yml's check reports a
    named file that does not exist, and the default ``bibliography.bib`` may
    be absent until something cites.
    """
    if len(files) == 1 and not _is_json(files[0]):
        return load_bibliography(course_dir, files[0])  # today's path, unchanged
    refs: dict[str, Reference] = {}
    digests: dict[str, str] = {}
    origins: dict[str, str] = {}
    csl: dict[str, str] = {}
    seen: dict[str, tuple[str, int]] = {}
    diags: list[Diagnostic] = []
    for rel in files:
        one, one_diags = load_one(course_dir, rel)
        diags += one_diags
        for key, ref in one.references.items():
            first = seen.get(key.casefold())
            if first is not None:
                diags.append(error(one.path, ref.line, 0, "bib-syntax",
                                   f"duplicate entry key '{key}' (first defined at {first[0]}:{first[1]})"))
                continue
            seen[key.casefold()] = (one.path, ref.line)
            refs[key], digests[key], origins[key] = ref, one.digest(key), one.path
            if key in one.csl:
                csl[key] = one.csl[key]
    path = PurePath(files[0]).as_posix() if files else "bibliography.bib"
    return Bibliography(path, refs, digests, origins, csl), sorted(diags, key=sort_key)


def load_one(course_dir: Path, rel: str) -> tuple[Bibliography, list[Diagnostic]]:
    """One bibliography file, in the format its name or content says."""
    if not _is_json(rel):
        return load_bibliography(course_dir, rel)
    path = PurePath(rel).as_posix()
    text, diags = _read(course_dir / rel, path)
    if text is None:
        return Bibliography(path), diags
    pairs, parse_diags = parse_json(text, path)
    diags += parse_diags
    refs: dict[str, Reference] = {}
    digests: dict[str, str] = {}
    csl: dict[str, str] = {}
    items = _csl_items(text) if text.lstrip().startswith("[") else {}
    folded: set[str] = set()
    for ref, digest in pairs:
        if ref.key.casefold() in folded:
            diags.append(error(path, ref.line, 0, "bib-syntax", f"duplicate entry key '{ref.key}'"))
            continue
        folded.add(ref.key.casefold())
        refs[ref.key], digests[ref.key] = ref, digest
        if ref.key in items:
            csl[ref.key] = items[ref.key]
    return Bibliography(path, refs, digests, csl=csl), sorted(diags, key=sort_key)


def _is_json(rel: str) -> bool:
    return rel.lower().endswith(JSON_SUFFIXES)


def _csl_items(text: str) -> dict[str, str]:
    """CSL-JSON items by id, as JSON text (kept whole for the CSL styles)."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return {str(item["id"]): json.dumps(item, ensure_ascii=False) for item in data
            if isinstance(item, dict) and item.get("id") is not None}
