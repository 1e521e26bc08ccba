"""coursebuild and an Eleventy 3 stack side by side on the same generated course.

usage: python benchmarks/vs_eleventy.py [--topics 1000] [--no-blocks] [--repeat-formulas]
                                        [--runs 2] [--jobs N] [--stack DIR] [--skip-eleventy]

Each topic is shaped like a real one (~17 KB of Markdown, 13 formulas, 6
citations, 4 side notes, a code block). By default every formula is distinct,
as in real courses; ``--repeat-formulas`` reuses the same few.

The Eleventy project is Eleventy 3 + markdown-it + @mdit/plugin-katex (KaTeX at
build time) + Nunjucks shortcodes for cite/sidenote + Pagefind, installed from
the npm registry into a temporary folder (or ``--stack DIR``, reused). Both
builds are cold (no cache) and include the search index; runs alternate
A B A B. For each run we print wall time, CPU time (user+sys of every process)
and peak memory: the largest sum of the RSS of all processes of the build,
sampled every 20 ms. Run by hand; results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from course_gen import make_course

STACK = {"@11ty/eleventy": "3.1.8", "markdown-it": "14.3.3", "@mdit/plugin-katex": "0.25.2",
         "katex": "0.16.22", "pagefind": "1.5.2"}

ELEVENTY_CONFIG = r"""
import markdownIt from "markdown-it";
import { katex } from "@mdit/plugin-katex";
import fs from "node:fs";

const bib = JSON.parse(fs.readFileSync("bib.json", "utf8"));
const md = markdownIt({ html: true }).use(katex, { output: "htmlAndMathml" });

export default function (config) {
  config.setLibrary("md", md);
  config.addShortcode("cite", function (...keys) {
    const page = this.page;
    page.cited ??= [];
    return "[" + keys.map((k) => {
      if (!page.cited.includes(k)) page.cited.push(k);
      return `<a href="#ref-${k}" class="cite-link">${page.cited.indexOf(k) + 1}</a>`;
    }).join(", ") + "]";
  });
  config.addShortcode("references", function () {
    const cited = this.page.cited || [];
    return `<ol class="references">` + cited.map((k) => `<li id="ref-${k}">${bib[k]}</li>`).join("") + "</ol>";
  });
  config.addShortcode("sidenote", function (text) {
    this.page.notes = (this.page.notes || 0) + 1;
    const n = this.page.notes;
    return `<span class="sidenote-ref">${n}</span><span class="sidenote">${md.renderInline(text)}</span>`;
  });
  config.addCollection("topics", (api) =>
    api.getFilteredByGlob("topics/**/*.md").sort((a, b) => a.data.rank - b.data.rank));
  return { dir: { input: "src", output: "_site" }, markdownTemplateEngine: "njk" };
}
"""

LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/katex.min.css"></head><body>
<nav>{% for t in collections.topics %}{% if t.data.block == block %}<a href="{{ t.url }}">{{ t.data.title }}</a>
{% endif %}{% endfor %}<a href="/topics/">All topics</a></nav>
<main data-pagefind-body><h1>{{ title }}</h1>{{ content | safe }}{% references %}</main></body></html>
"""


def write_eleventy(course: Path, project: Path) -> None:
    """The same topics as an Eleventy project (front matter kept, one layout)."""
    src = project / "src"
    (src / "_includes").mkdir(parents=True)
    (src / "_includes/topic.njk").write_text(LAYOUT)
    (project / "eleventy.config.mjs").write_text(ELEVENTY_CONFIG)
    (project / "bib.json").write_text((course / "bib.json").read_text())
    (src / "topics.njk").write_text("---\npermalink: /topics/\n---\n{% for t in collections.topics %}"
                                    '<a href="{{ t.url }}">{{ t.data.title }}</a>\n{% endfor %}\n')
    for rank, page in enumerate(sorted((course / "content/topics").rglob("*.md"))):
        text = page.read_text()
        slug = page.parent.name if page.name == "index.md" else page.stem
        block = page.parent.parent.name if page.name == "index.md" else ""
        front, body = text[4:].split("\n---\n", 1)
        meta = (f"layout: topic.njk\npermalink: /topics/{slug}/\nrank: {rank}\nblock: \"{block}\"\n")
        (src / "topics").mkdir(exist_ok=True)
        (src / "topics" / f"{slug}.md").write_text(f"---\n{front}\n{meta}---\n{body}")


