"""Serve latency: from saving a file to the rebuilt page being served.

usage: python benchmarks/serve_bench.py [--runs 20] [--blocks 10] [--per-block 20] [--keep]

Generates a course like the real one (10 blocks x 20 topics, each topic about
1,200 words with 2 citations, 2 side notes, 3 inline and 1 display formula, a
code block, 1-2 prerequisites and a glossary term), starts the real
``coursebuild serve`` on a free port, then for each kind of edit (a topic's
text, a .bib entry's title, the course's own templates/topic.html) writes the
file and polls the page over HTTP until the new content is served. Prints the
median and p95 of those times, and of the server's own rebuild times. Run by
hand; it is not a test.
"""

from __future__ import annotations

import argparse
import http.client
import math
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from coursebuild.assets import theme_dir  # noqa: E402

URL_RE = re.compile(r"Serving .* at http://([\d.]+):(\d+)/")
REBUILT_RE = re.compile(r"rebuilt in (\d+) ms")
VOCABULARY = ("gradient descent converges when the step size is small relative to the curvature of "
              "the loss surface and each update moves the parameters along a direction that reduces "
              "the error measured on a batch of training examples drawn from the data").split()
BIB_ENTRIES = 80
POLL_SECONDS = 0.005
PAGE_TIMEOUT = 30.0

Edit = Callable[[int], tuple[str, str]]
"""Makes edit number n; returns (URL path to poll, text that proves the edit is served)."""


