"""Alibaba answers in the real service's key order.

JSON objects are unordered on paper, but clients are not: footmark (the
library behind Ansible's alicloud modules) sets an instance's attributes in
the answer's key order, and its ``Instance.__setattr__`` for
``PublicIpAddress`` reads ``EipAddress`` and ``InstanceId``. Served in any
other order it recurses until Python gives up. Real ECS, and the document's
sample, put ``EipAddress`` and ``InstanceId`` first; this module orders every
rendered instance the same way. Fields the sample leaves out follow in the
response table's order. ``tests/test_key_order.py`` proves the order below is
the sample's.
"""

from __future__ import annotations

from typing import Any

#: The document's JSON sample, top level of the answer.
ANSWER_ORDER = ("PageNumber", "TotalCount", "PageSize", "RequestId", "Instances")

#: The document's JSON sample, one instance; then what the sample omits, in the response table's order.
INSTANCE_ORDER = (
    "ImageId", "VlanId", "EipAddress", "ZoneId", "IoOptimized", "SerialNumber", "Cpu", "Memory", "DeviceAvailable",
    "SecurityGroupIds", "SaleCycle", "AutoReleaseTime", "ResourceGroupId", "OSType", "OSName", "InstanceNetworkType",
    "HostName", "CreationTime", "Tags", "EcsCapacityReservationAttr", "RegionId", "DeletionProtection",
    "OperationLocks", "ExpiredTime", "CpuOptions", "InnerIpAddress", "InstanceTypeFamily", "InstanceId",
    "InternetMaxBandwidthIn", "CreditSpecification", "InternetChargeType", "SpotStrategy", "StoppedMode",
    "InternetMaxBandwidthOut", "VpcAttributes", "SpotPriceLimit", "StartTime", "InstanceName", "Description",
    "OSNameEn", "PublicIpAddress", "InstanceType", "Status", "MetadataOptions", "Recyclable", "ClusterId", "GPUSpec",
    "InstanceChargeType", "GPUAmount", "DedicatedHostAttribute", "DedicatedInstanceAttribute", "DeploymentSetId",
    # not in the sample
    "DeploymentSetGroupNo", "HpcClusterId", "KeyPairName", "LocalStorageAmount", "LocalStorageCapacity",
    "NetworkInterfaces", "RdmaIpAddress", "SpotDuration",
)

#: Nested structures: the sample's order, then the table's.
NESTED_ORDER: dict[str, tuple[str, ...]] = {
    "EipAddress": ("IpAddress", "AllocationId", "InternetChargeType", "Bandwidth", "IsSupportUnassociate"),
    "CpuOptions": ("Numa", "ThreadsPerCore", "CoreCount"),
    "DedicatedHostAttribute": ("DedicatedHostId", "DedicatedHostName", "DedicatedHostClusterId"),
    "DedicatedInstanceAttribute": ("Affinity", "Tenancy"),
    "EcsCapacityReservationAttr": ("CapacityReservationPreference", "CapacityReservationId"),
    "MetadataOptions": ("HttpTokens", "HttpEndpoint", "HttpPutResponseHopLimit"),
    "VpcAttributes": ("NatIpAddress", "PrivateIpAddress", "VSwitchId", "VpcId"),
}
#: Objects inside lists: Tags.Tag[*].
TAG_ORDER = ("TagValue", "TagKey")


def _ordered(mapping: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """``mapping`` with ``order``'s keys first, in that order, then any other keys as they came."""
    rank = {name: n for n, name in enumerate(order)}
    return dict(sorted(mapping.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def alibaba_instance(item: dict[str, Any]) -> dict[str, Any]:
    """One Alibaba instance with its keys, and its structures' keys, in the real service's order."""
    out = _ordered(item, INSTANCE_ORDER)
    for name, order in NESTED_ORDER.items():
        if isinstance(out.get(name), dict):
            out[name] = _ordered(out[name], order)
    tags = out.get("Tags")
    if isinstance(tags, dict) and isinstance(tags.get("Tag"), list):
        out["Tags"] = {**tags, "Tag": [_ordered(t, TAG_ORDER) if isinstance(t, dict) else t for t in tags["Tag"]]}
    return out


__all__ = ["ANSWER_ORDER", "INSTANCE_ORDER", "NESTED_ORDER", "TAG_ORDER", "alibaba_instance"]
