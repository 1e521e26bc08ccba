"""Course-structure checks and the data built from every page's front matter:
learning-path order, prerequisites (existence, titles, order, cycles) and the
glossary."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from .course import Course, Page
from .frontmatter import GlossaryEntry
from .diagnostics import Diagnostic, did_you_mean, error, warning
from .markdown.state import GlossaryTerm


@dataclass(frozen=True)
class GlossaryItem:
    """A glossary term with the topic that defines it."""

    term: GlossaryTerm
    page: Page


def anchor_for(term: str) -> str:
    """A stable id for a glossary term in any script.

    Latin terms keep the ASCII ids they always had (``Side note`` →
    ``term-side-note``, ``Café`` → ``term-cafe``). A term with letters that
    have no ASCII form keeps them (``注意`` → ``term-注意``, ``Søren`` →
    ``term-søren``): HTML ids and URL fragments may hold any character but
    spaces. A term with neither letters nor digits (``★``) gets a short hash.
    """
    decomposed = unicodedata.normalize("NFKD", term)
    if all(ord(c) < 128 or unicodedata.category(c)[0] not in "LN" for c in decomposed):
        text = decomposed.encode("ascii", "ignore").decode().lower()
        slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    else:
        folded = unicodedata.normalize("NFKC", term).casefold()
        slug = re.sub(r"-+", "-", "".join(c if _is_word(c) else "-" for c in folded)).strip("-")
    if not slug:
        slug = hashlib.sha256(term.encode("utf-8")).hexdigest()[:8]
    return "term-" + slug


def _is_word(char: str) -> bool:
    """Letters, digits and combining marks (the vowel signs of many scripts)."""
    return unicodedata.category(char)[0] in "LNM"


def check_order(course: Course) -> list[Diagnostic]:
    """Duplicate or gapped ``order`` values within a block are warnings."""
    diags: list[Diagnostic] = []
    for bp in course.path:
        seen: dict[int, Page] = {}
        for topic in bp.topics:
            order = topic.meta.order
            if order < 1:
                continue  # missing or invalid: already an error from the front matter check
            if order in seen:
                diags.append(warning(topic.rel, topic.meta.order_line, 0, "order-duplicate",
                                     f"order {order} is also used by {seen[order].rel}"))
            seen.setdefault(order, topic)
        expected = 1
        for order in sorted(seen):
            if order != expected:
                page = seen[order]
                jump = f"jumps from {expected - 1} to {order}" if expected > 1 else f"starts at {order}, not 1,"
                diags.append(warning(page.rel, page.meta.order_line, 0, "order-gap",
                                     f"order {jump} in block '{bp.title}'"))
            expected = order + 1
    return diags


def check_prerequisites(course: Course) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    position = {t.slug: i for i, t in enumerate(course.topics)}
    for topic in course.topics:
        for prereq in topic.meta.prerequisites:
            target = course.topic_for_url(prereq.url)
            if target is None:
                slug = prereq.url.strip("/").split("/")[-1]
                diags.append(error(topic.rel, prereq.line, prereq.col, "prerequisite-missing",
                                   f"prerequisite '{prereq.url}' is not a topic of this course"
                                   f"{did_you_mean(slug, position)}"))
                continue
            if target.meta.title != prereq.title:
                diags.append(warning(topic.rel, prereq.title_line, prereq.title_col, "prerequisite-title",
                                     f"prerequisite title '{prereq.title}' differs from the topic's title "
                                     f"'{target.meta.title}'"))
            if target is topic:
                continue  # reported as a cycle below
            if position[target.slug] > position[topic.slug]:
                diags.append(warning(topic.rel, prereq.line, prereq.col, "prerequisite-order",
                                     f"prerequisite '{target.slug}' comes later in the learning path"))
    diags.extend(_cycles(course))
    return diags


def prerequisite_edges(course: Course) -> dict[str, list[str]]:
    """slug → slugs of its (existing) prerequisites (computed once per course)."""
    if "edges" in course.memo:
        return course.memo["edges"]  # type: ignore[return-value]
    edges: dict[str, list[str]] = {}
    for topic in course.topics:
        targets = [course.topic_for_url(p.url) for p in topic.meta.prerequisites]
        edges[topic.slug] = [t.slug for t in targets if t is not None]
    course.memo["edges"] = edges
    return edges


def leads_to(course: Course) -> dict[str, list[Page]]:
    """slug → topics that list it as a prerequisite, in learning-path order."""
    if "leads" in course.memo:
        return course.memo["leads"]  # type: ignore[return-value]
    out: dict[str, list[Page]] = defaultdict(list)
    for slug, targets in prerequisite_edges(course).items():
        for target in targets:
            out[target].append(course.by_slug[slug])
    course.memo["leads"] = out
    return out


def _cycles(course: Course) -> list[Diagnostic]:
    """Each prerequisite cycle once, as ``a → b → a`` with the files involved."""
    edges = prerequisite_edges(course)
    colour: dict[str, int] = {}
    reported: set[frozenset[str]] = set()
    diags: list[Diagnostic] = []

    def visit(slug: str, stack: list[str]) -> None:
        colour[slug] = 1
        stack.append(slug)
        for nxt in edges.get(slug, []):
            if colour.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    diags.append(_cycle_error(course, cycle))
            elif nxt not in colour:
                visit(nxt, stack)
        stack.pop()
        colour[slug] = 2

    for topic in course.topics:
        if topic.slug not in colour:
            visit(topic.slug, [])
    return diags


def _cycle_error(course: Course, cycle: list[str]) -> Diagnostic:
    first = course.by_slug[cycle[0]]
    line = next((p.line for p in first.meta.prerequisites
                 if course.topic_for_url(p.url) is course.by_slug[cycle[1]]), 0)
    chain = " → ".join(cycle)
    files = ", ".join(course.by_slug[s].rel for s in cycle[:-1])
    return error(first.rel, line, 0, "prerequisite-cycle", f"prerequisite cycle: {chain} (in {files})")


def collect_glossary(course: Course) -> tuple[dict[str, GlossaryItem], list[Diagnostic]]:
    """Every term, keyed by its case-folded text; the first definition in
    learning-path order wins and a second one is a warning naming both files."""
    items: dict[str, GlossaryItem] = {}
    by_anchor: dict[str, tuple[GlossaryEntry, Page]] = {}
    diags: list[Diagnostic] = []
    for topic in course.topics:
        for entry in topic.meta.glossary:
            key = entry.term.casefold()
            if key in items:
                first = items[key].page
                diags.append(warning(topic.rel, entry.term_line, entry.term_col, "glossary-duplicate",
                                     f"glossary term '{entry.term}' is already defined in {first.rel}"))
                continue
            anchor = anchor_for(entry.term)
            if anchor in by_anchor:
                # Two different terms, one id: the second's marks would link to the first.
                other, page = by_anchor[anchor]
                diags.append(error(topic.rel, entry.term_line, entry.term_col, "glossary-id",
                                   f"glossary term '{entry.term}' gets the same id '{anchor}' as "
                                   f"'{other.term}' ({page.rel}:{other.term_line}:{other.term_col}); "
                                   "rename one of them"))
                continue
            by_anchor[anchor] = (entry, topic)
            items[key] = GlossaryItem(GlossaryTerm(entry.term, anchor, entry.definition), topic)
    return items, diags
