"""Browser tests of the built-in theme: a small course written here, built with
coursebuild, served on 127.0.0.1 and driven with Debian's chromium.

Nothing outside this file's own fixture course is read, and every request
to a host other than the local server is refused (and fails the test).
"""

from __future__ import annotations

import functools
import struct
import subprocess
import sys
import threading
import zlib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

from course_helpers import CHROMIUM, pagefind_available, require_tool, watch_requests

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"


# --- The fixture course ------------------------------------------------------

COURSE_YML = """\
title: Reading Noisy Data
description: A short course on telling signal from noise, written for the theme's browser tests.
author: Test Author
language: en
"""

HOME = """\
---
title: Reading Noisy Data
description: A short course on telling signal from noise.
---

Welcome. This course walks through four short topics, from the idea of a signal to checking
what a fitted model leaves behind.
"""

BIB = """\
@book{tukey1977,
  author = {John W. Tukey},
  title = {Exploratory Data Analysis},
  publisher = {Addison-Wesley},
  year = {1977}
}

@article{box1976,
  author = {George E. P. Box},
  title = {Science and Statistics},
  journal = {Journal of the American Statistical Association},
  volume = {71},
  number = {356},
  pages = {791--799},
  year = {1976},
  doi = {10.1080/01621459.1976.10480949}
}

@book{cleveland1993,
  author = {William S. Cleveland},
  title = {Visualizing Data},
  publisher = {Hobart Press},
  year = {1993}
}
"""

SIGNALS = """\
---
title: "Signals and Noise"
description: "What a measurement is made of, and why averaging helps."
order: 1
glossary:
  - term: "Signal"
    definition: "The part of a measurement that reflects the quantity being studied."
  - term: "Noise floor"
    definition: "The level of random variation below which no signal can be told apart."
---

## Two parts of every measurement

Every reading we take mixes two things: the quantity we care about and the disturbances that
ride along with it. Writing this down makes the idea precise. A reading $x_t$ taken at time $t$
is the sum $x_t = s_t + \\varepsilon_t$, where $s_t$ is what we want to know and
$\\varepsilon_t$ is everything else.{% sidenote "The additive model is a choice, not a law. Multiplicative noise is common in counts and prices; taking logarithms makes it additive." %}
Looking at the raw readings before fitting anything was the core of exploratory analysis
{% cite "tukey1977" %}, and it is still the best first step.

A second, short paragraph follows at once.{% sidenote "This second note sits close to the first one, so it has to stack below it instead of covering it." %}
It also carries a margin note.{% marginnote "Margin notes have no number." %}

$$
\\bar{x} = \\frac{1}{n} \\sum_{t=1}^{n} x_t = \\bar{s} + \\frac{1}{n} \\sum_{t=1}^{n} \\varepsilon_t
$$

> **Signal:** The part of a measurement that reflects the quantity being studied.

### Averaging

When the noise has no preferred direction, its average shrinks as readings accumulate while the
signal stays put. The noise floor drops with the square root of the number of readings, which is
why four times as many readings only halve the scatter of the mean.

```python
def mean(readings):
    \"\"\"The average of a list of readings.\"\"\"
    return sum(readings) / len(readings)
```

![Ten readings scattered around a flat line](/topics/signals-and-noise/images/readings.png "Figure 1: Ten readings scatter around a constant signal.")

| Readings | Scatter of the mean |
|---------:|--------------------:|
| 1        | 1.00                |
| 4        | 0.50                |
| 16       | 0.25                |

<details class="pause-and-think">
<summary>Pause and think: When does averaging fail?</summary>

Suppose every reading is off by the same amount. What happens to that error when you average
a thousand readings?

</details>

## Models are simplifications

All models are wrong, and the useful question is whether a model is wrong in a way that
matters {% cite "box1976" %}. Plots make that question concrete {% cite "cleveland1993" %},
and a careful first look at the data keeps us honest {% cite "tukey1977" %}.
"""

MEASURING = """\
---
title: "Measuring Error"
description: "How far off are we? Residuals and their size."
order: 2
prerequisites:
  - title: "Signals and Noise"
    url: "/topics/signals-and-noise/"
glossary:
  - term: "Residual"
    definition: "The difference between an observed value and the value a model predicts for it."
---

## What is left over

Once we have an estimate of the signal, what remains of each reading is its residual. A residual
that looks like pure noise is good news: the model has captured the signal.

## Summing up the size

The root mean square of the residuals summarises them in one number,
$\\sqrt{\\tfrac{1}{n}\\sum r_t^2}$, in the units of the readings {% cite "cleveland1993" %}.
"""

