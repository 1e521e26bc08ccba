"""A generated course shaped like the real one, for the benchmarks.

Each topic: ~17 KB of Markdown in 7 sections, 13 formulas (9 inline, 4
displayed), 6 citations, 4 side notes, one code block, two prerequisites and a
glossary term. Formulas are distinct across the course unless ``distinct`` is
False (then every topic uses the same 13).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

WORDS = ("model feature circuit attention layer neuron vector residual stream head token probe patch "
         "gradient weight matrix basis direction signal path superposition sparse dictionary logit "
         "activation embedding").split()
PER_BLOCK = 20
BIB_SIZE = 60


def paragraph(rng: random.Random, words: int = 72) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def formulas(index: int, distinct: bool) -> list[str]:
    n = index if distinct else 0
    return [f"\\sum_{{i=1}}^{{{n + k + 2}}} w_{{{k}}} x_i^{{{k + 1}}} + \\frac{{\\alpha_{{{n}}}}}{{\\beta_{{{k}}}}}"
            for k in range(13)]


def topic(rng: random.Random, index: int, slugs: list[str], distinct: bool) -> str:
    earlier = sorted({rng.randrange(index) for _ in range(2)}) if index else []
    prereqs = "".join(f'  - title: "Topic {j}"\n    url: "/topics/{slugs[j]}/"\n' for j in earlier)
    math = formulas(index, distinct)
    keys = [f"work{rng.randrange(BIB_SIZE)}" for _ in range(6)]
    sections = []
    for s in range(7):
        parts = [f"## Section {s + 1}: {rng.choice(WORDS)} {rng.choice(WORDS)}"]
        for p in range(4):
            text = paragraph(rng)
            k = s * 4 + p
            if k < 9:
                text += f" With ${math[k]}$ inline."
            if k < 6:
                text += f' {{% cite "{keys[k]}" %}}'
            if 6 <= k < 10:
                text += f' More.{{% sidenote "A side note with *emphasis* about the {rng.choice(WORDS)}." %}}'
            parts.append(text)
        if s < 4:
            parts.append(f"$$\n{math[9 + s]}\n$$")
        if s == 5:
            parts.append(f"```python\ndef step(x):\n    return x * {index} + 1\n```")
        sections.append("\n\n".join(parts))
    return (f'---\ntitle: "Topic {index}"\ndescription: "Generated topic {index}."\n'
            f"order: {index % PER_BLOCK + 1}\n" + (f"prerequisites:\n{prereqs}" if prereqs else "")
            + f'glossary:\n  - term: "Term{index}"\n    definition: "Definition {index}."\n---\n\n'
            + "\n\n".join(sections) + "\n")


def make_course(root: Path, topics: int, blocks: bool = True, distinct: bool = True,
                rng: random.Random | None = None) -> None:
    """Write the course under ``root`` (plus ``bib.json`` for the Eleventy side)."""
    rng = rng or random.Random(7)
    slugs = [f"topic-{i}" for i in range(topics)]
    base = root / "content/topics"
    for i, slug in enumerate(slugs):
        if blocks:
            block = base / f"block-{i // PER_BLOCK}"
            (block / slug).mkdir(parents=True, exist_ok=True)
            (block / "_block.yml").write_text(f'title: "Block {i // PER_BLOCK}"\norder: {i // PER_BLOCK + 1}\n')
            target = block / slug / "index.md"
        else:
            base.mkdir(parents=True, exist_ok=True)
            target = base / f"{slug}.md"
        text = topic(rng, i, slugs, distinct)
        if not blocks:
            text = text.replace(f"order: {i % PER_BLOCK + 1}\n", f"order: {i + 1}\n", 1)
        target.write_text(text)
    (root / "bibliography.bib").write_text("".join(
        f"@article{{work{k},\n  author = {{Author, A{k} and Other, B}},\n  title = {{Work {k}}},\n"
        f"  journal = {{Journal}},\n  year = {{20{k % 25:02d}}}\n}}\n\n" for k in range(BIB_SIZE)))
    (root / "bib.json").write_text(json.dumps({f"work{k}": f"Author, A{k} and Other, B. Work {k}. Journal, "
                                               f"20{k % 25:02d}." for k in range(BIB_SIZE)}))
    (root / "course.yml").write_text("title: Benchmark course\n")
