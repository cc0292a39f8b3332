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

from typing import Any
from xml.etree import ElementTree

from conformance.wire.refs import resolve_ref

Schema = dict[str, Any]


def _types(schema: Schema) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _scalar(text: str | None, schema: Schema) -> Any:
    text = (text or "").strip()
    kinds = _types(schema)
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


def _decode(element: ElementTree.Element, schema: Schema, root: Schema) -> Any:
    schema = resolve_ref(schema, root)
    if "object" not in _types(schema):
        if len(element):  # structure where the schema wants a scalar: keep it visible
            return {child.tag: _decode(child, {}, root) for child in element}
        return _scalar(element.text, schema)
    properties = schema.get("properties", {})
    out: dict[str, Any] = {}
    for child in element:
        child_schema = resolve_ref(properties.get(child.tag, {}), root)
        if "array" in _types(child_schema):
            out.setdefault(child.tag, []).append(_decode(child, child_schema.get("items", {}), root))
        elif child_schema:
            out[child.tag] = _decode(child, child_schema, root)
        else:
            out[child.tag] = _decode(child, {"type": "object"} if len(child) else {}, root)
    for name, prop in properties.items():
        prop = resolve_ref(prop, root)
        if "array" in _types(prop) and name not in out and name in schema.get("required", []):
            out[name] = []
    return out


def decode(text: str | bytes, schema: Schema) -> dict[str, Any]:
    """Parse an XML answer into the JSON shape the ``schema`` describes.

    The root element (``<DescribeInstancesResponse>`` or ``<Error>``) is the
    top-level object.
    """
    root_element = ElementTree.fromstring(text)
    return _decode(root_element, {**schema, "type": "object"}, schema)


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
