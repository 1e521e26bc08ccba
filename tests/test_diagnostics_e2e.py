"""Diagnostics end to end: for each bad input, the exact lines the CLI prints
(``PATH:LINE:COL: severity: message``, PATH relative to the course folder),
the summary line and the exit code — and never a Python traceback (the
``run_cli`` helper fails any test whose output holds one).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_helpers import SITE_URL_NOTE, run_build, topic, write_course

FM = "---\ntitle: T\ndescription: D\norder: 1\n---\n"  # a body starts on line 6
OK = {"content/topics/t.md": FM + "Fine.\n"}
BIB = "@book{knuth1984literate,\n  author = {Knuth, Donald},\n  title = {Literate Programming},\n  year = {1984}\n}\n"
FAILED = "build failed, previous output left unchanged, {e} error{es}, {w} warning{ws}"
NOT_STARTED = "build not started, {e} error{es}, {w} warning{ws}"
BUILT = "built"


def summary(kind: str, errors: int, warnings: int) -> str:
    return kind.format(e=errors, es="" if errors == 1 else "s", w=warnings, ws="" if warnings == 1 else "s")


CASES: list[tuple[str, dict[str, str | bytes], list[str], list[str], int]] = [
    # (id, files, extra CLI args, expected diagnostic lines, exit code)
    ("unknown-shortcode", {"content/topics/t.md": FM + "\nText {% quiz 'a' %}.\n"}, [],
     ["content/topics/t.md:7:6: error: unknown shortcode 'quiz' (known: cite, citet, marginnote, ref, sidenote, raw)"], 1),
    ("unterminated-tag", {"content/topics/t.md": FM + "Text {% sidenote 'a' \n\nmore\n"}, [],
     ["content/topics/t.md:6:6: error: unterminated shortcode 'sidenote': missing '%}'"], 1),
    ("unterminated-string", {"content/topics/t.md": FM + "- a\n- b {% sidenote 'a %}\n"}, [],
     ["content/topics/t.md:7:17: error: unterminated string in shortcode 'sidenote'"], 1),
    ("wrong-arguments", {"content/topics/t.md": FM + "> {% marginnote %}\n"}, [],
     ["content/topics/t.md:6:3: error: shortcode 'marginnote' takes 1 argument, got 0"], 1),
    ("unknown-citation-key", {"bibliography.bib": BIB, "content/topics/t.md": FM + "A {% cite 'knuth1948literate' %}\n"}, [],
     ["bibliography.bib: info: 1 entry is not cited by any page: knuth1984literate",
      "content/topics/t.md:6:3: error: unknown citation key 'knuth1948literate' (did you mean 'knuth1984literate'?)"],
     1),
    ("bad-formula", {"content/topics/t.md": FM + "Area $\\pi r^2 \\badmacro$.\n"}, [],
     ["content/topics/t.md:6:6: error: KaTeX could not render the formula: Undefined control sequence: "
      "\\badmacro at position 9: \\pi r^2 \\̲b̲a̲d̲m̲a̲c̲r̲o̲"], 1),
    ("broken-link-is-a-warning", {"content/topics/t.md": FM + "See [x](/topics/nope/).\n"}, [],
     ["content/topics/t.md:6:9: warning: broken link: '/topics/nope/' does not match any page or file of the site"],
     0),
    ("broken-link-strict", {"content/topics/t.md": FM + "See [x](/topics/nope/).\n"}, ["--strict"],
     ["content/topics/t.md:6:9: error: broken link: '/topics/nope/' does not match any page or file of the site"],
     1),
    ("broken-anchors", {"content/topics/t.md": FM + "## Part one\n\n[a](#part-one) [b](#part-two) [c](/topics/u/#intro)\n",
                        "content/topics/u.md": topic("U", 2, "# Intro\n\n[back](/topics/t/#part-1)\n")}, [],
     ["content/topics/t.md:8:20: warning: broken anchor: '#part-two' has no heading or element with id 'part-two'",
      "content/topics/u.md:8:8: warning: broken anchor: '/topics/t/#part-1' has no heading or element with id "
      "'part-1'"], 0),
    ("broken-images-and-html-urls", {"content/topics/t.md": FM + "![a](pic.png)\n\n<img src='/img/x.png'> "
                                                                   "<a href=\"../u/\">u</a>\n"}, [],
     ["content/topics/t.md:6:6: warning: broken image: 'pic.png' does not match any page or file of the site",
      "content/topics/t.md:8:11: warning: broken link: '/img/x.png' does not match any page or file of the site",
      "content/topics/t.md:8:33: warning: broken link: '../u/' does not match any page or file of the site"], 0),
    ("broken-urls-in-html-blocks-notes-and-footnotes",
     {"content/topics/t.md": FM + "<div>\n<p>ok</p>\n<img src=\"/nope.png\" alt=\"\">\n</div>\n\n"
                                  "A{% sidenote 'see [x](/gone/)' %} b[^1]\n\n[^1]: [y](#nowhere)\n"}, [],
     ["content/topics/t.md:8:11: warning: broken link: '/nope.png' does not match any page or file of the site",
      "content/topics/t.md:11:23: warning: broken link: '/gone/' does not match any page or file of the site",
      "content/topics/t.md:13:11: warning: broken anchor: '#nowhere' has no heading or element with id 'nowhere'"],
     0),
    ("course-yml-unknown-key", dict(OK, **{"course.yml": "title: T\ncitaton_style: numeric\n"}), [],
     ["course.yml:2:1: warning: unknown setting 'citaton_style' (did you mean 'citation_style'?)"], 0),
    ("course-yml-bad-type", dict(OK, **{"course.yml": "title: T\nwords_per_minute: fast\n"}), [],
     ["course.yml:2:19: error: 'words_per_minute' must be an int, not str"], 2),
    ("course-yml-bad-bool", dict(OK, **{"course.yml": "glossary_autolink: maybe\n"}), [],
     ["course.yml:1:20: error: 'glossary_autolink' must be a bool, not str"], 2),
    ("course-yml-syntax", dict(OK, **{"course.yml": "title: T\nauthor: [me\n"}), [],
     ["course.yml:3:1: error: YAML syntax error: did not find expected ',' or ']'"], 2),
    ("course-yml-not-a-mapping", dict(OK, **{"course.yml": "- title\n"}), [],
     ["course.yml:1:1: error: course.yml must be a mapping of settings"], 2),
    ("course-yml-citation-style", dict(OK, **{"course.yml": "title: T\ncitation_style: harvard\n"}), [],
     ["course.yml:2:17: error: citation_style must be one of numeric, author-year, apa, ieee, "
      "chicago-author-date or the path of a .csl file"], 2),
    ("course-yml-not-utf8", dict(OK, **{"course.yml": "title: Caf\xe9\n".encode("latin-1")}), [],
     ["course.yml: error: file is not valid UTF-8"], 2),
    ("bib-syntax-error", dict(OK, **{"bibliography.bib": "@book{a,\n  title = {X},\n  year = 1984\n  author = {Y}\n}\n"}),
     [], ["bibliography.bib: info: 1 entry is not cited by any page: a",
          "bibliography.bib:4:3: error: expected '}' but found 'author' in entry 'a'"], 1),
    ("block-json-syntax", dict(OK, **{"content/topics/b/_block.json": '{"title": "B",\n "order": }\n',
                                      "content/topics/b/x/index.md": topic("X", 1)}), [],
     ["content/topics/b/_block.json:2:11: error: invalid JSON: Expecting value"], 1),
    ("block-yml-missing-order", dict(OK, **{"content/topics/b/_block.yml": "title: B\n",
                                            "content/topics/b/x/index.md": topic("X", 1)}), [],
     ["content/topics/b/_block.yml:1:1: error: block needs a whole number 'order' of 1 or more"], 1),
    ("invalid-slug", {"content/topics/Big_Topic.md": FM + "x\n"}, [],
     ["content/topics/Big_Topic.md: error: 'Big_Topic' is not a valid URL slug "
      "(use lowercase letters, digits, '-', '_' and '.')"], 1),
    ("binary-and-odd-files", dict(OK, **{"content/topics/zz.md": bytes(range(256)),
                                         "content/topics/odd.md/readme.txt": "a folder named odd.md"}), [],
     ["content/topics/zz.md: error: file is not valid UTF-8 (save it as UTF-8)"], 1),
    ("template-error", dict(OK, **{"content/about.md": "About\n",
                                   "templates/page.html": "<p>{{ body | safe }\n</p>\n"}), [],
     ["templates/page.html:1: error: unexpected '}'"], 1),
    ("errors-sorted-by-file-and-line", {
        "content/topics/b.md": topic("B", 2, "x {% nope %}\n\ny {% cite 'k' %}\n"),
        "content/topics/a.md": FM + "[broken](/x/) {% sidenote 'a' 'b' %}\n"}, [],
     ["content/topics/a.md:6:10: warning: broken link: '/x/' does not match any page or file of the site",
      "content/topics/a.md:6:15: error: shortcode 'sidenote' takes 1 argument, got 2",
      "content/topics/b.md:6:3: error: unknown shortcode 'nope' (known: cite, citet, marginnote, ref, sidenote, raw)",
      "content/topics/b.md:8:3: error: unknown citation key 'k'"], 1),
]


@pytest.mark.parametrize("files, args, expected, code", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_diagnostics(tmp_path: Path, files: dict[str, str | bytes], args: list[str],
                               expected: list[str], code: int) -> None:
    course = write_course(tmp_path / "course", files)
    out = tmp_path / "site"
    run = run_build(course, out, *args)
    assert run.diagnostics == expected
    assert run.code == code
    errors = sum(": error: " in ln for ln in expected)
    warnings = sum(": warning: " in ln for ln in expected)
    if code == 0:
        assert re.fullmatch(rf"built \d+ pages? in \d+\.\d\d s, 0 errors, {summary('{w} warning{ws}', 0, warnings)}",
                            run.summary), run.summary
        assert out.is_dir()
    else:
        assert run.summary == summary(NOT_STARTED if code == 2 else FAILED, errors, warnings)
        assert not out.exists()
    # Diagnostics and the summary go to stderr; nothing else is printed.
    assert run.stdout == ""
    assert [ln for ln in run.stderr.splitlines() if not ln.startswith(SITE_URL_NOTE)] == expected + [run.summary]


def test_every_diagnostic_line_has_the_documented_shape(tmp_path: Path) -> None:
    """PATH:LINE:COL: severity: message, with a course-relative POSIX path."""
    files: dict[str, str | bytes] = {}
    for case in CASES:
        if case[4] == 1 and not case[2]:
            files.update(case[1])
    course = write_course(tmp_path / "course", files)
    run = run_build(course)
    assert run.code == 1
    shape = re.compile(r"^(?!/)[^:\s]+(?::\d+(?::\d+)?)?: (error|warning|info): \S.*$")
    assert len(run.diagnostics) >= 10
    for line in run.diagnostics:
        assert shape.match(line), line
        assert str(tmp_path) not in line, line


def test_anchor_check_knows_every_id_of_the_target_page(tmp_path: Path) -> None:
    """#anchors are checked against the ids of the page as written: headings (de-duplicated),
    footnotes, notes, references, glossary terms and the ids the theme's templates add."""
    good = ("[a](#intro) [b](#intro-1) [c](#fn1) [d](#sn-1) [e](#references) [f](#cite-1) [g](#ref-k) "
            "[h](#main) [i](#page-title) [j](/glossary/#term-widget) [k](/topics/#block-basics) "
            "[l](/topics/u/#deep-part) [m](/topics/u/index.html#deep-part) [n](../u/#deep-part) [o](#)")
    bad = "[p](#intro-2) [q](/topics/#block-nope) [r](/topics/u/#fn1) [s](/glossary/#term-gadget)"
    course = write_course(tmp_path / "course", {
        "bibliography.bib": "@misc{k, title = {K}, year = {2000}}\n",
        "content/topics/basics/_block.yml": "title: Basics\norder: 1\n",
        "content/topics/basics/t.md": topic("T", 1, f"""
            # Intro

            ## Intro

            Text[^1]{{% sidenote "s" %}} {{% cite "k" %}}

            {good}

            {bad}

            [^1]: Note.
            """, glossary="\n  - term: Widget\n    definition: W."),
        "content/topics/basics/u.md": topic("U", 2, "### Deep part\n"),
    })
    run = run_build(course)
    assert run.code == 0
    start = "content/topics/basics/t.md:17:"
    assert run.diagnostics == [
        f"{start}5: warning: broken anchor: '#intro-2' has no heading or element with id 'intro-2'",
        f"{start}19: warning: broken anchor: '/topics/#block-nope' has no heading or element with id 'block-nope'",
        f"{start}44: warning: broken anchor: '/topics/u/#fn1' has no heading or element with id 'fn1'",
        f"{start}64: warning: broken anchor: '/glossary/#term-gadget' has no heading or element with id "
        "'term-gadget'",
    ]


