"""Turn the practice tokens of a parsed page into HTML.

Runs as the last core rule, when shortcodes, math and glossary marks inside
the practice content are already in place. A question is restructured (its
``- [x]`` list becomes options, the blockquotes under them feedback) and
replaced by one ``html_block``; exercises, hints and shown solutions keep
their tokens and get wrapper HTML from render rules; with ``solutions: end``
the solutions move to the end of the page.

The markup works without JavaScript: options are a plain list, the answer
and every option's feedback wait in a closed ``<details>``, hints and
solutions are ``<details>`` too. questions.js makes the options answerable.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any, MutableMapping

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..diagnostics import Severity
from .practice_blocks import Option, PracticeState, Question, practice_block_plugin, practice_of
from .rules import render_inline_fragment
from .state import PageState

MARK_RE = re.compile(r"^\[([ xX])\](?:[ \t]+|(?=\n)|$)")
"""``[x]`` / ``[ ]`` and the space after it; the option's text may start on the next line."""
ID_ATTR_RE = re.compile(r'\sid="[^"]*"')
PRACTICE_TAGS = ("question", "endquestion", "exercise", "endexercise", "hint", "endhint",
                 "solution", "endsolution")


def practice_plugin(md: MarkdownIt) -> None:
    """Questions, exercises, hints and solutions (register after the other plugins)."""
    practice_block_plugin(md)
    md.core.ruler.after("inline", "cb_practice_inline_tags", _inline_tags)
    md.core.ruler.push("cb_practice", _render_practice)
    md.add_render_rule("practice_open", _render_open)
    md.add_render_rule("practice_close", _render_close)


def _inline_tags(state: StateCore) -> None:
    """A practice tag in running text is a mistake: say where it must go."""
    for token in state.tokens:
        for index, child in enumerate(token.children or []):
            call = child.meta.get("call") if child.type == "shortcode" else None
            if call is not None and call.name in PRACTICE_TAGS:
                error = Token("shortcode_error", "", 0)
                error.meta = {"offset": child.meta["offset"],
                              "message": f"'{{% {call.name} %}}' must stand on a line of its own"}
                token.children[index] = error  # type: ignore[index]


def _render_practice(state: StateCore) -> None:
    if state.inlineMode:
        return
    practice = practice_of(state.env)
    tokens = state.tokens
    _check_stray_options(tokens, state.env["cb"])
    index = len(tokens) - 1
    questions: list[Question] = []
    while index >= 0:  # from the end, so replacing a range keeps earlier indexes valid
        token = tokens[index]
        if token.type == "practice_open" and token.meta.get("kind") == "question":
            close = _matching_close(tokens, index)
            html, question = _question(state, tokens[index:close + 1])
            block = Token("html_block", "", 0)
            block.content, block.map = html, token.map
            tokens[index:close + 1] = [block]
            if question is not None:
                questions.append(question)
        elif token.type == "practice_open" and token.meta.get("kind") == "exercise":
            title = token.meta["call"].args[0] if token.meta["call"].args else ""
            token.meta["title_html"] = render_inline_fragment(state.md, title, state.env,
                                                               token.meta["line"]) if title else ""
        index -= 1
    practice.found = list(reversed(questions))
    if practice.solutions == "end":
        _gather_solutions(state)


def _matching_close(tokens: list[Token], start: int) -> int:
    """Index of the ``practice_close`` that ends the ``practice_open`` at ``start``."""
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].type == "practice_open":
            depth += 1
        elif tokens[index].type == "practice_close":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("a practice_open token without its practice_close")  # the block rule pushes both


def _ranges(tokens: list[Token], open_type: str, level: int) -> list[tuple[int, int]]:
    """(open, close) index pairs of ``open_type`` tokens at nesting ``level``."""
    close_type = open_type.replace("_open", "_close")
    out, start = [], -1
    for index, token in enumerate(tokens):
        if token.level != level:
            continue
        if token.type == open_type:
            start = index
        elif token.type == close_type and start >= 0:
            out.append((start, index))
            start = -1
    return out


def _render(state: StateCore, tokens: list[Token]) -> str:
    return state.md.renderer.render(tokens, state.md.options, state.env)


# --- Questions ---------------------------------------------------------------

def _question(state: StateCore, tokens: list[Token]) -> tuple[str, Question | None]:
    page: PageState = state.env["cb"]
    opening = tokens[0]
    call, line, col = opening.meta["call"], opening.meta["line"], opening.meta["col"]
    inner = tokens[1:-1]
    lists = [r for r in _ranges(inner, "bullet_list_open", opening.level + 1) if _is_option_list(inner, r)]
    options: list[Option] = []
    if lists:
        for extra in lists[1:]:
            page.report(Severity.ERROR, _line(page, inner[extra[0]], line), col, "question-options",
                        "a question has one list of '- [x]' / '- [ ]' options; this is a second one")
        first, last = lists[0]
        options = _options(state, inner[first:last + 1], page, line)
        inner = inner[:first] + inner[last + 1:]
    answer = call.kwarg("answer")
    tolerance = call.kwarg("tolerance") or ""
    problem = _question_problem(options, answer, tolerance)
    if problem:
        page.report(Severity.ERROR, line, col, "question", problem)
        return "", None
    ident = opening.meta["id"]
    kind = "text" if answer is not None else "multiple" if sum(o.correct for o in options) > 1 else "single"
    answers = tuple(a.strip() for a in answer.split("|") if a.strip()) if answer is not None else ()
    question = Question(ident, opening.meta["number"], kind, _render(state, inner).strip(), tuple(options),
                        answers, tolerance.strip(), call.kwarg("shuffle", "false").lower() == "true")
    return question_html(question), question


