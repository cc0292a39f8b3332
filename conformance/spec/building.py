"""Pieces every document parser builds its schemas from: scalar types, list wrappers, OpenAPI parts."""

from __future__ import annotations

import json
from typing import Any

from conformance.spec import documents

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

SCALARS = {
    "String": {"type": "string"},
    "Integer": {"type": "integer"},
    "Long": {"type": "integer"},
    "Float": {"type": "number"},
    "Boolean": {"type": "boolean"},
}


def describe(schema: dict[str, Any], description: str) -> dict[str, Any]:
    text = documents.normalize_space(description)
    if text:
        schema = {**schema, "description": text}
    return schema


def list_of(element: str, item: dict[str, Any], description: str = "") -> dict[str, Any]:
    """Alibaba's list wrapper: ``{"Element": [...]}`` in JSON, repeated ``<Element>`` in XML.

    The array key is required: the JSON sample renders an empty list as
    ``"LockReason": []``, never as a bare ``{}`` or ``null``.
    """
    return describe(
        {
            "type": "object",
            "properties": {element: {"type": "array", "items": item}},
            "required": [element],
        },
        description,
    )


def components(schema: dict[str, Any], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Move a schema's ``$defs`` into OpenAPI components and re-point its refs."""
    text = json.dumps(schema).replace('"#/$defs/', f'"#/components/schemas/{prefix}')
    moved = json.loads(text)
    defs = {f"{prefix}{k}": v for k, v in moved.pop("$defs", {}).items() if isinstance(v, dict) and "type" in v}
    moved.pop("$schema", None)
    moved.pop("$id", None)
    return moved, defs


def query_param(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    schema = {k: v for k, v in schema.items() if k not in ("contentMediaType", "contentSchema", "x-document-name")}
    description = schema.pop("description", None)
    param: dict[str, Any] = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        param["description"] = description
    return param
