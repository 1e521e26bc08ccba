"""Templates: every output page rendered with Jinja2 from the course model.

The course's own ``templates/`` folder overrides the built-in theme file by
file (a ChoiceLoader); the context each template gets is documented in
docs/templates.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .bib.cite_page import cite_this_page
from .bibliography import Bibliography
from .confine import ConfinedLoader
from .course import Course, Page
from .diagnostics import Diagnostic, error
from .images import first_figure
from .markdown.render import RenderedBody
from .structure import GlossaryItem, leads_to, prerequisite_edges
from .practice import practice_context, practice_summary


class TemplateFailure(Exception):
    """A template could not be loaded or rendered; carries a diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def environment(course_dir: Path, theme_dir: Path) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if (course_dir / "templates").is_dir():
        loaders.append(ConfinedLoader(course_dir / "templates", course_dir))
    loaders.append(jinja2.FileSystemLoader(theme_dir / "templates"))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(env: jinja2.Environment, name: str, course_dir: Path, **context: Any) -> str:
    """Render ``name``; template problems become a diagnostic at the template's line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailure(error(_template_path(exc.filename, course_dir, name), exc.lineno or 0, 0,
                                    "template-syntax", exc.message or "template syntax error")) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateFailure(error(f"templates/{name}", 0, 0, "template-missing",
                                    f"template '{exc.name}' not found")) from None
    except jinja2.UndefinedError as exc:
        raise TemplateFailure(error(f"templates/{name}", _template_line(exc), 0, "template-undefined",
                                    f"while rendering {context.get('page', {}).get('url', name)}: {exc.message}")) from None
    except Exception as exc:  # a theme bug must still end in a diagnostic, not a traceback
        raise TemplateFailure(error(f"templates/{name}", _template_line(exc), 0, "template-error",
                                    f"{type(exc).__name__}: {exc}")) from None


def _template_path(filename: str | None, course_dir: Path, name: str) -> str:
    if filename:
        path = Path(filename)
        if path.is_relative_to(course_dir):
            return path.relative_to(course_dir).as_posix()
        return f"(built-in theme) templates/{path.name}"
    return f"templates/{name}"


def _template_line(exc: BaseException) -> int:
    """The template line from a Jinja traceback frame, when there is one."""
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml")):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@dataclass
class SiteData:
    """Everything the templates need beyond one page, computed once per build."""

    course: Course
    bodies: dict[str, RenderedBody]
    glossary: dict[str, GlossaryItem]
    bibliography: Bibliography
    build_id: str
    cache_dir: Path | None = None
    """Where a command-line build keeps what it can reuse next time (None: nowhere)."""

    def reading_minutes(self, page: Page) -> int:
        body = self.bodies.get(page.rel)
        words = body.words if body else 0
        return max(1, math.ceil(words / max(1, self.course.config.words_per_minute)))

    def topic_summary(self, page: Page, prereqs: dict[str, list[str]]) -> dict[str, Any]:
        return {"title": page.meta.title, "description": page.meta.description, "url": page.url,
                "slug": page.slug, "order": page.meta.order, "reading_minutes": self.reading_minutes(page),
                "block_slug": page.source.block or "", "prerequisites": prereqs.get(page.slug, []),
                **practice_summary(self, page)}

    def site_context(self) -> dict[str, Any]:
        config = self.course.config
        prereqs = prerequisite_edges(self.course)
        blocks = [{"title": bp.title, "slug": bp.slug,
                   "topics": [self.topic_summary(t, prereqs) for t in bp.topics]}
                  for bp in self.course.path]
        cited = {k for b in self.bodies.values() for k in b.cited}
        return {
            "title": config.title, "description": config.description, "author": config.author,
            "language": config.language, "base_url": config.base_url, "repo_url": config.repo_url,
            "site_url": config.site_url.rstrip("/"), "citation_style": config.citation_style,
            "version": __version__, "build_id": self.build_id, "blocks": blocks,
            "topic_count": len(self.course.topics), "glossary_count": len(self.glossary),
            "reference_count": len(cited), "image": config.image,
        }


def page_info(site: dict[str, Any], kind: str, title: str, description: str, url: str) -> dict[str, Any]:
    canonical = (site["site_url"] + site["base_url"].rstrip("/") + url) if site["site_url"] else url
    return {"kind": kind, "title": title, "description": description, "url": url, "canonical": canonical}


def topic_context(data: SiteData, page: Page, edit_base: str) -> dict[str, Any]:
    course = data.course
    body = data.bodies[page.rel]
    prev, nxt = course.neighbours(page)
    block = course.block_of(page)
    prerequisites = []
    for prereq in page.meta.prerequisites:
        target = course.topic_for_url(prereq.url)
        if target is not None:
            prerequisites.append({"title": target.meta.title, "url": target.url, "slug": target.slug})
    leads = [{"title": t.meta.title, "url": t.url, "slug": t.slug}
             for t in leads_to(course).get(page.slug, [])]
    return {
        "title": page.meta.title, "description": page.meta.description, "url": page.url,
        "slug": page.slug, "order": page.meta.order, "reading_minutes": data.reading_minutes(page),
        "words": body.words, "body": body.html, "references": body.references_html,
        "toc": [{"level": h.level, "id": h.id, "text": h.text} for h in body.headings if h.level in (2, 3)],
        "block": {"title": block.title, "slug": block.slug} if block and block.block else None,
        "prev": {"title": prev.meta.title, "url": prev.url} if prev else None,
        "next": {"title": nxt.meta.title, "url": nxt.url} if nxt else None,
        "prerequisites": prerequisites, "leads_to": leads,
        "glossary": [{"term": g.term, "anchor": _anchor(data, g.term)} for g in page.meta.glossary],
        "edit_url": f"{edit_base}{page.rel}" if edit_base else "",
        "has_math": 'class="katex"' in body.html, "source": page.rel,
        **practice_context(data, page),
        "cite": cite_this_page(course.config, page.meta.title, page.url, page.slug),
        "image": first_figure(body.html, page.url), "has_notes": 'class="note ' in body.html,
    }


def _anchor(data: SiteData, term: str) -> str:
    item = data.glossary.get(term.casefold())
    return item.term.anchor if item else ""


def edit_base(repo_url: str, branch: str) -> str:
    """``https://github.com/o/r`` → ``https://github.com/o/r/edit/main/``."""
    if not repo_url:
        return ""
    url = repo_url.rstrip("/")
    if url.endswith(".git"):
        url = url[:-4]
    if "gitlab" in url:
        return f"{url}/-/edit/{branch}/"
    return f"{url}/edit/{branch}/"
