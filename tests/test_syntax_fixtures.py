"""Fixture-file tests of the Markdown renderer (in the manner of markdown-it-py).

Each ``tests/fixtures/syntax/*.txt`` file holds cases in this format::

    title of the case
    .
    input Markdown (may start with a '---' front matter block)
    .
    expected output
    .

A case starts at a line holding a single ``.``; the non-blank line just
before it is the case's title. Any other line outside a case (such as this
kind of explanation at the top of a file) is ignored. Inputs and outputs
may contain blank lines but no line that is exactly ``.``.

* In every file but ``diagnostics.txt`` the expected output is the HTML of
  the body followed, when the page cites anything, by its References
  section with a line break before each ``<li`` and before ``</ol>``/``</ul>``.
  Those cases must render without any diagnostic.
* In ``diagnostics.txt`` the expected output is the exact diagnostic lines
  (``topic.md:LINE:COL: severity: message``) in the order the CLI prints
  them; ``(none)`` means no diagnostic at all.

Inputs are rendered through the real ``render_body`` with the bibliography
``tests/fixtures/syntax/bibliography.bib`` (loaded by ``load_bibliography``).
An input starting with ``---`` is split like a page file, so lines in
diagnostics are file lines. KaTeX output is compared in a stable short form:
each ``<span class="katex">…</span>`` becomes ``⟨katex:TEX⟩`` and each
``<span class="katex-display">…</span>`` becomes ``⟨katex-display:TEX⟩``
(TEX as KaTeX's annotation holds it), in the actual and expected output alike.

Per-file render options are in ``FILE_OPTIONS`` below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coursebuild import frontmatter
from coursebuild.bibliography import Bibliography, load_bibliography
from coursebuild.diagnostics import sort_key
from coursebuild.markdown.render import RenderedBody, render_body
from coursebuild.markdown.state import GlossaryTerm

FIXTURES = Path(__file__).parent / "fixtures" / "syntax"
PAGE_PATH = "topic.md"
DIAGNOSTICS_FILE = "diagnostics.txt"

GLOSSARY = {
    "neuron": GlossaryTerm("Neuron", "term-neuron", "A unit that computes one number."),
    "side note": GlossaryTerm("Side note", "term-side-note", 'A note <in> the "margin" & more.'),
}

FILE_OPTIONS: dict[str, dict[str, Any]] = {
    "citations-author-year.txt": {"citation_style": "author-year"},
    "glossary.txt": {"glossary": GLOSSARY},
    "glossary-off.txt": {"glossary": GLOSSARY, "glossary_autolink": False},
    "practice-end.txt": {"solutions": "end"},
    "practice-omit.txt": {"solutions": "omit"},
    "smart-punctuation.txt": {"smart_punctuation": True},
}


# --- Reading fixture files ----------------------------------------------------

@dataclass(frozen=True)
class Case:
    file: str
    line: int
    """Line of the title in the fixture file (1-based)."""
    title: str
    input: str
    expected: str

    @property
    def id(self) -> str:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.title).strip("-").lower()[:50]
        return f"{self.file}:{self.line}:{slug}"


def read_cases(path: Path) -> list[Case]:
    """Parse one fixture file (format in this module's docstring)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[Case] = []
    index = 0
    while index < len(lines):
        if lines[index] != ".":
            index += 1
            continue
        title_at = index - 1
        while title_at >= 0 and not lines[title_at].strip():
            title_at -= 1
        if title_at < 0:
            raise ValueError(f"{path.name}:{index + 1}: a case must start with a title line")
        parts: list[list[str]] = [[], []]
        index += 1
        for part in parts:
            while index < len(lines) and lines[index] != ".":
                part.append(lines[index])
                index += 1
            if index >= len(lines):
                raise ValueError(f"{path.name}:{title_at + 1}: case is not closed by a '.' line")
            index += 1
        cases.append(Case(path.name, title_at + 1, lines[title_at].strip().lstrip("#").strip(),
                          "\n".join(parts[0]) + "\n", "\n".join(parts[1])))
    return cases


def all_cases(diagnostics: bool) -> list[Case]:
    files = sorted(FIXTURES.glob("*.txt"))
    return [c for f in files if (f.name == DIAGNOSTICS_FILE) == diagnostics for c in read_cases(f)]


HTML_CASES = all_cases(diagnostics=False)
DIAGNOSTIC_CASES = all_cases(diagnostics=True)


# --- Rendering and normalising ------------------------------------------------

KATEX_OPEN_RE = re.compile(r'<span class="(katex-display|katex)">')
SPAN_TAG_RE = re.compile(r"<(/?)span\b[^>]*>")
ANNOTATION_RE = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)


