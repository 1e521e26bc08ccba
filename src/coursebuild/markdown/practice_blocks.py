"""Paired practice tags as a markdown-it block rule.

    {% question %} … {% endquestion %}          (also answer="a|b", tolerance=, shuffle=true)
    {% exercise "Title" %} … {% endexercise %}
    {% solution %} … {% endsolution %}          (inside an exercise)
    {% hint %} … {% endhint %}                  (inside a question or an exercise)

Each tag stands on a line of its own; the lines between a tag and its end tag
are Markdown, parsed by markdown-it like any other block content (so lists,
math, code and shortcodes work inside). The rule emits ``practice_open`` /
``practice_close`` tokens around that content; :mod:`.practice_render` turns
them into HTML once the whole page is parsed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, MutableMapping

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from ..diagnostics import Severity
from .shortcode_syntax import Call, ShortcodeSyntaxError, parse_call
from .state import PageState

OPENERS = {"question": "endquestion", "exercise": "endexercise", "hint": "endhint", "solution": "endsolution"}
CLOSERS = {end: name for name, end in OPENERS.items()}
OPTIONS = {"question": ("answer", "tolerance", "shuffle"), "exercise": (), "hint": (), "solution": ()}
TAG_NAME_RE = re.compile(r"\{%-?\s*([A-Za-z_][\w-]*)")
FENCE_RE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Option:
    """One choice of a question, as HTML."""

    html: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    """A question as the page, the review page and the reader's progress see it."""

    id: str
    """Stable across builds: a hash of the question's source (so stored answers survive edits elsewhere)."""
    number: int
    kind: str
    """``single`` (radio buttons), ``multiple`` (checkboxes) or ``text`` (a short answer)."""
    prompt: str
    options: tuple[Option, ...]
    answers: tuple[str, ...]
    """Accepted short answers (case and surrounding space are ignored)."""
    tolerance: str
    """For a numeric short answer: how far off an answer may be."""
    shuffle: bool


@dataclass
class PracticeState:
    """What the practice rules share while one page renders (``env["cb_practice"]``)."""

    solutions: str
    """``show`` (behind a control), ``end`` (gathered at the end) or ``omit`` (left out)."""
    stack: list[str] = field(default_factory=list)
    """Names of the open practice tags around the content being parsed."""
    questions: int = 0
    exercises: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    """How often each question hash occurred (a repeated question gets a suffix)."""
    found: list[Question] = field(default_factory=list)
    """Every question of the page, in reading order (filled in when they render)."""


def practice_of(env: MutableMapping[str, Any]) -> PracticeState:
    """The page's practice state (``render_body`` puts it in the env with the solutions mode)."""
    state: PracticeState = env["cb_practice"]
    return state


def practice_block_plugin(md: MarkdownIt) -> None:
    """Install the block rule (before fences, so it may also end a paragraph)."""
    md.block.ruler.before("fence", "practice", _practice_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})


def _practice_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[start] + state.tShift[start]
    match = TAG_NAME_RE.match(state.src, pos)
    if match is None or (match.group(1) not in OPENERS and match.group(1) not in CLOSERS):
        return False
    if silent:
        return True
    page: PageState = state.env["cb"]
    line = page.file_line(start)
    col = page.column(line, "{%")  # always found: the tag starts this line
    try:
        call = parse_call(state.src, pos)
    except ShortcodeSyntaxError as exc:
        page.report(Severity.ERROR, line, col, "shortcode-syntax", exc.message)
        state.line = start + 1
        return True
    tag_end = _line_of(state, call.end - 1, start)
    rest = state.src[call.end:state.eMarks[tag_end]]
    if rest.strip():
        page.report(Severity.ERROR, line, col, "practice-tag",
                    f"put the text after '{{% {call.name} %}}' on a line of its own")
    if call.name in CLOSERS:
        opener = CLOSERS[call.name]
        page.report(Severity.ERROR, line, col, "practice-tag",
                    f"'{{% {call.name} %}}' without an open '{{% {opener} %}}'")
        state.line = tag_end + 1
        return True
    return _open(state, call, start, tag_end, end, line, col)


