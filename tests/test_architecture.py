"""The layout keeps its promises: no import cycles, one owner per file format and decision rule."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kcc_text"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every kcc_text module `path` imports, also inside functions (a cycle there is still a cycle)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            if candidate in modules and candidate != name:
                found.add(candidate)
    return found


def _graph() -> dict[str, set[str]]:
    files = [p for p in PACKAGE.rglob("*.py")]
    modules = {_module_name(p) for p in files}
    # A package's __init__ is imported with any of its modules; it is not a dependency of its own modules.
    return {_module_name(p): _imports(p, modules) for p in files}


def test_no_module_imports_another_that_imports_it_back():
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []


def test_the_theme_separator_is_only_handled_by_the_coded_format():
    owners = {"io/coded.py"}
    pattern = re.compile(r"""(split|join)\(\s*["'];["']|["'];["']\s*\.join""")
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if str(p.relative_to(PACKAGE)) not in owners and pattern.search(p.read_text())]
    assert offenders == []


def test_theme_decisions_are_made_in_one_place():
    # Thresholds applied to probabilities decide themes; only model/decision.py may do that.
    pattern = re.compile(r"P\[:, *j\] *>= *t")
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if pattern.search(p.read_text()) and p.relative_to(PACKAGE) != Path("model/decision.py")]
    assert offenders == []


def test_library_errors_do_not_name_command_line_flags():
    # The CLI maps data problems to its flags; the library speaks of data.
    flag = re.compile(r"""(UsageError|InputFileError|ModelError|CodebookError)\(f?["']--""")
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if "cli" not in p.relative_to(PACKAGE).parts and flag.search(p.read_text())]
    assert offenders == []
