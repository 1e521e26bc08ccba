"""Portable builds: every internal URL relative, directory URLs end in index.html,
and the search index is a script. (tests/browser/test_portable_disk.py opens one from disk.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from course_helpers import run_cli, topic, write_course

COURSE = {
    "course.yml": "title: Portable Course\nauthor: A. Author\nportable: true\n",
    "bibliography.bib": "@book{knuth1984, author={Donald Knuth}, title={Literate Programming}, "
                        "publisher={CSLI}, year={1984}}\n",
    "content/index.md": "---\ntitle: Home\ndescription: The home page.\n---\nWelcome.\n",
    "content/topics/one/_block.yml": "title: One\norder: 1\n",
    "content/topics/one/first/index.md": topic("First Steps", 1, """
        ## Beginning

        Start with [the second topic](/topics/second/#details) and the
        [glossary](/glossary/).{% sidenote "A note about zebrafish." %} As argued by
        {% cite "knuth1984" %}, programs are literature.

        ![A square](images/square.svg "Figure 1: A square.")
        """, glossary='\n  - term: "Widget"\n    definition: "A small thing."'),
    "content/topics/one/first/images/square.svg":
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    "content/topics/one/second/index.md": topic("Second Steps", 2, """
        ## Details

        Quadrilaterals everywhere.
        """, prerequisites='\n  - title: "First Steps"\n    url: "/topics/first/"'),
    "static/styles/extra.css": "body { background: url(/topics/first/images/square.svg); }\n",
}

URL_ATTR = re.compile(r"""\s(?:href|src)=["']([^"']+)["']""")
ROOT_RELATIVE = re.compile(r"""(?:href|src|action)\s*=\s*["']/(?!/)|url\(["']?/(?!/)""")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("portable")
    course = write_course(root / "course", COURSE)
    out = root / "site"
    run = run_cli("build", course, "--out", out, "--base-url", "/ignored/")
    assert run.code == 0, run.stderr
    return out


def test_no_root_relative_url_is_left(site: Path) -> None:
    for path in list(site.rglob("*.html")) + list(site.rglob("*.css")):
        text = path.read_text("utf-8")
        assert not ROOT_RELATIVE.search(text), (path, ROOT_RELATIVE.search(text))
    assert "url(../topics/first/images/square.svg)" in (site / "styles/extra.css").read_text()


def test_links_are_relative_to_each_page_and_end_in_index_html(site: Path) -> None:
    first = (site / "topics/first/index.html").read_text("utf-8")
    assert 'href="../second/index.html#details"' in first
    assert 'href="../../glossary/index.html"' in first
    assert 'href="../../glossary/index.html#term-widget"' in first
    assert 'src="../../assets/coursebuild.js"' in first  # no ?v= from disk
    assert 'data-base-url="../../"' in first
    home = (site / "index.html").read_text("utf-8")
    assert 'data-base-url="./"' in home
    assert 'href="topics/first/index.html"' in home
    # Pagefind cannot run from disk: no index folder, the script index instead.
    assert not (site / "pagefind").exists()


def test_storage_key_is_per_course(site: Path) -> None:
    home = (site / "index.html").read_text("utf-8")
    key = re.search(r'data-portable="([0-9a-f]+)"', home)
    assert key is not None
    assert f'data-portable="{key.group(1)}"' in (site / "topics/second/index.html").read_text("utf-8")


def test_search_index_is_a_script_with_sections_and_weights(site: Path) -> None:
    text = (site / "assets/search-index.js").read_text("utf-8")
    assert text.startswith("window.coursebuildSearchIndex=")
    records = json.loads(text[len("window.coursebuildSearchIndex="):].rstrip().rstrip(";"))
    by_url = {r[0]: r for r in records}
    assert by_url["topics/first/index.html"][1] == "First Steps"
    sections = {s[0]: s for s in by_url["topics/first/index.html"][2]}
    assert "Start with the second topic" in sections["beginning"][2]
    assert "zebrafish" in sections["beginning"][3]  # a side note: kept apart, weighted lower
    assert "zebrafish" not in sections["beginning"][2]
    assert "Quadrilaterals" in {s[0]: s for s in by_url["topics/second/index.html"][2]}["details"][2]
    assert "404.html" not in by_url


def test_every_link_of_the_demo_course_resolves_on_disk(tmp_path: Path) -> None:
    """The guide in content/, built portable: each relative URL names an existing file."""
    repo = Path(__file__).resolve().parents[1]
    out = tmp_path / "site"
    run = run_cli("build", repo, "--out", out, "--portable", "--no-search", "--strict", timeout=300)
    assert run.code == 0, run.stderr
    checked = 0
    for page in out.rglob("*.html"):
        for url in URL_ATTR.findall(page.read_text("utf-8")):
            if url.startswith(("#", "data:", "mailto:")) or re.match(r"[a-z]+://", url):
                continue
            assert not url.startswith("/"), f"{page}: {url}"
            target = (page.parent / unquote(url.split("#")[0].split("?")[0])).resolve()
            assert target.is_file(), f"{page.relative_to(out)}: {url} → missing {target}"
            checked += 1
    assert checked > 500


def test_zip_inside_the_output_folder_is_refused(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", COURSE)
    run = run_cli("build", course, "--out", tmp_path / "site", "--zip", tmp_path / "site" / "c.zip", "--no-search")
    assert run.code == 2
    assert "--zip must be outside the output folder" in run.stderr
    assert not (tmp_path / "site").exists()