FITTING = """\
---
title: "Fitting Models"
description: "Choosing the model that leaves the smallest residuals."
order: 1
prerequisites:
  - title: "Measuring Error"
    url: "/topics/measuring-error/"
---

## Least squares

Least squares picks the parameters that make the sum of squared residuals as small as possible.
It is simple, fast and, for noise without outliers, hard to beat.

## A straight line

For a line $y = a + b x$ the solution has a closed form, and every statistics package computes it.
"""

CHECKING = """\
---
title: "Checking Results"
description: "Looking at what a fitted model leaves behind."
order: 2
prerequisites:
  - title: "Fitting Models"
    url: "/topics/fitting-models/"
  - title: "Signals and Noise"
    url: "/topics/signals-and-noise/"
---

## Plot the residuals

A fitted model is only as good as its residuals look. Plot them against time and against the fitted
values {% cite "cleveland1993" %}; any pattern is signal the model missed.

## Repeat

Checking is not the last step but the start of the next round of fitting.
"""

TOPICS = {
    "basics/signals-and-noise": SIGNALS,
    "basics/measuring-error": MEASURING,
    "practice/fitting-models": FITTING,
    "practice/checking-results": CHECKING,
}
BLOCKS = {"basics": ("Basics", 1), "practice": ("Practice", 2)}


def _png(width: int, height: int) -> bytes:
    """A small striped PNG, written here so the test needs no image files."""
    rows = []
    for y in range(height):
        colour = bytes([60, 110, 180]) if (y // 12) % 2 else bytes([225, 232, 242])
        rows.append(b"\x00" + colour * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


def write_course(root: Path) -> Path:
    """Write the fixture course into ``root`` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text(COURSE_YML, encoding="utf-8")
    (root / "bibliography.bib").write_text(BIB, encoding="utf-8")
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    (content / "index.md").write_text(HOME, encoding="utf-8")
    for slug, (title, order) in BLOCKS.items():
        folder = content / "topics" / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_block.json").write_text(f'{{"title": "{title}", "order": {order}}}\n', encoding="utf-8")
    for path, text in TOPICS.items():
        folder = content / "topics" / path
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.md").write_text(text, encoding="utf-8")
    images = content / "topics" / "basics/signals-and-noise/images"
    images.mkdir(parents=True, exist_ok=True)
    (images / "readings.png").write_bytes(_png(640, 240))
    return root


# --- Build and serve ---------------------------------------------------------

class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("theme")
    course = write_course(root / "course")
    out = root / "site"
    _build(course, out)
    return out


def _build(course: Path, out: Path, *extra: str) -> None:
    # Checked here too: the session's build comes before the module's browser.
    require_tool(CHROMIUM.exists(), f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    require_tool(pagefind_available(), "Pagefind is missing: reinstall the pagefind-bin package (make setup)")
    done = subprocess.run([sys.executable, "-m", "coursebuild", "build", str(course), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"build failed:\n{done.stdout}\n{done.stderr}"


def _serve(folder: Path):  # type: ignore[no-untyped-def]
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site: Path):
    yield from _serve(built_site)


@pytest.fixture(scope="session")
def prefixed_site_url(tmp_path_factory: pytest.TempPathFactory):
    """The same course built with ``--base-url /cb/``, served from the folder above it."""
    root = tmp_path_factory.mktemp("prefixed")
    course = write_course(root / "course")
    _build(course, root / "www" / "cb", "--base-url", "/cb/")
    yield from _serve(root / "www")


# --- Browser ------------------------------------------------------------------

class Session:
    """A browser context at one viewport, with every problem it saw recorded."""

    def __init__(self, browser, base: str, width: int, height: int, scheme: str, touch: bool) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           color_scheme=scheme, has_touch=touch, is_mobile=touch)
        self.errors: list[str] = []
        self.foreign: list[str] = []
        watch_requests(self.context, lambda url: urlparse(url).hostname == "127.0.0.1", self.foreign, prefix="")
        self.page = self.new_page()

    def new_page(self):  # type: ignore[no-untyped-def]
        page = self.context.new_page()
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        return page

    def goto(self, path: str):  # type: ignore[no-untyped-def]
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_site(browser, site_url: str):
    """``open_site(width=1400, scheme="light")`` → a :class:`Session`; checked on teardown."""
    sessions: list[Session] = []

    def make(width: int = 1400, height: int = 900, scheme: str = "light", touch: bool = False,
             base: str = "") -> Session:
        session = Session(browser, base or site_url, width, height, scheme, touch)
        sessions.append(session)
        return session

    yield make
    problems = []
    for session in sessions:
        problems += session.errors
        problems += [f"request to another host: {url}" for url in session.foreign]
        session.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def wide(open_site) -> Session:
    return open_site(1400, 900)


@pytest.fixture
def phone(open_site) -> Session:
    return open_site(400, 800)
