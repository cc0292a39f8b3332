"""Tencent CVM adapter: neutral queries as API 3.0 parameters (JSON-body form)."""

from __future__ import annotations

from typing import Any

from conformance.vendors.base import Query
from conformance.vendors.common import CatalogAdapter


class TencentAdapter(CatalogAdapter):
    vendor = "tencent"
    default_region = "ap-guangzhou"
    signing_modes = ("tc3", "hmac256")
    paged = False
    default_limit = 20
    throttling_codes = frozenset({"RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded",
                                  "InternalError", "ResourceUnavailable"})

    def params(self, query: Query, region: str) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if query.filters:
            params["Filters"] = [{"Name": name, "Values": list(values)} for name, values in query.filters.items()]
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

    @staticmethod
    def flatten(params: dict[str, Any], base: int = 0, values_key: str = "Values") -> dict[str, str]:
        """The form encoding of JSON-body parameters (``Filters.0.Values.0``), as the SDK's HmacSHA256 mode sends."""
        flat: dict[str, str] = {}
        for key, value in params.items():
            if key == "Filters" and isinstance(value, list):
                for n, entry in enumerate(value, start=base):
                    flat[f"Filters.{n}.Name"] = str(entry.get("Name"))
                    for m, item in enumerate(entry.get("Values", []), start=base):
                        flat[f"Filters.{n}.{values_key}.{m}"] = str(item)
            elif isinstance(value, list):
                for n, item in enumerate(value, start=base):
                    flat[f"{key}.{n}"] = str(item)
            else:
                flat[key] = str(value)
        return flat

    def synthetic_ids(self, count: int) -> list[str]:
        return [f"ins-c{n:07d}" for n in range(count)]

    def foreign_zone(self, region: str) -> str:
        return "ap-beijing-1" if region != "ap-beijing" else "ap-guangzhou-3"
