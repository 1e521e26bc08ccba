"""Giving memory that Python has freed back to the operating system."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys


def give_back_memory() -> None:
    """Ask the C library to return free heap pages (glibc's ``malloc_trim``).

    A page of HTML is smaller than the size above which glibc maps memory of its own,
    so freeing a thousand pages leaves the memory in the heap, still counted as the
    process's; ``malloc_trim`` hands the unused pages back. Nothing happens elsewhere
    (another C library, another system)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass
