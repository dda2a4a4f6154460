"""Architecture rules of reportgen (#14), checked on the source tree.

1. No import cycle between the subpackages of ``reportgen`` (imports inside
   functions included: a deferred import is still a dependency).  The one
   documented exception is ``ALLOWED``.
2. No underscore name crosses a module border: neither ``from .m import _x``
   nor ``m._x`` on an imported module, in the package or in the tests.  A name
   another module needs is public.
3. WeasyPrint's private modules are imported by one adapter only
   (``ADAPTERS``).
4. Small modules, small classes: no module of ``reportgen`` over
   ``MAX_MODULE_LINES`` lines, no class over ``MAX_CLASS_LINES``.

Exit 1 with one line per violation (``file:line: rule: what``); 0 when clean.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: (from, to) unit dependencies allowed to close a cycle, with why.
ALLOWED: dict[tuple[str, str], str] = {
    ("model", "inputs"): "Report.from_dict/from_records/validate build through the validator (deferred imports, documented in reportgen/model/__init__.py)",
}
#: WeasyPrint internals (anything but the public ``weasyprint`` names) go through these modules only.
ADAPTERS = {"reportgen/pdf/weasy.py"}
#: Size limits (rule 4): a module or class past them has more than one job.
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 200
#: WeasyPrint modules of its documented API (HTML, CSS, FontConfiguration, URL fetchers).
WEASY_PUBLIC = {"weasyprint", "weasyprint.urls", "weasyprint.text.fonts"}


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str, root: Path) -> str | None:
    parts = module.split(".")
    if parts[0] != "reportgen":
        return None
    if len(parts) == 1:
        return "reportgen"
    sub = root / "reportgen" / parts[1]
    return parts[1] if sub.is_dir() else f"{parts[1]}.py"


def resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def is_module(name: str, root: Path) -> bool:
    path = root / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def scan(path: Path, root: Path, problems: list[str], edges: dict[tuple[str, str], list[str]]) -> None:
    rel = path.relative_to(root).as_posix()
    in_pkg = rel.startswith("reportgen/")
    current = module_name(path, root) if in_pkg else ""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    module_aliases: dict[str, str] = {}
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and _is_type_checking(block.test)
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue  # imports for type checkers only are not dependencies at run time
        targets: list[tuple[str, list[ast.alias]]] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = resolve(current, is_package, node.level, node.module)
            else:
                base = node.module or ""
            targets.append((base, node.names))
            if base.startswith("weasyprint") and base not in WEASY_PUBLIC and rel not in ADAPTERS and in_pkg:
                problems.append(f"{rel}:{node.lineno}: weasyprint-internals: imports {base} (only {', '.join(sorted(ADAPTERS))} may)")
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if base.startswith("reportgen") and is_module(full, root):
                    module_aliases[alias.asname or alias.name] = full
                    _edge(current, full, rel, node.lineno, edges, in_pkg, root)
                elif base.startswith("reportgen"):
                    _edge(current, base, rel, node.lineno, edges, in_pkg, root)
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        problems.append(f"{rel}:{node.lineno}: underscore-import: {alias.name} from {base}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("weasyprint.") and rel not in ADAPTERS and in_pkg:
                    problems.append(f"{rel}:{node.lineno}: weasyprint-internals: imports {alias.name}")
                if alias.name.startswith("reportgen"):
                    module_aliases[alias.asname or alias.name] = alias.name
                    _edge(current, alias.name, rel, node.lineno, edges, in_pkg, root)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = _dotted(node.value)
            if owner in module_aliases and module_aliases[owner] != current:
                problems.append(f"{rel}:{node.lineno}: underscore-access: {owner}.{node.attr}")


def _is_type_checking(test: ast.AST) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _edge(current: str, target: str, rel: str, line: int, edges: dict[tuple[str, str], list[str]],
          in_pkg: bool, root: Path) -> None:
    if not in_pkg:
        return
    a, b = unit_of(current, root), unit_of(target, root)
    if a and b and a != b and b != "reportgen" and a != "reportgen":
        edges[(a, b)].append(f"{rel}:{line}")


def cycles(edges: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for (a, b) in edges:
        if (a, b) not in ALLOWED:
            graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(list(graph)):
        if v not in index:
            strong(v)
    return out


def sizes(path: Path, root: Path, problems: list[str]) -> None:
    """Rule 4: the module's length and each class's."""
    text = path.read_text(encoding="utf-8")
    rel = path.relative_to(root).as_posix()
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if lines > MAX_MODULE_LINES:
        problems.append(f"{rel}:1: module-size: {lines} lines (at most {MAX_MODULE_LINES}: split it by job)")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
            length = node.end_lineno - node.lineno + 1
            if length > MAX_CLASS_LINES:
                problems.append(f"{rel}:{node.lineno}: class-size: {node.name} has {length} lines "
                                f"(at most {MAX_CLASS_LINES})")


def check(root: Path) -> list[str]:
    """Every violation in the tree at ``root`` (its ``reportgen/`` and ``tests/``), one line each."""
    problems: list[str] = []
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    files = sorted((root / "reportgen").rglob("*.py")) + sorted((root / "tests").rglob("*.py"))
    for path in files:
        scan(path, root, problems, edges)
    for path in sorted((root / "reportgen").rglob("*.py")):
        sizes(path, root, problems)
    for comp in cycles(edges):
        members = set(comp)
        where = [f"{a} → {b} ({edges[(a, b)][0]})" for (a, b) in sorted(edges)
                 if a in members and b in members and (a, b) not in ALLOWED]
        problems.append(f"reportgen: import-cycle: {' ⇄ '.join(comp)}: " + "; ".join(where))
    return problems


def main(argv: list[str]) -> int:
    problems = check(Path(argv[0]).resolve() if argv else ROOT)
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} architecture problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
