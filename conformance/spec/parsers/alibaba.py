"""The Alibaba ECS document's parser: its tables and samples into JSON Schemas and OpenAPI.

What a flat table cannot say (which rows nest, list element names, enums
written in prose) is the data below, each entry next to the sentence it
comes from.
"""

from __future__ import annotations

import re
from typing import Any

from conformance.spec import documents
from conformance.spec.building import SCALARS, SCHEMA_DIALECT, components, describe, list_of, query_param
from conformance.spec.documents import clean_name

VENDOR = "alibaba"

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
        return list_of(ALIBABA_LIST_ELEMENTS[name], {"type": "string"}, description)
    schema: dict[str, Any] = dict(SCALARS[kind])
    if name in ALIBABA_RESPONSE_ENUMS:
        # Real answers carry "" where the value is unset (the sample does).
        schema["enum"] = [*ALIBABA_RESPONSE_ENUMS[name], ""]
    return describe(schema, description)


def alibaba_response_schema() -> dict[str, Any]:
    rows = documents.table_under(VENDOR, "Response parameters").rows
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
                instance[name] = list_of(element, struct, row[3])
            else:
                instance[name] = describe(struct, row[3])
            i = start + len(children)
            continue
        instance[name] = _alibaba_field(row)
        i += 1
    for row in tail:
        top[clean_name(row[0])] = _alibaba_field(row)
    item = {"type": "object", "properties": instance, "required": ALIBABA_INSTANCE_REQUIRED}
    top["Instances"] = list_of(clean_name(rows[1][0]), {"$ref": "#/$defs/Instance"}, instances_row[3])
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
    rows = documents.table_under(VENDOR, "Request parameters").rows
    props: dict[str, Any] = {}
    pattern_props: dict[str, Any] = {}
    required: list[str] = []
    for row in rows:
        name, kind, req, description = clean_name(row[0]), row[1], row[2], row[4]
        if kind == "RepeatList":
            schema: dict[str, Any] = {"type": "string", "enum": ["META_OPTIONS", "DDH_CLUSTER"]}
        else:
            schema = dict(SCALARS[kind])
        schema.update(ALIBABA_REQUEST_EXTRA.get(name, {}))
        if name in ALIBABA_JSON_ARRAYS:
            schema["contentMediaType"] = "application/json"
            schema["contentSchema"] = {"type": "array", "maxItems": 100, "items": {"type": "string"}}
        schema = describe(schema, description)
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
    rows = documents.table_under(VENDOR, "Error codes").rows
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


def alibaba_openapi() -> dict[str, Any]:
    request = alibaba_request_schema()
    response, response_defs = components(alibaba_response_schema(), "Alibaba")
    error, _ = components(alibaba_error_schema(), "Alibaba")
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
