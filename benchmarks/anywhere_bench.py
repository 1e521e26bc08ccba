"""Benchmarks of the "take the course anywhere" outputs (run by hand, not a test).

usage: python benchmarks/anywhere_bench.py [--topics 68] [--words 2500] [--search-topics 68,300,1000]
       python benchmarks/anywhere_bench.py --course .      (the demo course instead of a generated one)

PDF: ``coursebuild pdf`` on the course: pages, wall time, pages/second and the
peak memory of the whole process tree (Python, Playwright's driver and every
Chromium process: the sum of their PSS, sampled from /proc every 50 ms).

Portable search: for generated courses of each size, the size of
``assets/search-index.js`` (raw and gzipped) and, in Chromium from disk, the
time to load the index, to prepare the search engine and to answer a query.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_bench import WORDS, make_course  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def generated(root: Path, topics: int, words: int) -> Path:
    """build_bench's course, each topic padded with prose to about ``words`` words."""
    make_course(root, topics)
    rng = random.Random(11)
    for page in sorted(root.glob("content/topics/*/*/index.md")):
        extra = []
        for section in range(max(0, (words - 800) // 300)):
            text = " ".join(rng.choice(WORDS) for _ in range(300))
            extra.append(f"## Further section {section}\n\n{text.capitalize()}.\n")
        page.write_text(page.read_text() + "\n" + "\n".join(extra))
    return root


TICK = os.sysconf("SC_CLK_TCK")


def tree_rss(pid: int, cpu: dict[int, float] | None = None) -> int:
    """Proportional set size (bytes) of ``pid`` and all its descendants; their CPU
    seconds so far go into ``cpu`` (by pid: the last sample before a process ends
    is kept, which RUSAGE_CHILDREN would miss for Chromium's killed helpers)."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                ppid = int(fields[1])
                ticks[int(entry)] = int(fields[11]) + int(fields[12])  # utime + stime
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        if cpu is not None and current in ticks:
            cpu[current] = ticks[current] / TICK
        try:  # PSS: memory shared between Chromium's processes counted once, not per process
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def run_sampled(command: list[str]) -> tuple[float, float, int]:
    """Run ``command``; wall seconds, CPU seconds of the whole tree, peak tree PSS.

    CPU time says more than wall time on a busy machine (sampled every 50 ms, so
    a process living less than that may be missed)."""
    start = time.perf_counter()
    cpu: dict[int, float] = {}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid, cpu))
            time.sleep(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, err = proc.communicate()
    done.set()
    thread.join()
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{err}")
    return time.perf_counter() - start, sum(cpu.values()), peak


def bench_pdf(course: Path, out: Path) -> None:
    from pypdf import PdfReader

    seconds, cpu, peak = run_sampled([sys.executable, "-m", "coursebuild", "pdf", str(course), "--out", str(out), "-q"])
    pages = len(PdfReader(out).pages)
    print(f"pdf: {pages} pages, {out.stat().st_size / 1e6:.1f} MB, {seconds:.1f} s wall "
          f"({pages / seconds:.1f} pages/s including the build), {cpu:.1f} s CPU ({pages / cpu:.1f} pages per "
          f"CPU second), peak memory {peak / 1e6:.0f} MB (PSS of the process tree); load average "
          f"{os.getloadavg()[0]:.1f}")


def bench_search(root: Path, topics: int, words: int) -> None:
    from playwright.sync_api import sync_playwright

    course = generated(root / f"c{topics}", topics, words)
    site = root / f"s{topics}"
    subprocess.run([sys.executable, "-m", "coursebuild", "build", str(course), "--out", str(site),
                    "--portable", "-q"], check=True, capture_output=True)
    index = (site / "assets/search-index.js").read_bytes()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto((site / "search/index.html").as_uri())
        timings = page.evaluate("""async () => {
          const load = src => new Promise((ok, no) => { const s = document.createElement('script');
            s.src = src; s.onload = ok; s.onerror = no; document.head.appendChild(s); });
          const t0 = performance.now(); await load('../assets/search-index.js');
          const t1 = performance.now(); await load('../assets/search-local.js');
          const t2 = performance.now(); const one = await window.coursebuildLocalSearch.search('attention');
          const t3 = performance.now(); const two = await window.coursebuildLocalSearch.search('residual stream head');
          const t4 = performance.now();
          return [t1 - t0, t2 - t1, t3 - t2, t4 - t3, one.results.length, two.results.length]; }""")
        browser.close()
    load, prepare, q1, q2, n1, n2 = timings
    print(f"search, {topics} topics: index {len(index) / 1e6:.2f} MB ({len(gzip.compress(index)) / 1e6:.2f} MB "
          f"gzipped); load {load:.0f} ms, prepare {prepare:.0f} ms, query 'attention' {q1:.0f} ms "
          f"({n1} pages), 'residual stream head' {q2:.0f} ms ({n2} pages)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=68)
    parser.add_argument("--words", type=int, default=2500, help="about this many words per generated topic")
    parser.add_argument("--course", type=Path, default=None, help="benchmark this course's PDF instead")
    parser.add_argument("--search-topics", default="68,300,1000", help="course sizes for the search benchmark")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        course = args.course or generated(root / "pdf-course", args.topics, args.words)
        print(f"course: {args.course or f'{args.topics} generated topics of ~{args.words} words'}")
        bench_pdf(course, root / "book.pdf")
        for size in (int(n) for n in args.search_topics.split(",") if n):
            bench_search(root, size, args.words)


if __name__ == "__main__":
    main()
