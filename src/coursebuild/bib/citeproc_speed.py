"""Make citeproc-py's ``calls_variable`` checks cheap (pinned citeproc-py 0.11.1).

Every ``cs:group`` asks each child whether it "calls a variable", and the
answer walks the child's whole subtree, looking up each macro by XPath, again
for every group and every entry: with a large style such as Chicago that is
most of the formatting time (about 0.8 s per reference). The answer depends
only on the style, never on the reference, so it is remembered on the element
itself, as an attribute in a namespace of ours (lxml element proxies come and
go; attributes stay with the tree). Macros are found by name once per style
instead of by an XPath query on every use. The style object is loaded once
per file.
"""

from __future__ import annotations

from typing import Any, Callable

_MEMO = "{urn:coursebuild:memo}calls-variable"
_installed = False


def install() -> None:
    """Wrap every ``calls_variable`` of citeproc's style model, once."""
    global _installed
    if _installed:
        return
    from citeproc import model

    for cls in vars(model).values():
        if isinstance(cls, type) and "calls_variable" in cls.__dict__:
            cls.calls_variable = _remembered(cls.__dict__["calls_variable"])  # type: ignore[attr-defined]
    model.CitationStylesElement.get_macro = _macro  # type: ignore[method-assign]
    _installed = True


_MACROS: dict[tuple[int, str], Any] = {}


def _macro(self: Any, name: str) -> Any:
    """A macro by name, looked up by XPath once per style (keyed by its root, which
    the loaded style keeps alive)."""
    root = self.get_root()
    key = (id(root), name)
    found = _MACROS.get(key)
    if found is None or found[0] is not root:
        expression = "cs:macro[@name='{}'][1]".format(name)
        found = _MACROS[key] = (root, root.xpath_search(expression)[0])
    return found[1]


def _remembered(fn: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def calls_variable(self: Any) -> bool:
        known = self.get(_MEMO)
        if known is not None:
            return bool(known == "1")
        value = bool(fn(self))
        self.set(_MEMO, "1" if value else "0")
        return value

    return calls_variable
