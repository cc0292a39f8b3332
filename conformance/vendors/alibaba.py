"""Alibaba ECS adapter: neutral queries as RPC parameters."""

from __future__ import annotations

import json
from typing import Any

from conformance.vendors.base import Query
from conformance.vendors.common import CatalogAdapter


class AlibabaAdapter(CatalogAdapter):
    vendor = "alibaba"
    default_region = "cn-hangzhou"
    signing_modes = ("rpc", "acs3")
    paged = True
    default_limit = 10
    throttling_codes = frozenset({"Throttling", "Throttling.User", "Throttling.Api", "ServiceUnavailable"})

    def params(self, query: Query, region: str) -> dict[str, Any]:
        params: dict[str, Any] = {"RegionId": query.region or region}
        for name, values in query.filters.items():
            spec = self.catalog.filters.get(name)
            if spec is not None and spec.match == "json-array":
                params[name] = json.dumps(list(values))
            else:
                params[name] = values[0]
        if query.ids is not None:
            params["InstanceIds"] = json.dumps(query.ids)
        key_form, value_form = query.tag_spelling
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

    def synthetic_ids(self, count: int) -> list[str]:
        return [f"i-conformance{n:08d}" for n in range(count)]

    def foreign_zone(self, region: str) -> str:
        return "cn-beijing-a" if region != "cn-beijing" else "cn-hangzhou-g"
