"""Packaging tests: KaTeX assets, built-in theme, and the wheel build hook."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coursebuild import assets

REPO_ROOT = Path(__file__).resolve().parents[1]
URL_RE = re.compile(r"url\(([^)]+)\)")


def _css_urls(css: Path) -> list[str]:
    return [u.strip("'\"") for u in URL_RE.findall(css.read_text(encoding="utf-8"))]


def test_katex_version_matches_package_json_pin_and_the_katex_inside_pykatex() -> None:
    """The stylesheet and fonts (npm pin) must be those of the KaTeX that renders the
    formulas, which is the one compiled into pykatex (its description names it)."""
    pinned = json.loads((REPO_ROOT / "package.json").read_text())["dependencies"]["katex"]
    description = str(importlib.metadata.metadata("pykatex").json["description"])
    embedded = re.search(r"uses KaTeX v(\d+\.\d+\.\d+)", description)
    assert embedded is not None, "pykatex no longer says which KaTeX it embeds"
    assert pinned == assets.KATEX_VERSION == embedded.group(1)


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


@pytest.mark.slow
def test_wheel_contains_katex_assets_and_theme(tmp_path: Path) -> None:
    out = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps", "-q",
         "--disable-pip-version-check", "-w", str(out)],
        check=True,
        timeout=300,
    )
    (wheel,) = out.glob("coursebuild-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")

    assert "coursebuild/__init__.py" in names
    assert "coursebuild/assets.py" in names
    assert "coursebuild/_vendor/katex/katex.min.css" in names
    assert "coursebuild/_vendor/katex/LICENSE" in names
    fonts = REPO_ROOT / "node_modules" / "katex" / "dist" / "fonts"
    for font in fonts.iterdir():
        if font.suffix in (".woff2", ".woff", ".ttf"):
            assert f"coursebuild/_vendor/katex/fonts/{font.name}" in names
    assert not any(n.startswith("coursebuild/_vendor/axe") for n in names)

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
        "print(m.katex_dist()); print(m.axe_core_js())\n"
        "try: print(m.theme_dir())\n"
        "except m.AssetsMissing: print('missing')"
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
