"""Locate the front-end assets coursebuild ships with a site.

Two layouts are supported:

* an installed wheel, where the build hook (``hatch_build.py``) placed the
  KaTeX stylesheet/fonts in ``coursebuild/_vendor/katex/`` and the built-in
  theme in ``coursebuild/_theme/``;
* a source checkout (editable install, tests), where KaTeX comes from
  ``node_modules/katex/dist`` (installed by ``npm ci``) and the theme lives in
  the repo-root ``templates/`` and ``static/`` folders.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "KATEX_VERSION",
    "AssetsMissing",
    "axe_core_js",
    "katex_dist",
    "katex_css_version",
    "katex_stylesheet",
    "theme_dir",
    "woff2_only",
]

#: The KaTeX release (npm, pinned in package.json) whose script, stylesheet and fonts we ship.
KATEX_VERSION = "0.16.22"

_PACKAGE_DIR = Path(__file__).resolve().parent
# src/coursebuild/assets.py -> parents[2] is the repository root in a checkout.
_REPO_ROOT = Path(__file__).resolve().parents[2]

_SETUP_HINT = "run `npm ci` (or `make setup`) in the coursebuild repository"
_KATEX_VERSION_RE = re.compile(r"\.katex-version:after\{content:\"([^\"]+)\"\}")
# One fallback source of an @font-face `src` list: `,url(fonts/X.woff) format("woff")`.
_FALLBACK_FONT_RE = re.compile(r""",\s*url\(["']?[^)"']+\.(?:woff|ttf)["']?\)\s*format\(["'][a-z]+["']\)""")


class AssetsMissing(Exception):
    """Raised when bundled front-end assets cannot be found."""


def katex_css_version(css_path: Path) -> str | None:
    """Return the KaTeX version declared by a ``katex.min.css`` file.

    KaTeX's stylesheet carries no header comment; it records its version in
    the rule ``.katex .katex-version:after{content:"X.Y.Z"}``.
    """
    match = _KATEX_VERSION_RE.search(css_path.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def woff2_only(css: str) -> str:
    """KaTeX's stylesheet with the ``.woff``/``.ttf`` fallbacks dropped from each ``@font-face``.

    Every browser a coursebuild site supports reads woff2, and only the woff2
    fonts ship, so the stylesheet names exactly the files that exist. This
    module stays stdlib-only: ``hatch_build.py`` loads it by path for this.
    """
    return _FALLBACK_FONT_RE.sub("", css)


def katex_stylesheet() -> bytes:
    """The KaTeX stylesheet a site ships: ``katex.min.css`` naming only woff2 fonts."""
    css = (katex_dist() / "katex.min.css").read_text(encoding="utf-8")
    return woff2_only(css).encode("utf-8")


def _katex_candidates() -> list[Path]:
    return [
        _PACKAGE_DIR / "_vendor" / "katex",
        _REPO_ROOT / "node_modules" / "katex" / "dist",
    ]


def katex_dist() -> Path:
    """Return the folder holding ``katex.min.css`` and ``fonts/`` for KaTeX 0.16.22.

    Looks in the installed package's ``_vendor/katex/`` first, then in the
    source checkout's ``node_modules/katex/dist``.

    Raises:
        AssetsMissing: if neither exists, or the found stylesheet is not
            KaTeX ``KATEX_VERSION`` (a stale ``node_modules``).
    """
    for candidate in _katex_candidates():
        css = candidate / "katex.min.css"
        if css.is_file() and (candidate / "fonts").is_dir():
            found = katex_css_version(css)
            if found != KATEX_VERSION:
                raise AssetsMissing(
                    f"{css} is KaTeX {found or 'of unknown version'}, but coursebuild "
                    f"needs KaTeX {KATEX_VERSION}: {_SETUP_HINT}."
                )
            return candidate
    searched = ", ".join(str(p) for p in _katex_candidates())
    raise AssetsMissing(
        f"KaTeX {KATEX_VERSION} stylesheet and fonts not found (searched {searched}): {_SETUP_HINT}."
    )


def theme_dir() -> Path:
    """Return the built-in theme root, which contains ``templates/`` and ``static/``.

    Looks in the installed package's ``_theme/`` first, then in the source
    checkout's root folder.

    Raises:
        AssetsMissing: if no theme folder is found.
    """
    candidates = [_PACKAGE_DIR / "_theme", _REPO_ROOT]
    for candidate in candidates:
        if (candidate / "templates").is_dir():
            return candidate
    searched = ", ".join(str(p) for p in candidates)
    raise AssetsMissing(
        f"built-in theme (templates/ and static/) not found (searched {searched}); "
        "reinstall coursebuild or run it from a complete source checkout."
    )


def axe_core_js() -> Path | None:
    """Return ``node_modules/axe-core/axe.min.js`` of the source checkout, or None.

    axe-core is a development dependency used by the accessibility tests; it
    is never part of an installed wheel.
    """
    path = _REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
    return path if path.is_file() else None
