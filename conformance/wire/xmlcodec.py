"""Alibaba's XML answers, read into the same shape as its JSON answers.

XML does not say whether ``<Tag>`` is one element of a list or a struct, nor
whether ``<Cpu>2</Cpu>`` is a number. The response schema does, so decoding
walks the schema beside the tree: arrays collect every child of that name
(none gives ``[]``, which is how the document's sample writes an empty
``<OperationLocks>``), scalars are converted to the schema's type. A value that
does not convert stays a string so that schema validation reports it instead
of the decoder hiding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from conformance.wire.refs import resolve_ref

Schema = dict[str, Any]


def _types(schema: Schema) -> tuple[str, ...]:
    kind = schema.get("type", ())
    return (kind,) if isinstance(kind, str) else tuple(kind)


def _scalar(text: str | None, kinds: tuple[str, ...]) -> Any:
    text = (text or "").strip()
    try:
        if "boolean" in kinds and text in ("true", "false"):
            return text == "true"
        if "integer" in kinds:
            return int(text)
        if "number" in kinds:
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        pass
    return text


#: The schemas an element without one is read with: a scalar, or a struct when it has children.
_ANY: Schema = {}
_STRUCT: Schema = {"type": "object"}


@dataclass(frozen=True)
class _Node:
    """What decoding needs of one schema node (its ``$ref`` resolved), worked out once per node."""

    kinds: tuple[str, ...]
    is_object: bool
    #: child tag -> (the schema it is decoded with, whether each child is one item of an array)
    children: dict[str, tuple[Schema, bool]]
    #: required arrays: ``[]`` when no child of that name came (the document's empty wrappers)
    required_arrays: tuple[str, ...]


#: Nodes by (schema, root) identity: the schemas live as long as the catalogue, and an answer of a
#: hundred instances decodes each instance's sixty fields through the same few nodes.
_NODES: dict[tuple[int, int], tuple[Schema, Schema, _Node]] = {}
_MAX_NODES = 4096


def _node(schema: Schema, root: Schema) -> _Node:
    key = (id(schema), id(root))
    cached = _NODES.get(key)
    if cached is not None and cached[0] is schema and cached[1] is root:
        return cached[2]
    resolved = resolve_ref(schema, root)
    kinds = _types(resolved)
    children: dict[str, tuple[Schema, bool]] = {}
    required_arrays: list[str] = []
    if "object" in kinds:
        required = resolved.get("required", [])
        for name, prop in resolved.get("properties", {}).items():
            prop = resolve_ref(prop, root)
            if "array" in _types(prop):
                children[name] = (prop.get("items") or _ANY, True)
                if name in required:
                    required_arrays.append(name)
            elif prop:
                children[name] = (prop, False)
    node = _Node(kinds, "object" in kinds, children, tuple(required_arrays))
    if len(_NODES) >= _MAX_NODES:
        _NODES.clear()
    _NODES[key] = (schema, root, node)  # holding both keeps their ids from being reused while cached
    return node


def _decode(element: ElementTree.Element, schema: Schema, root: Schema) -> Any:
    node = _node(schema, root)
    if not node.is_object:
        if len(element):  # structure where the schema wants a scalar: keep it visible
            return {child.tag: _decode(child, _ANY, root) for child in element}
        return _scalar(element.text, node.kinds)
    out: dict[str, Any] = {}
    children = node.children
    for child in element:
        entry = children.get(child.tag)
        if entry is None:
            out[child.tag] = _decode(child, _STRUCT if len(child) else _ANY, root)
        elif entry[1]:
            out.setdefault(child.tag, []).append(_decode(child, entry[0], root))
        else:
            out[child.tag] = _decode(child, entry[0], root)
    for name in node.required_arrays:
        if name not in out:
            out[name] = []
    return out


#: The answer's top level read as an object, per response schema (one per catalogue).
_TOPS: dict[int, tuple[Schema, Schema]] = {}


def decode(text: str | bytes, schema: Schema) -> dict[str, Any]:
    """Parse an XML answer into the JSON shape the ``schema`` describes.

    The root element (``<DescribeInstancesResponse>`` or ``<Error>``) is the
    top-level object.
    """
    root_element = ElementTree.fromstring(text)
    cached = _TOPS.get(id(schema))
    if cached is None or cached[0] is not schema:
        if len(_TOPS) >= _MAX_NODES:
            _TOPS.clear()
        cached = _TOPS[id(schema)] = (schema, {**schema, "type": "object"})
    return _decode(root_element, cached[1], schema)


def _encode_into(parent: ElementTree.Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _encode_into(parent, name, item)
        return
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, list) and not item:
                continue
            _encode_into(element, key, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def encode(root_name: str, body: dict[str, Any]) -> bytes:
    """Render a JSON-shaped answer as Alibaba XML.

    A list becomes repeated elements under its wrapper; an empty list leaves
    the wrapper empty, as ``<OperationLocks></OperationLocks>`` in the sample.
    """
    root = ElementTree.Element(root_name)
    for key, value in body.items():
        if isinstance(value, list) and not value:
            continue
        _encode_into(root, key, value)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="utf-8")
