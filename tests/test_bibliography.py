"""Tests for coursebuild.bibliography, run against real pybtex parsing."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from coursebuild.bibliography import Bibliography, Reference, load_bibliography
from coursebuild.diagnostics import Diagnostic, Severity

FIXTURES = Path(__file__).parent / "fixtures" / "bib"


def load_fixture(name: str) -> tuple[Bibliography, list[Diagnostic]]:
    return load_bibliography(FIXTURES, name)


def load_text(tmp_path: Path,
              data: bytes | str) -> tuple[Bibliography, list[Diagnostic]]:
    """Load ``data`` written verbatim (bytes keep CRLF/BOM exactly)."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    (tmp_path / "bibliography.bib").write_bytes(raw)
    return load_bibliography(tmp_path)


def entry(bib: Bibliography, key: str) -> Reference:
    ref = bib.get(key)
    assert ref is not None, key
    return ref


def summary(diags: list[Diagnostic]) -> list[tuple[int, int, str, str]]:
    return [(d.line, d.col, d.severity.value, d.rule) for d in diags]


@pytest.fixture(scope="module")
def course() -> Bibliography:
    bib, diags = load_fixture("reference.bib")
    assert diags == []
    return bib


# --- Parsing the reference course --------------------------------------------

def test_keys_in_file_order(course: Bibliography) -> None:
    assert course.path == "reference.bib"
    assert course.keys() == ["bereska2024review", "olah2020zoom",
                             "elhage2021mathematical"]


def test_fields_of_two_author_article(course: Bibliography) -> None:
    ref = entry(course, "bereska2024review")
    assert ref == Reference(
        key="bereska2024review", entry_type="article",
        authors=("Leonard Bereska", "Efstratios Gavves"),
        author_lasts=("Bereska", "Gavves"), et_al=False,
        title="Mechanistic Interpretability for AI Safety – A Review",
        venue="Transactions on Machine Learning Research", year="2024",
        doi="", url="https://arxiv.org/abs/2404.14082", eprint="2404.14082",
        line=3)


def test_and_others_sets_et_al(course: Bibliography) -> None:
    ref = entry(course, "elhage2021mathematical")
    assert ref is not None
    assert ref.et_al
    assert len(ref.authors) == 10 and "others" not in ref.author_lasts
    assert ref.entry_type == "misc"
    assert ref.venue == "Transformer Circuits Thread"
    assert ref.line == 22


def test_bibliography_pickles(course: Bibliography) -> None:
    # The renderer sends it to worker processes (spawn start method).
    assert pickle.loads(pickle.dumps(course)) == course


def test_get_is_case_sensitive(course: Bibliography) -> None:
    assert course.get("olah2020zoom") is not None
    assert course.get("Olah2020Zoom") is None


# --- Formatting --------------------------------------------------------------

def test_html_six_authors_doi_and_distinct_url(course: Bibliography) -> None:
    assert entry(course, "olah2020zoom").html() == (
        "Chris Olah, Nick Cammarata, Ludwig Schubert, Gabriel Goh, Michael "
        "Petrov and Shan Carter. <cite>Zoom In: An Introduction to Circuits"
        '</cite>. <span class="venue">Distill</span>, 2020. '
        '<a href="https://doi.org/10.23915/distill.00024.001">'
        "doi:10.23915/distill.00024.001</a> "
        '<a href="https://distill.pub/2020/circuits/zoom-in/">distill.pub</a>')


def test_html_skips_url_equal_to_arxiv_link(course: Bibliography) -> None:
    html = entry(course, "bereska2024review").html()
    assert html.endswith(
        '2024. <a href="https://arxiv.org/abs/2404.14082">arXiv:2404.14082</a>')
    assert html.count("<a ") == 1


def test_html_et_al_shows_six_names(course: Bibliography) -> None:
    html = entry(course, "elhage2021mathematical").html()
    assert html.startswith(
        "Nelson Elhage, Neel Nanda, Catherine Olsson, Tom Henighan, Nicholas "
        "Joseph, Ben Mann et al. <cite>A Mathematical")
    assert html.endswith('">transformer-circuits.pub</a>')


