"""A flat response table into a tree, from what the document itself shows.

The tables list nested fields as flat rows: a ``Struct`` row, or an
``Array of X`` row followed by an element row ``X`` with an empty type, opens a
structure and the rows after it are its fields. Where such a structure ends the
table does not say. Two things in the document do:

1. its samples (JSON and XML): a row whose name a sample shows inside an open
   structure belongs to the innermost such structure;
2. the table's order: a structure just opened takes the row after it (its first
   field), and the fields of each structure are listed in ASCII order, so a row the
   samples do not show belongs to the innermost open structure whose last field
   sorts before it. (Where an outer structure was meant, e.g. a struct row that
   sorts after the last field of the struct before it, the parser's data file
   names the parent.)

A row neither settles is a :class:`DocumentError` naming it, unless the
parser's data file names its parent (``parents``), with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from conformance.spec.documents import clean_name

Path = tuple[str, ...]


class DocumentError(ValueError):
    """The document is too broken to derive something: names the row and what could not be read."""

    def __init__(self, row: str, problem: str):
        super().__init__(f"row {row!r}: {problem}")
        self.row = row
        self.problem = problem


@dataclass
class Node:
    """One row of the table placed in the tree."""

    name: str
    kind: str
    row: list[str]
    #: ``struct`` (a ``Struct`` row or an array's element), ``array`` (``Array of X``) or ``field``
    shape: str = "field"
    #: the element name of an ``Array of X`` row
    element: str = ""
    children: list[Node] = field(default_factory=list)

    @property
    def description(self) -> str:
        return self.row[-1]


def sample_keys(json_sample: Any, xml_sample: str | None) -> dict[Path, set[str]]:
    """The field names each sample shows at each path (arrays are transparent: ``Instances.Instance``)."""
    keys: dict[Path, set[str]] = {}

    def walk_json(value: Any, path: Path) -> None:
        if isinstance(value, list):
            for item in value:
                walk_json(item, path)
        elif isinstance(value, dict):
            keys.setdefault(path, set()).update(value)
            for name, inner in value.items():
                walk_json(inner, (*path, name))

    def walk_xml(element: ElementTree.Element, path: Path) -> None:
        for child in element:
            keys.setdefault(path, set()).add(child.tag)
            walk_xml(child, (*path, child.tag))

    walk_json(json_sample, ())
    if xml_sample:
        walk_xml(ElementTree.fromstring(xml_sample), ())
    return keys


def sample_value(json_sample: Any, path: Path) -> Any:
    """The first value the JSON sample holds at ``path`` (through lists); None when it holds none."""
    current = [json_sample]
    for name in path:
        found = []
        for value in current:
            items = value if isinstance(value, list) else [value]
            found += [item[name] for item in items if isinstance(item, dict) and name in item]
        current = found
    return current[0] if current else None


@dataclass
class _Open:
    node: Node
    path: Path


def nest(rows: Iterable[list[str]], shown: dict[Path, set[str]], parents: dict[str, str] | None = None) -> Node:
    """The table's rows as a tree under a root node (see the module's docstring for the rules)."""
    parents = parents or {}
    root = Node(name="", kind="", row=[""], shape="struct")
    stack = [_Open(root, ())]
    expecting: str | None = None
    for row in rows:
        name, kind = clean_name(row[0]), row[1].strip()
        if not name:
            raise DocumentError(row[0], "a row without a name")
        if not kind:
            if expecting != name:
                raise DocumentError(name, "an empty type, but no 'Array of " + name + "' row just before it")
            expecting = None
            continue
        if expecting is not None:
            raise DocumentError(name, f"the element row {expecting!r} of the array before it is missing")
        depth = _place(stack, name, shown, parents)
        del stack[depth + 1:]
        parent = stack[-1]
        if any(child.name == name for child in parent.node.children):
            raise DocumentError(name, f"listed twice in {parent.node.name or 'the top level'}")
        node = Node(name=name, kind=kind, row=row)
        parent.node.children.append(node)
        if kind == "Struct":
            node.shape = "struct"
            stack.append(_Open(node, (*parent.path, name)))
        elif kind.startswith("Array of "):
            node.shape = "array"
            node.element = kind.removeprefix("Array of ").strip()
            expecting = node.element
            stack.append(_Open(node, (*parent.path, name, node.element)))
    if expecting is not None:
        raise DocumentError(expecting, "the table ends before the array's element row")
    return root


def _place(stack: list[_Open], name: str, shown: dict[Path, set[str]], parents: dict[str, str]) -> int:
    """Index in ``stack`` of the open structure the row ``name`` belongs to."""
    if name in parents:
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth].node.name == parents[name] or (stack[depth].node.element == parents[name]):
                return depth
        raise DocumentError(name, f"its parent {parents[name]!r} (from the data file) is not open here")
    for depth in range(len(stack) - 1, -1, -1):
        if name in shown.get(stack[depth].path, set()):
            return depth
    if not stack[-1].node.children:
        return len(stack) - 1  # a structure just opened: the row after it is its first field
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].node.children[-1].name < name:
            return depth
    raise DocumentError(name, "cannot tell which structure it belongs to: no sample shows it and it is out of "
                              "the table's order")
