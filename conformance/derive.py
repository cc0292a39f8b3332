"""Derive the JSON Schemas in ``schemas/`` from the vendor documents.

``python -m conformance.derive`` rewrites ``schemas/*/request.schema.json``,
``response.schema.json`` and ``error.schema.json``. Names, types and
descriptions come from the documents' tables; what a flat table cannot say
(which rows nest under which struct, the element name inside a list wrapper,
ranges and enums written in prose) is the data below, each entry next to the
sentence it comes from. ``tests/test_traceability.py`` re-derives and compares,
so a hand edit of a schema that the documents do not support fails the tests.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from conformance import documents
from conformance.catalog import SCHEMA_DIRS
from conformance.documents import clean_name

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS_ROOT = Path(__file__).resolve().parent.parent / "schemas"

_SCALARS = {
    "String": {"type": "string"},
    "Integer": {"type": "integer"},
    "Long": {"type": "integer"},
    "Float": {"type": "number"},
    "Boolean": {"type": "boolean"},
}


def _describe(schema: dict[str, Any], description: str) -> dict[str, Any]:
    text = documents.normalize_space(description)
    if text:
        schema = {**schema, "description": text}
    return schema


def _list_of(element: str, item: dict[str, Any], description: str = "") -> dict[str, Any]:
    """Alibaba's list wrapper: ``{"Element": [...]}`` in JSON, repeated ``<Element>`` in XML.

    The array key is required: the JSON sample renders an empty list as
    ``"LockReason": []``, never as a bare ``{}`` or ``null``.
    """
    return _describe(
        {
            "type": "object",
            "properties": {element: {"type": "array", "items": item}},
            "required": [element],
        },
        description,
    )


# --------------------------------------------------------------------------- Alibaba

#: Struct and array rows of the response table and the rows nested under them,
#: as the document's JSON sample nests them.
ALIBABA_STRUCTS: dict[str, list[str]] = {
    "CpuOptions": ["CoreCount", "Numa", "ThreadsPerCore"],
    "DedicatedHostAttribute": ["DedicatedHostClusterId", "DedicatedHostId", "DedicatedHostName"],
    "DedicatedInstanceAttribute": ["Affinity", "Tenancy"],
    "EcsCapacityReservationAttr": ["CapacityReservationId", "CapacityReservationPreference"],
    "EipAddress": ["AllocationId", "Bandwidth", "InternetChargeType", "IpAddress", "IsSupportUnassociate"],
    "MetadataOptions": ["HttpEndpoint", "HttpPutResponseHopLimit", "HttpTokens"],
    "NetworkInterfaces": ["MacAddress", "NetworkInterfaceId", "PrimaryIpAddress"],
    "OperationLocks": ["LockMsg", "LockReason"],
    "Tags": ["TagKey", "TagValue"],
    "VpcAttributes": ["NatIpAddress", "PrivateIpAddress", "VSwitchId", "VpcId"],
}

#: ``List`` rows and the element name inside their wrapper (the samples show
#: ``InnerIpAddress.IpAddress[]``, ``SecurityGroupIds.SecurityGroupId[]``).
ALIBABA_LIST_ELEMENTS = {
    "InnerIpAddress": "IpAddress",
    "PublicIpAddress": "IpAddress",
    "RdmaIpAddress": "IpAddress",
    "PrivateIpAddress": "IpAddress",
    "SecurityGroupIds": "SecurityGroupId",
}

#: Enums the response table states in its descriptions.
ALIBABA_RESPONSE_ENUMS = {
    "InstanceNetworkType": ["classic", "vpc"],
    "InstanceChargeType": ["PrePaid", "PostPaid"],
    "OSType": ["windows", "linux"],
    "SpotStrategy": ["NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"],
    "StoppedMode": ["KeepCharging", "StopCharging", "Not-applicable"],
}

#: Fields every instance carries in the sample and without which an item is
#: not an instance listing at all.
ALIBABA_INSTANCE_REQUIRED = ["InstanceId", "RegionId", "ZoneId", "Status", "InstanceType"]

#: Request enums, ranges and defaults, each stated in the request table.
ALIBABA_REQUEST_EXTRA: dict[str, dict[str, Any]] = {
    "Action": {"const": "DescribeInstances"},
    "InstanceNetworkType": {"enum": ["classic", "vpc"]},
    "InstanceChargeType": {"enum": ["PostPaid", "PrePaid"]},
    "InternetChargeType": {"enum": ["PayByBandwidth", "PayByTraffic"]},
    "Status": {"enum": ["Pending", "Running", "Starting", "Stopping", "Stopped"]},
    "LockReason": {"enum": ["financial", "security", "recycling", "dedicatedhostfinancial", "refunded"]},
    "PageNumber": {"minimum": 1, "default": 1},
    "PageSize": {"minimum": 1, "maximum": 100, "default": 10},
    "DryRun": {"default": False},
    "HttpEndpoint": {"enum": ["enabled", "disabled"], "default": "enabled"},
    "HttpTokens": {"enum": ["optional", "required"], "default": "optional"},
}

#: Parameters the table types as ``String`` but whose value is a JSON array of
#: at most 100 strings ("The value can be a JSON array that consists of up to 100 ...").
ALIBABA_JSON_ARRAYS = ["InstanceIds", "InnerIpAddresses", "PrivateIpAddresses", "PublicIpAddresses", "EipAddresses"]

_TAG_N = "([1-9]|1[0-9]|20)"


def _alibaba_field(row: list[str]) -> dict[str, Any]:
    name, kind, _example, description = (clean_name(row[0]), row[1], row[2], row[3])
    if kind == "List":
        return _list_of(ALIBABA_LIST_ELEMENTS[name], {"type": "string"}, description)
    schema = dict(_SCALARS[kind])
    if name in ALIBABA_RESPONSE_ENUMS:
        # Real answers carry "" where the value is unset (the sample does).
        schema["enum"] = [*ALIBABA_RESPONSE_ENUMS[name], ""]
    return _describe(schema, description)


def alibaba_response_schema() -> dict[str, Any]:
    rows = documents.table_under("alibaba", "Response parameters").rows
    top: dict[str, Any] = {}
    instance: dict[str, Any] = {}
    i = 0
    # Row 0/1 are "Instances" and its element row "Instance"; the last four are top level.
    instances_row = rows[0]
    body, tail = rows[2:-4], rows[-4:]
    while i < len(body):
        row = body[i]
        name, kind = clean_name(row[0]), row[1]
        if name in ALIBABA_STRUCTS:
            children = ALIBABA_STRUCTS[name]
            is_array = kind.startswith("Array of ")
            start = i + (2 if is_array else 1)
            child_rows = body[start : start + len(children)]
            found = [clean_name(r[0]) for r in child_rows]
            if found != children:
                raise ValueError(f"{name}: expected children {children}, the document has {found}")
            props = {clean_name(r[0]): _alibaba_field(r) for r in child_rows}
            struct = {"type": "object", "properties": props}
            if is_array:
                element = clean_name(body[i + 1][0])
                instance[name] = _list_of(element, struct, row[3])
            else:
                instance[name] = _describe(struct, row[3])
            i = start + len(children)
            continue
        instance[name] = _alibaba_field(row)
        i += 1
    for row in tail:
        top[clean_name(row[0])] = _alibaba_field(row)
    item = {"type": "object", "properties": instance, "required": ALIBABA_INSTANCE_REQUIRED}
    top["Instances"] = _list_of(clean_name(rows[1][0]), {"$ref": "#/$defs/Instance"}, instances_row[3])
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "alibaba-ecs-2014-05-26/response.schema.json",
        "title": "DescribeInstances success response (Alibaba Cloud ECS 2014-05-26)",
        "description": "JSON answer, and the XML answer parsed into the same shape (Format=XML).",
        "type": "object",
        "properties": top,
        "required": ["RequestId", "TotalCount", "PageNumber", "PageSize", "Instances"],
        "$defs": {"Instance": item},
    }


def alibaba_request_schema() -> dict[str, Any]:
    rows = documents.table_under("alibaba", "Request parameters").rows
    props: dict[str, Any] = {}
    pattern_props: dict[str, Any] = {}
    required: list[str] = []
    for row in rows:
        name, kind, req, description = clean_name(row[0]), row[1], row[2], row[4]
        if kind == "RepeatList":
            schema: dict[str, Any] = {"type": "string", "enum": ["META_OPTIONS", "DDH_CLUSTER"]}
        else:
            schema = dict(_SCALARS[kind])
        schema.update(ALIBABA_REQUEST_EXTRA.get(name, {}))
        if name in ALIBABA_JSON_ARRAYS:
            schema["contentMediaType"] = "application/json"
            schema["contentSchema"] = {"type": "array", "maxItems": 100, "items": {"type": "string"}}
        schema = _describe(schema, description)
        if ".N" in name:
            suffix = re.escape(name.split(".N", 1)[1])
            prefix = re.escape(name.split(".N", 1)[0])
            pattern_props[f"^{prefix}\\.{_TAG_N}{suffix}$"] = {**schema, "x-document-name": name}
        else:
            props[name] = schema
        if req == "Yes":
            required.append(name)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "alibaba-ecs-2014-05-26/request.schema.json",
        "title": "DescribeInstances request parameters (Alibaba Cloud ECS 2014-05-26)",
        "description": "Business parameters of the RPC request, as strings on the wire. Common "
        "parameters (Version, Format, signature) are added by the client.",
        "type": "object",
        "properties": props,
        "patternProperties": pattern_props,
        "required": required,
        "x-tag-limit": 20,
    }


def alibaba_error_schema() -> dict[str, Any]:
    rows = documents.table_under("alibaba", "Error codes").rows
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


# --------------------------------------------------------------------------- Tencent

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


def tencent_response_schema() -> dict[str, Any]:
    rows = {clean_name(r[0]): r for r in documents.table_under("tencent", "输出参数").rows}
    instance = _from_sample(documents.sample_json_response("tencent")["Response"]["InstanceSet"][0], nullable_lists=True)
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
                    "RequestId": _describe({"type": "string"}, rows["RequestId"][2]),
                    "TotalCount": _describe({"type": "integer", "minimum": 0}, rows["TotalCount"][2]),
                    "InstanceSet": _describe({"type": "array", "items": {"$ref": "#/$defs/Instance"}},
                                             rows["InstanceSet"][2]),
                },
                "required": ["RequestId", "TotalCount", "InstanceSet"],
                "not": {"required": ["Error"]},
            }
        },
        "required": ["Response"],
        "$defs": {"Instance": instance},
    }


def _tencent_filters() -> dict[str, Any]:
    table = next(t for t in documents.tables("tencent") if t.rows and clean_name(t.rows[0][0]) == "zone")
    out = {}
    for row in table.rows:
        name, kind, description = clean_name(row[0]), row[1], row[3]
        value = dict(_SCALARS[kind.strip()])
        if kind.strip() == "Integer":
            # Filter values travel as strings on the wire; an Integer filter holds digits.
            value = {"type": "string", "pattern": "^[0-9]+$"}
        if name == "instance-charge-type":
            value["enum"] = TENCENT_CHARGE_TYPES
        out[name] = _describe(value, description)
    return out


def tencent_request_schema() -> dict[str, Any]:
    rows = {clean_name(r[0]): r for r in documents.table_under("tencent", "输入参数").rows}
    filters = _tencent_filters()
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
            "Version": _describe({"const": "2017-03-12"}, rows["Version"][3]),
            "InstanceIds": _describe(
                {"type": "array", "maxItems": 100, "items": {"type": "string", "pattern": "^ins-[a-z0-9]{8}$"}},
                rows["InstanceIds.N"][3],
            ),
            "Filters": _describe(
                {"type": "array", "maxItems": 10, "items": {"$ref": "#/$defs/Filter"}}, rows["Filters.N"][3]
            ),
            "Offset": _describe({"type": "integer", "minimum": 0, "default": 0}, rows["Offset"][3]),
            "Limit": _describe({"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, rows["Limit"][3]),
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


def tencent_error_schema() -> dict[str, Any]:
    rows = documents.table_under("tencent", "错误码").rows
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


# --------------------------------------------------------------------------- OpenAPI

def _components(schema: dict[str, Any], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Move a schema's ``$defs`` into OpenAPI components and re-point its refs."""
    text = json.dumps(schema).replace('"#/$defs/', f'"#/components/schemas/{prefix}')
    moved = json.loads(text)
    defs = {f"{prefix}{k}": v for k, v in moved.pop("$defs", {}).items() if isinstance(v, dict) and "type" in v}
    moved.pop("$schema", None)
    moved.pop("$id", None)
    return moved, defs


