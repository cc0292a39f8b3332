"""Tencent CVM adapter: API 3.0 parameters, signed as TC3-HMAC-SHA256 (JSON body) or HmacSHA256 (form)."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx

from conformance.vendors.base import Adapter, Capabilities, Credentials, Query
from conformance.vendors.tencent_sdk import TencentSdk
from conformance.wire import signing

ACTION, VERSION, SERVICE = "DescribeInstances", "2017-03-12", "cvm"
#: Form spellings of the document's example beside the SDK's (TC-DOC-001/002): (numbering base, values key).
FORM_SPELLINGS = {None: (0, "Values"), "singular-value": (0, "Value"), "numbered-from-1": (1, "Values")}
#: Headers of the TC3 form that carry business parameters.
BUSINESS_HEADERS = {"x-tc-action": "Action", "x-tc-version": "Version", "x-tc-region": "Region"}
_NUMBERED = re.compile(r"^(InstanceIds|Filters)\.(\d+)(?:\.(Name|Values?)(?:\.(\d+))?)?$")


def flatten(params: dict[str, Any], base: int = 0, values_key: str = "Values") -> dict[str, str]:
    """The form encoding of JSON-body parameters (``Filters.0.Values.0``), as the SDK's HmacSHA256 mode sends."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        if key == "Filters" and isinstance(value, list):
            for n, entry in enumerate(value, start=base):
                entry = entry if isinstance(entry, dict) else {}
                flat[f"Filters.{n}.Name"] = str(entry.get("Name"))
                for m, item in enumerate(entry.get("Values", []), start=base):
                    flat[f"Filters.{n}.{values_key}.{m}"] = str(item)
        elif isinstance(value, list):
            for n, item in enumerate(value, start=base):
                flat[f"{key}.{n}"] = str(item)
        else:
            flat[key] = str(value)
    return flat


def renumber(params: dict[str, str]) -> dict[str, str]:
    """``Filters.N``/``InstanceIds.N`` (and ``Values.M``) renumbered 0, 1, ... in their own order."""
    numbered: dict[tuple[str, int], dict[str, Any]] = {}
    plain = {}
    for key, value in params.items():
        match = _NUMBERED.match(key)
        if not match:
            plain[key] = value
            continue
        group, n, part, m = match.group(1), int(match.group(2)), match.group(3), match.group(4)
        entry = numbered.setdefault((group, n), {"values": {}})
        if part is None:
            entry["value"] = value
        elif m is None:
            entry["name"] = value
        else:
            entry["values"][(part, int(m))] = value
    out = dict(plain)
    for group in ("InstanceIds", "Filters"):
        entries = sorted((n, e) for (g, n), e in numbered.items() if g == group)
        for index, (_, entry) in enumerate(entries):
            if "value" in entry:
                out[f"{group}.{index}"] = entry["value"]
            if "name" in entry:
                out[f"{group}.{index}.Name"] = entry["name"]
            ordered = sorted(entry["values"].items(), key=lambda kv: kv[0][1])
            for position, ((part, _), value) in enumerate(ordered):
                out[f"{group}.{index}.{part}.{position}"] = value
    return dict(sorted(out.items()))


class TencentAdapter(Adapter):
    vendor = "tencent"
    capabilities = Capabilities(
        default_region="ap-guangzhou",
        signing_modes=("tc3", "hmac256"),
        form_mode="hmac256",
        paging="offset",
        default_limit=20,
        formats=("JSON",),
        error_delivery="always-200",
        credential_env=("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
        throttling_codes=frozenset({"RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded",
                                    "InternalError", "ResourceUnavailable"}),
        fuzz_fixed={},
        # a form has no spelling for an empty list: only the TC3 JSON body carries InstanceIds: []
        empty_ids_modes=("tc3",),
        # "参数不支持同时指定InstanceIds和Filters"
        ids_with_filters=False,
        filters_repeat=True,
        variants=("singular-value", "numbered-from-1"),
        credential_error_codes=("AuthFailure.", "AuthFailure"),
        region_error_codes=("InvalidRegion", "InvalidParameterValue.InvalidRegion", "UnsupportedRegion"),
        answer_shape="Tencent Cloud API 3.0 (a `Response` object)",
    )

    def params(self, query: Query, region: str) -> dict[str, Any]:
        params: dict[str, Any] = {}
        entries = [*query.filters.items(), *query.repeated_filters]
        if entries:
            params["Filters"] = [{"Name": name, "Values": list(values)} for name, values in entries]
        if query.ids is not None:
            params["InstanceIds"] = list(query.ids)
        if query.offset is not None:
            params["Offset"] = query.offset
        if query.limit is not None:
            params["Limit"] = query.limit
        params.update(query.extra)
        for name in query.drop:
            params.pop(name, None)
        return params

    def build(self, query: Query, *, url: str, region: str, credentials: Credentials, mode: str) -> httpx.Request:
        business = self.params(query, region)
        parts = httpx.URL(url)
        host, path = parts.netloc.decode(), parts.path or "/"
        timestamp = str(int(time.time()))
        if mode == "tc3":
            body = json.dumps(business).encode()
            content_type = "application/json"
            date = time.strftime("%Y-%m-%d", time.gmtime(int(timestamp)))
            canonical = signing.tc3_canonical_request("POST", path, "", content_type, host, body)
            signature = signing.tc3_signature(credentials.secret, date, SERVICE, timestamp, canonical)
            credentials.register_signature(signature)
            headers = {"Host": host, "Content-Type": content_type, "X-TC-Action": ACTION,
                       "X-TC-Version": VERSION, "X-TC-Timestamp": timestamp, "X-TC-Region": query.region or region,
                       "Authorization": signing.tc3_authorization(credentials.key_id, date, SERVICE, signature)}
            return httpx.Request("POST", url, content=body, headers=headers)
        base, values_key = FORM_SPELLINGS[query.variant if query.variant in FORM_SPELLINGS else None]
        params = {**flatten(business, base=base, values_key=values_key), "Action": ACTION, "Version": VERSION,
                  "Region": query.region or region, "Timestamp": timestamp,
                  "Nonce": str(uuid.uuid4().int % 10**9), "SecretId": credentials.key_id,
                  "SignatureMethod": "HmacSHA256"}
        params["Signature"] = signing.tencent_v1_signature("POST", host, path, params, credentials.secret)
        credentials.register_signature(params["Signature"])
        return httpx.Request("POST", url, content=urlencode(params).encode(),
                             headers={"Host": host, "Content-Type": "application/x-www-form-urlencoded"})

    def business_params(self, method: str, uri: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
        if body and "json" in headers.get("content-type", ""):
            params = super().business_params(method, uri, headers, b"")
            try:
                document = json.loads(body)
                params.update(flatten(document) if isinstance(document, dict) else {"<body>": body.decode()})
            except ValueError:
                params["<body>"] = body.decode("utf-8", "replace")
        else:
            params = super().business_params(method, uri, headers, body)
        for header, name in BUSINESS_HEADERS.items():
            if header in headers:
                params[name] = headers[header]
        return renumber(params)

    def sdks(self) -> tuple[Any, ...]:
        return (TencentSdk(self.params),)

    def synthetic_ids(self, count: int) -> list[str]:
        return [f"ins-c{n:07d}" for n in range(count)]

    def foreign_zone(self, region: str) -> str:
        return "ap-beijing-1" if region != "ap-beijing" else "ap-guangzhou-3"
