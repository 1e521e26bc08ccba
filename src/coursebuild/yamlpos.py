"""YAML loading that remembers where every value came from.

PyYAML's composed node tree carries start marks; we construct the plain Python
value from it and keep a map from the value's path (``("glossary", 0, "term")``)
to its 1-based (line, column), so schema errors point at the offending field.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # The C loader is several times faster; fall back when libyaml is absent.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[Any, ...]

_YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")

_TAG_NAMES = {"timestamp": "a date", "int": "a whole number", "float": "a number", "bool": "true or false"}
MAX_INT_BITS = 14_000
"""About 4,200 decimal digits: Python refuses to turn longer integers into text."""
# What PyYAML's constructors raise on a value they cannot convert (``!!int x``, an invalid
# date such as 2024-02-30, an integer of 5,000 digits) instead of a positioned YAML error.
_CONVERSION_ERRORS = (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError)


class _BadValue(yaml.constructor.ConstructorError):
    """A scalar that its (explicit or implied) tag cannot convert, with its position."""


class _PositionedLoader(_Loader):  # type: ignore[misc,valid-type]
    """The safe loader, but every conversion failure becomes an error at its node."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.source = text

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            value = super().construct_object(node, deep)
        except _CONVERSION_ERRORS as exc:
            raise self._bad(node, exc) from None
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise self._bad(node, ValueError("too many digits"))  # str() of it would fail later
        return value

    def _bad(self, node: yaml.Node, exc: BaseException) -> _BadValue:
        # Quotes help only a plain scalar whose type was implied (not written as ``!!int``).
        # The libyaml parser marks plain scalars with style "" (pure Python: None); a
        # tagged node starts at its tag.
        written = self.source.startswith("!", node.start_mark.index)
        implied = isinstance(node, yaml.ScalarNode) and not node.style and not written and \
            self.resolve(yaml.ScalarNode, node.value, (True, False)) == node.tag
        return _BadValue(None, None, _describe(node, exc, implied), node.start_mark)


def _describe(node: yaml.Node, exc: BaseException, implied: bool) -> str:
    """E.g. ``cannot read '2024-02-30' as a date (day is out of range for month)``."""
    tag = str(node.tag).rpartition(":")[2]
    value = str(node.value) if isinstance(node, yaml.ScalarNode) else ""
    shown = repr(value if len(value) <= 40 else value[:37] + "...")
    reason = ""
    if "digits" in str(exc):
        reason = f" (it has {len(value):,} characters)"
    elif tag == "timestamp" and isinstance(exc, ValueError):
        reason = f" ({exc})"
    hint = "; put it in quotes to keep it as text" if implied else ""
    return f"cannot read {shown} as {_TAG_NAMES.get(tag, '!!' + tag)}{reason}{hint}"


@dataclass
class LocatedYaml:
    """A YAML document's value plus the position of every node in it."""

    value: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path, line_offset: int = 0) -> tuple[int, int]:
        """Position of ``path``, or of its nearest recorded ancestor."""
        while path not in self.positions and path:
            path = path[:-1]
        line, col = self.positions.get(path, (1, 1))
        return line + line_offset, col


class YamlError(Exception):
    """A YAML syntax error with a 1-based position inside the YAML text."""

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


def load(text: str) -> LocatedYaml:
    """Parse one YAML document; raise :class:`YamlError` on bad syntax."""
    loader = _PositionedLoader(text)
    where = _Where(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = where(mark) if mark else (1, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        kind = "invalid YAML value" if isinstance(exc, _BadValue) else "YAML syntax error"
        raise YamlError(f"{kind}: {problem}", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}", 1, 0) from None
    finally:
        loader.dispose()
    located = LocatedYaml(value)
    if node is not None:
        _record(node, (), located.positions, set(), where)
    return located


class _Where:
    """1-based (line, column) of a mark as an editor counts them: YAML also ends lines at
    U+0085, U+2028 and U+2029, editors (and our diagnostics) only at a newline."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] | None = None
        if any(ch in text for ch in _YAML_ONLY_BREAKS):
            self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self.last_line = text.count("\n") + 1
        self.last_length = len(text) - (text.rfind("\n") + 1)

    def __call__(self, mark: yaml.Mark) -> tuple[int, int]:
        if self.starts is None:
            line, col = mark.line + 1, mark.column + 1
        else:
            line = bisect.bisect_right(self.starts, mark.index)
            col = mark.index - self.starts[line - 1] + 1
        if line > self.last_line:  # the end of a text without a final newline
            return self.last_line, self.last_length + 1
        return line, col


def _record(node: yaml.Node, path: Path, out: dict[Path, tuple[int, int]], seen: set[int],
            where: _Where) -> None:
    out[path] = where(node.start_mark)
    # An alias points at a node already walked: walking it again would make a
    # "billion laughs" document take exponential time.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            _record(value_node, path + (key,), out, seen, where)
            # A missing value is reported at its key, so remember the key too.
            out.setdefault(path + (key, "<key>"), where(key_node.start_mark))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, path + (index,), out, seen, where)
