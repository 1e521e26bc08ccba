"""Math on KaTeX (V8): course-wide macros from macros.tex, KaTeX's warnings as
diagnostics with positions, the formula size cap, and batching that changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_helpers import Run, run_build, topic, write_course
from coursebuild.markdown.math import KATEX_HTML_END, KATEX_HTML_IGNORED, MAX_FORMULA_CHARS, prepare, render_math

MACROS = r"""
% the course's notation
\newcommand{\R}{\mathbb{R}}
\newcommand{\norm}[1]{\left\lVert #1 \right\rVert}
"""


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    root = tmp_path_factory.mktemp("math")
    course = write_course(root / "c", {
        "macros.tex": MACROS,
        "content/topics/t.md": topic("T", 1, "Let $v \\in \\R^n$ with $\\norm{v} = 1$.\n\n"
                                            "A modifier letter: $ᵃ$ here.\n"),
    })
    out = root / "out"
    return run_build(course, out), out


def test_course_macros_are_expanded_by_katex(good: tuple[Run, Path]) -> None:
    run, out = good
    assert run.code == 0, run.stderr
    html = (out / "topics/t/index.html").read_text()
    assert '<span class="mord mathbb">R</span>' in html
    assert "\\norm{v} = 1</annotation>" in html  # the author's TeX stays in the MathML copy
    assert "\\lVert" not in html.split("<annotation")[0]  # … and the expansion was rendered
    assert "math-error" not in html


def test_katex_warnings_are_diagnostics_with_positions(good: tuple[Run, Path]) -> None:
    run, _ = good
    assert run.problems() == [
        "content/topics/t.md:8:20: warning: KaTeX: No character metrics for 'ᵃ' in style "
        "'Main-Regular' and mode 'text'"]
    assert run.stdout == ""  # nothing from KaTeX goes to stdout


def test_broken_macros_and_oversized_formulas_are_errors_at_their_lines(tmp_path: Path) -> None:
    huge = "x+" * (MAX_FORMULA_CHARS // 2) + "y"
    course = write_course(tmp_path / "c", {
        "macros.tex": "\\newcommand{\\R}{\\mathbb{R}}\n\n\\newcommand{\\half}{\\frac{1}\n"
                      "\\newcommand{\\bad}{\\nosuch}\nR = reals\n",
        "content/topics/t.md": topic("T", 1, f"Fine $\\R$.\n\nHuge ${huge}$.\n"),
    })
    run = run_build(course)
    assert run.code == 1
    assert run.problems() == [
        f"content/topics/t.md:8:6: error: KaTeX could not render the formula: the formula is "
        f"{len(huge):,} characters long; formulas may have at most {MAX_FORMULA_CHARS:,} (split it into several)",
        "macros.tex:3:1: error: expected a definition such as \\newcommand{\\R}{\\mathbb{R}} "
        "or \\newcommand{\\norm}[1]{\\lVert #1 \\rVert}",
        "macros.tex:4:1: error: macro \\bad does not render in KaTeX: Undefined control sequence: "
        "\\nosuch at position 1: \\̲n̲o̲s̲u̲c̲h̲",
        "macros.tex:5:1: error: expected a definition such as \\newcommand{\\R}{\\mathbb{R}} "
        "or \\newcommand{\\norm}[1]{\\lVert #1 \\rVert}",
    ]


def test_a_batch_renders_exactly_what_single_formulas_do() -> None:
    from coursebuild.markdown import math

    formulas = [(f"\\sum_{{i=1}}^{{{n}}} i^{n} = \\frac{{a}}{{b_{n}}}", n % 2 == 0) for n in range(40)]
    math._CACHE.clear()
    single = [render_math(tex, display) for tex, display in formulas]  # one call into V8 each
    math._CACHE.clear()
    prepare(formulas)
    assert len(math._CACHE) == 40
    assert [render_math(tex, display) for tex, display in formulas] == single
    assert all('<span class="katex' in html for html, _ in single)


@pytest.mark.parametrize("tex, display", [
    ("x^2 + \\frac{a}{b}", False),
    ("\\sum_{i=1}^n i = \\frac{n(n+1)}{2} \\tag{1}", True),
    ("\\begin{aligned} a &= b \\\\ c &= \\sqrt{d} \\end{aligned}", True),
])
def test_the_visual_copy_ends_where_its_marker_says(tex: str, display: bool) -> None:
    """search/copy.py cuts each formula's visual copy (which Pagefind ignores) from the pages it
    gives Pagefind, from its opening tag to the comment after it, without parsing."""
    html, _ = render_math(tex, display)
    start = html.index(KATEX_HTML_IGNORED)
    depth, pos = 0, start
    for match in re.finditer(r"<span\b|</span>", html[start:]):
        depth += -1 if match.group(0) == "</span>" else 1
        if depth == 0:
            pos = start + match.end()
            break
    assert html[pos:pos + len(KATEX_HTML_END)] == KATEX_HTML_END
    assert html.count(KATEX_HTML_END) == 1
    assert html[pos + len(KATEX_HTML_END):] == "</span>" * (2 if display else 1)
