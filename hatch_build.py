"""Hatchling build hook for coursebuild.

For standard wheel builds it vendors into the wheel:

* the KaTeX stylesheet and fonts from ``node_modules/katex/dist`` (installed
  with ``npm ci`` from ``package-lock.json``) as ``coursebuild/_vendor/katex/``;
* the built-in theme, i.e. the repo-root ``templates/`` and ``static/``
  folders, as ``coursebuild/_theme/templates`` and ``coursebuild/_theme/static``.

Editable installs get nothing extra: ``coursebuild.assets`` falls back to the
paths inside the source checkout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

KATEX_FONT_SUFFIXES = (".woff2", ".woff", ".ttf")
THEME_FOLDERS = ("templates", "static")
# Files never worth shipping from the theme folders.
_JUNK_NAMES = {".DS_Store", "Thumbs.db"}
_JUNK_SUFFIXES = (".pyc", ".pyo", ".swp", "~")


def _is_junk(path: Path) -> bool:
    if "__pycache__" in path.parts:
        return True
    return path.name in _JUNK_NAMES or path.name.endswith(_JUNK_SUFFIXES)


class CoursebuildBuildHook(BuildHookInterface):
    """Adds KaTeX assets and the built-in theme to non-editable wheels."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version != "standard":
            return
        root = Path(self.root)
        force_include: dict[str, str] = build_data["force_include"]

        katex_dist = self._ensure_katex(root)
        force_include[str(katex_dist / "katex.min.css")] = "coursebuild/_vendor/katex/katex.min.css"
        # The renderer too (run on V8 by mini-racer): one KaTeX release for CSS and HTML.
        force_include[str(katex_dist / "katex.min.js")] = "coursebuild/_vendor/katex/katex.min.js"
        fonts = sorted(p for p in (katex_dist / "fonts").iterdir() if p.suffix in KATEX_FONT_SUFFIXES)
        if not fonts:
            raise RuntimeError(f"no KaTeX fonts found in {katex_dist / 'fonts'}")
        for font in fonts:
            force_include[str(font)] = f"coursebuild/_vendor/katex/fonts/{font.name}"
        katex_license = katex_dist.parent / "LICENSE"
        if katex_license.is_file():
            force_include[str(katex_license)] = "coursebuild/_vendor/katex/LICENSE"

        for name in THEME_FOLDERS:
            folder = root / name
            folder.mkdir(exist_ok=True)
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not _is_junk(path.relative_to(folder)):
                    rel = path.relative_to(folder).as_posix()
                    force_include[str(path)] = f"coursebuild/_theme/{name}/{rel}"

    def _ensure_katex(self, root: Path) -> Path:
        """Return ``node_modules/katex/dist``, running ``npm ci`` if it is missing or stale."""
        wanted = self._pinned_katex_version(root)
        dist = root / "node_modules" / "katex" / "dist"
        if self._installed_katex_version(root) != wanted or not (dist / "katex.min.css").is_file():
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError(
                    "Building a coursebuild wheel needs the KaTeX assets from npm: "
                    "install Node.js/npm and run `npm ci` (or `make setup`) first."
                )
            self.app.display_info("coursebuild: node_modules/katex missing or stale, running npm ci")
            subprocess.run(
                [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                cwd=root,
                check=True,
            )
        installed = self._installed_katex_version(root)
        if installed != wanted or not (dist / "katex.min.css").is_file():
            raise RuntimeError(
                f"node_modules/katex is {installed!r} after npm ci, expected {wanted!r}"
            )
        return dist

    @staticmethod
    def _pinned_katex_version(root: Path) -> str:
        data = json.loads((root / "package.json").read_text(encoding="utf-8"))
        return str(data["dependencies"]["katex"])

    @staticmethod
    def _installed_katex_version(root: Path) -> str | None:
        manifest = root / "node_modules" / "katex" / "package.json"
        try:
            return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
        except (OSError, ValueError, KeyError):
            return None
