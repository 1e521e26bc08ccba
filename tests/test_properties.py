"""Property tests (hypothesis): front matter and course.yml with YAML tags and dates.

Whatever the typed values, reading a header gives diagnostics with a position
inside the header, never an exception; a date that does not exist is an error
at the date itself.  ``COURSEBUILD_FUZZ_EXAMPLES=N`` runs N examples per property.
"""

from __future__ import annotations

import calendar
import os
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from coursebuild import config, frontmatter

TAGS = ["", "!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!str ", "!!null ", "!!binary ", "!!set ",
        "!!omap ", "!!seq ", "!!map ", "!!python/object:os.system ", "!<tag:yaml.org,2002:int> ", "!local "]
EXAMPLES = int(os.environ.get("COURSEBUILD_FUZZ_EXAMPLES", "100"))
"""Examples per property; a longer fuzz run by hand: COURSEBUILD_FUZZ_EXAMPLES=20000."""
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def dates() -> st.SearchStrategy[str]:
    """Dates and timestamps, many of them impossible (month 13, February 30, hour 25)."""
    day = st.tuples(st.integers(0, 99999), st.integers(0, 14), st.integers(0, 40))
    time = st.one_of(st.just(""), st.tuples(st.sampled_from(["T", " ", "t"]), st.integers(0, 30),
                                             st.integers(0, 70), st.integers(0, 70),
                                             st.sampled_from(["", "Z", "+01:00", "-25:00", ".5"])
                                             ).map(lambda t: f"{t[0]}{t[1]:02d}:{t[2]:02d}:{t[3]:02d}{t[4]}"))
    return st.tuples(day, time).map(lambda dt: f"{dt[0][0]:04d}-{dt[0][1]:02d}-{dt[0][2]:02d}{dt[1]}")


def scalars() -> st.SearchStrategy[str]:
    return st.one_of(
        dates(),
        st.integers(1, 6000).map(lambda n: "9" * n),
        st.sampled_from(["maybe", "yes", "no", "on", "~", "null", ".inf", "-.nan", "0x1F", "0o17", "0b2",
                         "1_000", "1:30:00", "1e400", "", "''", '""', "[1, 2]", "{a: 1}", "x"]),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
    )


def values() -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(TAGS), scalars()).map(lambda tv: tv[0] + tv[1])


KEYS = st.sampled_from(["title", "description", "order", "draft", "updated", "language", "site_url"])


@PROPERTY
@given(st.lists(st.tuples(KEYS, values()), min_size=1, max_size=6))
def test_front_matter_with_typed_values_never_raises(fields: list[tuple[str, str]]) -> None:
    raw = "\n".join(f"{key}: {value}" for key, value in fields)
    yaml_text = frontmatter.decode(raw.encode("utf-8", "surrogatepass"))
    assert yaml_text is not None
    source = frontmatter.split(f"---\n{yaml_text}\n---\n\nBody.\n")
    _, diags = frontmatter.parse("t.md", source)
    last_line = yaml_text.count("\n") + 3  # the header, its two fences, and the body's first line
    for diag in diags:
        assert 1 <= diag.line <= last_line, diag
        assert diag.col >= 0 and diag.message


@PROPERTY
@given(st.integers(1, 9999), st.integers(1, 12), st.integers(29, 31), st.integers(0, 5))
def test_an_impossible_date_is_an_error_at_the_date(year: int, month: int, day: int, before: int) -> None:
    if day <= calendar.monthrange(year, month)[1]:
        return  # a real date: nothing to report
    lines = [f"x{n}: {n}" for n in range(before)] + [f"updated: {year:04d}-{month:02d}-{day:02d}"]
    _, diags = frontmatter.parse("t.md", frontmatter.split("---\n" + "\n".join(lines) + "\n---\n"))
    assert [d.format() for d in diags] == [
        f"t.md:{before + 2}:10: error: invalid YAML value: cannot read '{year:04d}-{month:02d}-{day:02d}' as "
        "a date (day is out of range for month); put it in quotes to keep it as text"]


@PROPERTY
@given(st.lists(st.tuples(KEYS, values()), min_size=1, max_size=6))
@example([("title", "\x850")])  # YAML ends a line at U+0085, an editor does not: line 1, not 3
@example([("title", "9"), ("title", "[")])  # the end of a file without a final newline: line 2
def test_course_yml_with_typed_values_never_raises(tmp_path_factory: object, fields: list[tuple[str, str]]) -> None:
    folder = Path(getattr(tmp_path_factory, "mktemp")("props"))
    text = "\n".join(f"{key}: {value}" for key, value in fields)
    (folder / "course.yml").write_text(text, encoding="utf-8")
    _, diags = config.load_config(folder)
    for diag in diags:
        assert diag.path == "course.yml" and 0 <= diag.line <= text.count("\n") + 1, diag
