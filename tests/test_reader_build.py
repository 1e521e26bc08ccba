"""What the build adds for readers: image sizes from file headers (cached by content hash),
a placeholder for a missing image, og:image and description, smart punctuation on and off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_helpers import run_build, topic, write_course
from coursebuild.images import ImageSizes, size_images

from scale.course import png

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="80"><rect width="320" height="80"/></svg>'
GIF = b"GIF89a" + (17).to_bytes(2, "little") + (9).to_bytes(2, "little") + b"\x00\x00\x00;"


def _course(root: Path, yml: str = "title: T\n") -> Path:
    return write_course(root, {
        "course.yml": yml,
        "content/topics/b/_block.yml": "title: B\norder: 1\n",
        "content/topics/b/pics/index.md": topic("Pics", 1, """
            ## Start

            ![A wide chart](images/wide.png "Figure 1: wide.")

            ![A logo](images/logo.svg) and ![a dot](images/dot.gif) and ![gone](images/missing.png)

            "Quoted" -- text... and `"code" -- kept` and $a -- b$.
            """),
        "content/topics/b/pics/images/wide.png": png(640, 240),
        "content/topics/b/pics/images/logo.svg": SVG,
        "content/topics/b/pics/images/dot.gif": GIF,
        "content/topics/b/plain.md": topic("Plain", 2, "No figures here.\n"),
    })


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("reader")
    course = _course(root / "course", "title: T\nsite_url: https://example.org\nimage: /social.png\n")
    run = run_build(course, root / "out")
    assert run.code == 0, run.stderr
    return root / "out", run.stderr


def test_images_get_width_and_height_from_their_headers(built: tuple[Path, str]) -> None:
    html = (built[0] / "topics/pics/index.html").read_text()
    assert re.search(r'<img src="images/wide.png"[^>]* width="640" height="240">', html)
    assert re.search(r'<img src="images/logo.svg"[^>]* width="320" height="80">', html)
    assert re.search(r'<img src="images/dot.gif"[^>]* width="17" height="9">', html)


def test_a_missing_image_warns_and_shows_a_placeholder(built: tuple[Path, str]) -> None:
    out, stderr = built
    assert "broken image: 'images/missing.png'" in stderr
    html = (out / "topics/pics/index.html").read_text()
    assert 'src="images/missing.png"' not in html
    assert ('<span class="img-missing" role="img" aria-label="Image not found: gone">'
            '<span aria-hidden="true">gone</span><code aria-hidden="true">images/missing.png</code></span>') in html


def test_og_image_is_the_first_figure_else_the_course_image(built: tuple[Path, str]) -> None:
    out = built[0]
    pics = (out / "topics/pics/index.html").read_text()
    assert '<meta property="og:image" content="https://example.org/topics/pics/images/wide.png">' in pics
    plain = (out / "topics/plain/index.html").read_text()
    assert '<meta property="og:image" content="https://example.org/social.png">' in plain
    assert '<meta property="og:description" content="About Plain">' in plain
    for page in ("index.html", "map/index.html", "glossary/index.html"):
        assert 'property="og:image"' in (out / page).read_text() and 'name="description"' in (out / page).read_text()


def test_smart_punctuation_is_on_by_default_outside_code_and_math(built: tuple[Path, str]) -> None:
    html = (built[0] / "topics/pics/index.html").read_text()
    assert "“Quoted” – text…" in html
    assert "<code>&quot;code&quot; -- kept</code>" in html
    assert "<annotation encoding=\"application/x-tex\" data-pagefind-ignore=\"\">a -- b</annotation>" in html


def test_smart_punctuation_can_be_turned_off(tmp_path: Path) -> None:
    course = _course(tmp_path / "course", "title: T\nsmart_punctuation: false\n")
    assert run_build(course, tmp_path / "out").code == 0
    html = (tmp_path / "out/topics/pics/index.html").read_text()
    assert "&quot;Quoted&quot; -- text..." in html and "“" not in html


def test_course_image_must_be_a_site_path_or_http_url(tmp_path: Path) -> None:
    course = _course(tmp_path / "course", "title: T\nimage: social.png\n")
    run = run_build(course, tmp_path / "out")
    assert run.code == 2
    assert any("course.yml:2:8: error: 'image' must be a path in the site" in ln for ln in run.diagnostics)


def test_sizes_are_cached_by_content_hash(tmp_path: Path) -> None:
    sizes = ImageSizes()
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    first.write_bytes(png(30, 20))
    second.write_bytes(png(30, 20))
    files = {"a.png": first, "b.png": second, "c.svg": b"<svg/>"}
    html = size_images('<img src="/a.png" alt=""><img src="/b.png"><img src="/c.svg"><img src="https://x.org/y.png">',
                       "/", files, sizes)
    assert html.count('width="30" height="20"') == 2
    assert '<img src="/c.svg">' in html and '<img src="https://x.org/y.png">' in html  # no size: left alone
    assert len(sizes._by_hash) == 2  # the two identical files were read once
    first.write_bytes(png(50, 10))
    assert sizes.of(first) == (50, 10)  # a changed file is read again