def prose(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(VOCABULARY) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def topic_source(rng: random.Random, index: int, per_block: int) -> str:
    """One topic of about 1,200 words with every feature the real course uses."""
    earlier = sorted({rng.randrange(index) for _ in range(rng.choice((1, 2)))}) if index else []
    prereqs = "".join(f'  - title: "Topic {j}"\n    url: "/topics/topic-{j}/"\n' for j in earlier)
    cites = [(2 * index) % BIB_ENTRIES, (2 * index + 1) % BIB_ENTRIES]
    parts = [f"Edit marker: base.\n\n{prose(rng, 100)} The idea of termword{index} matters here."]
    for n in range(11):
        extra = ""
        if n in (1, 6):
            extra = (f' {{% cite "work{cites[n // 6]}" %}}'
                     f'{{% sidenote "A side remark {n} with *emphasis*." %}}')
        if n in (2, 4, 8):
            extra += f" Inline math $a_{n}^2 + b_{n} = c$ keeps the flow."
        parts.append(f"{prose(rng, 100)}{extra}")
        if n == 3:
            formula = f"\\sum_{{i=1}}^{{n}} (x_i - \\mu)^2 = {index}"
            parts.append(f"## Section on step {index}\n\n$$\n{formula}\n$$")
        if n == 7:
            parts.append(f"```python\ndef step(x, lr={index}):\n    return x - lr * grad(x)\n```")
    front = (f'---\ntitle: "Topic {index}"\ndescription: "Generated topic number {index}."\n'
             f"order: {index % per_block + 1}\n"
             + (f"prerequisites:\n{prereqs}" if prereqs else "")
             + f'glossary:\n  - term: "termword{index}"\n'
             + f'    definition: "The idea numbered {index}."\n---\n\n')
    return front + "\n\n".join(parts) + "\n"


def bib_entry(key: int, title: str) -> str:
    return (f"@article{{work{key},\n  author = {{Writer, A{key} and Other, B}},\n  title = {{{title}}},\n"
            f"  journal = {{Journal of Examples}},\n  year = {{{1990 + key % 30}}}\n}}\n\n")


def make_course(root: Path, blocks: int, per_block: int) -> None:
    rng = random.Random(11)
    for index in range(blocks * per_block):
        block = root / "content" / "topics" / f"block-{index // per_block}"
        (block / f"topic-{index}").mkdir(parents=True, exist_ok=True)
        number = index // per_block
        (block / "_block.yml").write_text(f'title: "Block {number}"\norder: {number + 1}\n')
        (block / f"topic-{index}" / "index.md").write_text(topic_source(rng, index, per_block))
    (root / "content" / "index.md").write_text("---\ntitle: Home\n---\n\nA generated course.\n")
    entries = (bib_entry(k, f"Work number {k}") for k in range(BIB_ENTRIES))
    (root / "bibliography.bib").write_text("".join(entries))
    (root / "course.yml").write_text('title: "Serve benchmark course"\n')
    (root / "templates").mkdir()
    shutil.copyfile(theme_dir() / "templates" / "topic.html", root / "templates" / "topic.html")


class Poller:
    """GET over one kept-alive connection, reconnecting when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def get(self, path: str) -> str:
        try:
            self.conn.request("GET", path)
            return self.conn.getresponse().read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            return ""

    def wait_for(self, path: str, text: str) -> float:
        """Poll until ``text`` is on the page; the time it took."""
        start = time.perf_counter()
        while text not in self.get(path):
            if time.perf_counter() - start > PAGE_TIMEOUT:
                raise SystemExit(f"timed out: {text!r} never appeared on {path}")
            time.sleep(POLL_SECONDS)
        return time.perf_counter() - start


def topic_edit(root: Path, topics: int) -> Edit:
    def edit(n: int) -> tuple[str, str]:
        index = (n * 37) % topics
        path = next((root / "content" / "topics").glob(f"*/topic-{index}/index.md"))
        token = f"edit-text-{n}-{time.time_ns()}"
        text = re.sub(r"Edit marker: [^.]*\.", f"Edit marker: {token}.", path.read_text())
        path.write_text(text)
        return f"/topics/topic-{index}/", token
    return edit


def bib_edit(root: Path) -> Edit:
    def edit(n: int) -> tuple[str, str]:
        key = 7
        token = f"Retitled work {n} {time.time_ns()}"
        bib = root / "bibliography.bib"
        text = re.sub(r"(@article\{work7,\n.*?title = \{)[^}]*", lambda m: m.group(1) + token,
                      bib.read_text(), count=1, flags=re.S)
        bib.write_text(text)
        return f"/topics/topic-{key // 2}/", token  # topic k/2 cites work k (see topic_source)
    return edit


def template_edit(root: Path, topics: int) -> Edit:
    template = root / "templates" / "topic.html"
    original = template.read_text()

    def edit(n: int) -> tuple[str, str]:
        token = f"bench-template-{n}-{time.time_ns()}"
        marked = original.replace("{% block content %}", f"{{% block content %}}<!-- {token} -->", 1)
        template.write_text(marked)
        return f"/topics/topic-{(n * 53) % topics}/", token
    return edit


def measure(poller: Poller, edit: Edit, runs: int) -> list[float]:
    times = []
    for n in range(runs):
        time.sleep(0.3)  # let the previous rebuild and its events settle
        start = time.perf_counter()
        path, token = edit(n)
        poller.wait_for(path, token)
        times.append(time.perf_counter() - start)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(name: str, times: list[float], builds: list[int]) -> None:
    """One line per kind of edit; the overhead is what serve adds on top of the build itself."""
    line = (f"{name:16s} save->served: median {statistics.median(times) * 1000:6.1f} ms, "
            f"p95 {p95(times) * 1000:6.1f} ms")
    if builds:
        line += f" | rebuild: median {statistics.median(builds):.0f} ms ({len(builds)} rebuilds)"
    if len(builds) == len(times):  # one rebuild per edit: pair them up
        overhead = [t * 1000 - b for t, b in zip(times, builds)]
        line += f" | watch+serve overhead: median {statistics.median(overhead):.0f} ms"
    print(line, flush=True)


def start_server(root: Path, log: Path) -> tuple[subprocess.Popen[bytes], str, int]:
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "coursebuild", "serve", str(root), "--port", "0"],
                                stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 900
    while not (match := URL_RE.search(log.read_text())):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"serve did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return proc, match.group(1), int(match.group(2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--per-block", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the generated course folder")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    topics = args.blocks * args.per_block
    make_course(root / "course", args.blocks, args.per_block)
    log = root / "serve.log"
    started = time.perf_counter()
    proc, host, port = start_server(root / "course", log)
    print(f"{topics} topics; initial build and start: {time.perf_counter() - started:.1f} s")
    poller = Poller(host, port)
    course = root / "course"
    kinds = {"topic text edit": topic_edit(course, topics), ".bib title edit": bib_edit(course),
             "template edit": template_edit(course, topics)}
    try:
        for name, edit in kinds.items():
            before = len(REBUILT_RE.findall(log.read_text()))
            times = measure(poller, edit, args.runs)
            builds = [int(ms) for ms in REBUILT_RE.findall(log.read_text())[before:]]
            report(name, times, builds)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        if args.keep:
            print(f"course and log kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
