"""Finds assertions that compare a measured wall-clock duration against a bound.

Speed is measured by `make bench`; a test that asserts `elapsed < 3` fails on a busy or slower machine
and proves nothing about the code. A value is *measured* when it comes from a clock call
(`time.perf_counter()`, `time.monotonic()`, `time.time()`, their `_ns` forms, `timeit`) or from an
expression over such values (`elapsed = perf_counter() - started`). An `assert` (or a unittest
`assert*` call) whose condition uses a measured value is a violation, unless its test function is in
ALLOWED with the reason it is a hang guard.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

CLOCKS = {
    "perf_counter",
    "perf_counter_ns",
    "monotonic",
    "monotonic_ns",
    "time",
    "time_ns",
    "process_time",
    "process_time_ns",
    "default_timer",
}

# "path/relative/to/repo.py::function" → why a duration may be compared there (only a hang can exceed it).
ALLOWED: dict[str, str] = {
    "tests/notify/test_webhooks.py::test_payloads_follow_each_robots_documented_format": (
        "brackets the robot's signed timestamp between two clock readings taken around the send: "
        "an order of events, no bound on how long anything took"
    ),
}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    function: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function}: {self.code}"


def _is_clock_call(node: ast.AST, clock_names: set[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in CLOCKS:
        return isinstance(func.value, ast.Name) and func.value.id in {"time", "timeit", "_time"}
    return isinstance(func, ast.Name) and func.id in clock_names


def _uses_measure(node: ast.AST, measured: set[str], clock_names: set[str]) -> bool:
    for sub in ast.walk(node):
        if _is_clock_call(sub, clock_names):
            return True
        if isinstance(sub, ast.Name) and sub.id in measured:
            return True
        if (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Name)
            and f"{sub.value.id}.{sub.attr}" in measured
        ):
            return True
    return False


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        return [f"{target.value.id}.{target.attr}"]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _target_names(element)]
    return []


def _clock_imports(tree: ast.Module) -> set[str]:
    """Names bound by `from time import perf_counter [as pc]` and the like."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in {"time", "timeit"}:
            for alias in node.names:
                if alias.name in CLOCKS:
                    names.add(alias.asname or alias.name)
    return names


def _scopes(tree: ast.Module):
    """(name, statements) of the module's top level (functions left out) and of every function."""
    top = ast.Module(
        body=[
            s for s in tree.body if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ],
        type_ignores=[],
    )
    yield "<module>", top
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node


def _measured_names(scope: ast.AST, clock_names: set[str]) -> set[str]:
    measured: set[str] = set()
    changed = True
    while changed:  # to a fixpoint: started → elapsed → seconds …
        changed = False
        for node in ast.walk(scope):
            value, targets = None, []
            if isinstance(node, ast.Assign):
                value, targets = node.value, node.targets
            elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value is not None:
                value, targets = node.value, [node.target]
            if value is None or not _uses_measure(value, measured, clock_names):
                continue
            for target in targets:
                for name in _target_names(target):
                    if name not in measured:
                        measured.add(name)
                        changed = True
    return measured


def violations_in(source: str, path: str) -> list[Violation]:
    tree = ast.parse(source, filename=path)
    clock_names = _clock_imports(tree)
    found: dict[tuple[int, str], Violation] = {}
    for function, scope in _scopes(tree):
        measured = _measured_names(scope, clock_names)
        for node in ast.walk(scope):
            condition = None
            if isinstance(node, ast.Assert):
                condition = node.test
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr.startswith("assert")
            ):
                condition = ast.Tuple(elts=list(node.args), ctx=ast.Load())
            if condition is None or not _uses_measure(condition, measured, clock_names):
                continue
            if f"{path}::{function}" in ALLOWED:
                continue
            found[(node.lineno, path)] = Violation(path, node.lineno, function, ast.unparse(condition)[:120])
    return sorted(found.values(), key=lambda v: v.line)


def violations(root: Path, folders: tuple[str, ...] = ("tests",)) -> list[Violation]:
    result = []
    for folder in folders:
        for file in sorted((root / folder).rglob("*.py")):
            relative = file.relative_to(root).as_posix()
            result.extend(violations_in(file.read_text(encoding="utf-8"), relative))
    return result
