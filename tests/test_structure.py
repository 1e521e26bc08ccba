"""Course structure end to end: blocks and topics in learning-path order,
slugs, order warnings, prerequisites (existence, titles, cycles, order), the
glossary (duplicates, marks, the glossary page) and topic images.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_helpers import Run, run_build, topic, write_course


def prereqs(*pairs: tuple[str, str]) -> str:
    """YAML for a ``prerequisites`` value: (title, url) pairs."""
    return "".join(f'\n  - title: "{title}"\n    url: {url}' for title, url in pairs)


def build(tmp_path: Path, files: dict[str, str | bytes], *args: str) -> tuple[Run, Path]:
    course = write_course(tmp_path / "course", files)
    out = tmp_path / "site"
    return run_build(course, out, *args), out


# --- Learning path ----------------------------------------------------------------

PATH_COURSE = {
    # Block folder names sort the other way round from their order.
    "content/topics/a-later/_block.yml": "title: Later block\norder: 2\n",
    "content/topics/a-later/delta/index.md": topic("Delta", 1, "D.\n"),
    "content/topics/z-first/_block.json": '{"title": "First block", "order": 1, "description": "The start."}',
    "content/topics/z-first/beta/index.md": topic("Beta", 2, "![Fig](images/fig.png)\n"),
    "content/topics/z-first/beta/images/fig.png": b"\x89PNG fake",
    "content/topics/z-first/beta/images/sub/deep.txt": "deep",
    "content/topics/z-first/alpha.md": topic("Alpha", 1, "A.\n"),
    "content/topics/loose.md": topic("Loose", 1, "Flat topic without a block.\n"),
    "content/topics/folder-topic/index.md": topic("Folder topic", 2, "![i](images/i.png)\n"),
    "content/topics/folder-topic/images/i.png": b"png",
}


@pytest.fixture(scope="module")
def path_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run, out = build(tmp_path_factory.mktemp("path"), PATH_COURSE)
    assert run.code == 0, run.stderr
    assert run.problems() == []
    return out


def test_blocks_and_topics_follow_their_order(path_site: Path) -> None:
    html = (path_site / "topics/index.html").read_text("utf-8")
    titles = ["First block", "Alpha", "Beta", "Later block", "Delta", "Loose", "Folder topic"]
    positions = [html.index(t) for t in titles]
    assert positions == sorted(positions), titles


def test_prev_and_next_follow_the_learning_path(path_site: Path) -> None:
    def rel_links(slug: str) -> tuple[str | None, str | None]:
        html = (path_site / f"topics/{slug}/index.html").read_text("utf-8")
        prev = re.search(r'<link rel="prev" href="([^"]+)"', html)
        nxt = re.search(r'<link rel="next" href="([^"]+)"', html)
        return (prev.group(1) if prev else None, nxt.group(1) if nxt else None)

    assert rel_links("alpha") == (None, "/topics/beta/")
    assert rel_links("beta") == ("/topics/alpha/", "/topics/delta/")
    assert rel_links("delta") == ("/topics/beta/", "/topics/loose/")
    assert rel_links("folder-topic") == ("/topics/loose/", None)


def test_topic_folders_copy_their_files(path_site: Path) -> None:
    assert (path_site / "topics/beta/images/fig.png").read_bytes() == b"\x89PNG fake"
    assert (path_site / "topics/beta/images/sub/deep.txt").read_text() == "deep"
    assert (path_site / "topics/folder-topic/images/i.png").read_bytes() == b"png"
    assert not (path_site / "topics/beta/index.md").exists()
    assert '<img src="images/fig.png" alt="Fig"' in (path_site / "topics/beta/index.html").read_text("utf-8")


def breadcrumbs(html: str) -> list[tuple[str, str]]:
    """(href, text) of each link in a page's breadcrumb trail (not the sidebar)."""
    trail = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S)
    assert trail is not None
    return re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', trail.group())


def test_block_breadcrumb_on_topic_page(path_site: Path) -> None:
    # The block's title is in every page's sidebar too: look inside the trail only.
    assert breadcrumbs((path_site / "topics/delta/index.html").read_text("utf-8")) == [
        ("/", "Home"), ("/topics/#block-a-later", "Later block"), ("/topics/delta/", "Delta")]
    assert breadcrumbs((path_site / "topics/loose/index.html").read_text("utf-8")) == [
        ("/", "Home"), ("/topics/loose/", "Loose")]


def test_block_folder_without_block_file_is_a_warning(tmp_path: Path) -> None:
    run, out = build(tmp_path, {"content/topics/misc/x/index.md": topic("X", 1, "x\n")})
    assert run.code == 0
    assert run.diagnostics == ["content/topics/misc: warning: block folder has no _block.json; "
                               "using its name as the title"]
    assert "Misc" in (out / "topics/index.html").read_text("utf-8")


