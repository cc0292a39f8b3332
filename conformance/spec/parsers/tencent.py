"""The Tencent CVM document's parser: its tables and samples into JSON Schemas and OpenAPI.

What a flat table cannot say (which rows nest, list element names, enums
written in prose) is the data below, each entry next to the sentence it
comes from.
"""

from __future__ import annotations

from typing import Any

from conformance.spec import documents
from conformance.spec.building import SCALARS, SCHEMA_DIALECT, components, describe, query_param
from conformance.spec.documents import Document, clean_name

VENDOR = "tencent"

def _from_sample(value: Any, nullable_lists: bool) -> dict[str, Any]:
    """Schema of one sample value: the document's example is the only place that
    lists the fields of a Tencent ``Instance``."""
    if isinstance(value, dict):
        return {"type": "object", "properties": {k: _from_sample(v, nullable_lists) for k, v in value.items()}}
    if isinstance(value, list):
        schema = {"type": ["array", "null"] if nullable_lists else "array", "items": _from_sample(value[0], nullable_lists)}
        return schema
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, str) and value in ("TRUE", "FALSE"):
        # The sample writes "TRUE" where today's API answers true: accept both,
        # the audit notes the difference (TC-DOC-004).
        return {"type": ["string", "boolean"]}
    return {"type": "string"}


TENCENT_CHARGE_TYPES = ["PREPAID", "POSTPAID_BY_HOUR", "CDHPAID"]
TENCENT_INSTANCE_REQUIRED = ["InstanceId", "Placement"]


def _doc(doc: Document | None) -> Document:
    return doc if doc is not None else documents.document(VENDOR)


def tencent_response_schema(doc: Document | None = None) -> dict[str, Any]:
    doc = _doc(doc)
    rows = {clean_name(r[0]): r for r in doc.table_under("输出参数").rows}
    instance = _from_sample(doc.sample_json_response()["Response"]["InstanceSet"][0], nullable_lists=True)
    instance["required"] = TENCENT_INSTANCE_REQUIRED
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "tencent-cvm-2017-03-12/response.schema.json",
        "title": "DescribeInstances success response (Tencent Cloud CVM 2017-03-12)",
        "type": "object",
        "properties": {
            "Response": {
                "type": "object",
                "properties": {
                    "RequestId": describe({"type": "string"}, rows["RequestId"][2]),
                    "TotalCount": describe({"type": "integer", "minimum": 0}, rows["TotalCount"][2]),
                    "InstanceSet": describe({"type": "array", "items": {"$ref": "#/$defs/Instance"}},
                                             rows["InstanceSet"][2]),
                },
                "required": ["RequestId", "TotalCount", "InstanceSet"],
                "not": {"required": ["Error"]},
            }
        },
        "required": ["Response"],
        "$defs": {"Instance": instance},
    }


def _tencent_filters(doc: Document) -> dict[str, Any]:
    table = next(t for t in doc.tables if t.rows and clean_name(t.rows[0][0]) == "zone")
    out = {}
    for row in table.rows:
        name, kind, description = clean_name(row[0]), row[1], row[3]
        value: dict[str, Any] = dict(SCALARS[kind.strip()])
        if kind.strip() == "Integer":
            # Filter values travel as strings on the wire; an Integer filter holds digits.
            value = {"type": "string", "pattern": "^[0-9]+$"}
        if name == "instance-charge-type":
            value["enum"] = TENCENT_CHARGE_TYPES
        out[name] = describe(value, description)
    return out