def _query(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    schema = {k: v for k, v in schema.items() if k not in ("contentMediaType", "contentSchema", "x-document-name")}
    description = schema.pop("description", None)
    param: dict[str, Any] = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        param["description"] = description
    return param


def alibaba_openapi() -> dict[str, Any]:
    request = alibaba_request_schema()
    response, response_defs = _components(alibaba_response_schema(), "Alibaba")
    error, _ = _components(alibaba_error_schema(), "Alibaba")
    params = [
        _query("Version", {"type": "string", "enum": ["2014-05-26"]}, required=True),
        _query("Format", {"type": "string", "enum": ["JSON"]}),
    ]
    for name, schema in request["properties"].items():
        params.append(_query(name, schema, required=name in request["required"]))
    # Two tag pairs stand for Tag.N: enough for the fuzzer to pair and mismatch them.
    for schema in request["patternProperties"].values():
        document_name = schema["x-document-name"]
        if document_name.startswith("Tag.N.") and document_name[-5:] in ("N.Key", "Value"):
            for n in (1, 2):
                params.append(_query(document_name.replace(".N.", f".{n}."), schema))
        elif document_name == "AdditionalAttributes.N":
            params.append(_query("AdditionalAttributes.1", schema))
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


def tencent_openapi() -> dict[str, Any]:
    request = tencent_request_schema()
    response, defs = _components(tencent_response_schema(), "Tencent")
    error, _ = _components(tencent_error_schema(), "Tencent")
    props = request["properties"]
    filter_names = list(request["$defs"]["filters"])
    params = [
        _query("Action", {"type": "string", "enum": ["DescribeInstances"]}, required=True),
        _query("Version", {"type": "string", "enum": ["2017-03-12"]}, required=True),
        _query("Offset", props["Offset"]),
        _query("Limit", props["Limit"]),
        _query("InstanceIds.0", props["InstanceIds"]["items"]),
        _query("InstanceIds.1", props["InstanceIds"]["items"]),
    ]
    for n in (0, 1):
        params.append(_query(f"Filters.{n}.Name", {"type": "string", "enum": filter_names}))
        for m in (0, 1):
            params.append(_query(f"Filters.{n}.Values.{m}", {"type": "string"}))
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


BUILDERS = {
    "alibaba": {
        "request.schema.json": alibaba_request_schema,
        "response.schema.json": alibaba_response_schema,
        "error.schema.json": alibaba_error_schema,
        "openapi.json": alibaba_openapi,
    },
    "tencent": {
        "request.schema.json": tencent_request_schema,
        "response.schema.json": tencent_response_schema,
        "error.schema.json": tencent_error_schema,
        "openapi.json": tencent_openapi,
    },
}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def derive_all() -> dict[Path, str]:
    """Every derived file, by path, as it should stand in ``schemas/``."""
    return {
        SCHEMAS_ROOT / SCHEMA_DIRS[vendor] / name: render(build())
        for vendor, files in BUILDERS.items()
        for name, build in files.items()
    }


def main(argv: list[str] | None = None) -> int:
    for path, text in derive_all().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(SCHEMAS_ROOT.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