def test_odd_inputs_never_crash(tmp_path: Path) -> None:
    """A course full of strange files: problems are reported, nothing raises."""
    course = write_course(tmp_path / "course", {
        "course.yml": "title: 12345\nwords_per_minute: 2000\n",
        "bibliography.bib": "@@@ junk {{{ \n@misc{,}\n@string{x = }\n",
        "content/index.md": "---\n---\n{%",
        "content/other.md": "---\ntitle: [1, 2]\n---\n$$\n",
        "content/topics/_block.json": "[]",
        "content/topics/b1/_block.json": "[1, 2]",
        "content/topics/b1/x/index.md": topic("X", 1, "{% cite %}{% raw %}{%- -%}"),
        "content/topics/b2/_block.yml": "",
        "content/topics/b2/y/index.md": topic("Y", 1, "<details>\n\n**open** {% sidenote 'a\\\\' %}\n"),
        "content/topics/nul.md": topic("Nul", 2, "NUL \x00 byte and a lone surrogate-free emoji 🎉 $\\\\$\n"),
        "content/topics/deep.md": topic("Deep", 3, "> " * 60 + "deep\n\n" + "- " * 60 + "list\n"),
        "content/topics/huge.md": "---\ntitle: H\ndescription: D\norder: 10000000000000000000000\n---\n",
        "content/topics/empty.md": "",
        "content/topics/.hidden.md": "ignored",
        "content/topics/notes.txt": "not markdown",
        "content/topics/weird/index.md": "---\nprerequisites: [{title: A, url: {x: 1}}]\nglossary: [[1]]\n---\n",
        "templates/.keep": "",
    })
    run = run_build(course)
    assert run.code == 1
    assert run.summary.startswith("build failed, previous output left unchanged, ")
    shape = re.compile(r"^[^:\s]+(?::\d+(?::\d+)?)?: (error|warning|info): \S.*$")
    assert all(shape.match(line) for line in run.diagnostics), run.diagnostics