def test_more_than_six_authors_truncated() -> None:
    names = tuple(f"Author {n}" for n in "ABCDEFG")
    ref = Reference("k", "misc", names, tuple(n.split()[1] for n in names),
                    False, "T", "", "2020", "", "", "", 1)
    assert ref.html().startswith(
        "Author A, Author B, Author C, Author D, Author E, Author F et al. "
        "<cite>T</cite>. 2020.")
    assert ref.author_year() == "A et al., 2020"


def test_html_escapes_everything(tmp_path: Path) -> None:
    bib, diags = load_text(tmp_path, (
        '@misc{x, author = {Smith & <b>Sons</b>},\n'
        ' title = {<script>alert("x")</script>},\n'
        ' howpublished = {"Q" & A},\n'
        ' url = {https://example.org/?a=1&b="2"}}\n'))
    assert diags == []
    html = entry(bib, "x").html()
    assert "<script>" not in html and "<b>" not in html
    assert ("<cite>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</cite>"
            in html)
    assert "Smith &amp; &lt;b&gt;Sons&lt;/b&gt;." in html
    assert '<span class="venue">&quot;Q&quot; &amp; A</span>' in html
    assert 'href="https://example.org/?a=1&amp;b=&quot;2&quot;"' in html


def test_javascript_url_is_not_linked(tmp_path: Path) -> None:
    bib, diags = load_text(
        tmp_path, "@misc{x, title = {T},\n url = {javascript:alert(1)}}\n")
    assert entry(bib, "x").url == ""
    assert "href" not in entry(bib, "x").html()
    assert summary(diags) == [(2, 2, "warning", "bib-field")]


def test_author_year_labels(course: Bibliography) -> None:
    assert entry(course, "olah2020zoom").author_year() == "Olah et al., 2020"
    assert (entry(course, "bereska2024review").author_year()
            == "Bereska and Gavves, 2024")
    assert (entry(course, "elhage2021mathematical").author_year()
            == "Elhage et al., 2021")


def test_author_year_without_authors_or_year() -> None:
    ref = Reference("k", "misc", (), (), False,
                    "Handbook of Neural Networks: Theory",
                    "", "", "", "", "", 1)
    assert ref.author_year() == "Handbook of Neural Networks, n.d."
    one = Reference("k", "misc", ("Ada Lovelace",), ("Lovelace",), False,
                    "Notes", "", "1843", "", "", "", 1)
    assert one.author_year() == "Lovelace, 1843"
    assert one.html() == "Ada Lovelace. <cite>Notes</cite>. 1843."


def test_sort_key_orders_by_author_then_year(course: Bibliography) -> None:
    refs = sorted(course.references.values(),
                  key=Reference.sort_key)
    assert [r.key for r in refs] == ["bereska2024review",
                                     "elhage2021mathematical", "olah2020zoom"]
    assert entry(course, "olah2020zoom").sort_key() == (
        "olah", "2020", "zoom in: an introduction to circuits")


def test_plain(course: Bibliography) -> None:
    assert entry(course, "bereska2024review").plain() == (
        "Leonard Bereska and Efstratios Gavves. Mechanistic Interpretability "
        "for AI Safety – A Review. Transactions on Machine Learning Research, "
        "2024. arXiv:2404.14082")


# --- LaTeX, macros, identifiers ----------------------------------------------

def test_latex_in_titles_and_names() -> None:
    bib, diags = load_fixture("latex.bib")
    assert diags == []
    ref = entry(bib, "goedel2023")
    assert ref.title == "On AI & Öffentlichkeit – the Formal View"
    assert ref.authors == ("Kurt Gödel", "Johannes van der Waals",
                           "Jörg Müller")
    assert ref.author_lasts == ("Gödel", "van der Waals", "Müller")
    assert ref.venue == "Transactions on Machine Learning Research"  # @string
    assert ref.year == "2023"
    assert ref.doi == "10.1000/XYZ.1"
    assert ref.author_year() == "Gödel et al., 2023"
    # The url is the DOI link in other letter case: linked once, as the DOI.
    assert ref.html().count("<a ") == 1


