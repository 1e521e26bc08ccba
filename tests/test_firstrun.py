"""A newcomer's first steps: `coursebuild new`, `clean`, help and version, a folder with
no course, stray Markdown files, the site_url note, and serve's port fallback."""

from __future__ import annotations

import errno
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from course_helpers import SITE_URL_NOTE, run_build, run_cli, topic, write_course
from coursebuild.clean import cache_dir
from coursebuild.config import CourseConfig
from coursebuild.scaffold import STARTER_DIR, WORKFLOW, starter_files

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`coursebuild new` run once for the module's tests."""
    root = tmp_path_factory.mktemp("new")
    run = run_cli("new", root / "my-first_course")
    assert run.code == 0, run.stderr
    assert "Created the course 'My first course'" in run.stdout and "coursebuild serve" in run.stdout
    return root / "my-first_course"


def test_new_course_builds_strict_with_no_warnings(starter: Path, tmp_path: Path) -> None:
    run = run_build(starter, tmp_path / "site", "--strict")
    assert run.code == 0, run.stderr
    assert run.problems() == []
    assert re.fullmatch(r"built 11 pages in [\d.]+ s, 0 errors, 0 warnings", run.summary)
    site = tmp_path / "site"
    welcome = (site / "topics/welcome/index.html").read_text("utf-8")
    assert 'class="citation' in welcome and "sidenote" in welcome
    formulas = (site / "topics/formulas-and-figures/index.html").read_text("utf-8")
    assert 'class="katex' in formulas and "<figcaption>" in formulas
    assert (site / "topics/formulas-and-figures/images/mean.svg").is_file()
    assert 'class="question' in formulas and "Show solution" in formulas  # practice
    assert (site / "review/index.html").is_file()
    assert "/topics/welcome/" in formulas  # its prerequisite
    assert "Topic" in (site / "glossary/index.html").read_text("utf-8")
    assert (site / "topics/next-steps/index.html").is_file()
    assert "<title>My first course</title>" in (site / "index.html").read_text("utf-8")


def test_new_course_has_every_file_a_course_needs(starter: Path) -> None:
    for rel in ("course.yml", "bibliography.bib", ".gitignore", "README.md", "requirements.txt", WORKFLOW,
                "content/index.md", "content/topics/basics/_block.yml", "content/topics/going-further/_block.yml"):
        assert (starter / rel).is_file(), rel
    assert set((starter / ".gitignore").read_text().split()) >= {"_site/", ".coursebuild-cache/"}
    assert (starter / "requirements.txt").read_text().splitlines()[-1].startswith("coursebuild==")
    readme = (starter / "README.md").read_text()
    assert "Netlify" in readme and "Cloudflare Pages" in readme and "rsync" in readme
    assert not any("%%" in (starter / rel).read_text("utf-8") for rel in starter_files("x"))


def test_starter_course_yml_shows_every_setting() -> None:
    """Each setting of CourseConfig appears in the starter's course.yml, commented or set."""
    text = (STARTER_DIR / "course.yml").read_text("utf-8")
    for field in fields(CourseConfig):
        assert re.search(rf"^(# )?{field.name}:", text, re.MULTILINE), \
            f"the starter course.yml (src/coursebuild/starter/course.yml) does not show '{field.name}'"


def test_new_quotes_a_title_safely(tmp_path: Path) -> None:
    title = 'Stats "for" C:\\ people: ünïcode'
    run = run_cli("new", tmp_path / "c", "--title", title)
    assert run.code == 0, run.stderr
    assert yaml.safe_load((tmp_path / "c" / "course.yml").read_text("utf-8"))["title"] == title
    out = run_build(tmp_path / "c", tmp_path / "site", "--strict")
    assert out.code == 0, out.stderr


