"""Mutation testing of coursebuild's core modules (``make mutate``; run by hand, not in CI).

Each mutant is one small change to a module's syntax tree: a comparison
turned around (``==``/``!=``, ``<``/``<=``, ``in``/``not in`` …), ``and``/``or``
swapped, a ``not`` dropped, an ``if``/``while`` condition negated, ``+``/``-``
swapped, a number moved by one, ``True``/``False`` flipped, a short string
emptied. The mutated module is written into a private copy of the repository
and the module's tests run there (``pytest -x``): a failing test kills the
mutant, a green run lets it survive, a run past the time limit counts as
killed (the mutant hung).

Why not mutmut: mutmut 3 runs, for each mutated function, the tests it saw
calling that function in-process, and most of our tests build a course with
``python -m coursebuild`` in a subprocess, which it never sees. Here the
mutant is a real file on disk, so subprocesses import it too (``PYTHONPATH``
points at the copy's ``src/``; no bytecode is written, so a stale ``.pyc``
can never stand in for a mutant).

    .venv/bin/python tools/mutate.py                      # every module below
    .venv/bin/python tools/mutate.py links structure      # some of them
    .venv/bin/python tools/mutate.py links --list         # show the mutants only
    .venv/bin/python tools/mutate.py --jobs 2 --json out.json

A module not in ``MODULES`` can be given as ``path/to/module.py=tests/a.py,tests/b.py``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]

# Module (short name) → (source file, the non-browser tests that exercise it, fastest first).
# Each mutant runs these (``-x``: the first failure kills it), so they are the tests that
# pin the module down, not the whole suite.
MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "links": ("src/coursebuild/links.py", ("tests/test_links.py", "tests/test_diagnostics_e2e.py")),
    "structure": ("src/coursebuild/structure.py", ("tests/test_links.py", "tests/test_structure.py")),
    "shortcode_syntax": ("src/coursebuild/markdown/shortcode_syntax.py", ("tests/test_syntax_fixtures.py",)),
    "bibliography": ("src/coursebuild/bibliography.py",
                     ("tests/test_bibliography.py", "tests/test_bibliography_format.py",
                      "tests/test_syntax_fixtures.py")),
    "citations": ("src/coursebuild/markdown/citations.py",
                  ("tests/test_syntax_fixtures.py", "tests/test_citations.py")),
    "practice_blocks": ("src/coursebuild/markdown/practice_blocks.py",
                        ("tests/test_syntax_fixtures.py", "tests/test_practice.py")),
    "practice_render": ("src/coursebuild/markdown/practice_render.py",
                        ("tests/test_syntax_fixtures.py", "tests/test_practice.py")),
    "xref": ("src/coursebuild/markdown/xref.py", ("tests/test_syntax_fixtures.py", "tests/test_xref.py")),
    "xrefs": ("src/coursebuild/xrefs.py", ("tests/test_xref.py",)),
}

COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "node_modules", "_site", "test-artifacts", "__pycache__",
                                     ".pytest_cache", ".coursebuild-cache", ".mypy_cache", "dist", "build")
SHORT_STRING = 12
"""Longer strings are messages and patterns: emptying them says little."""

DIAGNOSTIC_CALLS = {"error", "warning", "info", "Diagnostic"}
"""Their string arguments are rule ids (data for the serve overlay, never printed by a
build) and messages: not mutated. Decorators (cache sizes, registrations) are not either."""

SWAPS: dict[type, type] = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE,
    ast.GtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.And: ast.Or, ast.Or: ast.And, ast.Add: ast.Sub, ast.Sub: ast.Add,
}
SYMBOL: dict[type, str] = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
          ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.And: "and",
          ast.Or: "or", ast.Add: "+", ast.Sub: "-"}


@dataclass(frozen=True)
class Mutant:
    """One change: the ``index``-th mutation site of the module, at ``line``."""

    index: int
    line: int
    description: str


# --- Finding and applying mutations -------------------------------------------------------

def _skipped_nodes(tree: ast.AST) -> set[int]:
    """ids of nodes never mutated: docstrings, f-string parts, annotations, ``__all__``."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # attribute docstrings
        parts: list[ast.AST] = []
        if isinstance(node, ast.JoinedStr):
            parts = list(node.values)
        elif isinstance(node, (ast.arg, ast.AnnAssign)) and node.annotation is not None:
            parts = [node.annotation]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            parts = [node.returns]
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__"
                                                  for t in node.targets):
            parts = [node.value]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DIAGNOSTIC_CALLS:
            parts = [a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            parts += node.decorator_list
        for part in parts:
            skip.update(id(n) for n in ast.walk(part))
    return skip


def _sites(tree: ast.AST) -> Iterator[tuple[ast.AST, str, str]]:
    """(node, kind, description) for every mutation site, in a stable order."""
    skip = _skipped_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in SWAPS:
                    yield node, f"cmp{i}", f"{SYMBOL[type(op)]} → {SYMBOL[SWAPS[type(op)]]}"
        elif isinstance(node, ast.BoolOp):
            yield node, "boolop", f"{SYMBOL[type(node.op)]} → {SYMBOL[SWAPS[type(node.op)]]}"
        elif isinstance(node, ast.BinOp) and type(node.op) in SWAPS:
            yield node, "binop", f"{SYMBOL[type(node.op)]} → {SYMBOL[SWAPS[type(node.op)]]}"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node, "not", "drop not"
        elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
            yield node, "negate", f"negate {type(node).__name__.lower()} condition"
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                yield node, "const", f"{value} → {not value}"
            elif isinstance(value, int):
                yield node, "const", f"{value} → {value + 1}"
            elif isinstance(value, str) and len(value) <= SHORT_STRING:
                yield node, "const", f"{value!r} → {'' if value else 'x'!r}"


class _Replace(ast.NodeTransformer):
    """Replace the target node (found by identity) with its mutation."""

    def __init__(self, target: ast.AST, kind: str) -> None:
        self.target, self.kind = target, kind

    def visit(self, node: ast.AST) -> ast.AST:
        if node is not self.target:
            return self.generic_visit(node)
        return _mutated(node, self.kind)


def _mutated(node: ast.AST, kind: str) -> ast.AST:
    if kind.startswith("cmp"):
        assert isinstance(node, ast.Compare)
        i = int(kind[3:])
        node.ops[i] = SWAPS[type(node.ops[i])]()
    elif kind in ("boolop", "binop"):
        node.op = SWAPS[type(node.op)]()  # type: ignore[attr-defined]
    elif kind == "not":
        return node.operand  # type: ignore[attr-defined, no-any-return]
    elif kind == "negate":
        node.test = ast.UnaryOp(ast.Not(), node.test)  # type: ignore[attr-defined]
    elif kind == "const":
        assert isinstance(node, ast.Constant)
        value = node.value
        node.value = (not value if isinstance(value, bool) else value + 1 if isinstance(value, int)
                      else "" if value else "x")
    return node


def mutants_of(source: str) -> list[Mutant]:
    tree = ast.parse(source)
    return [Mutant(i, getattr(node, "lineno", 0), desc) for i, (node, _, desc) in enumerate(_sites(tree))]


def mutated_source(source: str, index: int) -> str:
    """The module's source with mutant ``index`` applied (formatting is not kept: behaviour is)."""
    tree = ast.parse(source)
    node, kind, _ = list(_sites(tree))[index]
    mutated = _Replace(node, kind).visit(tree)
    return ast.unparse(ast.fix_missing_locations(mutated))


# --- Running --------------------------------------------------------------------------------

def make_copy(parent: Path, n: int) -> Path:
    """A private copy of the repository (node_modules linked, not copied)."""
    root = parent / f"tree{n}"
    shutil.copytree(REPO, root, ignore=COPY_IGNORE, symlinks=True)
    if (REPO / "node_modules").exists():
        (root / "node_modules").symlink_to(REPO / "node_modules")
    return root


def run_tests(root: Path, tests: tuple[str, ...], timeout: float) -> str:
    """'passed', 'failed' or 'timeout' for the tests run in ``root``."""
    env = dict(os.environ, PYTHONPATH=str(root / "src"), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
           "-m", "not slow", *tests]
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    _LIVE.add(proc)
    try:
        return "passed" if proc.wait(timeout=timeout) == 0 else "failed"
    except subprocess.TimeoutExpired:
        return "timeout"
    finally:  # also on Ctrl-C: never leave a test run (and its builds) behind
        _LIVE.discard(proc)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


_LIVE: set[subprocess.Popen[bytes]] = set()
"""Test runs in progress (each in its own process group)."""


def _stop(signum: int, _frame: object) -> None:
    """Ctrl-C or SIGTERM: end every running test run with its builds, then exit."""
    for proc in list(_LIVE):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    for folder in _COPIES:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(128 + signum)  # worker threads are blocked in wait(): no orderly exit


_COPIES: list[Path] = []
"""The temporary folders holding the repository copies."""


@dataclass
class Result:
    module: str
    mutant: Mutant
    outcome: str
    """'killed' (a test failed), 'timeout' (counted as killed) or 'survived'."""


def mutate_module(name: str, source_rel: str, tests: tuple[str, ...], roots: list[Path],
                  only: set[int] | None) -> list[Result]:
    original = (REPO / source_rel).read_text(encoding="utf-8")
    mutants = [m for m in mutants_of(original) if only is None or m.index in only]
    started = time.monotonic()
    if run_tests(roots[0], tests, timeout=1800) != "passed":
        raise SystemExit(f"{name}: the tests fail without any mutant; fix them first")
    limit = max(60.0, 3 * (time.monotonic() - started))
    print(f"{name}: {len(mutants)} mutants, tests {time.monotonic() - started:.0f} s clean", flush=True)
    free = list(roots)

    def one(mutant: Mutant) -> Result:
        root = free.pop()
        target = root / source_rel
        try:
            target.write_text(mutated_source(original, mutant.index), encoding="utf-8")
            outcome = run_tests(root, tests, limit)
        finally:
            target.write_text(original, encoding="utf-8")
            free.append(root)
        result = Result(name, mutant, {"passed": "survived", "failed": "killed"}.get(outcome, outcome))
        mark = "." if result.outcome != "survived" else "S"
        print(mark, end="", flush=True)
        return result

    with ThreadPoolExecutor(max_workers=len(roots)) as pool:
        results = list(pool.map(one, mutants))
    print()
    for r in results:
        if r.outcome == "survived":
            print(f"  survived: {source_rel}:{r.mutant.line}  #{r.mutant.index}  {r.mutant.description}", flush=True)
    return results


def report(results: list[Result]) -> None:
    print(f"\n{'module':<18} {'mutants':>7} {'killed':>7} {'survived':>8} {'score':>6}")
    modules = sorted({r.module for r in results}, key=[r.module for r in results].index)
    for name in modules:
        mine = [r for r in results if r.module == name]
        killed = sum(r.outcome != "survived" for r in mine)
        print(f"{name:<18} {len(mine):>7} {killed:>7} {len(mine) - killed:>8} {100 * killed / len(mine):>5.0f}%")
    total = len(results)
    killed = sum(r.outcome != "survived" for r in results)
    if total:
        print(f"{'all':<18} {total:>7} {killed:>7} {total - killed:>8} {100 * killed / total:>5.0f}%")
    survivors = [r for r in results if r.outcome == "survived"]
    if survivors:
        print("\nsurvivors:")
        for r in survivors:
            print(f"  {MODULES.get(r.module, (r.module,))[0]}:{r.mutant.line}  #{r.mutant.index}  "
                  f"{r.mutant.description}")


def parse_modules(names: list[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    chosen: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name in names or list(MODULES):
        if "=" in name:
            path, tests = name.split("=", 1)
            chosen[Path(path).stem] = (path, tuple(tests.split(",")))
        elif name in MODULES:
            chosen[name] = MODULES[name]
        else:
            raise SystemExit(f"unknown module '{name}' (known: {', '.join(MODULES)}; or PATH=TESTS,…)")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"short names ({', '.join(MODULES)}) or PATH=TEST,TEST")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--only", type=int, nargs="*", help="run only these mutant numbers")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run in parallel (one tree copy each)")
    parser.add_argument("--json", type=Path, help="write every result to this file")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    modules = parse_modules(args.modules)
    if args.list:
        for path, _ in modules.values():
            for m in mutants_of((REPO / path).read_text(encoding="utf-8")):
                print(f"{path}:{m.line}  #{m.index}  {m.description}")
        return
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="cb-mutate-") as tmp:
        _COPIES.append(Path(tmp))
        roots = [make_copy(Path(tmp), n) for n in range(max(1, args.jobs))]
        for name, (path, tests) in modules.items():
            results += mutate_module(name, path, tests, roots, set(args.only) if args.only else None)
    report(results)
    if args.json:
        args.json.write_text(json.dumps([{"module": r.module, "line": r.mutant.line, "index": r.mutant.index,
                                          "mutation": r.mutant.description, "outcome": r.outcome}
                                         for r in results], ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
