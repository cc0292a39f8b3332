"""The Alibaba ECS document's parser: its tables and samples into JSON Schemas and OpenAPI.

Nesting comes from the table's type column, its order and the samples
(:mod:`conformance.spec.nesting`); enums, limits and defaults from the rows'
sentences (:mod:`conformance.spec.reading`). What the document leaves
ambiguous is data, each entry with its reason, in ``alibaba.yaml``: so a
revision of the document in the same format derives without a code change.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any

from conformance.files import load_yaml
from conformance.spec import documents, nesting, reading
from conformance.spec.building import SCALARS, SCHEMA_DIALECT, components, describe, list_of, query_param
from conformance.spec.documents import Document, clean_name
from conformance.spec.nesting import DocumentError, Node, Path

VENDOR = "alibaba"

#: What the document leaves ambiguous, each entry with its reason (``alibaba.yaml`` beside this module).
DATA_FILE = FilePath(__file__).with_name("alibaba.yaml")


@lru_cache(maxsize=1)
def ambiguities() -> dict[str, Any]:
    return load_yaml(DATA_FILE.read_text(encoding="utf-8"))


def _doc(doc: Document | None) -> Document:
    return doc if doc is not None else documents.document(VENDOR)


def _scalar(name: str, kind: str) -> dict[str, Any]:
    if kind not in SCALARS:
        raise DocumentError(name, f"type {kind!r} is not a type this derivation reads")
    return dict(SCALARS[kind])


def _response_rows(doc: Document) -> list[list[str]]:
    table = doc.table_under("Response parameters")
    for row in table.rows:
        if len(row) < 4:
            raise DocumentError(row[0] if row else "?", f"{len(row)} cells where the table has 4")
        kind = row[1].strip()
        if kind and kind not in ("Struct", "List") and kind not in SCALARS and not kind.startswith("Array of "):
            raise DocumentError(clean_name(row[0]), f"type {kind!r} is not a type this derivation reads")
    return table.rows


def _field(node: Node, path: Path, sample: Any) -> dict[str, Any]:
    """The schema of one response row, its nesting already settled by :func:`nesting.nest`."""
    data = ambiguities()
    description = node.description
    if node.shape == "struct":
        props = {c.name: _field(c, (*path, c.name), sample) for c in node.children}
        return describe({"type": "object", "properties": props}, description)
    if node.shape == "array":
        inner = Node(name=node.element, kind="", row=[""], shape="struct", children=node.children)
        props = {c.name: _field(c, (*path, node.element, c.name), sample) for c in inner.children}
        return list_of(node.element, {"type": "object", "properties": props}, description)
    if node.kind == "List":
        return list_of(_list_element(node.name, path, sample, data), {"type": "string"}, description)
    schema = _scalar(node.name, node.kind)
    if node.name in data["closed_response_enums"]["fields"]:
        values = reading.listed_values(description)
        if not values:
            raise DocumentError(node.name, "a closed enum (alibaba.yaml) whose row lists no 'Valid values'")
        # Real answers carry "" where the value is unset (the sample does).
        schema["enum"] = [*values, ""]
    return describe(schema, description)


def _list_element(name: str, path: Path, sample: Any, data: dict[str, Any]) -> str:
    shown = nesting.sample_value(sample, path)
    if isinstance(shown, dict) and len(shown) == 1:
        return next(iter(shown))
    if name in data["list_elements"]:
        return str(data["list_elements"][name]["element"])
    raise DocumentError(name, "a List whose element name no sample shows (and alibaba.yaml does not name)")


def alibaba_response_schema(doc: Document | None = None) -> dict[str, Any]:
    doc = _doc(doc)
    data = ambiguities()
    sample = doc.sample_json_response()
    try:
        xml = doc.sample_xml_response()
    except LookupError:
        xml = None
    shown = nesting.sample_keys(sample, xml)
    parents = {name: str(entry["parent"]) for name, entry in (data.get("parents") or {}).items()}
    tree = nesting.nest(_response_rows(doc), shown, parents)
    top: dict[str, Any] = {}
    defs: dict[str, Any] = {}
    for node in tree.children:
        if node.shape == "array":
            # A top-level array's element is the listing's item: a named definition the checks point at.
            props = {c.name: _field(c, (node.name, node.element, c.name), sample) for c in node.children}
            item: dict[str, Any] = {"type": "object", "properties": props}
            required = data["item_required"].get(node.element, {}).get("fields")
            if required:
                item["required"] = list(required)
            defs[node.element] = item
            top[node.name] = list_of(node.element, {"$ref": f"#/$defs/{node.element}"}, node.description)
        else:
            top[node.name] = _field(node, (node.name,), sample)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "alibaba-ecs-2014-05-26/response.schema.json",
        "title": "DescribeInstances success response (Alibaba Cloud ECS 2014-05-26)",
        "description": "JSON answer, and the XML answer parsed into the same shape (Format=XML).",
        "type": "object",
        "properties": top,
        "required": list(data["response_required"]["fields"]),
        "$defs": defs,
    }


def _response_values(doc: Document, name: str) -> list[str]:
    for row in _response_rows(doc):
        if clean_name(row[0]) == name and row[1].strip():
            return reading.listed_values(row[3])
    return []


def alibaba_request_schema(doc: Document | None = None) -> dict[str, Any]:
    doc = _doc(doc)
    data = ambiguities()
    rows = doc.table_under("Request parameters").rows
    props: dict[str, Any] = {}
    pattern_props: dict[str, Any] = {}
    required: list[str] = []
    n_ranges: dict[str, tuple[int, int]] = {}
    for row in rows:
        if len(row) < 5:
            raise DocumentError(row[0] if row else "?", f"{len(row)} cells where the table has 5")
        if ".N" in row[0].replace("\\", "") and (found := reading.n_range(row[4])):
            n_ranges[clean_name(row[0]).split(".N", 1)[0]] = found
    for row in rows:
        name, kind, req, description = clean_name(row[0]), row[1].strip(), row[2].strip(), row[4]
        schema: dict[str, Any] = {"type": "string"} if kind == "RepeatList" else _scalar(name, kind)
        values = [] if kind == "Boolean" else reading.listed_values(description)
        if name in data["request_values_from_response"]:
            values = _response_values(doc, name)
        if (value := reading.const(description)) is not None:
            schema["const"] = value
        elif values:
            schema["enum"] = values
        schema.update(reading.limits(description))
        if (fallback := reading.default(description, schema)) is not None:
            schema["default"] = fallback
        if (pattern := reading.time_pattern(description)) is not None:
            schema["pattern"] = pattern
        if (most := reading.json_array_limit(description)) is not None:
            schema["contentMediaType"] = "application/json"
            schema["contentSchema"] = {"type": "array", "maxItems": most, "items": {"type": "string"}}
        schema = describe(schema, description)
        if ".N" in name:
            prefix_name, suffix_name = name.split(".N", 1)
            low, high = n_ranges.get(prefix_name) or _no_n_range(name)
            pattern_props[f"^{re.escape(prefix_name)}\\.{reading.number_pattern(low, high)}{re.escape(suffix_name)}$"] = {
                **schema, "x-document-name": name}
        else:
            props[name] = schema
        if req == "Yes":
            required.append(name)
    out: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": "alibaba-ecs-2014-05-26/request.schema.json",
        "title": "DescribeInstances request parameters (Alibaba Cloud ECS 2014-05-26)",
        "description": "Business parameters of the RPC request, as strings on the wire. Common "
        "parameters (Version, Format, signature) are added by the client.",
        "type": "object",
        "properties": props,
        "patternProperties": pattern_props,
        "required": required,
    }
    if "Tag" in n_ranges:
        out["x-tag-limit"] = n_ranges["Tag"][1]
    return out


def _no_n_range(name: str) -> tuple[int, int]:
    raise DocumentError(name, "a numbered parameter whose range of N no row states ('Valid values of N: 1 to 20')")


def alibaba_error_schema(doc: Document | None = None) -> dict[str, Any]:
    rows = _doc(doc).table_under("Error codes").rows
    codes = [clean_name(r[1]) for r in rows]
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "alibaba-ecs-2014-05-26/error.schema.json",
        "title": "Error answer (Alibaba Cloud ECS RPC)",
        "description": "JSON error body, or the <Error> XML element parsed into the same shape.",
        "type": "object",
        "properties": {
            "RequestId": {"type": "string"},
            "HostId": {"type": "string"},
            "Code": {"type": "string", "description": "The error code column of the document's table.",
                     "examples": codes},
            "Message": {"type": "string"},
            "Recommend": {"type": "string"},
        },
        "required": ["RequestId", "Code", "Message"],
        "x-error-table": [
            {"code": clean_name(r[1]), "status": int(r[0]), "message": documents.normalize_space(r[2]),
             "description": documents.normalize_space(r[3])}
            for r in rows
        ],
    }


def alibaba_openapi(doc: Document | None = None) -> dict[str, Any]:
    request = alibaba_request_schema(doc)
    response, response_defs = components(alibaba_response_schema(doc), "Alibaba")
    error, _ = components(alibaba_error_schema(doc), "Alibaba")
    params = [
        query_param("Version", {"type": "string", "enum": ["2014-05-26"]}, required=True),
        query_param("Format", {"type": "string", "enum": ["JSON"]}),
    ]
    for name, schema in request["properties"].items():
        params.append(query_param(name, schema, required=name in request["required"]))
    # Two tag pairs stand for Tag.N: enough for the fuzzer to pair and mismatch them.
    for schema in request["patternProperties"].values():
        document_name = schema["x-document-name"]
        if document_name.startswith("Tag.N.") and document_name[-5:] in ("N.Key", "Value"):
            for n in (1, 2):
                params.append(query_param(document_name.replace(".N.", f".{n}."), schema))
        elif document_name == "AdditionalAttributes.N":
            params.append(query_param("AdditionalAttributes.1", schema))
    errors = {"description": "An error of the document's table", "content": {"application/json": {"schema": error}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Alibaba Cloud ECS DescribeInstances (2014-05-26)", "version": "2014-05-26",
                 "description": "Derived from the vendor document by conformance.derive; signing is added by the suite."},
        "paths": {
            "/": {
                "get": {
                    "operationId": "DescribeInstances",
                    "parameters": params,
                    "responses": {
                        "200": {"description": "The listing", "content": {"application/json": {"schema": response}}},
                        "400": errors, "403": errors, "404": errors,
                    },
                }
            }
        },
        "components": {"schemas": response_defs},
    }


#: Each derived file of ``schemas/<dir>/`` and the function that builds it.
DERIVATIONS = {
    "request.schema.json": alibaba_request_schema,
    "response.schema.json": alibaba_response_schema,
    "error.schema.json": alibaba_error_schema,
    "openapi.json": alibaba_openapi,
}
