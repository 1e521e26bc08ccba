"""Build-speed benchmark: a generated course of N topics, cold and warm.

usage: python benchmarks/build_bench.py [--topics 1000] [--jobs N]

Prints wall time and peak memory (RSS of the build process and its workers)
for a cold build (no cache), a warm build (everything cached) and a build
after editing one topic. Run by hand; numbers go in closing notes.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("model feature circuit attention layer neuron vector residual stream head token "
         "probe patch gradient weight matrix basis direction signal path").split()


def paragraph(rng: random.Random, words: int = 90) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def topic(rng: random.Random, index: int, slugs: list[str], per_block: int) -> str:
    earlier = sorted({rng.randrange(index) for _ in range(2)}) if index else []
    prereqs = "".join(f'  - title: "Topic {j}"\n    url: "/topics/{slugs[j]}/"\n' for j in earlier)
    body = [f"## Section {s}\n\n{paragraph(rng)} {{% cite \"work{rng.randrange(50)}\" %}} with "
            f"$x_{s}^2 + y = {s}$ inline.{{% sidenote \"A note with *emphasis* and $\\\\alpha_{s}$.\" %}}\n\n"
            f"{paragraph(rng)}\n\n$$\n\\sum_{{i=1}}^{{{s + 2}}} i^2\n$$\n\n```python\nx = {s}\n```\n"
            for s in range(1, 5)]
    return (f'---\ntitle: "Topic {index}"\ndescription: "Generated topic {index}."\n'
            f"order: {index % per_block + 1}\n" + (f"prerequisites:\n{prereqs}" if prereqs else "")
            + f'glossary:\n  - term: "Term{index}"\n    definition: "Definition {index}."\n---\n\n'
            + "\n".join(body))


def make_course(root: Path, topics: int, per_block: int = 20) -> None:
    rng = random.Random(7)
    slugs = [f"topic-{i}" for i in range(topics)]
    for i, slug in enumerate(slugs):
        block = root / "content/topics" / f"block-{i // per_block}"
        (block / slug).mkdir(parents=True, exist_ok=True)
        (block / "_block.yml").write_text(f'title: "Block {i // per_block}"\norder: {i // per_block + 1}\n')
        (block / slug / "index.md").write_text(topic(rng, i, slugs, per_block))
    bib = "".join(f"@article{{work{k},\n  author = {{Author, A{k} and Other, B}},\n  title = {{Work {k}}},\n"
                  f"  journal = {{Journal}},\n  year = {{20{k % 25:02d}}}\n}}\n\n" for k in range(50))
    (root / "bibliography.bib").write_text(bib)
    (root / "course.yml").write_text("title: Benchmark course\n")


def timed_build(course: Path, out: Path, extra: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "coursebuild", "build", str(course), "--out", str(out),
                           "--quiet", *extra], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stderr[-2000:])
        raise SystemExit("build failed")
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--jobs", default=None)
    args = parser.parse_args()
    extra = ["--jobs", args.jobs] if args.jobs else []
    with tempfile.TemporaryDirectory() as tmp:
        course, out = Path(tmp) / "course", Path(tmp) / "site"
        make_course(course, args.topics)
        for label in ("cold (no cache)", "cold, no search"):
            shutil.rmtree(course / ".coursebuild-cache", ignore_errors=True)
            seconds, rss = timed_build(course, out, extra + (["--no-search"] if "no search" in label else []))
            print(f"{args.topics} topics, {label}: {seconds:.2f} s, peak RSS {rss} MB")
        seconds, rss = timed_build(course, out, extra)
        print(f"{args.topics} topics, warm (cached): {seconds:.2f} s")
        page = course / "content/topics/block-0/topic-1/index.md"
        page.write_text(page.read_text() + "\nOne more sentence.\n")
        seconds, rss = timed_build(course, out, extra)
        print(f"{args.topics} topics, one topic edited: {seconds:.2f} s")


if __name__ == "__main__":
    main()