# --- Slugs and order --------------------------------------------------------------------

def test_duplicate_slug_names_both_files(tmp_path: Path) -> None:
    run, out = build(tmp_path, {
        "content/topics/one/_block.yml": "title: One\norder: 1\n",
        "content/topics/one/intro/index.md": topic("Intro one", 1, "a\n"),
        "content/topics/two/_block.yml": "title: Two\norder: 2\n",
        "content/topics/two/intro.md": topic("Intro two", 1, "b\n"),
    })
    assert run.code == 1
    assert run.diagnostics == [
        "content/topics/two/intro.md: error: two topics have the slug 'intro': "
        "content/topics/one/intro/index.md and content/topics/two/intro.md"]
    assert not out.exists()


def test_order_duplicates_and_gaps_are_warnings_naming_the_files(tmp_path: Path) -> None:
    run, out = build(tmp_path, {
        "content/topics/b/_block.yml": "title: Bee\norder: 1\n",
        "content/topics/b/a.md": topic("A", 1),
        "content/topics/b/b.md": topic("B", 1),
        "content/topics/b/c.md": topic("C", 4),
        "content/topics/d/_block.yml": "title: Dee\norder: 2\n",
        "content/topics/d/e.md": topic("E", 2),
    })
    assert run.code == 0
    assert run.problems() == [
        "content/topics/b/b.md:4: warning: order 1 is also used by content/topics/b/a.md",
        "content/topics/b/c.md:4: warning: order jumps from 1 to 4 in block 'Bee'",
        "content/topics/d/e.md:4: warning: order starts at 2, not 1, in block 'Dee'",
    ]
    assert run_build(out.parent / "course", out, "--strict").code == 1


def test_invalid_order_gives_no_order_warning(tmp_path: Path) -> None:
    run, _ = build(tmp_path, {
        "content/topics/a.md": topic("A", 1),
        "content/topics/b.md": "---\ntitle: B\ndescription: D\n---\n",
        "content/topics/c.md": topic("C", 2),
    })
    assert run.diagnostics == ["content/topics/b.md:1:1: error: missing required field 'order'"]


# --- Prerequisites --------------------------------------------------------------------

def test_missing_prerequisite_suggests_the_closest_slug(tmp_path: Path) -> None:
    run, _ = build(tmp_path, {
        "content/topics/vectors.md": topic("Vectors", 1),
        "content/topics/matrices.md": topic("Matrices", 2,
                                            prerequisites=prereqs(("Vectors", "/topics/vectros/"))),
    })
    assert run.code == 1
    assert run.diagnostics == [
        "content/topics/matrices.md:7:10: error: prerequisite '/topics/vectros/' is not a topic of this course "
        "(did you mean 'vectors'?)"]


def test_prerequisite_that_is_not_a_topic_url(tmp_path: Path) -> None:
    run, _ = build(tmp_path, {
        "content/topics/a.md": topic("A", 1),
        "content/topics/b.md": topic("B", 2, prerequisites=prereqs(("About", "/about/"), ("Zed", "https://x.org/zzz"))),
        "content/about.md": "About\n",
    })
    assert run.code == 1
    assert run.problems() == [
        "content/topics/b.md:7:10: error: prerequisite '/about/' is not a topic of this course",
        "content/topics/b.md:9:10: error: prerequisite 'https://x.org/zzz' is not a topic of this course",
    ]


def test_prerequisite_title_mismatch_is_a_warning(tmp_path: Path) -> None:
    run, out = build(tmp_path, {
        "content/topics/vectors.md": topic("Vectors", 1),
        "content/topics/matrices.md": topic("Matrices", 2, prerequisites=prereqs(("Vector basics", "/topics/vectors"))),
    })
    assert run.code == 0
    assert run.problems() == [
        "content/topics/matrices.md:6:12: warning: prerequisite title 'Vector basics' differs from the topic's "
        "title 'Vectors'"]
    html = (out / "topics/matrices/index.html").read_text("utf-8")
    assert '<a href="/topics/vectors/">Vectors' in html  # the topic's real title is shown


def test_prerequisite_title_mismatch_points_at_the_title_line(tmp_path: Path) -> None:
    """The warning is about the title, so it names the title's line, wherever it is in the entry."""
    run, _ = build(tmp_path, {
        "content/topics/vectors.md": topic("Vectors", 1),
        "content/topics/matrices.md": topic("Matrices", 2, prerequisites=(
            "\n  - url: /topics/vectors/\n    note_for_reader: see this first\n    title: Vector basics")),
    })
    assert [ln for ln in run.problems() if "differs" in ln] == [
        "content/topics/matrices.md:8:12: warning: prerequisite title 'Vector basics' differs from the topic's "
        "title 'Vectors'"]