def _question_problem(options: list[Option], answer: str | None, tolerance: str) -> str:
    if options and answer is not None:
        return "a question has either '- [x]' options or answer=\"…\", not both"
    if not options and answer is None:
        return ("a question needs options ('- [x] right' / '- [ ] wrong' lines) "
                "or a short answer (answer=\"…\")")
    if options and not any(o.correct for o in options):
        return "no option is marked correct: mark the right one(s) with '- [x]'"
    if answer is not None and not answer.replace("|", "").strip():
        return "answer=\"\" is empty: give the accepted answer(s), separated by '|'"
    if tolerance:
        try:
            value = float(tolerance)
        except ValueError:
            return f"tolerance=\"{tolerance}\" is not a number"
        if value < 0:
            return f"tolerance=\"{tolerance}\" must not be negative"
        if answer is None:
            return "tolerance= only applies to a numeric answer=\"…\""
        try:
            for alternative in answer.split("|"):
                float(alternative)
        except ValueError:
            return f"tolerance= needs a numeric answer, and answer=\"{answer}\" is not a number"
    return ""


def _is_option_list(tokens: list[Token], span: tuple[int, int]) -> bool:
    first, last = span
    items = tokens[first:last + 1]
    return any(_mark_of(items, item) is not None for item, _ in _ranges(items, "list_item_open", items[0].level + 1))


def _mark_of(tokens: list[Token], item: int) -> str | None:
    """``x`` or `` `` for an item starting with ``[x]`` / ``[ ]`` (None otherwise)."""
    for token in tokens[item + 1:]:
        if token.type == "inline":
            match = MARK_RE.match(token.content)
            return match.group(1).lower() if match else None
        if token.type not in ("paragraph_open",):
            return None
    return None


def _options(state: StateCore, tokens: list[Token], page: PageState, line: int) -> list[Option]:
    level = tokens[0].level
    out = []
    for first, last in _ranges(tokens, "list_item_open", level + 1):
        item = tokens[first + 1:last]
        mark = _mark_of(tokens, first)
        if mark is None:
            item_line = _line(page, tokens[first], line)
            page.report(Severity.ERROR, item_line, page.column(item_line, tokens[first].markup), "question-options",
                        "every item of the options list must start with '[x]' (right) or '[ ]' (wrong)")
            continue
        _strip_mark(item)
        body, feedback = [], []
        for start, end in _ranges(item, "blockquote_open", level + 2):
            feedback.extend(item[start + 1:end])
        quoted = {i for start, end in _ranges(item, "blockquote_open", level + 2) for i in range(start, end + 1)}
        body = [t for i, t in enumerate(item) if i not in quoted]
        out.append(Option(_render(state, body).strip(), mark == "x", _render(state, feedback).strip()))
    return out


def _strip_mark(item: list[Token]) -> None:
    """Take the ``[x]`` / ``[ ]`` mark off an option's inline children (what renders)."""
    inline = next(t for t in item if t.type == "inline")
    children = inline.children or []
    if len(children) > 2 and children[0].type == "link_open" and children[2].type == "link_close":
        del children[:3]  # the page defines a link reference named "x", so "[x]" became a link
        if children and children[0].type == "text":
            children[0].content = children[0].content.lstrip(" \t")
    elif children and children[0].type == "text":
        children[0].content = MARK_RE.sub("", children[0].content)  # anchored: one mark at most
    if children and children[0].type == "text" and not children[0].content:
        del children[0]
    if children and children[0].type == "softbreak":  # the mark stood alone on its line
        del children[0]


def _line(page: PageState, token: Token, fallback: int) -> int:
    return page.file_line(token.map[0]) if token.map else fallback


def question_html(q: Question) -> str:
    """The markup of a question (also what the review page's data holds)."""
    ident = f"question-{q.id}"
    attrs = f'class="question" id="{ident}" data-question="{q.id}" data-kind="{q.kind}" role="group" ' \
            f'aria-labelledby="{ident}-label"'
    if q.shuffle:
        attrs += ' data-shuffle="true"'
    if q.kind == "text":
        attrs += f' data-answers="{escape(json.dumps(list(q.answers), ensure_ascii=False))}"'
        if q.tolerance:
            attrs += f' data-tolerance="{escape(q.tolerance)}"'
    parts = [f"<div {attrs}>",
             f'<p class="question-label" id="{ident}-label">Question {q.number}</p>',
             f'<div class="question-prompt">{q.prompt}</div>']
    if q.options:
        parts.append('<ul class="question-options">')
        parts += [f'<li class="question-option" data-correct="{str(o.correct).lower()}">{o.html}</li>'
                  for o in q.options]
        parts.append("</ul>")
    parts.append(f'<details class="question-answer" data-pagefind-ignore><summary>Show the answer</summary>'
                 f"{answer_key_html(q)}</details>")
    parts.append("</div>")
    return "".join(parts) + "\n"


