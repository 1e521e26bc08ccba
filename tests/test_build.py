"""End-to-end builds through the CLI: the pages a course produces, what they
contain, the output folder's safety rules, --base-url and the command line.
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from coursebuild.diskcache import course_cache_dir
from course_helpers import run_build, run_cli, snapshot, topic, touch, write_course

BIB = """\
@book{knuth1984literate,
  author = {Knuth, Donald E.},
  title = {Literate Programming},
  publisher = {CSLI},
  year = {1984}
}
"""

COURSE = {
    "course.yml": 'title: "Tiny Course"\ndescription: "A course for tests."\nsite_url: "https://example.org"\n',
    "bibliography.bib": BIB,
    "content/index.md": "---\ntitle: Home\n---\nWelcome to the **tiny** course.\n",
    "content/about.md": "---\ntitle: About\ndescription: Who we are.\n---\nAbout *us*.\n",
    "content/topics/basics/_block.json": '{"title": "Basics", "order": 1}',
    "content/topics/basics/first-steps/index.md": topic("First steps", 1, """
        ## Setting up

        A claim {% cite "knuth1984literate" %} and a note{% sidenote "Side *text*." %}.

        Energy $E = mc^2$ and money: $5 and $10.

        ![A diagram](images/diagram.svg "The diagram")

        ```python
        print("hi")
        ```

        See [the next topic](/topics/next-steps/#details) and [setting up](#setting-up).
        """, glossary="\n  - term: Widget\n    definition: A small part."),
    "content/topics/basics/first-steps/images/diagram.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
    "content/topics/basics/next-steps.md": topic("Next steps", 2, """
        ## Details

        Uses a widget.

        <figure><img src="/topics/first-steps/images/diagram.svg" alt="d">
        <figcaption>Again {%- cite "knuth1984literate" -%}</figcaption></figure>
        """, prerequisites='\n  - title: "First steps"\n    url: /topics/first-steps/'),
    "content/topics/extra/_block.yml": "title: Extra\norder: 2\n",
    "content/topics/extra/last/index.md": topic("Last topic", 1, "The end.\n"),
}

PAGES = ["index.html", "about/index.html", "topics/index.html", "topics/first-steps/index.html",
         "topics/next-steps/index.html", "topics/last/index.html", "glossary/index.html",
         "bibliography/index.html", "map/index.html", "search/index.html", "404.html", "review/index.html"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("build")
    course = write_course(root / "course", COURSE)
    out = root / "site"
    run = run_build(course, out, "--strict")  # the clean course builds under --strict too
    assert run.code == 0, run.stderr
    assert run.problems() == []
    assert re.fullmatch(r"built 12 pages in \d+\.\d\d s, 0 errors, 0 warnings", run.summary), run.summary
    return out


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text("utf-8")


def test_every_page_is_written(site: Path) -> None:
    for rel in PAGES + ["sitemap.xml", "assets/pygments.css", "assets/katex/katex.min.css"]:
        assert (site / rel).is_file(), rel
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")) == sorted(PAGES)


def test_topic_page_holds_the_rendered_body(site: Path) -> None:
    html = read(site, "topics/first-steps/index.html")
    assert "<title>" in html and "First steps" in html
    assert '<h2 id="setting-up">Setting up' in html
    assert ('<span class="citation">[<a class="cite-link" href="#ref-knuth1984literate" id="cite-1" '
            'data-cite="knuth1984literate">1</a>]</span>') in html
    assert '<li id="ref-knuth1984literate" value="1">' in html
    assert 'class="note sidenote" id="sn-1"' in html and "Side <em>text</em>." in html
    assert 'class="katex"' in html and "money: $5 and $10." in html
    assert ('<figure class="figure"><img src="images/diagram.svg" alt="A diagram" loading="lazy" '
            'decoding="async"><figcaption>The diagram</figcaption></figure>') in html
    assert '<span class="nb">print</span>' in html
    assert '<a href="/topics/next-steps/#details">the next topic</a>' in html


def test_raw_html_figcaption_citation_end_to_end(site: Path) -> None:
    html = read(site, "topics/next-steps/index.html")
    assert ('<figcaption>Again<span class="citation">[<a class="cite-link" href="#ref-knuth1984literate" '
            'id="cite-1" data-cite="knuth1984literate">1</a>]</span></figcaption>') in html


def test_topic_images_are_copied_beside_the_page(site: Path) -> None:
    assert read(site, "topics/first-steps/images/diagram.svg") == '<svg xmlns="http://www.w3.org/2000/svg"/>'


def test_home_and_other_pages(site: Path) -> None:
    home = read(site, "index.html")
    assert "Tiny Course" in home and "Welcome to the <strong>tiny</strong> course." in home
    assert "About <em>us</em>." in read(site, "about/index.html")


def test_topics_index_follows_the_learning_path(site: Path) -> None:
    html = read(site, "topics/index.html")
    order = [html.index(s) for s in ("Basics", "First steps", "Next steps", "Extra", "Last topic")]
    assert order == sorted(order)
    for url in ("/topics/first-steps/", "/topics/next-steps/", "/topics/last/"):
        assert f'href="{url}"' in html


def test_sitemap_lists_every_page(site: Path) -> None:
    xml = read(site, "sitemap.xml")
    for url in ("/", "/topics/first-steps/", "/topics/next-steps/", "/topics/last/", "/about/",
                "/topics/", "/glossary/", "/bibliography/", "/map/"):
        assert f"<loc>https://example.org{url}</loc>" in xml, url


def test_glossary_and_bibliography_pages(site: Path) -> None:
    glossary = read(site, "glossary/index.html")
    assert 'id="term-widget"' in glossary and "A small part." in glossary
    bib = read(site, "bibliography/index.html")
    assert bib.count("<cite>Literate Programming</cite>") == 1


def test_glossary_term_marked_in_other_topic(site: Path) -> None:
    html = read(site, "topics/next-steps/index.html")
    assert ('<a class="glossary-term" href="/glossary/#term-widget" data-term="Widget" '
            'data-definition="A small part.">widget</a>') in html


# --- Output folder: atomic, refused folders ------------------------------------

def test_failed_build_leaves_previous_output_byte_for_byte(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", COURSE)
    out = tmp_path / "site"
    assert run_build(course, out).code == 0
    before = snapshot(out)
    assert len(before) > 10
    page = course / "content/topics/extra/last/index.md"
    page.write_text(page.read_text("utf-8") + '\nBroken {% cite "nosuchkey" %}\n', "utf-8")
    run = run_build(course, out)
    assert run.code == 1
    assert run.summary == "build failed, previous output left unchanged, 1 error, 0 warnings"
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "site"]  # no staging left behind


def test_failed_first_build_creates_no_output(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {"content/topics/a.md": topic("A", 1, "{% nope %}\n")})
    out = tmp_path / "site"
    assert run_build(course, out).code == 1
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course"]


def test_rebuild_replaces_the_whole_output(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {"content/topics/a.md": topic("A", 1, "A\n"),
                                                "content/topics/b.md": topic("B", 2, "B\n")})
    out = tmp_path / "site"
    assert run_build(course, out).code == 0
    (course / "content/topics/b.md").unlink()
    assert run_build(course, out).code == 0
    assert (out / "topics/a/index.html").is_file() and not (out / "topics/b").exists()


def test_default_output_folder_is_site_in_the_course(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {"content/topics/a.md": topic("A", 1, "A\n")})
    run = run_cli("build", course, "--no-search")
    assert run.code == 0, run.stderr
    assert (course / "_site/topics/a/index.html").is_file()
    # _site inside the course is not mistaken for content on the next build.
    touch(course / "content/topics/a.md")
    assert run_cli("build", course, "--no-search").code == 0


@pytest.mark.parametrize("where, message", [
    ("course", "the output folder must not be the course folder or contain it"),
    ("parent", "the output folder must not be the course folder or contain it"),
    ("content", "the output folder must not be inside the course's content/ folder, which the build reads"),
    ("root", "refusing to use / as the output folder"),
    ("home", "refusing to use {home} as the output folder"),
])
def test_refused_output_folders(tmp_path: Path, where: str, message: str) -> None:
    course = write_course(tmp_path / "course", {"content/topics/a.md": topic("A", 1, "A\n")})
    home = Path.home().resolve()
    out = {"course": course, "parent": tmp_path, "content": course / "content" / "out",
           "root": Path("/"), "home": home}[where]
    before = snapshot(tmp_path)
    run = run_build(course, out)
    assert run.code == 2
    assert run.diagnostics == [f".: error: {message.format(home=home)}"]
    assert run.summary == "build not started, 1 error, 0 warnings"
    assert snapshot(tmp_path) == before


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {"content/topics/a.md": topic("A", 1, "A\n")})
    out = tmp_path / "site.html"
    out.write_text("mine")
    run = run_build(course, out)
    assert run.code == 2
    assert run.diagnostics == [f".: error: {out} exists and is not a folder"]
    assert out.read_text() == "mine"


def test_foreign_non_empty_output_folder_is_refused(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {"content/topics/a.md": topic("A", 1, "A\n")})
    out = tmp_path / "docs"
    (out / "keep.txt").parent.mkdir()
    (out / "keep.txt").write_text("mine")
    run = run_build(course, out)
    assert run.code == 2
    assert run.diagnostics == [f".: error: {out} is not empty and was not made by coursebuild; "
                               "choose another --out or empty it first"]
    assert (out / "keep.txt").read_text() == "mine"


# --- --base-url -------------------------------------------------------------------

URL_ATTR_RE = re.compile(r"""\s(href|src|action|poster)\s*=\s*(["'])(.*?)\2""", re.S)
SRCSET_RE = re.compile(r"""\ssrcset\s*=\s*(["'])(.*?)\1""", re.S)
CSS_URL_RE = re.compile(r"""url\(\s*["']?([^)"']+)""")


def root_relative_urls(html: str) -> list[str]:
    urls = [m.group(3) for m in URL_ATTR_RE.finditer(html)]
    for m in SRCSET_RE.finditer(html):
        urls += [part.strip().split()[0] for part in m.group(2).split(",") if part.strip()]
    urls += CSS_URL_RE.findall(html)
    return [u for u in urls if u.startswith("/") and not u.startswith("//")]


@pytest.mark.parametrize("given", ["/prefix/", "deep/prefix"])
def test_base_url_prefixes_every_root_relative_url(tmp_path: Path, given: str) -> None:
    course = write_course(tmp_path / "course", COURSE)
    out = tmp_path / "site"
    run = run_build(course, out, "--base-url", given)
    assert run.code == 0, run.stderr
    prefix = "/" + given.strip("/") + "/"
    checked = 0
    for page in sorted(out.rglob("*.html")):
        for url in root_relative_urls(page.read_text("utf-8")):
            where = f"{page.relative_to(out)}: {url}"
            assert url.startswith(prefix), where
            path = unquote(urlsplit(url[len(prefix) - 1:]).path)
            target = out / path.lstrip("/")
            assert target.is_file() or (target / "index.html").is_file(), where
            checked += 1
    assert checked > 100
    for css in out.rglob("*.css"):
        for url in CSS_URL_RE.findall(css.read_text("utf-8")):
            if url.startswith("/") and not url.startswith("//"):
                assert url.startswith(prefix), f"{css.relative_to(out)}: {url}"
                assert (out / url[len(prefix):].split("?")[0]).is_file(), f"{css.relative_to(out)}: {url}"
    topic_html = (out / "topics/next-steps/index.html").read_text("utf-8")
    assert f'<a class="glossary-term" href="{prefix}glossary/#term-widget"' in topic_html
    assert f'<img src="{prefix}topics/first-steps/images/diagram.svg"' in topic_html
    assert f"<loc>https://example.org{prefix}topics/last/</loc>" in (out / "sitemap.xml").read_text("utf-8")
    assert f'<meta property="og:url" content="https://example.org{prefix}topics/last/">' in \
        (out / "topics/last/index.html").read_text("utf-8")


def test_base_url_from_course_yml_and_cli_wins(tmp_path: Path) -> None:
    files = dict(COURSE, **{"course.yml": "title: T\nbase_url: /from-yml/\n"})
    course = write_course(tmp_path / "course", files)
    out = tmp_path / "site"
    assert run_build(course, out).code == 0
    assert 'href="/from-yml/topics/"' in (out / "index.html").read_text("utf-8")
    assert run_build(course, out, "--base-url", "/cli/").code == 0
    html = (out / "index.html").read_text("utf-8")
    assert 'href="/cli/topics/"' in html and "/from-yml/" not in html


# --- Courses with little or nothing in them ----------------------------------------

def test_empty_course_builds_the_site_pages(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {"content/.keep": ""})
    out = tmp_path / "site"
    run = run_build(course, out)
    assert run.code == 0, run.stderr
    assert run.problems() == []
    assert re.fullmatch(r"built 7 pages in \d+\.\d\d s, 0 errors, 0 warnings", run.summary)
    for rel in ("index.html", "topics/index.html", "glossary/index.html", "bibliography/index.html",
                "map/index.html", "search/index.html", "404.html"):
        assert (out / rel).is_file(), rel


def test_course_without_content_folder(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {"course.yml": "title: T\n"})
    run = run_build(course, tmp_path / "site")
    assert run.code == 1
    assert run.diagnostics == ["content: error: content folder 'content' not found"]
    assert run.summary == "build failed, previous output left unchanged, 1 error, 0 warnings"
    assert not (tmp_path / "site").exists()


def test_content_dir_setting(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {"course.yml": "content_dir: pages\n",
                                                "pages/topics/a.md": topic("A", 1, "Hello.\n")})
    out = tmp_path / "site"
    assert run_build(course, out).code == 0
    assert "Hello." in (out / "topics/a/index.html").read_text("utf-8")


def test_course_templates_and_static_override_the_theme(tmp_path: Path) -> None:
    files = dict(COURSE)
    files["templates/page.html"] = "<!doctype html><p>Custom {{ page.title }}</p>{{ body | safe }}\n"
    files["static/favicon.svg"] = "<svg>mine</svg>"
    files["static/extra/x.txt"] = "x"
    course = write_course(tmp_path / "course", files)
    out = tmp_path / "site"
    assert run_build(course, out).code == 0
    assert (out / "about/index.html").read_text("utf-8") == "<!doctype html><p>Custom About</p><p>About <em>us</em>.</p>\n"
    assert (out / "favicon.svg").read_text() == "<svg>mine</svg>"
    assert (out / "extra/x.txt").read_text() == "x"


# --- The command line -----------------------------------------------------------------

def test_version() -> None:
    from coursebuild import __version__

    run = run_cli("--version")
    assert run.code == 0
    pagefind = importlib.metadata.version("pagefind-bin")
    assert run.stdout.strip() == f"coursebuild {__version__} (KaTeX 0.16.22, Pagefind {pagefind})"


@pytest.mark.parametrize("args, words", [
    (["--help"], ["usage: coursebuild", "build", "serve", "--version"]),
    (["build", "--help"], ["usage: coursebuild build", "COURSE_DIR", "--out", "--base-url", "--strict",
                           "--quiet", "--no-search", "--jobs"]),
    (["serve", "--help"], ["usage: coursebuild serve", "COURSE_DIR", "--out", "--base-url", "--port",
                           "--host", "--open"]),
])
def test_help_on_every_command(args: list[str], words: list[str]) -> None:
    run = run_cli(*args)
    assert run.code == 0 and run.stderr == ""
    for word in words:
        assert word in run.stdout, word


@pytest.mark.parametrize("args, message", [
    (["build", "{course}", "--bogus"], "coursebuild: error: unrecognized arguments: --bogus"),
    (["frobnicate"], "coursebuild: error: argument COMMAND: invalid choice: 'frobnicate'"),
    (["build", "{course}", "--jobs", "0"], "coursebuild: error: --jobs must be 1 or more"),
    (["build", "{course}", "--jobs", "many"], "coursebuild: error: argument --jobs/-j: invalid int value: 'many'"),
    (["build", "{missing}"], "coursebuild: error: course folder '{missing}' does not exist"),
    (["build", "{file}"], "coursebuild: error: course folder '{file}' does not exist"),
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    course = write_course(tmp_path / "course", {"content/topics/a.md": topic("A", 1, "A\n")})
    (tmp_path / "f.txt").write_text("x")
    names = {"course": str(course), "missing": str(tmp_path / "missing"), "file": str(tmp_path / "f.txt")}
    run = run_cli(*[a.format(**names) for a in args])
    assert run.code == 2
    assert message.format(**names) in run.stderr
    assert not (course / "_site").exists()


def test_no_command_prints_help_and_exits_2() -> None:
    run = run_cli()
    assert run.code == 2
    assert "usage: coursebuild" in run.stdout + run.stderr


def test_quiet_hides_info_lines_only(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {
        "bibliography.bib": BIB,
        "content/topics/a.md": topic("A", 1, "[x](/nowhere/)\n"),
    })
    loud = run_build(course)
    assert loud.code == 0
    assert loud.diagnostics == [
        "bibliography.bib: info: 1 entry is not cited by any page: knuth1984literate",
        "content/topics/a.md:6:5: warning: broken link: '/nowhere/' does not match any page or file of the site",
    ]
    quiet = run_build(course, None, "--quiet")
    assert quiet.code == 0
    assert quiet.diagnostics == [loud.diagnostics[1]]
    assert quiet.summary.endswith("0 errors, 1 warning")


def test_strict_turns_warnings_into_failure(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {"content/topics/a.md": topic("A", 1, "Hi\n", titel="x")})
    out = tmp_path / "site"
    assert run_build(course, out).code == 0
    before = snapshot(out)
    run = run_build(course, out, "--strict")
    assert run.code == 1
    assert run.diagnostics == [
        "content/topics/a.md:5:1: warning: unknown front matter field 'titel' (did you mean 'title'?)"]
    assert run.summary == ("build failed, previous output left unchanged (--strict: warnings count as errors), "
                           "0 errors, 1 warning")
    assert snapshot(out) == before


def test_disk_cache_keeps_only_current_renders(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {
        "content/topics/b/_block.yml": 'title: "B"\norder: 1\n',
        "content/topics/b/one/index.md": topic("One", 1, "First."),
        "content/topics/b/two/index.md": topic("Two", 2, "Second."),
    })
    cache = course_cache_dir(course)
    assert run_build(course).code == 0
    assert len(list(cache.glob("??/*"))) == 2
    for n in range(3):
        (course / "content/topics/b/one/index.md").write_text(topic("One", 1, f"Edit {n}."))
        assert run_build(course).code == 0
    assert len(list(cache.glob("??/*"))) == 2
