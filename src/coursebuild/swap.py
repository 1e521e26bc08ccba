"""Swap a new site in for the old one, and recover from a build killed mid-swap.

A build writes the new site into ``.NAME.staging-PID`` beside the output
folder ``NAME`` and writes the marker file last, so a staging folder with the
marker is complete. The swap is two renames (``NAME`` → ``.NAME.old-PID``,
then staging → ``NAME``): POSIX has no portable atomic exchange of two
folders, and a symbolic link as the output folder would surprise the tools
that publish it. A kill between the two renames leaves no ``NAME``, so every
build starts with :func:`recover`: it finishes the swap of a dead build (its
complete staging folder becomes ``NAME``) or puts its old site back, and
removes the folders dead builds left behind.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

MARKER = ".coursebuild-site"
"""A file in every output folder; we only ever replace folders that have it."""


def staging_dir(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"


def old_dir(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"


def swap(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``staging`` (a complete site) with two renames."""
    old = old_dir(out_dir)
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.rename(out_dir, old)
    try:
        os.rename(staging, out_dir)
    except OSError:
        if old.exists():
            os.rename(old, out_dir)  # put the previous site back
        raise
    shutil.rmtree(old, ignore_errors=True)


def recover(out_dir: Path) -> None:
    """Repair what a killed build left beside ``out_dir`` (see the module docstring)."""
    if not out_dir.parent.is_dir():
        return
    pattern = re.compile(rf"^\.{re.escape(out_dir.name)}\.(staging|old)-(\d+)$")
    leftovers: dict[str, list[Path]] = {"staging": [], "old": []}
    for entry in out_dir.parent.iterdir():
        match = pattern.match(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not _alive(int(match.group(2))):
            leftovers[match.group(1)].append(entry)
    if not out_dir.exists():
        # The newest complete site wins: a finished staging folder, else the old site.
        for kind in ("staging", "old"):
            complete = [p for p in leftovers[kind] if (p / MARKER).is_file()]
            if complete:
                newest = max(complete, key=lambda p: p.stat().st_mtime_ns)
                os.rename(newest, out_dir)
                leftovers[kind].remove(newest)
                break
    for folder in leftovers["staging"] + leftovers["old"]:
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    """True when process ``pid`` exists (ours counts: its folders are in use)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or a number no process can have
        return False
    except PermissionError:  # another user's process
        return True
    return True
