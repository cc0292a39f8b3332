"""Alibaba ECS adapter: RPC parameters, signed as RPC v1 (HMAC-SHA1) or ACS3-HMAC-SHA256."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx

from conformance.vendors.alibaba_sdk import AlibabaSdk
from conformance.vendors.base import Adapter, Capabilities, Credentials, Query
from conformance.wire import signing

ACTION, VERSION = "DescribeInstances", "2014-05-26"
#: Tag spellings: the table's ``Tag.N.Key`` and the lowercase ``Tag.N.key`` it also lists (ALI-DOC-001).
TAG_SPELLINGS = {None: ("Tag.{n}.Key", "Tag.{n}.Value"), "tag-lowercase": ("Tag.{n}.key", "Tag.{n}.value")}
#: Headers of the ACS3 form that carry business parameters.
BUSINESS_HEADERS = {"x-acs-action": "Action", "x-acs-version": "Version"}


class AlibabaAdapter(Adapter):
    vendor = "alibaba"
    capabilities = Capabilities(
        default_region="cn-hangzhou",
        signing_modes=("rpc", "acs3"),
        form_mode="rpc",
        paging="page-number",
        default_limit=10,
        formats=("JSON", "XML"),
        error_delivery="documented-status",
        credential_env=("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
        throttling_codes=frozenset({"Throttling", "Throttling.User", "Throttling.Api", "ServiceUnavailable"}),
        fuzz_fixed={"RegionId": "{region}"},
        empty_ids_modes=("rpc", "acs3"),
        ids_with_filters=True,
        variants=("tag-lowercase",),
        credential_error_codes=("InvalidAccessKeyId.", "InvalidAccessKeyId", "SignatureDoesNotMatch",
                                "IncompleteSignature", "InvalidTimeStamp.", "SignatureNonceUsed", "Forbidden.RAM",
                                "Forbidden.AccessKeyDisabled", "InvalidSecurityToken."),
        region_error_codes=("InvalidRegionId.", "InvalidRegionId", "MissingRegionId"),
        answer_shape="Alibaba ECS RPC (a top-level `RequestId`)",
    )

    def params(self, query: Query, region: str) -> dict[str, Any]:
        params: dict[str, Any] = {"RegionId": query.region or region}
        for name, values in [*query.filters.items(), *query.repeated_filters]:
            spec = self.catalog.filters.get(name)
            if spec is not None and spec.match == "json-array":
                params[name] = json.dumps(list(values))
            else:
                params[name] = values[0]
        if query.ids is not None:
            params["InstanceIds"] = json.dumps(query.ids)
        key_form, value_form = TAG_SPELLINGS[query.variant if query.variant in TAG_SPELLINGS else None]
        for n, (key, value) in enumerate(query.tags, start=1):
            if key is not None:
                params[key_form.format(n=n)] = key
            if value is not None:
                params[value_form.format(n=n)] = value
        if query.limit is not None:
            params["PageSize"] = str(query.limit)
        if query.offset is not None:
            size = query.limit or self.default_limit
            params["PageNumber"] = str(query.offset // size + 1)
        params.update({k: str(v) for k, v in query.extra.items()})
        if query.format == "XML":
            params["Format"] = "XML"
        for name in query.drop:
            params.pop(name, None)
        return params

    def build(self, query: Query, *, url: str, region: str, credentials: Credentials, mode: str) -> httpx.Request:
        business = self.params(query, region)
        parts = httpx.URL(url)
        host, path = parts.netloc.decode(), parts.path or "/"
        nonce = uuid.uuid4().hex
        timestamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if mode == "rpc":
            params = {"Action": ACTION, "Version": VERSION, "Format": "JSON", **business,
                      "AccessKeyId": credentials.key_id, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
                      "SignatureNonce": nonce, "Timestamp": timestamp}
            params["Signature"] = signing.alibaba_rpc_signature("GET", params, credentials.secret)
            credentials.register_signature(params["Signature"])
            return httpx.Request("GET", url, params=params, headers={"host": host})
        wire = {k: str(v) for k, v in business.items()}
        headers = {"host": host, "x-acs-action": ACTION, "x-acs-version": VERSION,
                   "x-acs-date": timestamp, "x-acs-signature-nonce": nonce,
                   "x-acs-content-sha256": signing.sha256_hex(b"")}
        canonical = signing.acs3_canonical_request("POST", path, wire, headers, headers,
                                                   headers["x-acs-content-sha256"])
        signature = signing.acs3_signature(credentials.secret, canonical)
        credentials.register_signature(signature)
        headers["Authorization"] = signing.acs3_authorization(credentials.key_id, headers, signature)
        return httpx.Request("POST", url, params=wire, headers=headers)

    def business_params(self, method: str, uri: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
        params = super().business_params(method, uri, headers, body)
        for header, name in BUSINESS_HEADERS.items():
            if header in headers:
                params[name] = headers[header]
        if "Format" in params:
            params["Format"] = params["Format"].upper()
        return params

    def sdks(self) -> tuple[Any, ...]:
        return (AlibabaSdk(self.params),)

    def synthetic_ids(self, count: int) -> list[str]:
        return [f"i-conformance{n:08d}" for n in range(count)]

    def foreign_zone(self, region: str) -> str:
        return "cn-beijing-a" if region != "cn-beijing" else "cn-hangzhou-g"