def normalize_katex(html: str) -> str:
    """Replace each KaTeX rendering by ``⟨katex:TEX⟩`` / ``⟨katex-display:TEX⟩``.

    Also checks that each rendering is complete: balanced spans holding both
    KaTeX's MathML (with the TeX annotation) and its HTML.
    """
    out: list[str] = []
    pos = 0
    while (match := KATEX_OPEN_RE.search(html, pos)) is not None:
        out.append(html[pos:match.start()])
        depth, end = 0, None
        for tag in SPAN_TAG_RE.finditer(html, match.start()):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                end = tag.end()
                break
        assert end is not None, f"unbalanced KaTeX span in {html[match.start():match.start() + 200]!r}"
        rendering = html[match.start():end]
        tex = ANNOTATION_RE.search(rendering)
        assert tex is not None and 'class="katex-html"' in rendering, rendering[:300]
        out.append(f"⟨{match.group(1)}:{tex.group(1)}⟩")
        pos = end
    out.append(html[pos:])
    return "".join(out)


@pytest.fixture(scope="module")
def bibliography() -> Bibliography:
    bib, diags = load_bibliography(FIXTURES, "bibliography.bib")
    assert diags == [], [d.format() for d in diags]
    return bib


def render(case: Case, bib: Bibliography) -> RenderedBody:
    text = frontmatter.decode(case.input.encode("utf-8"))
    assert text is not None
    split = frontmatter.split(text)
    if split.yaml_text is None:
        body, body_line = text, 1
    else:
        body, body_line = split.body, split.body_line
    return render_body(PAGE_PATH, body, body_line, bib, **FILE_OPTIONS.get(case.file, {}))


def html_of(result: RenderedBody) -> str:
    html = result.html.rstrip("\n")
    if result.references_html:
        refs = result.references_html
        for tag in ("<li ", "</ol>", "</ul>"):
            refs = refs.replace(tag, "\n" + tag)
        html += "\n" + refs
    return normalize_katex(html)


# --- The tests ----------------------------------------------------------------

@pytest.mark.parametrize("case", HTML_CASES, ids=[c.id for c in HTML_CASES])
def test_html_fixture(case: Case, bibliography: Bibliography) -> None:
    result = render(case, bibliography)
    assert [d.format() for d in result.diagnostics] == []
    assert html_of(result) == normalize_katex(case.expected).rstrip("\n")


@pytest.mark.parametrize("case", DIAGNOSTIC_CASES, ids=[c.id for c in DIAGNOSTIC_CASES])
def test_diagnostics_fixture(case: Case, bibliography: Bibliography) -> None:
    result = render(case, bibliography)
    actual = [d.format() for d in sorted(result.diagnostics, key=sort_key)]
    expected = [ln for ln in case.expected.split("\n") if ln.strip() and ln.strip() != "(none)"]
    assert actual == expected


def test_fixture_files_are_found_and_well_formed() -> None:
    names = {c.file for c in HTML_CASES + DIAGNOSTIC_CASES}
    assert names == {p.name for p in FIXTURES.glob("*.txt")}
    assert len(HTML_CASES) >= 40 and len(DIAGNOSTIC_CASES) >= 15
    ids = [c.id for c in HTML_CASES + DIAGNOSTIC_CASES]
    assert len(ids) == len(set(ids))
    for case in HTML_CASES + DIAGNOSTIC_CASES:
        assert case.input.strip() and case.expected.strip(), case.id


