"""Tencent filters beyond the 2017 document: today's CVM filters, emulator-only.

The document's filter table (``schemas/.../jsonpath.yaml``) is what the suite
checks, so today's filters cannot live there: the suite would then demand
them. Tools built on the current SDK (Cloud Custodian, tccli) send them, so
the emulator accepts them as beyond-the-document behaviour, with the same
index as the documented ones. ``tag:<key>`` becomes a ``tag-pair`` condition
on ``key\\0value``. Names no version supports still answer ``InvalidFilter``.
"""

from __future__ import annotations

import re
from typing import Any

from conformance.emulator.models import DerivedFilter, ScanFilter
from conformance.spec.catalog import FilterSpec

TAG_PREFIX = "tag:"
TAG_PAIR = "tag-pair"


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def wire_time(text: str) -> str | None:
    """``2023-06-01 00:00:00`` (the SDK's example) as ``2023-06-01T00:00:00Z``, comparable with CreatedTime."""
    return f"{text[:10]}T{text[11:]}Z" if _TIME.match(text) else None


def _created(item: dict[str, Any]) -> list[str]:
    created = item.get("CreatedTime")
    return [created] if isinstance(created, str) and created else []


def _tags(item: dict[str, Any]) -> list[dict[str, Any]]:
    tags = item.get("Tags")
    return [t for t in tags if isinstance(t, dict)] if isinstance(tags, list) else []


def _tag_pairs(item: dict[str, Any]) -> list[str]:
    return [f"{t.get('Key', '')}\0{t.get('Value', '')}" for t in _tags(item)]


#: Today's filters, as tencentcloud-sdk-python's DescribeInstancesRequest documents them.
EXTRA_FILTERS: dict[str, Any] = {
    "vpc-id": FilterSpec("vpc-id", "$.VirtualPrivateCloud.VpcId"),
    "subnet-id": FilterSpec("subnet-id", "$.VirtualPrivateCloud.SubnetId"),
    "instance-state": FilterSpec("instance-state", "$.InstanceState"),
    "security-group-id": FilterSpec("security-group-id", "$.SecurityGroupIds[*]"),
    "uuid": FilterSpec("uuid", "$.Uuid"),
    "ipv6-address": FilterSpec("ipv6-address", "$.IPv6Addresses[*]"),
    "dedicated-cluster-id": FilterSpec("dedicated-cluster-id", "$.DedicatedClusterId"),
    "tag-key": DerivedFilter("tag-key", lambda item: [str(t.get("Key", "")) for t in _tags(item)]),
    "tag-value": DerivedFilter("tag-value", lambda item: [str(t.get("Value", "")) for t in _tags(item)]),
    TAG_PAIR: DerivedFilter(TAG_PAIR, _tag_pairs),
    # creation times: instances created at or after / at or before, times taken as UTC
    "creation-start-time": ScanFilter("creation-start-time", _created, lambda wanted, created: created >= wanted),
    "creation-end-time": ScanFilter("creation-end-time", _created, lambda wanted, created: created <= wanted),
}


def accepted(name: Any) -> bool:
    """Whether ``name`` is one of today's filters the document does not list."""
    return isinstance(name, str) and (
        (name in EXTRA_FILTERS and name != TAG_PAIR) or (name.startswith(TAG_PREFIX) and len(name) > len(TAG_PREFIX)))


def condition_args(name: str, values: list[str]) -> tuple[str, tuple[str, ...], str]:
    """The index name, the values and the match a filter of today's API is answered with.

    Raises ValueError for a value the filter cannot take (a creation time not in the SDK's format).
    """
    if name.startswith(TAG_PREFIX):
        key = name[len(TAG_PREFIX):]
        return TAG_PAIR, tuple(f"{key}\0{v}" for v in values), "exact"
    spec = EXTRA_FILTERS[name]
    if spec.match == "scan":
        times = [wire_time(v) for v in values]
        if None in times:
            raise ValueError(f"the value of {name} must look like 2023-06-01 00:00:00")
        return name, tuple(t for t in times if t is not None), "scan"
    return name, tuple(values), "exact"


__all__ = ["EXTRA_FILTERS", "TAG_PAIR", "TAG_PREFIX", "DerivedFilter", "ScanFilter", "accepted", "condition_args",
           "wire_time"]