def answer_key_html(q: Question) -> str:
    """The right answer(s) with every option's feedback (also the back of a review card)."""
    if q.kind == "text":
        first, others = q.answers[0], q.answers[1:]
        text = f'<p class="question-key"><span class="key-mark">Answer:</span> {escape(first)}'
        if q.tolerance:
            text += f" (± {escape(q.tolerance)})"
        if others:
            text += " <span class=\"key-also\">(also accepted: " + ", ".join(escape(a) for a in others) + ")</span>"
        return text + "</p>"
    items = []
    for index, option in enumerate(q.options):
        mark = "Correct:" if option.correct else "Not correct:"
        shown = ID_ATTR_RE.sub("", option.html)  # the option itself keeps the ids (citations)
        feedback = (f'<div class="question-feedback" data-option="{index}">{option.feedback}</div>'
                    if option.feedback else "")
        items.append(f'<li class="{"is-correct" if option.correct else "is-wrong"}">'
                     f'<span class="key-mark">{mark}</span> <div class="key-option">{shown}</div>'
                     f"{feedback}</li>")
    return '<ul class="question-key">' + "".join(items) + "</ul>"


def _check_stray_options(tokens: list[Token], page: PageState) -> None:
    """``- [x]`` outside a question is most likely a question whose tags were forgotten."""
    depth = 0
    for index, token in enumerate(tokens):
        if token.type == "practice_open" and token.meta.get("kind") == "question":
            depth += 1
        elif token.type == "practice_close" and token.meta.get("kind") == "question":
            depth -= 1
        elif depth == 0 and token.type == "list_item_open" and _mark_of(tokens, index) == "x":
            line = _line(page, tokens[index + 1], 0)  # the item's first block: the mark may follow the bullet's line
            col = page.column(line, "[x]") or page.column(line, "[X]")
            page.report(Severity.WARNING, line, col, "question-options",
                        "'[x]' marks the right option of a question, but this list is not inside "
                        "'{% question %}' … '{% endquestion %}'")


# --- Exercises, hints and solutions -----------------------------------------

def _render_open(self: Any, tokens: list[Token], idx: int, options: Any, env: MutableMapping[str, Any]) -> str:
    token = tokens[idx]
    kind = token.meta.get("kind")
    if kind == "exercise":
        number = token.meta["number"]
        title = token.meta["title_html"]  # set for every exercise by _render_practice
        title_html = f' <span class="exercise-name">{title}</span>' if title else ""
        return (f'<section class="exercise" id="exercise-{number}" aria-labelledby="exercise-{number}-title">'
                f'<p class="exercise-title" id="exercise-{number}-title"><span class="exercise-label">'
                f"Exercise {number}</span>{title_html}</p>\n")
    if kind == "hint":
        return '<details class="hint"><summary>Hint</summary>\n'
    if kind == "solution":
        return '<details class="solution"><summary>Show solution</summary>\n'
    return ""


def _render_close(self: Any, tokens: list[Token], idx: int, options: Any, env: MutableMapping[str, Any]) -> str:
    kind = tokens[idx].meta.get("kind")
    if kind == "exercise":
        return "</section>\n"
    if kind in ("hint", "solution"):
        return "</details>\n"
    return ""


def _gather_solutions(state: StateCore) -> None:
    """``solutions: end``: each solution becomes a link to a Solutions section at the end."""
    tokens = state.tokens
    gathered: list[str] = []
    exercise = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "practice_open" and token.meta.get("kind") == "exercise":
            exercise = token.meta
        elif token.type == "practice_open" and token.meta.get("kind") == "solution" and exercise:
            close = _matching_close(tokens, index)
            number = exercise["number"]
            body = _render(state, tokens[index + 1:close])
            title = exercise["title_html"]
            gathered.append(f'<div class="solution-end" id="solution-{number}">'
                            f'<p class="solution-title"><a href="#exercise-{number}">Exercise {number}</a>'
                            f'{" " + title if title else ""}</p>\n{body}</div>\n')
            link = Token("html_block", "", 0)
            link.map = token.map
            link.content = (f'<p class="solution-link" id="exercise-{number}-solution"><a href="#solution-{number}">'
                            f"Solution to exercise {number}</a> (at the end of the page)</p>\n")
            tokens[index:close + 1] = [link]
        index += 1
    if gathered:
        end = Token("html_block", "", 0)
        end.content = ('<section class="solutions" aria-labelledby="solutions-title">'
                       '<h2 id="solutions-title">Solutions</h2>\n' + "".join(gathered) + "</section>\n")
        tokens.append(end)


def questions_of(env: MutableMapping[str, Any]) -> tuple[tuple[Question, ...], int]:
    """The page's questions and its number of exercises, once it is parsed."""
    practice: PracticeState = practice_of(env)
    return tuple(practice.found), practice.exercises
