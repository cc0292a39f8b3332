"""Local JSON Schema references (``#/$defs/Instance``), resolved in one place."""

from __future__ import annotations

from typing import Any


def resolve_ref(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """``schema`` itself, or the node of ``root`` its ``$ref`` points at."""
    ref = schema.get("$ref")
    if not ref:
        return schema
    node: Any = root
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node
