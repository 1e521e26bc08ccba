"""Practice across the site: what topic pages, the home page and /review/ get.

Topic pages show their objectives, key points, question count and what to
read next; the learning path carries per-topic question and card counts (for
practice badges and due counts); the review page reads ``review/cards.json``,
the glossary terms and questions of every topic as flash cards. Solutions of
exercises are never part of a card, so ``solutions: omit`` keeps them out.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

from .course import Page
from .markdown.practice_render import answer_key_html
from .structure import leads_to, prerequisite_edges

if TYPE_CHECKING:
    from .site import SiteData

REVIEW_DATA = "review/cards.json"


def practice_summary(data: "SiteData", page: Page) -> dict[str, Any]:
    """Per-topic counts for the learning path (home page, progress, due cards)."""
    body = data.bodies.get(page.rel)
    questions = len(body.questions) if body else 0
    return {"questions": questions, "cards": questions + len(_terms_of(data, page))}


def practice_context(data: "SiteData", page: Page) -> dict[str, Any]:
    """What topic.html needs for objectives, key points, practice and "read next"."""
    body = data.bodies[page.rel]
    course = data.course
    nexts: list[dict[str, Any]] = []
    edges = prerequisite_edges(course)
    candidates = list(leads_to(course).get(page.slug, []))
    following = course.neighbours(page)[1]
    if following is not None and following not in candidates:
        candidates.append(following)
    for topic in candidates:
        nexts.append({"title": topic.meta.title, "url": topic.url, "slug": topic.slug,
                      "prerequisites": " ".join(s for s in edges.get(topic.slug, []) if s != page.slug)})
    return {
        "objectives": list(page.meta.objectives), "key_points": list(page.meta.key_points),
        "questions": len(body.questions), "exercises": body.exercises,
        "finish_on_questions": course.config.finish_on_questions, "read_next": nexts,
    }


def _terms_of(data: "SiteData", page: Page) -> list[Any]:
    return [item for item in data.glossary.values() if item.page is page]


def review_cards(data: "SiteData") -> tuple[bytes, int]:
    """``review/cards.json`` (every glossary term and question, by topic, as cards) and
    how many cards it holds."""
    cards: list[dict[str, str]] = []
    for topic in data.course.topics:
        for item in _terms_of(data, topic):
            cards.append({"id": f"t:{item.term.anchor}", "topic": topic.slug, "kind": "term",
                          "front": escape(item.term.term), "back": escape(item.term.definition),
                          "url": topic.url})
        body = data.bodies.get(topic.rel)
        for q in body.questions if body else ():
            options = "".join(f"<li>{o.html}</li>" for o in q.options)
            front = q.prompt + (f'<ul class="card-options">{options}</ul>' if options else "")
            cards.append({"id": f"q:{topic.slug}:{q.id}", "topic": topic.slug, "kind": "question",
                          "front": front, "back": answer_key_html(q), "url": f"{topic.url}#question-{q.id}"})
    return json.dumps({"cards": cards}, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), len(cards)
