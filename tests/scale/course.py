"""A course at the scale of a real one, written by the tests: 84 topics in 7 blocks with
prerequisites near and far, one long topic with six large figures above a heading, long
formulas, code blocks and citations, and a word most topics use (so search finds > 10)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

BLOCKS = 7
PER_BLOCK = 12
LONG = "figures-and-formulas"  # the long topic's slug
TARGET = "the-section-after-the-figures"  # heading id below the figures
COMMON = "lattice"  # appears in every generated topic body

BIB = """\
@book{tukey1977,
  author = {John W. Tukey},
  title = {Exploratory Data Analysis},
  publisher = {Addison-Wesley},
  year = {1977}
}
"""

LONG_FORMULA = (r"\sum_{i=1}^{n} \left( \frac{\partial^2 f}{\partial x_i^2} + \frac{\partial^2 g}{\partial y_i^2}"
                r" + \frac{\partial^2 h}{\partial z_i^2} \right) = \int_0^\infty e^{-t^2} \cos(\omega t)\, dt"
                r" + \prod_{k=1}^{m} \frac{1 + a_k}{1 - b_k} + \lim_{x \to 0} \frac{\sin x}{x}")


def png(width: int, height: int) -> bytes:
    """A striped PNG of the given size (written here: the tests need no image files)."""
    row = b"\x00" + bytes([60, 110, 180, 225, 232, 242]) * (width // 2) + b"\x00\x00\x00" * (width % 2)
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1))
            + chunk(b"IEND", b""))


def slug(block: int, index: int) -> str:
    return f"b{block}-topic-{index:02d}"


def title(block: int, index: int) -> str:
    """Titles of very different lengths, some too long for one line of a map box."""
    words = ["Sampling", "Estimating variance with bootstrapped confidence intervals",
             "Priors", "Regularised regression on high-dimensional sparse data", "Kernels",
             "Gradient descent", "Attention across very long documents and their summaries",
             "Residual streams", "Tokenisation", "Evaluating models fairly", "Loss landscapes",
             "Why transformers generalise beyond their training distribution"]
    return f"{words[index % len(words)]} {block}.{index}"


def prerequisites(block: int, index: int) -> list[str]:
    """The previous topic, one two back in the block, and a topic of an earlier block."""
    found = []
    if index > 0:
        found.append(slug(block, index - 1))
    if index > 2 and index % 3 == 0:
        found.append(slug(block, index - 3))
    if block > 0 and index % 4 == 1:
        found.append(slug(block - 1, (index * 5) % PER_BLOCK))
    return found


def topic_text(block: int, index: int) -> str:
    needs = prerequisites(block, index)
    lines = ["---", f'title: "{title(block, index)}"', f'description: "Topic {block}.{index} of the scale course."',
             f"order: {index + 1}"]
    if needs:
        lines.append("prerequisites:")
        for need in needs:
            b, i = int(need[1]), int(need[-2:])
            lines += [f'  - title: "{title(b, i)}"', f'    url: "/topics/{need}/"']
    lines += ["---", "", f"## Overview of {block}.{index}", "",
              f"Each topic here mentions the {COMMON}, so a search finds many of them. "
              "The rest is ordinary prose that fills a line or two.", ""]
    return "\n".join(lines)


LONG_TOPIC = f"""\
---
title: "Figures and formulas"
description: "A long topic: large figures above a heading, long formulas and code."
order: 1
---

## First section

Large figures follow, each lazy-loaded; the heading below them must not move when they load
{{% cite "tukey1977" %}}.

{{figures}}

## The section after the figures

This is where the table of contents, a shared link and a search result point. The word
quasicrystal appears only here.

$$
{LONG_FORMULA}
$$

Inline math stays inline: $a^2 + b^2 = c^2$, and "quotes" -- with dashes --- and dots... become typographic.

```python
def mean(values):
    \"\"\"The average of some values.\"\"\"
    return sum(values) / len(values)
```

## Code and more

```text
A long line of code that is wider than a phone: {'x' * 160}
```

Shortcode arguments keep their straight quotes{{% sidenote "A note with \\"quoted\\" words." %}}.
"""


def write_scale_course(root: Path) -> Path:
    """Write the course under ``root`` and return it."""
    content = root / "content"
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text("title: Scale course\ndescription: A course of 85 topics.\n"
                                     "image: /social.png\n", encoding="utf-8")
    (root / "bibliography.bib").write_text(BIB, encoding="utf-8")
    (root / "static").mkdir(parents=True, exist_ok=True)
    (root / "static" / "social.png").write_bytes(png(120, 63))
    content.mkdir(parents=True, exist_ok=True)
    (content / "index.md").write_text("---\ntitle: Scale course\n---\n\nA course of 85 topics.\n", encoding="utf-8")
    for block in range(BLOCKS):
        folder = content / "topics" / f"block-{block}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_block.yml").write_text(f'title: "Block {block}: part {block + 1} of the course"\n'
                                           f"order: {block + 2}\n", encoding="utf-8")
        for index in range(PER_BLOCK):
            (folder / f"{slug(block, index)}.md").write_text(topic_text(block, index), encoding="utf-8")
    long_dir = content / "topics" / "intro" / LONG
    (long_dir / "images").mkdir(parents=True, exist_ok=True)
    (content / "topics" / "intro" / "_block.yml").write_text('title: "Introduction"\norder: 1\n', encoding="utf-8")
    figures = []
    for n in range(6):
        (long_dir / "images" / f"figure-{n}.png").write_bytes(png(1200, 900 - 60 * n))
        figures.append(f'![Figure {n} shows stripes](images/figure-{n}.png "Figure {n}: stripes.")\n')
    (long_dir / "index.md").write_text(LONG_TOPIC.replace("{figures}", "\n".join(figures)), encoding="utf-8")
    return root
