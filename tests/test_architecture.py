"""The package's structure, checked from its source: one-way layers, no cycles, vendor knowledge in its place.

Every import counts, including those made inside functions and under
``TYPE_CHECKING``: a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance import providers

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"

#: Layers from the bottom up: a module may import its own layer and the ones below, never above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("conformance", "conformance.errors", "conformance.files", "conformance.providers"),
    ("conformance.wire",),
    ("conformance.spec", "conformance.results", "conformance.parity"),
    ("conformance.vendors",),
    ("conformance.checks",),
    ("conformance.reports", "conformance.emulator"),
    ("conformance.run",),
    ("conformance.commands", "conformance.suite", "conformance.__main__"),
)
#: Where a vendor's name may decide what the code does.
VENDOR_PLACES = ("conformance.vendors", "conformance.emulator", "conformance.providers", "conformance.spec.parsers")
VENDOR_NAMES = frozenset({"alibaba", "tencent", *providers.names()})


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> Iterator[tuple[str, ast.AST]]:
    """Every project module ``name`` imports, wherever in the file the import stands."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "conformance":
                    yield alias.name, node
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "conformance":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if sub in MODULES else base), node


def graph() -> dict[str, set[str]]:
    return {name: {target for target, _ in imports(name) if target in MODULES and target != name} for name in MODULES}


def layer(name: str) -> int:
    best = (-1, -1)
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or name.startswith(prefix + "."):
                best = max(best, (len(prefix), rank))
    assert best[1] >= 0, f"{name} is in no layer: add it to LAYERS"
    return best[1]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_cycle_detection_finds_a_planted_cycle() -> None:
    edges = graph()
    edges["conformance.errors"] = {"conformance.commands.main"}
    assert any("conformance.errors" in c for c in cycles(edges))


def test_layers_only_import_downwards() -> None:
    upward = [f"{source} (layer {layer(source)}) imports {target} (layer {layer(target)})"
              for source, targets in graph().items() for target in targets if layer(target) > layer(source)]
    assert upward == []


def test_errors_and_exit_codes_sit_at_the_bottom() -> None:
    assert graph()["conformance.errors"] == set()
    assert graph()["conformance.files"] == set()
    assert graph()["conformance.providers"] == set()


def _vendor_branches(name: str) -> list[str]:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            constants = [c for o in operands for c in ([o] if not isinstance(o, (ast.Tuple, ast.List, ast.Set))
                                                       else o.elts)]
            if any(isinstance(c, ast.Constant) and c.value in VENDOR_NAMES for c in constants):
                found.append(f"{name}:{node.lineno}")
        elif isinstance(node, ast.MatchValue) and isinstance(node.value, ast.Constant) \
                and node.value.value in VENDOR_NAMES:
            found.append(f"{name}:{node.value.lineno}")
    return found


def test_no_branch_on_a_vendor_name_outside_the_adapters_and_the_emulator() -> None:
    outside = [n for n in MODULES if not any(n == p or n.startswith(p + ".") for p in VENDOR_PLACES)]
    assert [b for n in outside for b in _vendor_branches(n)] == []


def test_vendor_branch_detection_finds_one(tmp_path: Path) -> None:
    planted = PACKAGE / "checks" / "_planted_vendor_branch.py"
    planted.write_text('def f(v):\n    return 1 if v == "tencent" else 2\n', encoding="utf-8")
    try:
        MODULES["conformance.checks._planted_vendor_branch"] = planted
        assert _vendor_branches("conformance.checks._planted_vendor_branch") == [
            "conformance.checks._planted_vendor_branch:2"]
    finally:
        MODULES.pop("conformance.checks._planted_vendor_branch")
        planted.unlink()


def test_no_private_name_used_across_modules() -> None:
    crossing = []
    for name in MODULES:
        tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
        modules_bound = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("conformance"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        crossing.append(f"{name}:{node.lineno} imports {node.module}.{alias.name}")
                    if f"{node.module}.{alias.name}" in MODULES:
                        modules_bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("conformance"):
                        modules_bound[alias.asname or alias.name] = alias.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in modules_bound and node.attr.startswith("_") \
                    and not node.attr.startswith("__"):
                crossing.append(f"{name}:{node.lineno} uses {modules_bound[node.value.id]}.{node.attr}")
    assert crossing == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_is_in_a_layer(name: str) -> None:
    layer(name)
