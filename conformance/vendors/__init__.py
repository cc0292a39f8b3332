"""Vendor adapters: the thin translation between neutral queries and each wire format."""

from __future__ import annotations

from conformance.vendors.base import Adapter, Answer, Query


def adapter(vendor: str) -> Adapter:
    if vendor == "alibaba":
        from conformance.vendors.alibaba import AlibabaAdapter

        return AlibabaAdapter()
    if vendor == "tencent":
        from conformance.vendors.tencent import TencentAdapter

        return TencentAdapter()
    raise ValueError(f"unknown vendor {vendor!r}")


__all__ = ["Adapter", "Answer", "Query", "adapter"]
