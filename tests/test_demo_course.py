"""The repository's own demo course: builds clean, and every link resolves under a prefix."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
URL_ATTR = re.compile(r"""\s(?:href|src)=["']([^"']+)["']""")


def build(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coursebuild", "build", str(REPO), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def prefixed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    done = build(out, "--base-url", "/guide/", "--strict")
    assert done.returncode == 0, done.stderr
    return out


def test_demo_builds_without_warnings(tmp_path: Path) -> None:
    done = build(tmp_path / "site", "--strict", "--no-search")
    assert done.returncode == 0, done.stderr
    assert "0 errors, 0 warnings" in done.stderr
    assert "warning:" not in done.stderr and "Traceback" not in done.stderr


def test_demo_has_enough_course(prefixed_site: Path) -> None:
    topics = [p for p in (prefixed_site / "topics").iterdir() if (p / "index.html").is_file()]
    assert len(topics) >= 8
    html = "".join((p / "index.html").read_text() for p in topics)
    for marker in ('class="cite-link"', 'class="note sidenote"', 'class="katex"', "pause-and-think",
                   '<figure', 'class="highlight"', 'class="glossary-term"', 'class="xref"', 'math-numbered',
                   'citation-narrative', 'class="xref-label"', '<caption id="tbl-', 'class="cite-page"'):
        assert marker in html, marker
    # The guide teaches practice with its own questions and exercises, on several pages.
    with_questions = [p.name for p in topics if 'class="question"' in (p / "index.html").read_text()]
    assert len(with_questions) >= 4, with_questions
    for marker in ('data-kind="single"', 'data-kind="multiple"', 'data-kind="text"', 'class="exercise"',
                   'class="objectives"', 'class="key-points"', 'class="hint"', 'class="solution"'):
        assert marker in html, marker
    assert (prefixed_site / "review" / "index.html").is_file()


def test_every_link_resolves_under_the_prefix(prefixed_site: Path) -> None:
    checked = 0
    for page in prefixed_site.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        text = page.read_text()
        page_url = "/guide/" + page.relative_to(prefixed_site).as_posix()
        for url in URL_ATTR.findall(text):
            parts = urlsplit(url)
            if parts.scheme or url.startswith(("//", "#", "mailto:", "data:")):
                continue
            path = parts.path if parts.path.startswith("/") else \
                str(Path(page_url).parent / parts.path)
            assert path.startswith("/guide/"), f"{page}: {url} escapes the prefix"
            target = prefixed_site / unquote(path[len("/guide/"):])
            if path.endswith("/") or target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.relative_to(prefixed_site)}: {url} does not resolve"
            checked += 1
    assert checked > 200
