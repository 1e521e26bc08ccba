"""The live-reload script, added to HTML responses only (never to the files)."""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

@lru_cache(maxsize=1)
def client_script() -> str:
    """The browser side (livereload.js), read once."""
    return (Path(__file__).parent / "livereload.js").read_text("utf-8")


def script_tag(endpoint: str, build: str) -> bytes:
    """The inline ``<script>`` that connects the page to ``endpoint``."""
    attrs = f'data-endpoint="{html.escape(endpoint)}" data-build="{html.escape(build)}"'
    # "</" cannot end our own script early: the script holds no such sequence.
    return f"<script {attrs}>\n{client_script()}</script>\n".encode("utf-8")


def inject(page: bytes, endpoint: str, build: str) -> bytes:
    """``page`` with the script just before its last ``</body>`` (or at the end)."""
    tag = script_tag(endpoint, build)
    end = page.lower().rfind(b"</body")
    if end < 0:
        return page + tag
    return page[:end] + tag + page[end:]


def error_page(errors: Sequence[dict[str, Any]], endpoint: str, build: str) -> bytes:
    """Served at every path while the site has never built: the errors, readable without JS."""
    rows = "\n".join(f"<li><b>{html.escape(e['location'])}:</b> {html.escape(e['message'])}</li>"
                     for e in errors)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed · coursebuild</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:0;padding:32px;background:#fafafa;color:#1b1b1f}}
ul{{font:14px/1.6 ui-monospace,monospace;white-space:pre-wrap;padding-left:1.2em}}b{{color:#9b1c1c}}</style>
</head><body>
<main><h1>The site could not be built yet</h1>
<p>Fix the problems below and save; this page reloads by itself.</p>
<ul>{rows}</ul></main>
</body></html>
"""
    return inject(page.encode("utf-8"), endpoint, build)


def plain_not_found(endpoint: str, build: str) -> bytes:
    """Used when the site has no 404.html of its own."""
    page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title>"
            "</head><body><h1>Not found</h1><p>No page at this address.</p></body></html>")
    return inject(page.encode("utf-8"), endpoint, build)