def test_fixture_reader_rejects_an_unclosed_case(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("title\n.\ninput\n.\nexpected with no closing dot\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.txt:1: case is not closed"):
        read_cases(bad)


def test_normalize_katex_keeps_the_tex_and_surroundings() -> None:
    from coursebuild.markdown.math import render_math

    html = "a " + render_math(r"x^2 < y", False)[0] + " b"
    assert normalize_katex(html) == "a ⟨katex:x^2 &lt; y⟩ b"


def test_failed_formula_markup_fits_where_it_stands(bibliography: Bibliography) -> None:
    """A formula KaTeX rejects shows its source: a <span> inline, a <div> only for a block."""
    inline = render_body(PAGE_PATH, "a $\\nope$ b $$\\nope$$ c\n", 1, bibliography)
    assert "<div" not in inline.html
    assert inline.html.count('<span class="math-error"') == 2
    block = render_body(PAGE_PATH, "$$\n\\nope\n$$\n", 1, bibliography)
    assert '<div class="math-display" tabindex="0"><div class="math-error"' in block.html
    assert [d.rule for d in inline.diagnostics + block.diagnostics] == ["math"] * 3


def test_misplaced_practice_tags_keep_only_their_content(bibliography: Bibliography) -> None:
    """A practice tag where it cannot stand is an error (diagnostics.txt); the page serve
    shows meanwhile keeps the tag's content as plain Markdown, with no markup of the tag's own."""
    body = ("{% exercise %}\nA.\n{% exercise %}\nInner.\n{% endexercise %}\n"
            "{% solution %}\n{% hint %}\nDeep.\n{% endhint %}\n{% endsolution %}\n{% endexercise %}\n")
    result = render_body(PAGE_PATH, body, 1, bibliography)
    assert [(d.line, d.rule) for d in result.diagnostics] == [(3, "practice-nesting"), (7, "practice-nesting")]
    assert result.html == (
        '<section class="exercise" id="exercise-1" aria-labelledby="exercise-1-title">'
        '<p class="exercise-title" id="exercise-1-title"><span class="exercise-label">Exercise 1</span></p>\n'
        "<p>A.</p>\n\n<p>Inner.</p>\n"
        '<details class="solution"><summary>Show solution</summary>\n\n<p>Deep.</p>\n</details>\n</section>\n')


def test_practice_diagnostics_carry_their_rule_and_a_broken_question_no_markup(bibliography: Bibliography) -> None:
    """Rule ids are what the serve overlay groups problems by; a question with a mistake
    renders nothing (its content would make a wrong question)."""
    body = ("{% question colour=1 %}\n{% endquestion %}\n\n{% question %}\n- [x] a\n\n"
            "Between.\n\n- [x] b\n{% endquestion %}\n\n{% solution %}\n{% endsolution %}\n\n"
            "{% hint %}\n\n{% endhint %} text\n\n{% exercise \"a %}\n\n- [x] stray\n\n{% exercise %}\nNever closed.\n")
    result = render_body(PAGE_PATH, body, 1, bibliography)
    rules = [(d.line, d.severity.value, d.rule) for d in sorted(result.diagnostics, key=sort_key)]
    assert rules == [(1, "error", "practice-tag"), (1, "error", "question"), (9, "error", "question-options"),
                     (12, "error", "practice-nesting"), (15, "error", "practice-nesting"),
                     (17, "error", "practice-tag"), (19, "error", "shortcode-syntax"),
                     (21, "warning", "question-options"), (23, "error", "practice-unclosed")]
    # The first question (no options) leaves nothing; the second keeps its first list as options.
    assert result.html.startswith('<div class="question" id="question-64e39a3f93"')
    assert result.html.count('class="question"') == 1 and "Question 2" in result.html


def test_label_diagnostics_carry_their_rule(bibliography: Bibliography) -> None:
    """The serve overlay groups problems by rule id."""
    body = "![x](x.png){#tbl-x}\n\n$$ a $$ {#fig-a}\n\nText {#eq-b}\n\n![y](y.png \"Figure 1: y\"){#fig-y}\n"
    result = render_body(PAGE_PATH, body, 1, bibliography)
    assert [(d.line, d.rule) for d in sorted(result.diagnostics, key=sort_key)] == [
        (1, "xref-label"), (3, "xref-label"), (5, "xref-label"), (7, "xref-numbered")]


def test_labels_hold_what_references_show(bibliography: Bibliography) -> None:
    """The labels a page reports (cached, read by xrefs): number, plain text, hover preview, image, position."""
    body = ('## Method {#sec-method}\n\n![A *car*](img/car.png "Wheels & a car"){#fig-car}\n\n'
            "| a |\n|---|\n| 1 |\n\n: Accuracy by *layer* {#tbl-acc}\n\n$$ x^2 $$ {#eq-sq}\n\n"
            "Stray {#fig-ab} and {#fig-a}\n")
    result = render_body(PAGE_PATH, body, 1, bibliography)
    labels = [(lab.name, lab.kind, lab.number, lab.text, lab.preview, lab.image, lab.line, lab.col)
              for lab in result.labels]
    assert labels[:3] == [("sec-method", "section", 0, "Method", "Method", "", 1, 11),
                          ("fig-car", "figure", 1, "Wheels & a car", "Wheels &amp; a car", "img/car.png", 3, 41),
                          ("tbl-acc", "table", 1, "Accuracy by layer", "Accuracy by layer", "", 9, 23)]
    equation = result.labels[3]
    assert (equation.name, equation.number, equation.text, equation.image, equation.line) == ("eq-sq", 1, "x^2", "", 11)
    assert equation.preview.startswith('<span class="katex-display">')  # the rendered formula
    # A label that starts like a longer one is found at its own column.
    assert [(d.line, d.col) for d in result.diagnostics] == [(13, 7), (13, 21)]


def test_a_broken_practice_tag_keeps_the_lines_after_it(bibliography: Bibliography) -> None:
    body = ('{% question answer="1" %} x\n{% endquestion %}\n\n{% endhint %}\nKept after a stray end tag.\n\n'
            '{% hint "a %}\nKept.\n\n{% exercise "a" "b" %}\n{% endexercise %}\n\n{% exercise %}\n'
            "Kept after an unclosed tag.\n")
    result = render_body(PAGE_PATH, body, 1, bibliography)
    assert [(d.line, d.rule) for d in sorted(result.diagnostics, key=sort_key)] == [
        (1, "practice-tag"), (4, "practice-tag"), (7, "shortcode-syntax"), (10, "practice-tag"),
        (13, "practice-unclosed")]
    assert "</details></div>\n<p>Kept after a stray end tag.</p>\n<p>Kept.</p>\n" in result.html
    assert result.html.endswith("</section>\n<p>Kept after an unclosed tag.</p>\n")
