"""Internal links end to end: what counts as external, how paths, folders,
percent-encoding and ``#fragments`` resolve, and what a broken one reports.
Also glossary ids for terms in any script (links point at them).

One course holds every case (one build for the module); each case sits on
its own line of ``content/topics/t.md``, so the expected problems list is
exact.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_helpers import Run, run_build, topic, write_course

LINKS = """\
## Größe und Maß

[upper-case scheme](HTTPS://example.org/x)
[protocol-relative](//cdn.example.org/lib.js)
[other scheme](irc://irc.example.org/channel)
[mail](mailto:a@example.org) [phone](tel:+100) [data](data:text/plain,x) [js](javascript:void(0))
[home](/)
[folder without slash](/topics/u)
[relative folder](../u) [relative folder slash](../u/)
[query only](?q=1) [empty fragment](#)
[encoded path](/topics/u/images/my%20pic.png) [encoded anchor](#gr%C3%B6%C3%9Fe-und-ma%C3%9F)
[anchor on a file](/topics/u/images/my%20pic.png#top)
[glossary in another script](/glossary/#term-注意) [encoded glossary](/glossary/#term-%E5%AD%A6%E7%BF%92)
[broken with fragment](/topics/nope/#part)
[broken anchor](/topics/u/#part)
[broken encoded anchor](#gr%C3%B6%C3%9Fe)
[broken relative](u/)
[broken encoded path](/topics/u/images/no%20pic.png)
[broken file page anchor](/topics/u/index.html#nope)
[id from the template](/topics/u/#main) [relative file](../u/images/my%20pic.png) [mail upper](MAILTO:a@b.org)
[page itself](/topics/t/#gr%C3%B6%C3%9Fe-und-ma%C3%9F) [index file](/topics/u/index.html#intro) [image](/topics/u/images/my%20pic.png)
![broken image](/topics/u/images/gone.png)
[sitemap](/sitemap.xml#top) [a file is not a folder](../u/images/my%20pic.png/)
"""

GLOSSARY = """
  - term: "注意"
    definition: "Attention, in Japanese."
  - term: "学習"
    definition: "Learning, in Japanese."
  - term: "Café"
    definition: "Accents fold to ASCII."
  - term: "Søren"
    definition: "A letter without an ASCII form."
  - term: "ध्यान"
    definition: "Vowel signs are kept."
  - term: "★"
    definition: "No letters at all."
  - term: "«Ελληνική — λέξη»"
    definition: "Words in another script, joined by one hyphen."
"""

COURSE = {
    "course.yml": "site_url: https://example.org\n",  # so that /sitemap.xml is written
    "content/topics/t.md": topic("T", 1, LINKS),
    "content/topics/u/index.md": topic("U", 2, "# Intro\n\nThe 注意 and 学習 and café.\n", glossary=GLOSSARY),
    "content/topics/u/images/my pic.png": b"png",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    root = tmp_path_factory.mktemp("links")
    out = root / "site"
    return run_build(write_course(root / "course", COURSE), out), out


def test_only_broken_links_are_reported_with_decoded_fragments(site: tuple[Run, Path]) -> None:
    run, _ = site
    t = "content/topics/t.md"
    assert run.code == 0
    assert run.problems() == [
        f"{t}:19:24: warning: broken link: '/topics/nope/#part' does not match any page or file of the site",
        f"{t}:20:17: warning: broken anchor: '/topics/u/#part' has no heading or element with id 'part'",
        f"{t}:21:25: warning: broken anchor: '#gr%C3%B6%C3%9Fe' has no heading or element with id 'größe'",
        f"{t}:22:19: warning: broken link: 'u/' does not match any page or file of the site",
        f"{t}:23:23: warning: broken link: '/topics/u/images/no%20pic.png' does not match any page or file "
        "of the site",
        f"{t}:24:27: warning: broken anchor: '/topics/u/index.html#nope' has no heading or element with id 'nope'",
        f"{t}:27:17: warning: broken image: '/topics/u/images/gone.png' does not match any page or file of the site",
        f"{t}:28:54: warning: broken link: '../u/images/my%20pic.png/' does not match any page or file of the site",
    ]


def test_glossary_ids_for_any_script_are_unique(site: tuple[Run, Path]) -> None:
    _, out = site
    glossary = (out / "glossary/index.html").read_text("utf-8")
    ids = re.findall(r'class="glossary-entry" id="([^"]+)"', glossary)
    # Latin accents fold to ASCII (the ids courses always had); other letters stay;
    # a term without letters or digits gets a short hash of itself (stable across builds).
    assert sorted(ids) == sorted(["term-注意", "term-学習", "term-cafe", "term-søren", "term-ध्यान",
                                  "term-26c57b08", "term-ελληνική-λέξη"])
    marks = (out / "topics/u/index.html").read_text("utf-8")
    assert 'href="/glossary/#term-注意" data-term="注意"' in marks
    assert 'href="/glossary/#term-学習" data-term="学習"' in marks
    assert 'href="/glossary/#term-cafe" data-term="Café"' in marks


def test_two_terms_with_one_id_are_an_error_naming_both(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", {
        "content/topics/a.md": topic("A", 1, "A.\n", glossary='\n  - term: "C"\n    definition: "A language."'),
        "content/topics/b.md": topic("B", 2, "B.\n", glossary='\n  - term: "Attention"\n    definition: "x"'
                                                          '\n  - term: "C++"\n    definition: "Another one."'),
    })
    run = run_build(course, tmp_path / "site")
    assert run.code == 1
    assert run.problems() == [
        "content/topics/b.md:8:11: error: glossary term 'C++' gets the same id 'term-c' as 'C' "
        "(content/topics/a.md:6:11); rename one of them"]


def test_each_broken_link_is_reported_at_its_own_column(tmp_path: Path) -> None:
    """Two links to one missing page on one line: two columns, not the first one twice; a
    reference link (its URL written elsewhere) at its own start."""
    body = ("See [one](/topics/gone/) and [two](/topics/gone/), then [three][g].\n"
            "\n"
            "[g]: /topics/gone/\n")
    course = write_course(tmp_path / "course", {"content/topics/a.md": topic("A", 1, body)})
    run = run_build(course)
    assert run.problems() == [
        f"content/topics/a.md:6:{col}: warning: broken link: '/topics/gone/' does not match any page or file of the site"
        for col in (11, 36, 57)]