def test_parenthesised_entry_without_authors() -> None:
    bib, _ = load_fixture("latex.bib")
    ref = entry(bib, "anon2019")
    assert ref.entry_type == "book" and ref.line == 14
    assert ref.title == "Handbook of Neural Networks: Theory and Practice"
    assert ref.venue == "Example Press"
    assert ref.author_year() == "Handbook of Neural Networks, 2019"
    assert ref.html().startswith("<cite>Handbook of Neural")


# --- Broken files ------------------------------------------------------------

def test_broken_file_diagnostics_at_exact_lines() -> None:
    bib, diags = load_fixture("broken.bib")
    assert summary(diags) == [
        (2, 1, "error", "bib-syntax"),      # 'first' never closed
        (5, 1, "warning", "bib-syntax"),    # junk between entries
        (7, 1, "error", "bib-syntax"),      # duplicate key 'first'
        (8, 1, "warning", "bib-field"),     # 'fourth' lost its title...
        (8, 21, "error", "bib-syntax"),     # ...because '=' is missing
        (9, 1, "warning", "bib-field"),     # 'fifth' has 'titel'
        (10, 1, "error", "bib-syntax"),     # brace slip swallows the '}'
    ]
    messages = [d.message for d in diags]
    assert messages[0] == ("entry 'first' is not closed: a '}' is missing "
                           "before the next entry on line 4")
    assert messages[1] == ("text outside any entry is ignored: "
                           "'this line is junk between entries'")
    assert messages[2] == ("duplicate entry key 'first' "
                           "(first defined at line 2)")
    assert messages[4] == ("expected '=' but found '{Fourth}}' "
                           "in entry 'fourth'")
    assert messages[5] == "entry 'fifth' has no title (did you mean 'titel'?)"


def test_broken_file_keeps_valid_entries() -> None:
    bib, _ = load_fixture("broken.bib")
    assert bib.keys() == ["first", "second", "third", "fourth", "fifth",
                          "sixth", "seventh"]
    assert entry(bib, "first").title == "First"  # the first definition wins
    assert entry(bib, "second").year == "2021"
    assert entry(bib, "seventh").line == 12


def test_broken_file_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    load_fixture("broken.bib")
    load_fixture("latex.bib")
    assert capfd.readouterr() == ("", "")


def test_trailing_comma_before_unclosed_entry(tmp_path: Path) -> None:
    bib, diags = load_text(tmp_path, (
        "@misc{a, title = {A},\n"
        "@misc{b, title = {B}}\n"))
    assert summary(diags) == [(1, 1, "error", "bib-syntax")]
    assert bib.keys() == ["a", "b"]


def test_unclosed_last_entry(tmp_path: Path) -> None:
    bib, diags = load_text(tmp_path, (
        "@misc{a, title = {A}}\n\n"
        "@misc{b, title = {B}, note = {open\n"))
    assert summary(diags) == [(3, 1, "error", "bib-syntax")]
    assert diags[0].message == ("entry 'b' is not closed: a '}' is missing "
                                "before the end of the file")
    assert entry(bib, "a").title == "A"
    assert entry(bib, "b").title == "B"  # fields before the break survive


def test_stray_at_sign_in_comment(tmp_path: Path) -> None:
    bib, diags = load_text(tmp_path, (
        "% mail me@example.com\n@misc{a, title = {A}}\n"))
    assert summary(diags) == [(1, 10, "error", "bib-syntax")]
    assert diags[0].message.startswith("'@' does not start a valid entry")
    assert bib.keys() == ["a"]