def test_prerequisite_later_in_path_is_a_warning(tmp_path: Path) -> None:
    run, _ = build(tmp_path, {
        "content/topics/a.md": topic("A", 1, prerequisites=prereqs(("B", "/topics/b/"))),
        "content/topics/b.md": topic("B", 2),
    })
    assert run.code == 0
    assert run.problems() == ["content/topics/a.md:7:10: warning: prerequisite 'b' comes later in the learning path"]


def test_prerequisite_cycle_prints_the_chain_and_files(tmp_path: Path) -> None:
    run, out = build(tmp_path, {
        "content/topics/a.md": topic("A", 1, prerequisites=prereqs(("C", "/topics/c/"))),
        "content/topics/b.md": topic("B", 2, prerequisites=prereqs(("A", "/topics/a/"))),
        "content/topics/c.md": topic("C", 3, prerequisites=prereqs(("B", "/topics/b/"))),
    })
    assert run.code == 1
    assert run.problems() == [
        "content/topics/a.md:7: error: prerequisite cycle: a → c → b → a "
        "(in content/topics/a.md, content/topics/c.md, content/topics/b.md)",
        "content/topics/a.md:7:10: warning: prerequisite 'c' comes later in the learning path",
    ]
    assert not out.exists()


def test_two_topic_cycle_is_reported_once(tmp_path: Path) -> None:
    run, _ = build(tmp_path, {
        "content/topics/x/_block.yml": "title: X\norder: 1\n",
        "content/topics/x/a/index.md": topic("A", 1, prerequisites=prereqs(("B", "/topics/b/"))),
        "content/topics/x/b/index.md": topic("B", 2, prerequisites=prereqs(("A", "/topics/a/"))),
    })
    cycles = [ln for ln in run.problems() if "cycle" in ln]
    assert cycles == ["content/topics/x/a/index.md:7: error: prerequisite cycle: a → b → a "
                      "(in content/topics/x/a/index.md, content/topics/x/b/index.md)"]


def test_three_topics_of_one_order_and_two_cycles_sharing_a_topic(tmp_path: Path) -> None:
    """Each repeat names the first topic of that order; each cycle is reported once, even
    when two cycles share a topic (q)."""
    run, out = build(tmp_path, {
        "content/topics/b/_block.yml": "title: Bee\norder: 1\n",
        "content/topics/b/a.md": topic("A", 1),
        "content/topics/b/b.md": topic("B", 1),
        "content/topics/b/c.md": topic("C", 1),
        "content/topics/b/d.md": topic("D", 3),
        "content/topics/k/_block.yml": "title: Kay\norder: 2\n",
        "content/topics/k/p.md": topic("P", 1, prerequisites=prereqs(("Q", "/topics/q/"))),
        "content/topics/k/q.md": topic("Q", 2, prerequisites=prereqs(("P", "/topics/p/"), ("R", "/topics/r/"))),
        "content/topics/k/r.md": topic("R", 3, prerequisites=prereqs(("Q", "/topics/q/"))),
    })
    assert run.code == 1
    assert run.problems() == [
        "content/topics/b/b.md:4: warning: order 1 is also used by content/topics/b/a.md",
        "content/topics/b/c.md:4: warning: order 1 is also used by content/topics/b/a.md",
        "content/topics/b/d.md:4: warning: order jumps from 1 to 3 in block 'Bee'",
        "content/topics/k/p.md:7: error: prerequisite cycle: p → q → p (in content/topics/k/p.md, "
        "content/topics/k/q.md)",
        "content/topics/k/p.md:7:10: warning: prerequisite 'q' comes later in the learning path",
        "content/topics/k/q.md:9: error: prerequisite cycle: q → r → q (in content/topics/k/q.md, "
        "content/topics/k/r.md)",
        "content/topics/k/q.md:9:10: warning: prerequisite 'r' comes later in the learning path",
    ]
    assert not out.exists()


def test_topic_listing_itself_is_a_cycle(tmp_path: Path) -> None:
    run, _ = build(tmp_path, {"content/topics/a.md": topic("A", 1, prerequisites=prereqs(("A", "/topics/a/")))})
    assert run.code == 1
    assert run.problems() == ["content/topics/a.md:7: error: prerequisite cycle: a → a (in content/topics/a.md)"]


def test_prerequisites_and_leads_to_on_topic_pages(tmp_path: Path) -> None:
    run, out = build(tmp_path, {
        "content/topics/a.md": topic("Alpha", 1),
        "content/topics/b.md": topic("Beta", 2, prerequisites=prereqs(("Alpha", "/topics/a/"))),
    })
    assert run.code == 0, run.stderr
    beta = (out / "topics/b/index.html").read_text("utf-8")
    alpha = (out / "topics/a/index.html").read_text("utf-8")
    assert re.search(r'Read first.*<a href="/topics/a/">Alpha', beta, re.S)
    assert re.search(r'Leads to.*<a href="/topics/b/">Beta', alpha, re.S)


