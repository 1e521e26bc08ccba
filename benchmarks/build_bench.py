"""Build-speed benchmark: a generated course of N topics, cold, unchanged and edited.

usage: python benchmarks/build_bench.py [--topics 1000] [--jobs N] [--no-blocks] [--runs 1]

The course is course_gen.py's (seed-shaped topics, distinct formulas). Each run
times, with ``coursebuild build`` as a new process each time and search included:
a cold build (empty render cache, no previous output), a no-change rebuild, and
a rebuild after one topic's text was edited. The render cache lives in a private
folder (``XDG_CACHE_HOME`` under the temporary folder), so "cold" really starts
empty. Prints wall time and the CPU time (user + system) of the build and its
workers; the CPU figure is the one to compare on a shared machine. Run by hand.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from course_gen import make_course  # noqa: E402


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_build(course: Path, out: Path, extra: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the build and its workers)."""
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "coursebuild", "build", str(course), "--out", str(out),
                           "--quiet", *extra], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stderr[-2000:])
        raise SystemExit("build failed")
    return elapsed, children_cpu() - cpu


def one_run(root: Path, topics: int, blocks: bool, extra: list[str]) -> None:
    course, out, cache = root / "course", root / "site", root / "cache"
    shutil.rmtree(root, ignore_errors=True)
    make_course(course, topics, blocks=blocks)
    # Bytecode kept as an installation keeps it, even where the machine sets
    # PYTHONDONTWRITEBYTECODE (each process would otherwise compile its imports).
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "XDG_CACHE_HOME": str(cache),
           "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "coursebuild-bench-pycache")}
    cold = timed_build(course, out, extra, env)
    same = timed_build(course, out, extra, env)
    page = next(course.glob("content/topics/**/topic-1*.md"), None) or \
        next(course.glob("content/topics/**/topic-1/index.md"))
    page.write_text(page.read_text() + "\nOne more sentence about the residual stream.\n")
    edited = timed_build(course, out, extra, env)
    for label, (wall, cpu) in (("cold", cold), ("no change", same), ("one topic edited", edited)):
        print(f"{topics} topics, {label}: wall {wall:.2f} s ({wall / cold[0]:.2f}x cold), "
              f"CPU {cpu:.2f} s ({cpu / cold[1]:.2f}x cold)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--jobs", default=None)
    parser.add_argument("--no-blocks", action="store_true")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    extra = ["--jobs", args.jobs] if args.jobs else []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            one_run(Path(tmp) / "run", args.topics, not args.no_blocks, extra)


if __name__ == "__main__":
    main()
