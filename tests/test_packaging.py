"""Packaging tests: KaTeX assets, built-in theme, the build hook, and the sdist and
wheel installed into fresh virtual environments with no npm on PATH."""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from coursebuild import assets

REPO_ROOT = Path(__file__).resolve().parents[1]
URL_RE = re.compile(r"url\(([^)]+)\)")


def _css_urls(css: Path) -> list[str]:
    return [u.strip("'\"") for u in URL_RE.findall(css.read_text(encoding="utf-8"))]


def test_katex_version_matches_package_json_pin_and_the_katex_that_renders() -> None:
    """The stylesheet and fonts (npm pin) must be those of the KaTeX that renders the
    formulas: ask the engine itself (katex.min.js on V8) which release it is."""
    from coursebuild.markdown.katex_engine import engine

    pinned = json.loads((REPO_ROOT / "package.json").read_text())["dependencies"]["katex"]
    running = engine()._ctx.eval("katex.version")
    assert pinned == assets.KATEX_VERSION == running


def test_katex_dist_has_stylesheet_of_pinned_version() -> None:
    dist = assets.katex_dist()
    css = dist / "katex.min.css"
    assert css.is_file()
    # KaTeX's minified stylesheet has no banner comment; its version lives in
    # the `.katex .katex-version:after{content:"..."}` rule.
    assert '.katex-version:after{content:"0.16.22"}' in css.read_text(encoding="utf-8")
    assert assets.katex_css_version(css) == "0.16.22"


def test_every_woff2_font_referenced_by_katex_css_exists() -> None:
    dist = assets.katex_dist()
    woff2 = [u for u in _css_urls(dist / "katex.min.css") if u.endswith(".woff2")]
    assert len(woff2) >= 15, woff2
    for url in woff2:
        assert url.startswith("fonts/"), url
        assert (dist / url).is_file(), f"missing font {url} in {dist}"


def test_site_stylesheet_names_only_the_woff2_fonts_that_ship() -> None:
    css = assets.katex_stylesheet().decode("utf-8")
    urls = URL_RE.findall(css)
    assert len(urls) == 20 and all(u.endswith(".woff2") for u in urls), urls
    assert ".woff)" not in css and ".ttf" not in css and 'format("woff")' not in css
    shipped = {f"fonts/{p.name}" for p in (assets.katex_dist() / "fonts").glob("*.woff2")}
    assert set(urls) == shipped
    # Everything else of KaTeX's stylesheet is kept byte for byte.
    original = (assets.katex_dist() / "katex.min.css").read_text(encoding="utf-8")
    assert css.count("@font-face") == original.count("@font-face") == 20
    assert assets.woff2_only(original) == css == assets.woff2_only(css)


def test_katex_dist_missing_raises_with_setup_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assets, "_PACKAGE_DIR", tmp_path / "pkg")
    monkeypatch.setattr(assets, "_REPO_ROOT", tmp_path / "repo")
    with pytest.raises(assets.AssetsMissing, match=r"npm ci.*make setup"):
        assets.katex_dist()
    with pytest.raises(assets.AssetsMissing):
        assets.theme_dir()
    assert assets.axe_core_js() is None


def test_katex_dist_rejects_other_katex_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "repo" / "node_modules" / "katex" / "dist"
    (stale / "fonts").mkdir(parents=True)
    (stale / "katex.min.css").write_text('.katex .katex-version:after{content:"0.16.9"}')
    monkeypatch.setattr(assets, "_PACKAGE_DIR", tmp_path / "pkg")
    monkeypatch.setattr(assets, "_REPO_ROOT", tmp_path / "repo")
    with pytest.raises(assets.AssetsMissing, match=r"0\.16\.9.*npm ci"):
        assets.katex_dist()


def test_vendored_katex_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vendored = tmp_path / "pkg" / "_vendor" / "katex"
    (vendored / "fonts").mkdir(parents=True)
    (vendored / "katex.min.css").write_text('.katex .katex-version:after{content:"0.16.22"}')
    monkeypatch.setattr(assets, "_PACKAGE_DIR", tmp_path / "pkg")
    assert assets.katex_dist() == vendored