# --- Glossary -------------------------------------------------------------------------

GLOSSARY_COURSE = {
    "content/topics/a.md": topic("Alpha", 1, """
        ## Neuron heading

        A neuron and [a neuron link](/topics/b/) and `neuron` then a second neuron.
        """, glossary="\n  - term: Neuron\n    definition: A unit that computes.\n  - term: Bias term\n"
                      "    definition: A constant."),
    "content/topics/b.md": topic("Beta", 2, """
        Every NEURONS here{% sidenote "neuron in a note" %}, and a bias term, and $neuron$.
        """, glossary="\n  - term: neuron\n    definition: Defined again."),
}


@pytest.fixture(scope="module")
def glossary_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    """GLOSSARY_COURSE plus a page linking to glossary anchors, built once for the module."""
    files = dict(GLOSSARY_COURSE)
    files["content/topics/c.md"] = topic("Gamma", 3, "[ok](/glossary/#term-neuron) [bad](/glossary/#term-axon)\n")
    return build(tmp_path_factory.mktemp("glossary"), files)


def test_glossary_duplicate_term_is_one_warning_naming_both_files(glossary_site: tuple[Run, Path]) -> None:
    run, _ = glossary_site
    assert run.code == 0
    assert [ln for ln in run.problems() if "glossary term" in ln] == [
        "content/topics/b.md:6:11: warning: glossary term 'neuron' is already defined in content/topics/a.md"]


def test_glossary_marks_first_use_in_body_text(glossary_site: tuple[Run, Path]) -> None:
    run, out = glossary_site
    a = (out / "topics/a/index.html").read_text("utf-8")
    mark = ('<a class="glossary-term" href="/glossary/#term-neuron" data-term="Neuron" '
            'data-definition="A unit that computes.">')
    assert a.count('class="glossary-term"') == 1
    assert f"<p>A {mark}neuron</a> and " in a
    assert '<h2 id="neuron-heading">Neuron heading' in a
    b = (out / "topics/b/index.html").read_text("utf-8")
    assert f"Every {mark}NEURONS</a> here" in b
    assert "neuron in a note</span>" in b
    assert ('<a class="glossary-term" href="/glossary/#term-bias-term" data-term="Bias term" '
            'data-definition="A constant.">bias term</a>') in b


def test_glossary_page_lists_terms_with_their_topics(glossary_site: tuple[Run, Path]) -> None:
    run, out = glossary_site
    html = (out / "glossary/index.html").read_text("utf-8")
    assert html.index('id="term-bias-term"') < html.index('id="term-neuron"')
    assert html.count('id="term-neuron"') == 1
    assert "A unit that computes." in html and "Defined again." not in html
    entry = html[html.index('id="term-neuron"'):]
    assert re.search(r'Defined in</span> <a href="/topics/a/">Alpha</a>.*Also used in.*<a href="/topics/b/">Beta</a>',
                     entry[:entry.index("</dd>")], re.S)


def test_links_to_glossary_anchors_are_checked(glossary_site: tuple[Run, Path]) -> None:
    run, _ = glossary_site
    assert run.problems() == [
        "content/topics/b.md:6:11: warning: glossary term 'neuron' is already defined in content/topics/a.md",
        "content/topics/c.md:6:36: warning: broken anchor: '/glossary/#term-axon' has no heading or element "
        "with id 'term-axon'"]


def test_glossary_autolink_false_marks_nothing(tmp_path: Path) -> None:
    files = dict(GLOSSARY_COURSE, **{"course.yml": "glossary_autolink: false\n"})
    run, out = build(tmp_path, files)
    assert run.code == 0
    for slug in ("a", "b"):
        assert 'class="glossary-term"' not in (out / f"topics/{slug}/index.html").read_text("utf-8")
    assert 'id="term-neuron"' in (out / "glossary/index.html").read_text("utf-8")


def test_new_glossary_term_marks_unchanged_pages_on_rebuild(tmp_path: Path) -> None:
    run, out = build(tmp_path, {"content/topics/a.md": topic("A", 1, "Defines nothing yet.\n"),
                                "content/topics/b.md": topic("B", 2, "A gizmo here.\n")})
    assert run.code == 0 and 'class="glossary-term"' not in (out / "topics/b/index.html").read_text("utf-8")
    course = out.parent / "course"
    (course / "content/topics/a.md").write_text(
        topic("A", 1, "Defines it.\n", glossary="\n  - term: Gizmo\n    definition: A gadget."), "utf-8")
    assert run_build(course, out).code == 0
    assert ('<a class="glossary-term" href="/glossary/#term-gizmo" data-term="Gizmo" '
            'data-definition="A gadget.">gizmo</a>') in (out / "topics/b/index.html").read_text("utf-8")