def test_bad_author_list_is_a_warning(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    bib, diags = load_text(tmp_path, (
        "@preamble{\"\\newcommand{\\x}{y}\"}\n"
        "@misc{a, title = {A},\n  author = {One, Two, Three, Four}}\n"))
    assert summary(diags) == [(3, 3, "warning", "bib-field")]
    assert "Too many commas" in diags[0].message
    assert entry(bib, "a").author_lasts == ("One",)
    assert capfd.readouterr() == ("", "")


def test_undefined_macro_position(tmp_path: Path) -> None:
    bib, diags = load_text(
        tmp_path, "@misc{a,\n  title = {A}, journal = Distill}\n")
    assert summary(diags) == [(2, 26, "error", "bib-syntax")]
    assert "undefined @string macro 'Distill'" in diags[0].message
    assert entry(bib, "a").title == "A"


def test_duplicate_keys_differing_in_case(tmp_path: Path) -> None:
    bib, diags = load_text(tmp_path, (
        "@misc{Olah, title = {One}}\n@misc{olah, title = {Two}}\n"))
    assert summary(diags) == [(2, 1, "error", "bib-syntax")]
    assert "first defined at line 1 as 'Olah'" in diags[0].message
    assert bib.keys() == ["Olah"]


def test_duplicate_field_keeps_first(tmp_path: Path) -> None:
    bib, diags = load_text(tmp_path, (
        "@misc{a, title = {One},\n  title = {Two}}\n"))
    assert summary(diags) == [(2, 3, "warning", "bib-field")]
    assert entry(bib, "a").title == "One"


# --- Files and encodings -----------------------------------------------------

def test_missing_file_is_empty_without_diagnostics(tmp_path: Path) -> None:
    bib, diags = load_bibliography(tmp_path)
    assert (bib.keys(), diags) == ([], [])
    assert bib.path == "bibliography.bib"


def test_not_utf8_is_an_error_but_entries_load(tmp_path: Path) -> None:
    bib, diags = load_text(tmp_path, (
        b"@misc{ok, title = {Fine}}\n"
        b"@misc{latin, title = {Caf\xe9}}\n"))
    assert summary(diags) == [(2, 26, "error", "bib-encoding")]
    assert "bibliography.bib is not valid UTF-8" in diags[0].message
    assert entry(bib, "ok").title == "Fine"


def test_bom_and_crlf(tmp_path: Path) -> None:
    text = ("@misc{a,\r\n title = {A}}\r\n\r\n"
            "@misc{b,\r\n title = {B},\r\n title = {C}}\r\n")
    bib, diags = load_text(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert bib.keys() == ["a", "b"]
    assert (entry(bib, "a").line, entry(bib, "b").line) == (1, 4)
    assert summary(diags) == [(6, 2, "warning", "bib-field")]


def test_diagnostics_use_relative_posix_path(tmp_path: Path) -> None:
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "main.bib").write_text("@misc{a, year = 2020}\n")
    bib, diags = load_bibliography(tmp_path, "refs/main.bib")
    assert bib.path == "refs/main.bib"
    assert [d.path for d in diags] == ["refs/main.bib"]
    assert diags[0].severity is Severity.WARNING


# --- Digests -----------------------------------------------------------------

def test_digest_ignores_layout_and_position(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "reference.bib", tmp_path / "bibliography.bib")
    before, _ = load_bibliography(tmp_path)
    reordered = (
        "@misc{elhage2021mathematical, year={2021}, "
        "title={A Mathematical Framework for Transformer Circuits},"
        "howpublished={Transformer Circuits Thread}, url = "
        "{https://transformer-circuits.pub/2021/framework/index.html},"
        "author={Elhage, Nelson and Nanda, Neel and Olsson, Catherine and "
        "Henighan, Tom and Joseph, Nicholas and Mann, Ben and Askell, Amanda "
        "and Bai, Yuntao and Chen, Anna and Conerly, Tom and others}}\n")
    after, _ = load_text(tmp_path, reordered)
    key = "elhage2021mathematical"
    assert after.digest(key) == before.digest(key) != ""


def test_digest_changes_with_a_field(tmp_path: Path) -> None:
    text = (FIXTURES / "reference.bib").read_text()
    before, _ = load_text(tmp_path, text)
    changed = text.replace("year = {2020}", "year = {2021}")
    after, _ = load_text(tmp_path, changed)
    assert after.digest("olah2020zoom") != before.digest("olah2020zoom")
    for key in ("bereska2024review", "elhage2021mathematical"):
        assert after.digest(key) == before.digest(key)
    assert after.digest("nonexistent") == ""