def test_theme_dir_has_templates_and_static() -> None:
    root = assets.theme_dir()
    assert (root / "templates").is_dir()
    assert (root / "static").is_dir()


def test_axe_core_is_installed() -> None:
    axe = assets.axe_core_js()
    assert axe is not None and axe.name == "axe.min.js"
    assert axe.stat().st_size > 100_000


def _theme_files(name: str) -> list[str]:
    folder = REPO_ROOT / name
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith((".pyc", "~", ".swp"))
        and p.name not in {".DS_Store", "Thumbs.db"}
    )


def _env_without_npm(bin_dir: Path) -> dict[str, str]:
    """This environment with PATH holding only ``bin_dir`` (a virtual environment's bin/)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "COURSEBUILD_DEBUG")}
    env["PATH"] = str(bin_dir)
    assert shutil.which("npm", path=env["PATH"]) is None and shutil.which("node", path=env["PATH"]) is None
    return env


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist, and the wheel that `python -m build` makes *from the sdist*, built with
    no npm on PATH: the wheel exists only if the sdist holds every KaTeX file it needs."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO_ROOT)],
        env=_env_without_npm(Path(sys.executable).parent), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (sdist,) = out.glob("coursebuild-*.tar.gz")
    (wheel,) = out.glob("coursebuild-*.whl")
    return {"sdist": sdist, "wheel": wheel}


@pytest.mark.slow
def test_sdist_is_self_contained(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for name in ("LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "hatch_build.py", "package.json",
                 "node_modules/katex/LICENSE", "node_modules/katex/package.json",
                 "node_modules/katex/dist/katex.min.css", "node_modules/katex/dist/katex.min.js"):
        assert name in names, name
    fonts = {n for n in names if n.startswith("node_modules/katex/dist/fonts/")}
    assert len(fonts) == 20 and all(n.endswith(".woff2") for n in fonts), sorted(fonts)
    assert not any(n.startswith("node_modules/") and "katex" not in n for n in names)  # no axe-core


@pytest.mark.slow
def test_wheel_contains_katex_assets_theme_and_metadata(dists: dict[str, Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(dists["wheel"]) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(zf.read(meta_name))

    assert "coursebuild/__init__.py" in names
    assert "coursebuild/assets.py" in names
    for name in ("katex.min.css", "katex.min.js", "LICENSE"):
        assert f"coursebuild/_vendor/katex/{name}" in names
    fonts = sorted(n for n in names if n.startswith("coursebuild/_vendor/katex/fonts/"))
    assert len(fonts) == 20 and all(n.endswith(".woff2") for n in fonts), fonts
    assert not any(n.endswith((".woff", ".ttf")) for n in names)
    assert not any("axe" in n for n in names)
    # The shipped stylesheet names exactly the fonts that ship.
    css = tmp_path / "site" / "coursebuild" / "_vendor" / "katex" / "katex.min.css"
    assert {f"coursebuild/_vendor/katex/{u}" for u in _css_urls(css)} == set(fonts)
    for style in ("apa", "ieee", "chicago-author-date"):  # the shipped CSL styles, not all 90 MB
        assert f"coursebuild/_vendor/csl/{style}.csl" in names
    assert "coursebuild/_vendor/csl/LICENSE" in names
    assert len([n for n in names if n.endswith(".csl")]) == 3

    # Every file of the repo-root theme ships under coursebuild/_theme/.
    for name in ("templates", "static"):
        for rel in _theme_files(name):
            assert f"coursebuild/_theme/{name}/{rel}" in names

    assert metadata["License-Expression"] == "MIT"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "## Install and use" in metadata.get_payload()
    classifiers = metadata.get_all("Classifier")
    assert "Topic :: Education" in classifiers and "Programming Language :: Python :: 3.11" in classifiers
    assert metadata["Requires-Python"] == ">=3.11"
    # Exactly the files of the repo-root theme ship under coursebuild/_theme/ (an empty
    # theme listing on either side must fail too, hence the named files).
    theme = {f"coursebuild/_theme/{name}/{rel}" for name in ("templates", "static") for rel in _theme_files(name)}
    assert {n for n in names if n.startswith("coursebuild/_theme/") and not n.endswith("/")} == theme
    for needed in ("templates/base.html", "templates/topic.html", "static/assets/coursebuild.js",
                   "static/assets/coursebuild.css"):
        assert f"coursebuild/_theme/{needed}" in names

    # The installed layout resolves assets inside the package, not the checkout.
    site = tmp_path / "site"
    # Load the wheel's assets.py by path (stdlib only, no package __init__ or
    # site-packages) so the editable install of the checkout cannot interfere.
    probe = (
        "import importlib.util, sys; "
        "spec = importlib.util.spec_from_file_location('probe_assets', sys.argv[1]); "
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
        "print(m.katex_dist()); print(m.axe_core_js()); print(m.theme_dir())"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-S", "-c", probe, str(site / "coursebuild" / "assets.py")],
        check=True, capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    katex_path, axe_path, theme_path = result.stdout.split("\n")[:3]
    assert Path(katex_path) == site / "coursebuild" / "_vendor" / "katex"
    assert Path(theme_path) == site / "coursebuild" / "_theme"
    assert axe_path == "None"


@pytest.mark.slow
def test_installed_package_builds_a_course_without_npm(dists: dict[str, Path], tmp_path: Path) -> None:
    """pip install of the release wheel into a fresh venv, far from the checkout and with
    no node/npm on PATH; `coursebuild new` and a strict build of its course give math with
    every font the stylesheet names, the theme and search. (The wheel was built from the
    sdist, as pip would build it when installing the sdist, so installing the sdist as
    well would test the same files a second time.)"""
    kind = "wheel"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    env = _env_without_npm(venv / "bin")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
         "--disable-pip-version-check", str(dists[kind])],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    coursebuild = str(venv / "bin" / "coursebuild")
    new = subprocess.run([coursebuild, "new", "course"], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert new.returncode == 0, new.stdout + new.stderr  # the starter files ship in the package
    course = tmp_path / "course"
    build = subprocess.run([coursebuild, "build", "--strict"], env=env, cwd=course,
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    site = course / "_site"
    assert 'class="katex' in (site / "topics/formulas-and-figures/index.html").read_text(encoding="utf-8")
    assert (site / "assets" / "coursebuild.css").is_file() and (site / "pagefind").is_dir()
    css = site / "assets" / "katex" / "katex.min.css"
    urls = _css_urls(css)
    assert len(urls) == 20
    for url in urls:
        assert (css.parent / url).is_file(), f"{url} named by the stylesheet is missing"
    assert sorted(p.name for p in (css.parent / "fonts").iterdir()) == sorted(Path(u).name for u in urls)
    version = subprocess.run([coursebuild, "--version"], env=env, capture_output=True,
                             text=True, timeout=60)
    assert f"KaTeX {assets.KATEX_VERSION}" in version.stdout and "Pagefind 1." in version.stdout


def _make_plan(target: str) -> list[str]:
    """The commands `make TARGET` would run from scratch (`make -n -B`: printed, not run)."""
    # Run from `make test` the inner make is recursive: no "Entering directory" lines, and no
    # flags inherited from the outer make.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(["make", "--no-print-directory", "-n", "-B", target], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, check=True, env=env)
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def test_make_demo_installs_only_what_building_needs() -> None:
    demo = _make_plan("demo")
    installs = [c for c in demo if " pip install " in c or c.startswith("npm ")]
    assert installs == [".venv/bin/python -m pip install --disable-pip-version-check -q -e .",
                        "npm ci --omit=dev --no-audit --no-fund"]
    assert demo[-1] == ".venv/bin/coursebuild build . --out _site"
    test = _make_plan("test")
    assert any(c.endswith("-e '.[test]'") for c in test) and "npm ci --no-audit --no-fund" in test
