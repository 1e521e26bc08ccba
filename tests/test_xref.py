"""Cross-references end to end: labels, numbering per topic, {% ref %} on the
same page and across pages, previews, and the errors, with positions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_helpers import run_build, topic, write_course

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8"
                    "cfc000000301010018dd8db00000000049454e44ae426082")

A = topic("Superposition", 1, """
    ## Method {#sec-method}

    ![A car detector](images/car.png "Wheels and windows feed a car unit"){#fig-wheels}

    ![A second circuit](images/car.png "A dog detector"){#fig-dog}

    $$
    f(x) = \\sum_i w_i x_i
    $$ {#eq-sum}

    | probe | accuracy |
    |-------|----------|
    | linear | 0.9 |

    : Probe accuracy by layer {#tbl-probes}

    {% ref "fig-dog" %} follows {% ref "fig-wheels" "Fig." %}; {% ref "eq-sum" %} sums,
    {% ref "tbl-probes" %} lists and {% ref "sec-method" %} explains.

    ![A bare car](images/car.png){#fig-bare}

    $$ g = 1 $$ {#eq-two}
    """)
B = topic("Circuits", 2, """
    As {% ref "fig-dog" %} showed, and {% ref "eq-sum" "Eq." %} says.

    $$ a = b $$ {#eq-first}

    See {% ref "eq-first" %}; {% ref "tbl-probes" %}, {% ref "sec-method" %} and {% ref "fig-bare" %} too; {% ref "eq-two" %}.
    """)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xref")
    course = write_course(root / "course", {"content/topics/a/index.md": A, "content/topics/b/index.md": B,
                                            "content/topics/a/images/car.png": PNG})
    run = run_build(course, root / "site")
    assert run.code == 0, run.stderr
    assert run.problems() == []
    return root / "site"


def page(site: Path, slug: str) -> str:
    return (site / "topics" / slug / "index.html").read_text("utf-8")


def test_figures_are_numbered_with_ids_and_caption_prefix(site: Path) -> None:
    html = page(site, "a")
    assert ('<figure class="figure" id="fig-wheels"><img src="images/car.png" alt="A car detector" '
            'loading="lazy" decoding="async" width="1" height="1"><figcaption><span class="xref-label">Figure 1</span>: '
            'Wheels and windows feed a car unit</figcaption></figure>') in html
    assert '<figure class="figure" id="fig-dog">' in html
    assert '<span class="xref-label">Figure 2</span>: A dog detector' in html


def test_equation_number_beside_the_formula(site: Path) -> None:
    html = page(site, "a")
    match = re.search(r'<div class="math-display math-numbered" id="eq-sum" tabindex="0">.*?</div>', html, re.S)
    assert match and match.group(0).endswith('<span class="eq-number">(1)</span></div>')
    assert 'class="katex-display"' in match.group(0)


def test_table_caption_and_heading_id(site: Path) -> None:
    html = page(site, "a")
    assert ('<table>\n<caption id="tbl-probes"><span class="xref-label">Table 1</span>: '
            'Probe accuracy by layer</caption>') in html
    assert '<h2 id="sec-method">Method <a class="header-anchor" href="#sec-method"' in html
    assert '<a href="#sec-method" data-toc-link>Method</a>' in html
    assert "{#" not in html


def test_references_on_the_same_page(site: Path) -> None:
    html = page(site, "a")
    assert '<a class="xref" href="#fig-dog" data-xref="fig-dog">Figure 2</a> follows' in html
    assert '<a class="xref" href="#fig-wheels" data-xref="fig-wheels">Fig. 1</a>' in html
    assert '<a class="xref" href="#eq-sum" data-xref="eq-sum">Equation (1)</a> sums' in html
    assert '<a class="xref" href="#tbl-probes" data-xref="tbl-probes">Table 1</a> lists' in html
    assert '<a class="xref" href="#sec-method" data-xref="sec-method">Method</a> explains' in html


def test_references_across_pages_and_numbering_per_topic(site: Path) -> None:
    html = page(site, "b")
    assert ('As <a class="xref" href="/topics/a/#fig-dog" data-xref="fig-dog">Figure 2 in '
            '<em>Superposition</em></a> showed') in html
    assert '<a class="xref" href="/topics/a/#eq-sum" data-xref="eq-sum">Eq. (1) in <em>Superposition</em></a>' in html
    assert '<a class="xref" href="#eq-first" data-xref="eq-first">Equation (1)</a>' in html  # numbering restarts


def test_previews_for_the_popover(site: Path) -> None:
    html = page(site, "b")
    previews = re.search(r'<div class="xref-previews" hidden data-pagefind-ignore>'
                         r'((?:<template data-xref-for="[\w-]+">.*?</template>)+)</div>\n', html, re.S)
    assert previews is not None
    dog = re.search(r'<template data-xref-for="fig-dog">(.*?)</template>', previews.group(1), re.S)
    assert dog and dog.group(1) == ('<img class="xref-thumb" src="/topics/a/images/car.png" alt="" width="1" height="1">'
                                    '<p class="xref-caption">A dog detector</p>')
    eq = re.search(r'<template data-xref-for="eq-sum">(.*?)</template>', previews.group(1), re.S)
    assert eq and 'class="katex-display"' in eq.group(1)
    assert "/assets/katex/katex.min.css" in html
    templates = dict(re.findall(r'<template data-xref-for="([\w-]+)">(.*?)</template>', previews.group(1), re.S))
    assert "".join(f'<template data-xref-for="{k}">{v}</template>' for k, v in templates.items()) \
        == previews.group(1)  # nothing between them
    assert list(templates) == ["fig-dog", "eq-sum", "eq-first", "tbl-probes", "sec-method", "fig-bare",
                              "eq-two"]  # once each
    assert templates["fig-bare"] == '<img class="xref-thumb" src="/topics/a/images/car.png" alt="" width="1" height="1">'
    assert templates["eq-first"].startswith('<span class="katex-display">')  # the formula itself, unwrapped
    assert templates["eq-first"].endswith("</span>")
    assert "g = 1</annotation>" in templates["eq-two"]  # each equation its own formula
    assert "g = 1" not in templates["eq-sum"]
    assert templates["tbl-probes"] == '<p class="xref-caption">Probe accuracy by layer</p>'
    assert templates["sec-method"] == '<p class="xref-caption">Method</p>'


def test_errors_with_positions(tmp_path: Path) -> None:
    files = {
        "content/topics/a.md": topic("A", 1, """
            ![x](x.png "X"){#fig-car}

            See {% ref "fig-cra" %}.

            Plain text {#fig-loose}

            ![y](y.png "Y"){#tbl-wrong}

            A wrong label is no label: {% ref "tbl-wrong" %}.
            """),
        "content/topics/b.md": topic("B", 2, """
            ## Car {#fig-head}

            ![z](z.png "Z"){#fig-car}
            """),
    }
    course = write_course(tmp_path / "course", files)
    run = run_build(course, tmp_path / "site")
    assert run.code == 1
    problems = [p for p in run.problems() if "broken image" not in p]
    assert problems == [
        "content/topics/a.md:6:16: error: duplicate label 'fig-car' (also defined at content/topics/b.md:8:16)",
        "content/topics/a.md:8:5: error: unknown label 'fig-cra' (did you mean 'fig-car'?)",
        "content/topics/a.md:10:12: error: label '{#fig-loose}' is not on anything that can carry it: put it "
        "right after an image alone in its paragraph, a display formula ($$ … $$), a table's caption line "
        "(': Caption') or at the end of a heading",
        "content/topics/a.md:12:16: error: label 'tbl-wrong' cannot go on a figure: its label must start "
        "with 'fig-'",
        "content/topics/a.md:14:28: error: unknown label 'tbl-wrong'",
        "content/topics/b.md:6:8: error: label 'fig-head' cannot go on a heading: its label must start "
        "with 'sec-'",
        "content/topics/b.md:8:16: error: duplicate label 'fig-car' (also defined at content/topics/a.md:6:16)",
    ]


def test_hand_numbered_caption_warns_and_is_not_numbered_twice(tmp_path: Path) -> None:
    files = {"content/topics/a/index.md": topic("A", 1, """
        ![x](images/x.png "Figure 1: A hand-numbered caption"){#fig-x}

        {% ref "fig-x" %}
        """), "content/topics/a/images/x.png": PNG}
    course = write_course(tmp_path / "course", files)
    run = run_build(course, tmp_path / "site")
    assert run.code == 0
    assert run.problems() == [
        "content/topics/a/index.md:6:55: warning: the caption of 'fig-x' already starts with a number "
        "('Figure 1'); the label numbers figures itself: remove the hand-written number"]
    html = (tmp_path / "site/topics/a/index.html").read_text("utf-8")
    assert "<figcaption>Figure 1: A hand-numbered caption</figcaption>" in html


def test_renumbering_one_page_updates_cached_pages_that_refer_to_it(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {
        "content/topics/a/index.md": A, "content/topics/b/index.md": B, "content/topics/a/images/car.png": PNG})
    out = tmp_path / "site"
    assert run_build(course, out).code == 0
    assert "Figure 2 in <em>Superposition</em>" in page(out, "b")
    text = (course / "content/topics/a/index.md").read_text("utf-8")
    text = text.replace("## Method {#sec-method}\n", "## Method {#sec-method}\n\n![new](images/car.png \"New\"){#fig-new}\n")
    (course / "content/topics/a/index.md").write_text(text, "utf-8")
    run = run_build(course, out)
    assert run.code == 0, run.stderr
    assert "Figure 3 in <em>Superposition</em>" in page(out, "b")  # b itself was not re-rendered
    assert '<a class="xref" href="#fig-dog" data-xref="fig-dog">Figure 3</a>' in page(out, "a")


def test_references_in_side_notes_raw_html_and_the_home_page(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {
        "content/index.md": 'Start with {% ref "sec-intro" %}.\n\n## Welcome {#sec-welcome}\n',
        "content/topics/a.md": topic("A", 1, """
            ## The `ref` tag {#sec-intro}

            Back to {% ref "sec-welcome" "the" %} section.

            Text.{% sidenote "As {% ref \\"tbl-x\\" %} shows." %}

            <div class="box">See {% ref "tbl-x" "Tab." %}.</div>

            | a |
            |---|
            | 1 |

            : Numbers {#tbl-x}
            """)})
    run = run_build(course, tmp_path / "site")
    assert run.code == 0, run.stderr
    html = (tmp_path / "site/topics/a/index.html").read_text("utf-8")
    assert 'As <a class="xref" href="#tbl-x" data-xref="tbl-x">Table 1</a> shows.' in html
    assert '<div class="box">See <a class="xref" href="#tbl-x" data-xref="tbl-x">Tab. 1</a>.</div>' in html
    assert ('Back to <a class="xref" href="/#sec-welcome" data-xref="sec-welcome">the Welcome in '
            '<em>the home page</em></a> section.') in html
    home = (tmp_path / "site/index.html").read_text("utf-8")
    assert '<a class="xref" href="/topics/a/#sec-intro" data-xref="sec-intro">The ref tag in <em>A</em></a>' in home
