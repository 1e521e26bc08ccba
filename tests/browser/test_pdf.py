"""``coursebuild pdf``: the fixture course printed by Debian's chromium, read back with pypdf."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_course
from course_helpers import CHROMIUM, run_cli, topic
from course_helpers import write_course as write_files

pytestmark = pytest.mark.browser
pypdf = pytest.importorskip("pypdf")

TOPICS = ["Signals and Noise", "Measuring Error", "Fitting Models", "Checking Results"]


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (make browser)")
    return write_course(tmp_path_factory.mktemp("pdf") / "course")


@pytest.fixture(scope="module")
def book(course: Path) -> tuple[object, str]:
    out = course.parent / "book.pdf"
    run = run_cli("pdf", course, "--out", out, "--chromium", CHROMIUM, timeout=300)
    assert run.code == 0, run.stderr
    return pypdf.PdfReader(out), run.stderr


def _outline(reader, items=None, depth=0):  # type: ignore[no-untyped-def]
    """(depth, title, page number from 1) for every bookmark, in order."""
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += _outline(reader, item, depth + 1)
        else:
            found.append((depth, item.title, reader.get_destination_page_number(item) + 1))
    return found


def _text(reader, number: int) -> str:  # type: ignore[no-untyped-def]
    return " ".join(reader.pages[number - 1].extract_text().split())


def test_page_count_and_metadata(book) -> None:  # type: ignore[no-untyped-def]
    reader, summary = book
    # Title page, contents, two part pages, four chapters (the first runs over), glossary, bibliography.
    assert 10 <= len(reader.pages) <= 16
    assert f"{len(reader.pages)} pages" in summary
    assert reader.metadata.title == "Reading Noisy Data"
    assert reader.metadata.author == "Test Author"


def test_outline_has_parts_chapters_and_sections(book) -> None:  # type: ignore[no-untyped-def]
    reader, _ = book
    outline = _outline(reader)
    titles = [(depth, title) for depth, title, _ in outline]
    for name in ("Contents", "Basics", "Practice", "Glossary", "Bibliography"):
        assert (0, name) in titles
    for name in TOPICS:
        assert (1, name) in titles  # chapters sit under their part
    assert (2, "Two parts of every measurement") in titles
    assert (3, "Averaging") in titles
    pages = [page for _, _, page in outline]
    assert pages == sorted(pages), "bookmarks follow the learning path"
    # Chromium doubles the title of a heading that starts a page ("AveragingAveraging"); mended.
    assert not any(len(t) % 2 == 0 and t[:len(t) // 2] * 2 == t for _, t in titles), titles


def test_contents_show_the_pages_chapters_start_on(book) -> None:  # type: ignore[no-untyped-def]
    reader, _ = book
    starts = {title: page for depth, title, page in _outline(reader) if depth <= 1}
    contents = _text(reader, starts["Contents"])
    for title in TOPICS + ["Glossary", "Bibliography"]:
        assert re.search(rf"{title} {starts[title]}\b", contents), (title, starts[title], contents)
    # Running head: the chapter's title heads its second page; page numbers at the foot.
    second = _text(reader, starts["Signals and Noise"] + 1)
    assert "Signals and Noise" in second
    assert re.search(rf"\b{starts['Signals and Noise'] + 1}\b", second)


def test_side_note_is_on_the_page_that_calls_it(book) -> None:  # type: ignore[no-untyped-def]
    reader, _ = book
    start = {t: p for _, t, p in _outline(reader)}["Signals and Noise"]
    page = _text(reader, start)
    assert "The additive model is a choice, not a law." in page
    assert "Writing this down makes the idea precise." in page


def test_references_and_bibliography_text(book) -> None:  # type: ignore[no-untyped-def]
    reader, _ = book
    last = _text(reader, {t: p for _, t, p in _outline(reader)}["Bibliography"])
    assert "John W. Tukey. Exploratory Data Analysis. Addison-Wesley, 1977." in last
    everything = " ".join(_text(reader, n) for n in range(1, len(reader.pages) + 1))
    assert "Science and Statistics" in everything


def test_katex_fonts_are_embedded(book) -> None:  # type: ignore[no-untyped-def]
    reader, _ = book
    embedded = set()
    for page in reader.pages:
        for font in page.get("/Resources", {}).get("/Font", {}).values():
            font = font.get_object()
            # Type0 (CID) fonts keep their descriptor on the descendant font.
            holder = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = holder.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"KaTeX_Main-Regular", "KaTeX_Math-Italic"} <= embedded, embedded


def test_internal_links_jump_inside_the_pdf(book) -> None:  # type: ignore[no-untyped-def]
    reader, _ = book
    targets = set()
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                targets.add(str(annot["/Dest"]).lstrip("/"))
    named = {str(k).lstrip("/") for k in reader.named_destinations}
    assert targets <= named, targets - named  # every internal link has its target
    assert "ch-signals-and-noise" in targets  # a prerequisite ("Read first")
    assert "signals-and-noise--ref-tukey1977" in targets  # a citation → its reference
    assert "glossary--term-signal" in targets  # a glossary term → the glossary


def test_one_topic_as_a_handout(course: Path) -> None:
    out = course.parent / "handout.pdf"
    run = run_cli("pdf", course, "--topic", "measuring-error", "--out", out, "--chromium", CHROMIUM, timeout=300)
    assert run.code == 0, run.stderr
    reader = pypdf.PdfReader(out)
    assert [t for _, t, _ in _outline(reader)][:1] == ["Measuring Error"]
    assert len(reader.pages) == 1
    assert reader.metadata.title == "Measuring Error"
    # Its prerequisite is not in the handout: plain text, no dead link.
    assert "/Annots" not in reader.pages[0] or all(
        str(a.get_object().get("/Dest", "")).lstrip("/") != "ch-signals-and-noise" for a in reader.pages[0]["/Annots"])


def test_missing_engine_is_a_clear_usage_error(course: Path, tmp_path: Path) -> None:
    run = run_cli("pdf", course, "--out", tmp_path / "x.pdf", "--chromium", tmp_path / "no-chromium")
    assert run.code == 2
    assert "Chromium not found" in run.stderr
    assert not (tmp_path / "x.pdf").exists()
    # Without the Python packages: say which extra to install (the import is made to fail).
    code = ("import sys; sys.modules['pypdf'] = None; from coursebuild.cli import main; "
            f"sys.exit(main(['pdf', {str(course)!r}, '--out', {str(tmp_path / 'y.pdf')!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pip install 'coursebuild[pdf]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_topic_suggests_the_closest(course: Path, tmp_path: Path) -> None:
    run = run_cli("pdf", course, "--topic", "fiting-models", "--out", tmp_path / "x.pdf", "--chromium", CHROMIUM)
    assert run.code == 2
    assert "did you mean 'fitting-models'" in run.stderr


PRACTICE = {
    "course.yml": "title: Practice Book\nsolutions: omit\n",
    "content/topics/drill/index.md": topic("Drill", 1, """
        {% question %}
        Which circuit decides where a head looks?

        - [x] The QK circuit
          > Right: queries meet keys.
        - [ ] The OV circuit
        {% endquestion %}

        {% exercise "Trace it" %}
        Follow the tokens.
        {% hint %}
        Start at the last token.
        {% endhint %}
        {% solution %}
        The previous-token head does the work.
        {% endsolution %}
        {% endexercise %}
        """, objectives='\n  - "Trace an induction circuit"', key_points='\n  - "Heads read, then move"'),
}


@pytest.fixture(scope="module")
def practice_course(course: Path) -> Path:  # needs ``course``: it skips without chromium
    return write_files(course.parent / "practice", PRACTICE)


def _all_text(reader) -> str:  # type: ignore[no-untyped-def]
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_student_copy_follows_course_yml_and_has_no_solution_text(practice_course: Path) -> None:
    out = practice_course.parent / "student.pdf"
    run = run_cli("pdf", practice_course, "--out", out, "--chromium", CHROMIUM, timeout=300)
    assert run.code == 0, run.stderr
    text = _all_text(pypdf.PdfReader(out))
    assert "Which circuit decides where a head looks?" in text and "The OV circuit" in text
    assert "Start at the last token." in text  # hints print
    assert "Trace an induction circuit" in text and "Heads read, then move" in text
    assert "previous-token head" not in text  # solutions: omit in course.yml
    assert "Right: queries meet keys." not in text and "Answers" not in text


def test_solutions_option_wins_and_end_links_both_ways(practice_course: Path) -> None:
    out = practice_course.parent / "teacher.pdf"
    run = run_cli("pdf", practice_course, "--solutions", "end", "--out", out, "--chromium", CHROMIUM, timeout=300)
    assert run.code == 0, run.stderr
    reader = pypdf.PdfReader(out)
    text = _all_text(reader)
    assert "The previous-token head does the work." in text
    assert text.index("Heads read, then move") < text.index("The previous-token head does the work.")
    assert "Right: queries meet keys." in text  # the answer key, at the chapter's end
    targets = {str(a.get_object().get("/Dest", "")).lstrip("/")
               for page in reader.pages for a in page.get("/Annots", [])}
    assert {"drill--solution-1", "drill--exercise-1"} <= targets
    assert {t.split("-")[2] for t in targets if t.startswith(("drill--answer-", "drill--question-"))} == {
        "answer", "question"}  # the answer key and its question link to each other