def install_stack(folder: Path) -> None:
    if (folder / "node_modules/@11ty/eleventy").is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps({"private": True, "type": "module"}))
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", *(f"{k}@{v}" for k, v in STACK.items())],
                   cwd=folder, check=True, capture_output=True)


PYCACHE = Path(tempfile.gettempdir()) / "coursebuild-bench-pycache"
"""Kept between runs of this script, like an installation's ``__pycache__``."""


def measure(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of all processes, peak summed RSS (MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return wall, 0.0, peak // 1024


def tree_rss(pid: int) -> int:
    """Summed RSS (KB) of ``pid`` and all its descendants, from /proc."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next((int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:")), 0)
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def cpu_of_children() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def run_one(label: str, command: list[str], cwd: Path, prepare: object) -> tuple[float, float, int]:
    prepare()  # type: ignore[operator]
    before = cpu_of_children()
    wall, _, peak = measure(command, cwd)
    cpu = cpu_of_children() - before
    print(f"  {label}: wall {wall:.1f} s, CPU {cpu:.1f} s, peak {peak} MB", flush=True)
    return wall, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--no-blocks", action="store_true")
    parser.add_argument("--repeat-formulas", action="store_true")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--jobs", default=None)
    parser.add_argument("--stack", default=None, help="folder for the npm Eleventy stack (reused)")
    parser.add_argument("--skip-eleventy", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        course = tmp / "course"
        make_course(course, args.topics, blocks=not args.no_blocks, distinct=not args.repeat_formulas,
                    rng=random.Random(15))
        # Bytecode as a normal installation keeps it (some machines set PYTHONDONTWRITEBYTECODE,
        # which would make each of coursebuild's processes compile its imports every run).
        coursebuild = ["env", "-u", "PYTHONDONTWRITEBYTECODE", f"PYTHONPYCACHEPREFIX={PYCACHE}",
                       f"XDG_CACHE_HOME={tmp / 'cache'}", sys.executable, "-m", "coursebuild", "build",
                       str(course), "--out", str(tmp / "site"), "--quiet", *(["--jobs", args.jobs] if args.jobs else [])]

        def cold() -> None:
            # Really cold: no render cache, no page record, no previous output to link to
            # or to take the search index from (the cache folder is this run's own).
            shutil.rmtree(tmp / "cache", ignore_errors=True)
            shutil.rmtree(tmp / "site", ignore_errors=True)

        runners = [("coursebuild", coursebuild, course, cold)]
        if not args.skip_eleventy:
            stack = Path(args.stack) if args.stack else tmp / "stack"
            install_stack(stack)
            project = tmp / "eleventy"
            write_eleventy(course, project)
            (project / "node_modules").symlink_to(stack / "node_modules")
            script = ("node node_modules/@11ty/eleventy/cmd.cjs --quiet && "
                      "cp node_modules/katex/dist/katex.min.css _site/ && "
                      "node node_modules/pagefind/lib/runner/bin.cjs --site _site --silent")

            def clean() -> None:
                shutil.rmtree(project / "_site", ignore_errors=True)

            runners.append(("eleventy", ["sh", "-c", script], project, clean))
        shape = f"{args.topics} topics, {'no blocks' if args.no_blocks else 'blocks of 20'}, " \
                f"{'repeated' if args.repeat_formulas else 'distinct'} formulas"
        print(shape, flush=True)
        results: dict[str, list[tuple[float, float, int]]] = {name: [] for name, *_ in runners}
        for _ in range(args.runs):  # A B A B
            for name, command, cwd, prepare in runners:
                results[name].append(run_one(name, command, cwd, prepare))
        sizes = sum(p.stat().st_size for p in (tmp / "site").rglob("*.html"))
        for name, rows in results.items():
            wall = statistics.median(r[0] for r in rows)
            cpu = statistics.median(r[1] for r in rows)
            peak = max(r[2] for r in rows)
            print(f"median {name}: wall {wall:.1f} s, CPU {cpu:.1f} s, peak {peak} MB")
        print(f"coursebuild HTML output: {sizes / 1e6:.1f} MB "
              f"({sizes / max(1, args.topics) / 1024:.0f} KB per topic page on average)")


if __name__ == "__main__":
    main()
