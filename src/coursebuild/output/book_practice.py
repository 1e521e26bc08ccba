"""Practice in the book: questions, exercises and solutions made for paper.

The rule (documented in the guide's "Taking the course anywhere"):

- A question prints with its prompt and options; it has no controls (the book
  loads no script). Its answer key (right answers and every option's
  feedback) moves to an "Answers" section at the end of its chapter, linked
  both ways, so a reader can try before looking.
- Exercises print with their hints open. Their solutions follow
  ``solutions``: ``show`` prints each solution right after its exercise,
  ``end`` gathers them in a "Solutions" section at the chapter's end (linked
  both ways), ``omit`` leaves them out of the build, hence out of the PDF.
- ``solutions: omit`` is a student copy: the answer keys of questions are
  left out too.
"""

from __future__ import annotations

import re

ANSWER_OPEN = '<details class="question-answer" data-pagefind-ignore><summary>Show the answer</summary>'
QUESTION_RE = re.compile(r'<div class="question" id="question-([^"]+)"')
LABEL_RE = re.compile(r'<p class="question-label"[^>]*>([^<]*)</p>')
DETAILS_TAG_RE = re.compile(r"<(/?)details\b")
KEY_ATTR_RE = re.compile(r'\sdata-(?:correct|answers|tolerance)="[^"]*"')
SOLUTIONS_OPEN = '<section class="solutions" aria-labelledby="solutions-title">'


def _details_end(html: str, start: int) -> int:
    """The index just after the ``</details>`` closing the one opened at ``start``."""
    depth = 0
    for match in DETAILS_TAG_RE.finditer(html, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return html.index(">", match.end()) + 1
    return len(html)


def gather_answers(html: str, keep: bool) -> tuple[str, str]:
    """The body without its questions' answer keys, and the chapter's "Answers"
    section (empty when there are no questions or ``keep`` is false)."""
    out: list[str] = []
    answers: list[str] = []
    position = 0
    for question in QUESTION_RE.finditer(html):
        start = html.find(ANSWER_OPEN, question.end())
        if start < position or start < 0:
            continue
        label = LABEL_RE.search(html, question.end())
        name = label.group(1) if label else "Question"
        ident = question.group(1)
        end = _details_end(html, start)
        out.append(html[position:start])
        if keep:
            key = html[start + len(ANSWER_OPEN):end - len("</details>")]
            out.append(f'<p class="question-answer-link" id="question-{ident}-answer">'
                       f'<a href="#answer-{ident}">Answer</a> at the end of the chapter</p>')
            answers.append(f'<div class="answer-end" id="answer-{ident}"><p class="solution-title">'
                           f'<a href="#question-{ident}">{name}</a></p>{key}</div>\n')
        position = end
    out.append(html[position:])
    section = ('<section class="answers"><h2 class="answers-title">Answers</h2>\n'
               + "".join(answers) + "</section>\n") if answers else ""
    return "".join(out), section


def split_solutions(html: str) -> tuple[str, str]:
    """``solutions: end``: the page's closing "Solutions" section apart from the body,
    so it can follow the key points at the chapter's end."""
    start = html.find(SOLUTIONS_OPEN)
    if start < 0 or not html.rstrip().endswith("</section>"):
        return html, ""
    return html[:start], html[start:]


def for_paper(html: str) -> str:
    """Words written for a screen, said for a book; no answers hidden in attributes
    for a script (the book has none)."""
    return (KEY_ATTR_RE.sub("", html).replace("<summary>Show solution</summary>", "<summary>Solution</summary>")
                .replace("</a> (at the end of the page)</p>", "</a> (at the end of the chapter)</p>"))
