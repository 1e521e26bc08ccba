"""How references are formatted, pinned on the entries of
``tests/fixtures/bib/formatting.bib``: sentence ends, venues, biblatex fields,
"and Others", and which URLs repeat the DOI or arXiv link."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursebuild.bibliography import Bibliography, Reference, load_bibliography

FIXTURES = Path(__file__).parent / "fixtures" / "bib"


@pytest.fixture(scope="module")
def bib() -> Bibliography:
    loaded, diags = load_bibliography(FIXTURES, "formatting.bib")
    assert diags == []
    return loaded


def ref(bib: Bibliography, key: str) -> Reference:
    found = bib.get(key)
    assert found is not None, key
    return found


def test_title_ending_in_a_question_mark_gets_no_full_stop(bib: Bibliography) -> None:
    # A venue ending in "." (an abbreviation) keeps it before the year.
    assert ref(bib, "question2020").html() == (
        'Ada Lovelace. <cite>Can Machines Think?</cite> <span class="venue">Mind Letters.</span>, 2020.')
    assert ref(bib, "question2020").plain() == "Ada Lovelace. Can Machines Think? Mind Letters., 2020."


def test_venue_ending_in_a_full_stop_without_a_year_is_not_doubled(bib: Bibliography) -> None:
    html = ref(bib, "venuedot").html()
    assert html == ('Grace Hopper. <cite>Notes on Compilers</cite>. '
                    '<span class="venue">Lecture notes, Vol.</span>')
    assert ".." not in html and ".." not in ref(bib, "venuedot").plain()
    assert ref(bib, "venuedot").author_year() == "Hopper, n.d."


def test_capitalised_others_is_et_al_and_www_is_dropped_from_the_link_text(bib: Bibliography) -> None:
    turing = ref(bib, "wwwurl")
    assert turing.et_al and turing.authors == ("Alan Turing",) and turing.author_lasts == ("Turing",)
    assert turing.html() == (
        'Alan Turing et al. <cite>On Computable Numbers!</cite> <span class="venue">Web</span>, 1936. '
        '<a href="https://www.example.org/turing/">example.org</a>')
    assert turing.author_year() == "Turing et al., 1936"


def test_biblatex_date_gives_the_year_and_a_www_doi_url_repeats_the_doi(bib: Bibliography) -> None:
    dated = ref(bib, "datefield")
    assert dated.year == "2019" and dated.doi == "10.5555/ABC.1"
    assert dated.html() == ('Grace Hopper and Ada Lovelace. <cite>Biblatex Dates</cite>. 2019. '
                            '<a href="https://doi.org/10.5555/ABC.1">doi:10.5555/ABC.1</a>')
    assert dated.author_year() == "Hopper and Lovelace, 2019"


@pytest.mark.parametrize("key, eprint", [("arxivpdf", "2101.00002"), ("arxivversion", "2101.00003v3")])
def test_an_arxiv_pdf_url_of_any_version_is_the_eprint_link(bib: Bibliography, key: str, eprint: str) -> None:
    html = ref(bib, key).html()
    assert html.count("<a ") == 1, html
    assert html.endswith(f'<a href="https://arxiv.org/abs/{eprint}">arXiv:{eprint}</a>')


def test_a_url_of_another_arxiv_paper_is_kept(bib: Bibliography) -> None:
    assert ref(bib, "arxivother").html() == (
        '<cite>Another Paper</cite>. 2021. <a href="https://arxiv.org/abs/2101.00004">arXiv:2101.00004</a> '
        '<a href="https://arxiv.org/abs/2101.00005">arxiv.org</a>')


def test_lone_carriage_returns_end_lines(tmp_path: Path) -> None:
    text = "@misc{a,\r title = {A},\r year = {2001}}\r\r@misc{b,\r title = {B},\r title = {C}}\r"
    (tmp_path / "bibliography.bib").write_bytes(text.encode("utf-8"))
    loaded, diags = load_bibliography(tmp_path)
    assert loaded.keys() == ["a", "b"]
    assert (ref(loaded, "a").line, ref(loaded, "b").line) == (1, 5)
    assert ref(loaded, "a").year == "2001"
    assert [(d.line, d.col, d.rule) for d in diags] == [(7, 2, "bib-field")]


def test_anonymous_works_are_labelled_by_their_title_or_key() -> None:
    long = Reference("long", "misc", (), (), False, "A Very Long Title of Many Words", "", "1999", "", "", "", 1)
    assert long.author_year() == "A Very Long Title…, 1999"
    five = Reference("five", "misc", (), (), False, "One Two Three Four Five", "", "", "", "", "", 1)
    assert five.author_year() == "One Two Three Four…, n.d."
    four = Reference("four", "misc", (), (), False, "One Two Three Four? Subtitle", "", "", "", "", "", 1)
    assert four.author_year() == "One Two Three Four, n.d."
    assert long.sort_key() == ("a very long title of many words", "1999", "a very long title of many words")
    untitled = Reference("anon2001", "misc", (), (), False, "", "", "", "", "", "", 1)
    assert untitled.author_year() == "anon2001, n.d."
    assert untitled.html() == "" and untitled.plain() == ""


def test_biblatex_journaltitle_latex_escapes_and_only_others(bib: Bibliography) -> None:
    # "others" alone: et al. with no name to show; escaped braces and dollars stay, a macro
    # before braces goes, another keeps its name, \\ is a line break; \_ in a url is "_".
    ref_ = ref(bib, "biblatexjournal")
    assert ref_.et_al and ref_.authors == () and ref_.names() == ""
    assert ref_.html() == ('<cite>Sets {a, b} Cost $5 in and Bar, Form Second Line</cite>. '
                           '<span class="venue">Biblatex Journal</span>, 2022. '
                           '<a href="https://example.org/a_b%20c">example.org</a>')
    assert ref_.author_year() == "Sets {a, b} Cost…, 2022"


@pytest.mark.parametrize("key, venue", [("report", "Some Institute"), ("thesis", "Some University")])
def test_institution_and_school_are_venues(bib: Bibliography, key: str, venue: str) -> None:
    assert ref(bib, key).venue == venue


def test_unreadable_file_is_an_error_at_the_file(tmp_path: Path) -> None:
    (tmp_path / "bibliography.bib").mkdir()
    loaded, diags = load_bibliography(tmp_path)
    assert loaded.keys() == []
    assert [d.format() for d in diags] == ["bibliography.bib: error: cannot read bibliography.bib: Is a directory"]


def test_encoding_error_position_when_the_file_starts_with_a_line_break(tmp_path: Path) -> None:
    (tmp_path / "bibliography.bib").write_bytes(b"\n@misc{latin, title = {Caf\xe9}}\n")
    loaded, diags = load_bibliography(tmp_path)
    assert [(d.line, d.col, d.rule) for d in diags] == [(2, 26, "bib-encoding")]
    assert ref(loaded, "latin").title == "Caf\ufffd"
