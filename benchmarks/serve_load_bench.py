"""Serve under load: request latency for many readers while rebuilds run back to back.

usage: python benchmarks/serve_load_bench.py [--topics 100] [--clients 50] [--requests 5000]
                                             [--seconds 60] [--edit-every 0.1]

Generates a course of N topics, starts the real ``coursebuild serve`` on a
free loopback port, then runs C concurrent keep-alive clients (asyncio, one
process) that GET random topic pages as fast as they can, while a second
thread edits a topic every ``--edit-every`` seconds, so rebuilds run nearly
all the time. Stops after ``--requests`` answers or ``--seconds``, whichever
comes first, and prints the p50/p90/p99/max latency, the failures (any status
but 200, or a page cut short) and how many rebuilds ran. Run by hand; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
URL_RE = re.compile(r"Serving .* at http://([\d.]+):(\d+)/")
REBUILT_RE = re.compile(r"rebuilt in (\d+) ms")
WORDS = ("a reader learns each idea once and meets it again where the next topic builds on it "
         "so the path through the course stays short and every step has a reason").split()


def make_course(root: Path, topics: int) -> None:
    rng = random.Random(7)
    (root / "course.yml").parent.mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text('title: "Load benchmark"\n')
    (root / "content").mkdir()
    (root / "content" / "index.md").write_text("---\ntitle: Home\n---\n\nA generated course.\n")
    for block in range((topics + 19) // 20):
        folder = root / "content" / "topics" / f"block-{block}"
        folder.mkdir(parents=True)
        (folder / "_block.yml").write_text(f'title: "Block {block}"\norder: {block + 1}\n')
    for index in range(topics):
        write_topic(root, index, "base", rng)


def write_topic(root: Path, index: int, marker: str, rng: random.Random) -> None:
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(120)).capitalize() + "." for _ in range(6)]
    text = (f'---\ntitle: "Topic {index}"\ndescription: "Generated topic {index}."\norder: {index % 20 + 1}\n'
            f"---\n\nMarker: {marker}.\n\n" + "\n\n".join(paragraphs) + f"\n\n$$x_{{{index}}}^2$$\n")
    path = root / "content" / "topics" / f"block-{index // 20}" / f"topic-{index}" / "index.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def start_server(root: Path, log: Path) -> tuple[subprocess.Popen[bytes], str, int]:
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "coursebuild", "serve", str(root), "--port", "0"],
                                stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 600
    while not (match := URL_RE.search(log.read_text())):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"serve did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return proc, match.group(1), int(match.group(2))


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str
                ) -> tuple[int, bytes]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
    return status, await reader.readexactly(length)


async def client(host: str, port: int, topics: int, state: dict, seed: int) -> None:
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while not state["stop"]:
            path = f"/topics/topic-{rng.randrange(topics)}/"
            start = time.perf_counter()
            try:
                status, body = await fetch(reader, writer, host, path)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                state["failures"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            state["latencies"].append(time.perf_counter() - start)
            state["started"].append(start)
            if status != 200 or not body.rstrip().endswith(b"</html>"):
                state["failures"] += 1
            if len(state["latencies"]) >= state["limit"]:
                state["stop"] = True
    finally:
        writer.close()


def editor(root: Path, topics: int, every: float, stop: threading.Event) -> None:
    rng, n = random.Random(3), 0
    while not stop.wait(every):
        n += 1
        write_topic(root, (n * 37) % topics, f"edit {n}", rng)


async def load(host: str, port: int, args: argparse.Namespace, state: dict) -> None:
    tasks = [asyncio.create_task(client(host, port, args.topics, state, seed)) for seed in range(args.clients)]
    deadline = time.monotonic() + args.seconds
    while not state["stop"] and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    state["stop"] = True
    await asyncio.gather(*tasks, return_exceptions=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=100)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--edit-every", type=float, default=0.1)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="coursebuild-load-"))
    try:
        make_course(root / "course", args.topics)
        proc, host, port = start_server(root / "course", root / "serve.log")
        stop = threading.Event()
        edits = threading.Thread(target=editor, args=(root / "course", args.topics, args.edit_every, stop))
        state: dict = {"stop": False, "latencies": [], "failures": 0, "limit": args.requests,
                      "started": []}
        time.sleep(1.0)
        edits.start()
        start = time.perf_counter()
        asyncio.run(load(host, port, args, state))
        elapsed = time.perf_counter() - start
        stop.set()
        edits.join()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        log = (root / "serve.log").read_text()
        lat = state["latencies"]
        rebuilds = [int(ms) for ms in REBUILT_RE.findall(log)]
        print(f"{len(lat)} requests from {args.clients} clients in {elapsed:.1f} s "
              f"({len(lat) / elapsed:.0f}/s), {state['failures']} failed; "
              f"{len(rebuilds)} rebuilds (median {statistics.median(rebuilds) if rebuilds else 0:.0f} ms)")
        print(f"latency: p50 {percentile(lat, 0.5) * 1000:.1f} ms, p90 {percentile(lat, 0.9) * 1000:.1f} ms, "
              f"p99 {percentile(lat, 0.99) * 1000:.1f} ms, max {max(lat) * 1000:.1f} ms")
        slow = sorted(zip(lat, state["started"]), reverse=True)[:5]
        print("slowest: " + ", ".join(f"{t * 1000:.0f} ms at {at - start:+.1f} s" for t, at in slow))
        if "Traceback" in log:
            print("the server printed a traceback:\n" + log)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
