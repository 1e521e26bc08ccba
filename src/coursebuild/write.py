"""Write the site atomically, with every root-relative URL under the base URL.

The new site is assembled in a staging folder beside the output folder and
swapped in only when everything succeeded: a failed build leaves the previous
output exactly as it was.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
from pathlib import Path
from stat import S_ISREG
from typing import Callable, Collection, Mapping, Union

from .swap import MARKER, staging_dir, swap

Content = Union[bytes, Path]

ATTR_URL_RE = re.compile(r"""(\s(?:href|src|action|poster|data-src|xlink:href|content)\s*=\s*)(["'])/(?!/)""")
SRCSET_RE = re.compile(r"""(\ssrcset\s*=\s*)(["'])([^"']*)\2""")
CSS_URL_RE = re.compile(r"""url\((["']?)/(?!/)""")


class OutputRefused(Exception):
    """The output folder is unsafe to replace (usage error)."""


def check_output_dir(out_dir: Path, course_dir: Path, content_dir: str = "content") -> None:
    """Refuse an output folder whose replacement could destroy the user's work, or that
    lies in a folder the build reads (each build would publish the last one again)."""
    out, course = out_dir.resolve(), course_dir.resolve()
    home = Path.home().resolve()
    if out == Path(out.anchor) or out == home:
        raise OutputRefused(f"refusing to use {out} as the output folder")
    if out == course or course.is_relative_to(out):
        raise OutputRefused("the output folder must not be the course folder or contain it")
    content = (course / content_dir).resolve()
    # A content_dir of "." is read only at its top level (and topics/, below it).
    read = ([content] if content != course else []) + [content / "topics", course / "templates", course / "static"]
    for folder in read:
        if out.is_relative_to(folder):
            name = folder.relative_to(course).as_posix() if folder.is_relative_to(course) else str(folder)
            raise OutputRefused(f"the output folder must not be inside the course's {name}/ folder, "
                                "which the build reads")
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputRefused(f"{out} is not empty and was not made by coursebuild; "
                            "choose another --out or empty it first")


def prefix_urls(text: str, base_url: str, css: bool = False) -> str:
    """Put ``base_url`` in front of every root-relative URL."""
    if base_url == "/":
        return text
    prefix = base_url.rstrip("/") + "/"
    if css:
        return CSS_URL_RE.sub(lambda m: f"url({m.group(1)}{prefix}", text)
    text = ATTR_URL_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{prefix}", text)
    text = SRCSET_RE.sub(lambda m: m.group(1) + m.group(2) + _srcset(m.group(3), prefix) + m.group(2), text)
    return CSS_URL_RE.sub(lambda m: f"url({m.group(1)}{prefix}", text)  # inline style="…url(/…)"


def unprefix_urls(text: str, base_url: str) -> str:
    """Undo :func:`prefix_urls` on an HTML or XML page (exact for attributes and
    ``url()``; callers check the result against a digest of the original)."""
    if base_url == "/":
        return text
    prefix = re.escape(base_url.rstrip("/") + "/")
    text = re.sub(r"""(\s(?:href|src|action|poster|data-src|xlink:href|content)\s*=\s*)(["'])""" + prefix,
                  r"\1\2/", text)
    text = SRCSET_RE.sub(lambda m: m.group(1) + m.group(2) + _srcset_back(m.group(3), base_url) + m.group(2), text)
    return re.sub(r"""url\((["']?)""" + prefix, r"url(\1/", text)


def _srcset_back(value: str, base_url: str) -> str:
    prefix = base_url.rstrip("/") + "/"
    return ", ".join("/" + item[len(prefix):] if item.startswith(prefix) else item
                     for item in (part.strip() for part in value.split(",")))


def _srcset(value: str, prefix: str) -> str:
    parts = []
    for item in value.split(","):
        item = item.strip()
        parts.append(prefix + item[1:] if item.startswith("/") and not item.startswith("//") else item)
    return ", ".join(parts)


def write_site(out_dir: Path, files: Mapping[str, Content], base_url: str,
               before_swap: Callable[[Path], None] | None = None, unchanged: Collection[str] = ()) -> None:
    """Write ``files`` (site path → bytes or a file to copy) and swap them in.

    A file whose bytes equal the previous output's is hard-linked from it instead
    of written: the swap then deletes only the old name, so an unchanged file keeps
    its inode, bytes and mtime (and a no-change rebuild writes no page again). The
    paths in ``unchanged`` are known to be equal (read back from that output), so
    they are linked without comparing their bytes again."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(out_dir)
    shutil.rmtree(staging, ignore_errors=True)
    previous = out_dir if (out_dir / MARKER).is_file() else None
    try:
        staging.mkdir()
        for rel, content in files.items():
            if previous is None or rel not in unchanged or not _link_known(previous / rel, staging / rel):
                _write_one(staging / rel, rel, content, base_url, previous)
        if before_swap is not None:
            before_swap(staging)
        # Last: a staging folder with the marker is complete (swap.recover relies on it).
        (staging / MARKER).write_text("This folder is written by coursebuild and replaced on every build.\n")
        swap(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_one(target: Path, rel: str, content: Content, base_url: str,
               previous: Path | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, Path):
        if base_url != "/" and rel.endswith(".css"):
            content = prefix_urls(content.read_text("utf-8"), base_url, css=True).encode("utf-8")
        else:
            if not _link_unchanged(previous, rel, target, content):
                # A copy, never a link to the source: editing the output must not touch the author's file.
                shutil.copyfile(content, target)
            return
    elif base_url != "/" and rel.endswith((".html", ".xml", ".css")):
        text = content.decode("utf-8")
        content = prefix_urls(text, base_url, css=rel.endswith(".css")).encode("utf-8")
    if not _link_unchanged(previous, rel, target, content):
        target.write_bytes(content)


def _link_known(old: Path, target: Path) -> bool:
    """Hard-link ``old``, a file known to hold the right bytes, to ``target``."""
    try:
        if not S_ISREG(os.lstat(old).st_mode):
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(old, target)
        return True
    except OSError:
        return False


def _link_unchanged(previous: Path | None, rel: str, target: Path, content: Content) -> bool:
    """Hard-link the previous output's ``rel`` to ``target`` when it holds exactly
    ``content``; False (nothing done) otherwise or where links are not possible."""
    if previous is None:
        return False
    old = previous / rel
    try:
        stat = os.lstat(old)
        if not os.path.isfile(old) or os.path.islink(old):
            return False
        if isinstance(content, Path):
            same = stat.st_size == content.stat().st_size and filecmp.cmp(old, content, shallow=False)
        else:
            same = stat.st_size == len(content) and old.read_bytes() == content
        if same:
            os.link(old, target)
        return same
    except OSError:  # gone, unreadable, or a file system without hard links: write it
        return False


class IncrementalWriter:
    """Update an output folder in place, touching only files that changed.

    Used by ``serve``: each file is replaced atomically (``os.replace``) and
    the server holds its lock while this runs, so no reader ever sees a
    half-written file or a half-updated site.
    """

    KEEP = ("pagefind/", MARKER)

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.resolve()
        self._seen: dict[str, object] = {}

    def update(self, files: Mapping[str, Content], base_url: str) -> list[str]:
        """Write what changed since the last call; return the changed paths."""
        if not (self.out_dir / MARKER).exists():
            write_site(self.out_dir, files, base_url)
            self._seen = {rel: _stamp(c) for rel, c in files.items()}
            return sorted(files)
        changed = []
        for rel, content in files.items():
            stamp = _stamp(content)
            if self._seen.get(rel) == stamp and (self.out_dir / rel).exists():
                continue
            tmp = self.out_dir / f"{rel}.cb-tmp"
            _write_one(tmp, rel, content, base_url)
            os.replace(tmp, self.out_dir / rel)
            self._seen[rel] = stamp
            changed.append(rel)
        for rel in sorted(set(self._seen) - set(files)):
            (self.out_dir / rel).unlink(missing_ok=True)
            del self._seen[rel]
            changed.append(rel)
        return changed


def _stamp(content: Content) -> object:
    if isinstance(content, Path):
        stat = content.stat()
        return (str(content), stat.st_mtime_ns, stat.st_size)
    return hash(content)