def _open(state: StateBlock, call: Call, start: int, tag_end: int, end: int, line: int, col: int) -> bool:
    page: PageState = state.env["cb"]
    practice = practice_of(state.env)
    close = _find_close(state, call.name, tag_end + 1, end)
    if close is None:
        page.report(Severity.ERROR, line, col, "practice-unclosed",
                    f"'{{% {call.name} %}}' is never closed: add '{{% {OPENERS[call.name]} %}}' after its content")
        state.line = tag_end + 1
        return True
    _check_end_tag(state, close, page)
    placed = _check_place(call.name, practice.stack)
    if placed:
        page.report(Severity.ERROR, line, col, "practice-nesting", placed)
    _check_args(call, page, line, col)
    if call.name == "solution" and practice.solutions == "omit" and not placed:
        state.line = close + 1  # a student build: the solution is not even parsed
        return True
    kind = call.name if not placed else ""
    if kind == "question":
        practice.questions += 1
    elif kind == "exercise":
        practice.exercises += 1
    token = state.push("practice_open", "div", 1)
    token.map = [start, close + 1]
    token.meta = {"kind": kind, "call": call, "line": line, "col": col,
                  "number": practice.questions if kind == "question" else practice.exercises}
    if kind == "question":
        token.meta["id"] = _question_id(practice, state.getLines(tag_end + 1, close, 0, False))
    token.hidden = not kind
    _tokenize_inside(state, tag_end + 1, close, call.name)
    token = state.push("practice_close", "div", -1)
    token.meta = {"kind": kind}
    token.hidden = not kind
    state.line = close + 1
    return True


def _check_end_tag(state: StateBlock, close: int, page: PageState) -> None:
    """The end tag on line ``close`` must be well formed and alone on its line (text after
    it would be lost)."""
    pos = state.bMarks[close] + state.tShift[close]
    line = page.file_line(close)
    col = page.column(line, "{%")
    try:
        call = parse_call(state.src, pos)
    except ShortcodeSyntaxError as exc:
        page.report(Severity.ERROR, line, col, "shortcode-syntax", exc.message)
        return
    if state.src[call.end:state.eMarks[close]].strip():
        page.report(Severity.ERROR, line, col, "practice-tag",
                    f"put the text after '{{% {call.name} %}}' on a line of its own")


def _question_id(practice: PracticeState, source: str) -> str:
    """A hash of the question's text: stored answers survive edits elsewhere on the page."""
    digest = hashlib.blake2b(source.encode("utf-8"), digest_size=5).hexdigest()
    practice.ids[digest] = practice.ids.get(digest, 0) + 1
    return digest if practice.ids[digest] == 1 else f"{digest}-{practice.ids[digest]}"


def _tokenize_inside(state: StateBlock, first: int, last: int, name: str) -> None:
    """Parse lines ``first``..``last - 1`` as the tag's Markdown content."""
    practice = practice_of(state.env)
    old_max = state.lineMax
    state.lineMax = last
    practice.stack.append(name)
    try:
        state.md.block.tokenize(state, first, last)
    finally:
        practice.stack.pop()
        state.lineMax = old_max


def _line_of(state: StateBlock, offset: int, start: int) -> int:
    """The line holding source ``offset`` (a tag may span lines)."""
    line = start
    while line + 1 < state.lineMax and state.eMarks[line] < offset:
        line += 1
    return line


def _find_close(state: StateBlock, name: str, first: int, end: int) -> int | None:
    """The line of the end tag matching an open ``name`` (nested same tags counted;
    lines inside fenced code blocks are skipped)."""
    depth, fence = 1, ""
    for line in range(first, end):
        text = state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]
        fence_match = FENCE_RE.match(text)
        if fence_match:
            fence = "" if fence and text.startswith(fence) else fence or fence_match.group(1)
            continue
        if fence:
            continue
        match = TAG_NAME_RE.match(text)
        if match is None:
            continue
        if match.group(1) == name:
            depth += 1
        elif match.group(1) == OPENERS[name]:
            depth -= 1
            if depth == 0:
                return line
    return None


def _check_place(name: str, stack: list[str]) -> str:
    """Why ``name`` may not stand inside ``stack`` ("" when it may)."""
    parent = stack[-1] if stack else ""
    if name == "solution" and parent != "exercise":
        return "'{% solution %}' must be inside an '{% exercise %}'"
    if name == "hint" and parent not in ("question", "exercise"):
        return "'{% hint %}' must be inside a '{% question %}' or an '{% exercise %}'"
    if name in ("question", "exercise") and name in stack:
        return f"a '{{% {name} %}}' cannot be inside another one"
    if name == "exercise" and "question" in stack:
        return "an '{% exercise %}' cannot be inside a '{% question %}'"
    return ""


def _check_args(call: Call, page: PageState, line: int, col: int) -> None:
    wanted = 1 if call.name == "exercise" else 0
    if len(call.args) > wanted:
        page.report(Severity.ERROR, line, col, "practice-tag",
                    f"'{{% {call.name} %}}' takes {'one title' if wanted else 'no'} quoted argument"
                    f"{'' if wanted else 's'}, got {len(call.args)}")
    for key, _ in call.kwargs:
        if key not in OPTIONS[call.name]:
            allowed = ", ".join(OPTIONS[call.name]) or "none"
            page.report(Severity.ERROR, line, col, "practice-tag",
                        f"'{{% {call.name} %}}' has no option '{key}' (options: {allowed})")
