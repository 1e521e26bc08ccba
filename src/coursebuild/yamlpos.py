"""YAML loading that remembers where every value came from.

PyYAML's composed node tree carries start marks; we construct the plain Python
value from it and keep a map from the value's path (``("glossary", 0, "term")``)
to its 1-based (line, column), so schema errors point at the offending field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # The C loader is several times faster; fall back when libyaml is absent.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[Any, ...]


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
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"YAML syntax error: {problem}", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}", 1, 0) from None
    finally:
        loader.dispose()
    located = LocatedYaml(value)
    if node is not None:
        _record(node, (), located.positions, set())
    return located


def _record(node: yaml.Node, path: Path, out: dict[Path, tuple[int, int]], seen: set[int]) -> None:
    out[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    # An alias points at a node already walked: walking it again would make a
    # "billion laughs" document take exponential time.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            _record(value_node, path + (key,), out, seen)
            # A missing value is reported at its key, so remember the key too.
            out.setdefault(path + (key, "<key>"), (key_node.start_mark.line + 1,
                                                   key_node.start_mark.column + 1))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, path + (index,), out, seen)
