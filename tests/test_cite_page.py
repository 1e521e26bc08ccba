"""The "Cite this page" box of every topic: BibTeX and a formatted reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_helpers import run_build, topic, write_course


def cite_box(html: str) -> str:
    match = re.search(r'<details class="cite-page" data-pagefind-ignore>.*?</details>', html, re.S)
    assert match is not None
    return match.group(0)


def test_cite_box_from_course_settings_and_topic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718000000")  # June 2024: the year is the build's
    course = write_course(tmp_path / "course", {
        "course.yml": 'title: "Seeing Circuits & Co"\nauthor: "Jane Doe and Rui Chen"\n'
                      "site_url: https://example.org\nbase_url: /course/\n",
        "content/topics/attention-heads.md": topic("Attention Heads", 1, "Text.\n")})
    run = run_build(course, tmp_path / "site")
    assert run.code == 0, run.stderr
    box = cite_box((tmp_path / "site/topics/attention-heads/index.html").read_text("utf-8"))
    assert ('<p class="cite-page-text" id="cite-page-text">Jane Doe and Rui Chen. <cite>Attention Heads</cite>. '
            '<span class="venue">Seeing Circuits &amp; Co</span>, 2024. '
            '<a href="https://example.org/course/topics/attention-heads/">example.org</a></p>') in box
    assert ('<code id="cite-page-bibtex">@misc{doe2024attention-heads,\n  author = {Jane Doe and Rui Chen},\n'
            '  title = {Attention Heads},\n  howpublished = {Seeing Circuits \\&amp; Co},\n  year = {2024},\n'
            '  url = {https://example.org/course/topics/attention-heads/}\n}</code>') in box
    assert 'data-copy-text="Jane Doe and Rui Chen. Attention Heads. Seeing Circuits &amp; Co, 2024. ' \
           'https://example.org/course/topics/attention-heads/"' in box
    assert '<script src="/course/assets/cite-page.js?v=' in (tmp_path / "site/topics/attention-heads/index.html").read_text("utf-8")


def test_without_site_url_or_author(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718000000")
    course = write_course(tmp_path / "course", {"content/topics/t.md": topic("T", 1, "Text.\n")})
    run = run_build(course, tmp_path / "site")
    assert run.code == 0
    box = cite_box((tmp_path / "site/topics/t/index.html").read_text("utf-8"))
    assert '<p class="cite-page-text" id="cite-page-text"><cite>T</cite>. <span class="venue">Course</span>, 2024.</p>' in box
    assert "@misc{course2024t,\n  title = {T},\n  howpublished = {Course},\n  year = {2024}\n}" in box