@pytest.mark.parametrize("existing", ["file", "non-empty"])
def test_new_refuses_a_file_or_a_non_empty_folder(tmp_path: Path, existing: str) -> None:
    target = tmp_path / "target"
    if existing == "file":
        target.write_text("mine")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("mine")
    run = run_cli("new", target)
    assert run.code == 2
    assert run.stderr.startswith("coursebuild: error: ") and str(target) in run.stderr
    assert (target.read_text() if existing == "file" else (target / "notes.txt").read_text()) == "mine"
    assert existing == "file" or sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_new_writes_into_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run_cli("new", tmp_path / "empty").code == 0
    assert (tmp_path / "empty" / "course.yml").is_file()


# --- The GitHub Pages workflow: one file, written by `new` and shown in the guide ---------


def _workflow_build_step(text: str) -> str:
    doc = yaml.safe_load(text)
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as true
    assert "push" in triggers and "workflow_dispatch" in triggers
    assert doc["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = doc["jobs"]["build"]["steps"]
    (build,) = [s["run"] for s in steps if "coursebuild build" in s.get("run", "")]
    uses = [s.get("uses", "") for s in steps] + [s.get("uses", "") for s in doc["jobs"]["deploy"]["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_site"
    return build


def test_workflow_builds_with_the_repository_sub_path(starter: Path) -> None:
    command = _workflow_build_step((starter / WORKFLOW).read_text("utf-8"))
    # What GitHub runs for a repository named field-stats: build and check the sub-path.
    argv = shlex.split(command.replace("${{ github.event.repository.name }}", "field-stats"))
    assert argv[:2] == ["coursebuild", "build"] and "--strict" in argv
    assert argv[argv.index("--base-url") + 1] == "/field-stats/"
    done = subprocess.run([sys.executable, "-m", "coursebuild", *argv[1:], "--no-search"], cwd=starter,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    home = (starter / "_site" / "index.html").read_text("utf-8")
    assert 'href="/field-stats/topics/welcome/"' in home
    assert 'href="/topics/' not in home


def test_guide_shows_the_workflow_that_new_writes() -> None:
    page = (REPO / "content/topics/publishing/publishing-online/index.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", page, re.DOTALL)
    workflow = starter_files("x")[WORKFLOW].decode("utf-8")
    assert workflow in blocks, "the Publishing guide page must show the workflow file `coursebuild new` writes"
    _workflow_build_step(workflow)


# --- Folders that are not (quite) a course ------------------------------------------------


def test_build_outside_a_course_explains_and_suggests_new(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# not a course\n")
    for command in ("build", "serve", "clean"):
        run = run_cli(command, cwd=tmp_path)
        assert run.code == 2, command
        assert run.stderr.startswith("coursebuild: error: the current folder is not a course folder")
        assert "content/topics/" in run.stderr and "coursebuild new" in run.stderr
    assert not (tmp_path / "_site").exists()


def test_markdown_outside_the_topics_is_one_warning(course_dir: Path) -> None:
    write_course(course_dir, {
        "content/topics/a.md": topic("A", 1, "Text.\n"),
        "content/posts/hello.md": "# Hello\n",
        "content/posts/more.md": "# More\n",
        "content/topics/block/_block.yml": "title: B\norder: 1\n",
        "content/topics/block/loose/notes.md": "# Notes\n",
        "content/topics/block/t/index.md": topic("T", 1, "Text.\n"),
        "content/topics/block/t/extra.md": "a file of the topic, copied beside it",
        "content/_drafts/later.md": "# ignored on purpose\n",
        "README.md": "# the repository's readme\n",
    })
    run = run_build(course_dir)
    assert run.code == 0, run.stderr
    assert run.problems() == [
        "content/posts/hello.md: warning: not part of the course: content/posts/hello.md, content/posts/more.md, "
        "content/topics/block/loose/notes.md (topics are content/topics/<block>/<topic>/index.md or "
        "content/topics/<topic>.md, other pages content/<name>.md)"]
    assert run_build(course_dir, None, "--strict").code == 1


# --- site_url -----------------------------------------------------------------------------


def test_without_site_url_no_sitemap_and_one_info_line(course_dir: Path, tmp_path: Path) -> None:
    write_course(course_dir, {"content/topics/a.md": topic("A", 1, "Text.\n")})
    out = tmp_path / "site"
    run = run_build(course_dir, out, "--base-url", "/sub/")
    assert run.code == 0
    notes = [ln for ln in run.lines if ln.startswith(SITE_URL_NOTE)]
    assert notes == [SITE_URL_NOTE + "; set site_url (e.g. https://you.github.io) for a sitemap and "
                     "absolute canonical and Open Graph URLs"]
    assert not (out / "sitemap.xml").exists()
    html = (out / "topics/a/index.html").read_text("utf-8")
    assert '<meta property="og:url" content="/sub/topics/a/">' in html
    assert '<link rel="canonical" href="/sub/topics/a/">' in html
    quiet = run_build(course_dir, out, "--quiet")
    assert not any(ln.startswith(SITE_URL_NOTE) for ln in quiet.lines)
    write_course(course_dir, {"course.yml": "site_url: https://example.org\n"})
    run = run_build(course_dir, out, "--base-url", "/sub/")
    assert not any(ln.startswith(SITE_URL_NOTE) for ln in run.lines)
    assert "<loc>https://example.org/sub/topics/a/</loc>" in (out / "sitemap.xml").read_text("utf-8")


# --- help, version, clean -----------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["build"], ["serve"], ["new"]])
def test_help_shows_exit_codes_and_the_guide(command: list[str]) -> None:
    run = run_cli(*command, "--help")
    assert run.code == 0
    assert "exit codes:" in run.stdout
    for line in ("0  built", "1  content errors", "2  usage or configuration errors"):
        assert line in run.stdout
    assert "guide:" in run.stdout and "make demo" in run.stdout


def test_clean_removes_the_output_and_the_cache(tmp_path: Path) -> None:
    course = tmp_path / "c"
    assert run_cli("new", course).code == 0
    assert run_cli("build", course, "--no-search").code == 0
    cache = cache_dir(course)  # wherever builds keep the render cache of this course
    assert (course / "_site" / "index.html").is_file() and any(cache.rglob("*"))
    run = run_cli("clean", course)
    assert run.code == 0
    assert run.stdout.strip() == f"removed {course / '_site'} and {cache}"
    assert not (course / "_site").exists() and not cache.exists()
    assert (course / "content" / "index.md").is_file()
    assert run_cli("clean", course).stdout.strip() == "nothing to remove: no output folder and no cache"


def test_clean_keeps_a_folder_coursebuild_did_not_make(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {"course.yml": "title: T\n"})
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    run = run_cli("clean", course, "--out", mine)
    assert run.code == 2 and "nothing removed" in run.stderr
    assert (mine / "thesis.tex").read_text() == "precious"


# --- serve picks the next free port when 8000 is taken -------------------------------------


def test_serve_moves_on_from_a_busy_default_port(tmp_path: Path) -> None:
    course = write_course(tmp_path / "c", {"course.yml": "title: T\n", "content/topics/a.md": topic("A", 1, "x")})
    blocker = socket.socket()
    try:
        blocker.bind(("127.0.0.1", 8000))
        blocker.listen()
    except OSError as exc:  # already taken by another program: just as good for this test
        assert exc.errno == errno.EADDRINUSE
    log = tmp_path / "serve.log"
    with open(log, "wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "coursebuild", "serve", str(course), "--out",
                                 str(tmp_path / "site")], stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not re.search(r"Serving .* at http://127\.0\.0\.1:(\d+)/", log.read_text()):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        output = log.read_text()
        port = int(re.search(r"at http://127\.0\.0\.1:(\d+)/", output).group(1))  # type: ignore[union-attr]
        assert port != 8000
        assert f"coursebuild: port 8000 is in use; serving on port {port} instead" in output
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            assert conn.recv(64).split(b"\r\n")[0].endswith(b" 200 OK")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        blocker.close()
    assert proc.returncode == 0