def tencent_request_schema(doc: Document | None = None) -> dict[str, Any]:
    doc = _doc(doc)
    rows = {clean_name(r[0]): r for r in doc.table_under("输入参数").rows}
    filters = _tencent_filters(doc)
    filter_variants = [
        {
            "properties": {"Name": {"const": name}, "Values": {"type": "array", "items": value,
                                                              "minItems": 1, "maxItems": 5}},
        }
        for name, value in filters.items()
    ]
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "tencent-cvm-2017-03-12/request.schema.json",
        "title": "DescribeInstances request parameters (Tencent Cloud CVM 2017-03-12)",
        "description": "The JSON body of a TC3 request; the form encoding numbers InstanceIds.N and "
        "Filters.N.Values.M. Common parameters (Action, Region, signature) are added by the client.",
        "type": "object",
        "properties": {
            "Version": describe({"const": "2017-03-12"}, rows["Version"][3]),
            "InstanceIds": describe(
                {"type": "array", "maxItems": 100, "items": {"type": "string", "pattern": "^ins-[a-z0-9]{8}$"}},
                rows["InstanceIds.N"][3],
            ),
            "Filters": describe(
                {"type": "array", "maxItems": 10, "items": {"$ref": "#/$defs/Filter"}}, rows["Filters.N"][3]
            ),
            "Offset": describe({"type": "integer", "minimum": 0, "default": 0}, rows["Offset"][3]),
            "Limit": describe({"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, rows["Limit"][3]),
        },
        "not": {"required": ["InstanceIds", "Filters"]},
        "$defs": {
            "Filter": {
                "type": "object",
                "properties": {"Name": {"enum": list(filters)},
                               "Values": {"type": "array", "minItems": 1, "maxItems": 5}},
                "required": ["Name", "Values"],
                "oneOf": filter_variants,
            },
            "filters": filters,
        },
    }


def tencent_error_schema(doc: Document | None = None) -> dict[str, Any]:
    rows = _doc(doc).table_under("错误码").rows
    codes = [clean_name(r[0]) for r in rows]
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "tencent-cvm-2017-03-12/error.schema.json",
        "title": "Error answer (Tencent Cloud API 3.0)",
        "type": "object",
        "properties": {
            "Response": {
                "type": "object",
                "properties": {
                    "Error": {
                        "type": "object",
                        "properties": {"Code": {"type": "string", "examples": codes}, "Message": {"type": "string"}},
                        "required": ["Code", "Message"],
                    },
                    "RequestId": {"type": "string"},
                },
                "required": ["Error", "RequestId"],
            }
        },
        "required": ["Response"],
        "x-error-table": [
            {"code": clean_name(r[0]), "status": 200, "message": documents.normalize_space(r[1])} for r in rows
        ],
    }


def tencent_openapi(doc: Document | None = None) -> dict[str, Any]:
    request = tencent_request_schema(doc)
    response, defs = components(tencent_response_schema(doc), "Tencent")
    error, _ = components(tencent_error_schema(doc), "Tencent")
    props = request["properties"]
    filter_names = list(request["$defs"]["filters"])
    params = [
        query_param("Action", {"type": "string", "enum": ["DescribeInstances"]}, required=True),
        query_param("Version", {"type": "string", "enum": ["2017-03-12"]}, required=True),
        query_param("Offset", props["Offset"]),
        query_param("Limit", props["Limit"]),
        query_param("InstanceIds.0", props["InstanceIds"]["items"]),
        query_param("InstanceIds.1", props["InstanceIds"]["items"]),
    ]
    for n in (0, 1):
        params.append(query_param(f"Filters.{n}.Name", {"type": "string", "enum": filter_names}))
        for m in (0, 1):
            params.append(query_param(f"Filters.{n}.Values.{m}", {"type": "string"}))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tencent Cloud CVM DescribeInstances (2017-03-12)", "version": "2017-03-12",
                 "description": "Derived from the vendor document by conformance.derive; Region and signing "
                 "are added by the suite. Every answer is HTTP 200, errors inside Response.Error."},
        "paths": {
            "/": {
                "get": {
                    "operationId": "DescribeInstances",
                    "parameters": params,
                    "responses": {
                        "200": {"description": "The listing or an error",
                                "content": {"application/json": {"schema": {"anyOf": [response, error]}}}},
                    },
                }
            }
        },
        "components": {"schemas": defs},
    }


#: Each derived file of ``schemas/<dir>/`` and the function that builds it.
DERIVATIONS = {
    "request.schema.json": tencent_request_schema,
    "response.schema.json": tencent_response_schema,
    "error.schema.json": tencent_error_schema,
    "openapi.json": tencent_openapi,
}
