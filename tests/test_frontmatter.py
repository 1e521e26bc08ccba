"""Front matter: every rule of the YAML header, with exact diagnostics.

Most cases read one file through ``course.read_page`` (what the build does
for every page) and compare the formatted diagnostics exactly; a few build
whole courses through the CLI to check the same lines, the exit codes and
that BOM/CRLF files render.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coursebuild.course import read_page
from coursebuild.discover import SourcePage
from coursebuild.frontmatter import FrontMatter, GlossaryEntry, Prerequisite

from course_helpers import run_build, topic, write_course

REL = "content/topics/t.md"


def check(tmp_path: Path, data: str | bytes, kind: str = "topic") -> tuple[FrontMatter | None, list[str]]:
    """Read ``data`` as the page ``content/topics/t.md``; return its front matter and diagnostic lines."""
    path = tmp_path / "t.md"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    page, diags = read_page(SourcePage(kind, path, REL, "t", None), tmp_path)
    return (page.meta if page else None), [d.format() for d in diags]


VALID = '---\ntitle: "T"\ndescription: "D"\norder: 1\n---\nBody.\n'

CASES = [
    # (id, file text, expected diagnostic lines)
    ("valid", VALID, []),
    ("closing-dots", "---\ntitle: T\ndescription: D\norder: 1\n...\nBody\n", []),
    ("closing-trailing-spaces", "---\ntitle: T\ndescription: D\norder: 1\n---   \nBody\n", []),
    ("number-as-description", "---\ntitle: T\ndescription: 42\norder: 1\n---\n", []),
    ("no-front-matter", "Just a body.\n",
     [f"{REL}:1:1: error: missing front matter (a '---' block with title, description and order)"]),
    ("empty-file", "",
     [f"{REL}:1:1: error: missing front matter (a '---' block with title, description and order)"]),
    ("blank-line-before-dashes", "\n---\ntitle: T\n---\n",
     [f"{REL}:1:1: error: missing front matter (a '---' block with title, description and order)"]),
    ("never-closed", "---\ntitle: T\ndescription: D\n",
     [f"{REL}:1:1: error: front matter opened with '---' is never closed"]),
    ("empty-block", "---\n---\nBody\n",
     [f"{REL}:1:1: error: missing required field 'title'",
      f"{REL}:1:1: error: missing required field 'description'",
      f"{REL}:1:1: error: missing required field 'order'"]),
    ("missing-description", "---\ntitle: T\norder: 1\n---\n",
     [f"{REL}:1:1: error: missing required field 'description'"]),
    ("missing-order", "---\ntitle: T\ndescription: D\n---\n",
     [f"{REL}:1:1: error: missing required field 'order'"]),
    ("key-without-value", "---\ntitle: T\ndescription:\norder: 1\n---\n",
     [f"{REL}:3:1: error: missing required field 'description'"]),
    ("title-a-list", "---\ntitle:\n  - a\ndescription: D\norder: 1\n---\n",
     [f"{REL}:3:3: error: 'title' must be a non-empty string"]),
    ("title-empty-string", '---\ntitle: ""\ndescription: D\norder: 1\n---\n',
     [f"{REL}:2:8: error: 'title' must be a non-empty string"]),
    ("description-blank", '---\ntitle: T\ndescription: "   "\norder: 1\n---\n',
     [f"{REL}:3:14: error: 'description' must be a non-empty string"]),
    ("order-zero", "---\ntitle: T\ndescription: D\norder: 0\n---\n",
     [f"{REL}:4:8: error: 'order' must be a whole number of 1 or more, not 0"]),
    ("order-negative", "---\ntitle: T\ndescription: D\norder: -2\n---\n",
     [f"{REL}:4:8: error: 'order' must be a whole number of 1 or more, not -2"]),
    ("order-fraction", "---\ntitle: T\ndescription: D\norder: 1.5\n---\n",
     [f"{REL}:4:8: error: 'order' must be a whole number of 1 or more, not 1.5"]),
    ("order-string", '---\ntitle: T\ndescription: D\norder: "3"\n---\n',
     [f"{REL}:4:8: error: 'order' must be a whole number of 1 or more, not '3'"]),
    ("order-on-later-line", "---\n# comment\n\ntitle: T\ndescription: D\n\norder: x\n---\n",
     [f"{REL}:7:8: error: 'order' must be a whole number of 1 or more, not 'x'"]),
    ("draft-not-bool", '---\ntitle: T\ndescription: D\norder: 1\ndraft: "no"\n---\n',
     [f"{REL}:5:8: error: 'draft' must be true or false"]),
    ("prerequisites-not-a-list", "---\ntitle: T\ndescription: D\norder: 1\nprerequisites: /topics/a/\n---\n",
     [f"{REL}:5:16: error: 'prerequisites' must be a list of {{title, url}} entries"]),
    ("prerequisite-entry-a-string", "---\ntitle: T\ndescription: D\norder: 1\nprerequisites:\n  - /topics/a/\n---\n",
     [f"{REL}:6:5: error: each 'prerequisites' entry must have 'title' and 'url'"]),
    ("prerequisite-missing-url",
     "---\ntitle: T\ndescription: D\norder: 1\nprerequisites:\n  - title: A\n---\n",
     [f"{REL}:6:5: error: 'prerequisites' entry 1 needs a non-empty string 'url'"]),
    ("prerequisite-url-not-a-string",
     "---\ntitle: T\ndescription: D\norder: 1\nprerequisites:\n  - title: A\n    url: 5\n---\n",
     [f"{REL}:7:10: error: 'prerequisites' entry 1 needs a non-empty string 'url'"]),
    ("prerequisite-second-entry-empty-title",
     "---\ntitle: T\ndescription: D\norder: 1\nprerequisites:\n  - title: A\n    url: /topics/a/\n"
     '  - title: ""\n    url: /topics/b/\n---\n',
     [f"{REL}:8:12: error: 'prerequisites' entry 2 needs a non-empty string 'title'"]),
    ("prerequisite-misspelt-url",
     "---\ntitle: T\ndescription: D\norder: 1\nprerequisites:\n  - title: A\n    ur: /topics/a/\n---\n",
     [f"{REL}:6:5: error: 'prerequisites' entry 1 needs a non-empty string 'url'",
      f"{REL}:7:5: warning: unknown field 'ur' in 'prerequisites' entry (did you mean 'url'?)"]),
    ("prerequisite-extra-field",
     "---\ntitle: T\ndescription: D\norder: 1\nprerequisites:\n  - title: A\n    url: /topics/a/\n"
     "    note: x\n---\n",
     [f"{REL}:8:5: warning: unknown field 'note' in 'prerequisites' entry"]),
    ("glossary-not-a-list", "---\ntitle: T\ndescription: D\norder: 1\nglossary: {term: x}\n---\n",
     [f"{REL}:5:11: error: 'glossary' must be a list of {{term, definition}} entries"]),
    ("glossary-definition-not-a-string",
     "---\ntitle: T\ndescription: D\norder: 1\nglossary:\n  - term: Neuron\n    definition: [a]\n---\n",
     [f"{REL}:7:17: error: 'glossary' entry 1 needs a non-empty string 'definition'"]),
    ("glossary-misspelt-definition",
     "---\ntitle: T\ndescription: D\norder: 1\nglossary:\n  - term: Neuron\n    definiton: A unit.\n---\n",
     [f"{REL}:6:5: error: 'glossary' entry 1 needs a non-empty string 'definition'",
      f"{REL}:7:5: warning: unknown field 'definiton' in 'glossary' entry (did you mean 'definition'?)"]),
    ("unknown-keys", "---\ntitle: T\ntitel: U\ndescription: D\norder: 1\nprerequisite: []\nfoo: 1\n---\n",
     [f"{REL}:3:1: warning: unknown front matter field 'titel' (did you mean 'title'?)",
      f"{REL}:6:1: warning: unknown front matter field 'prerequisite' (did you mean 'prerequisites'?)",
      f"{REL}:7:1: warning: unknown front matter field 'foo'"]),
    ("unknown-key-case", "---\ntitle: T\ndescription: D\norder: 1\nDraft: true\n---\n",
     [f"{REL}:5:1: warning: unknown front matter field 'Draft' (did you mean 'draft'?)"]),
    ("yaml-unclosed-quote", '---\ntitle: "T\ndescription: D\norder: 1\n---\n',
     [f"{REL}:4:9: error: YAML syntax error: found unexpected end of stream"]),
    ("yaml-bad-indentation", "---\ntitle: T\ndescription: D\n  order: 1\n---\n",
     [f"{REL}:4:8: error: YAML syntax error: mapping values are not allowed in this context"]),
    ("yaml-tab", "---\ntitle: T\n\tdescription: D\norder: 1\n---\n",
     [f"{REL}:3:1: error: YAML syntax error: found a tab character that violates indentation"]),
    ("yaml-colon-in-value", "---\ntitle: Maps: a guide\ndescription: D\norder: 1\n---\n",
     [f"{REL}:2:12: error: YAML syntax error: mapping values are not allowed in this context"]),
    ("yaml-undefined-alias", "---\ntitle: T\ndescription: *nothing\norder: 1\n---\n",
     [f"{REL}:3:14: error: YAML syntax error: found undefined alias"]),
    ("yaml-python-tag-refused", "---\ntitle: !!python/object/apply:os.system [echo]\n---\n",
     [f"{REL}:2:8: error: YAML syntax error: could not determine a constructor for the tag "
      "'tag:yaml.org,2002:python/object/apply:os.system'"]),
    ("a-list-not-a-mapping", "---\n- title\n- order\n---\n",
     [f"{REL}:2:1: error: front matter must be a mapping of fields"]),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_front_matter_rule(tmp_path: Path, text: str, expected: list[str]) -> None:
    _, diags = check(tmp_path, text)
    assert diags == expected


def test_valid_front_matter_values(tmp_path: Path) -> None:
    meta, diags = check(tmp_path, (
        "---\n"
        'title: "  Neurons  "\n'
        "description: What a neuron computes.\n"
        "order: 3\n"
        "draft: false\n"
        "prerequisites:\n"
        '  - title: "Vectors"\n'
        "    url: /topics/vectors/\n"
        "glossary:\n"
        "  - term: Neuron\n"
        "    definition: A unit that computes one number.\n"
        "---\n"
        "Body\n"))
    assert diags == []
    assert meta == FrontMatter(
        title="Neurons", description="What a neuron computes.", order=3, draft=False, order_line=4,
        prerequisites=(Prerequisite("Vectors", "/topics/vectors/", 8, 10, 7, 12),),
        glossary=(GlossaryEntry("Neuron", "A unit that computes one number.", 11, 17, 10, 11),))


def test_other_pages_need_no_front_matter(tmp_path: Path) -> None:
    for kind in ("home", "page"):
        assert check(tmp_path, "# Welcome\n", kind) == (FrontMatter(), [])
    _, diags = check(tmp_path, "---\ntitle: About\ncolour: red\n---\nText\n", "page")
    assert diags == [f"{REL}:3:1: warning: unknown front matter field 'colour'"]


BOM = b"\xef\xbb\xbf"


def test_bom_is_ignored_and_lines_stay_the_same(tmp_path: Path) -> None:
    meta, diags = check(tmp_path, BOM + VALID.encode())
    assert diags == [] and meta is not None and meta.title == "T"
    _, diags = check(tmp_path, BOM + b"---\ntitle: T\ndescription: D\norder: 0\n---\n")
    assert diags == [f"{REL}:4:8: error: 'order' must be a whole number of 1 or more, not 0"]


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_crlf_and_cr_line_ends(tmp_path: Path, newline: bytes) -> None:
    meta, diags = check(tmp_path, VALID.encode().replace(b"\n", newline))
    assert diags == [] and meta is not None and (meta.title, meta.order) == ("T", 1)
    bad = b"---\ntitle: T\ndescription: D\nfoo: 1\norder: 1.5\n---\n".replace(b"\n", newline)
    _, diags = check(tmp_path, BOM + bad)
    assert diags == [f"{REL}:4:1: warning: unknown front matter field 'foo'",
                     f"{REL}:5:8: error: 'order' must be a whole number of 1 or more, not 1.5"]


@pytest.mark.parametrize("data", [
    "---\ntitle: Café\n---\n".encode("latin-1"),
    b"---\ntitle: T\ndescription: D\norder: 1\n---\nBad byte \xff here\n",
    "---\ntitle: T\n---\n".encode("utf-16"),
], ids=["latin-1", "stray-byte-in-body", "utf-16"])
def test_non_utf8_file_is_an_error_naming_it(tmp_path: Path, data: bytes) -> None:
    meta, diags = check(tmp_path, data)
    assert meta is None
    assert diags == [f"{REL}: error: file is not valid UTF-8 (save it as UTF-8)"]


# --- Through the CLI ------------------------------------------------------------

def test_cli_reports_every_front_matter_problem_of_a_course(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {
        "content/topics/a.md": topic("Alpha", 1, "Body.\n"),
        "content/topics/b.md": "---\ntitle: Beta\ndescription: D\norder: two\n---\nBody\n",
        "content/topics/c.md": "---\ntitle: Gamma\norder: 2\ndecsription: x\n---\nBody\n",
        "content/topics/d.md": "No front matter.\n",
        "content/topics/e.md": '---\ntitle: "Delta\norder: 3\n---\n',
        "content/topics/f.md": "---\ntitle: F\ndescription: D\norder: 3\n---\nCaf\xe9".encode("latin-1"),
        "content/index.md": "---\ntitel: Home\n---\nWelcome.\n",
    })
    run = run_build(course)
    assert run.code == 1
    assert run.problems() == [
        "content/index.md:2:1: warning: unknown front matter field 'titel' (did you mean 'title'?)",
        "content/topics/b.md:4:8: error: 'order' must be a whole number of 1 or more, not 'two'",
        "content/topics/c.md:1:1: error: missing required field 'description'",
        "content/topics/c.md:4:1: warning: unknown front matter field 'decsription' (did you mean 'description'?)",
        "content/topics/d.md:1:1: error: missing front matter (a '---' block with title, description and order)",
        "content/topics/e.md:3:9: error: YAML syntax error: found unexpected end of stream",
        "content/topics/f.md: error: file is not valid UTF-8 (save it as UTF-8)",
    ]
    assert run.summary == "build failed, previous output left unchanged, 5 errors, 2 warnings"


def test_cli_unknown_key_alone_is_a_warning_and_builds(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {
        "content/topics/a.md": "---\ntitle: A\ndescription: D\norder: 1\ndescripton: x\n---\nBody\n",
    })
    run = run_build(course)
    assert run.code == 0, run.stderr
    assert run.problems() == [
        "content/topics/a.md:5:1: warning: unknown front matter field 'descripton' (did you mean 'description'?)"]
    assert run.summary.endswith(", 0 errors, 1 warning")
    assert run_build(course, None, "--strict").code == 1


def test_cli_bom_and_crlf_pages_build_and_render(tmp_path: Path) -> None:
    crlf = (BOM + b'---\r\ntitle: "Crlf topic"\r\ndescription: "D"\r\norder: 1\r\n---\r\n'
            b"# First\r\n\r\nLine one\r\nline two {% cite \"zz\" %}\r\n")
    course = write_course(tmp_path / "course", {"content/topics/crlf.md": crlf})
    run = run_build(course)
    # The body's line numbers count from the top of the file, CRLF or not.
    assert run.problems() == ["content/topics/crlf.md:9:10: error: unknown citation key 'zz'"]
    (course / "content/topics/crlf.md").write_bytes(crlf.replace(b' {% cite "zz" %}', b""))
    out = tmp_path / "site"
    run = run_build(course, out)
    assert run.code == 0, run.stderr
    html = (out / "topics/crlf/index.html").read_text("utf-8")
    assert "Crlf topic" in html and "\ufeff" not in html and "\r" not in html
    assert '<h1 id="first">' in html and "<p>Line one\nline two</p>" in html


def test_cli_draft_topic_is_not_published(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {
        "content/topics/a.md": topic("Alpha", 1, "Body.\n"),
        "content/topics/b.md": topic("Beta draft", 2, "Body.\n", draft="true"),
    })
    out = tmp_path / "site"
    run = run_build(course, out)
    assert run.code == 0, run.stderr
    assert (out / "topics/a/index.html").is_file()
    assert not (out / "topics/b").exists()
    assert "Beta draft" not in (out / "topics/index.html").read_text("utf-8")
