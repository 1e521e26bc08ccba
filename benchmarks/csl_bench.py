"""CSL formatting benchmark: N references formatted by each shipped style.

usage: python benchmarks/csl_bench.py [--refs 100]

citeproc-py formats only the works the pages cite, once per bibliography and
style (serve reuses the result), so this is the cost a cold build pays for a
course citing N works. Run by hand; numbers go in closing notes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from coursebuild.bib.styles import SHIPPED, apply_style
from coursebuild.bibliography import Bibliography, Reference


def bibliography(count: int) -> Bibliography:
    """``count`` journal articles of three authors each, a few sharing a label."""
    refs = {}
    for i in range(count):
        key = f"k{i}"
        refs[key] = Reference(key=key, entry_type="article", authors=(f"Ann Author{i % 40}", "Bob Second", "Cy Third"),
                              author_lasts=(f"Author{i % 40}", "Second", "Third"), et_al=i % 7 == 0,
                              title=f"Findings, part {i}", venue="Journal of Examples", year=str(2000 + i % 5),
                              doi=f"10.1000/x{i}", url="", eprint="", line=1)
    return Bibliography("bench.bib", refs, {k: k for k in refs})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refs", type=int, default=100)
    args = parser.parse_args()
    bib = bibliography(args.refs)
    for style in SHIPPED:
        start = time.perf_counter()
        apply_style(bib, style, Path("."))
        seconds = time.perf_counter() - start
        print(f"{style:>20}: {args.refs} references in {seconds:.2f} s ({seconds * 1000 / args.refs:.0f} ms each)")


if __name__ == "__main__":
    main()
