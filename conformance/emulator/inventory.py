"""A deterministic inventory of realistic instances for the emulator.

Instances are drawn once as vendor-neutral :class:`Machine` records and then
rendered into each vendor's response shape, so that both vendors' inventories
vary the same attributes the same way and the difference between them is only
the rendering. Every filterable attribute takes several values, each held by
some but not all instances of a region, so that every filter can be decided.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

#: Regions of each vendor: the suite's default first, then the others.
REGIONS = {
    "alibaba": ["cn-hangzhou", "cn-shanghai", "cn-beijing"],
    "tencent": ["ap-guangzhou", "ap-shanghai", "ap-beijing"],
}
#: Share of the instances placed in each region, in REGIONS order.
REGION_WEIGHTS = [7, 2, 1]

NAME_PREFIXES = ["web", "db", "cache", "batch", "edge"]
STATUSES = ["Running", "Running", "Stopped", "Pending", "Starting", "Stopping"]
LOCK_REASONS = ["financial", "security", "recycling", "dedicatedhostfinancial", "refunded"]
FAMILIES = {"ecs.g6": ["large", "xlarge"], "ecs.c6": ["large", "2xlarge"], "ecs.r6": ["xlarge"]}
TENCENT_TYPES = ["S5.MEDIUM4", "S5.LARGE8", "SA2.MEDIUM4", "M5.LARGE16"]
TAG_KEYS = ["env", "team", "cost-center"]
TAG_VALUES = {"env": ["prod", "staging", "dev"], "team": ["payments", "search"], "cost-center": ["cc-1", "cc-2"]}
BASE_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)


@dataclass
class Machine:
    """One instance, before any vendor's rendering."""

    number: int
    region: str
    zone: str
    short_id: str
    long_id: str
    name: str
    status: str
    prepaid: bool
    cdh: bool
    network: str  # "vpc" or "classic"
    vpc: str
    vswitch: str
    subnet: str
    security_groups: list[str]
    private_ip: str
    inner_ip: str
    public_ip: str
    eip: str
    image: str
    family: str
    instance_type: str
    key_pair: str
    resource_group: str
    hpc_cluster: str
    rdma_ip: str
    locks: list[str]
    http_endpoint: str
    http_tokens: str
    project_id: int
    host_id: str
    tags: list[tuple[str, str]]
    internet_charge: str
    io_optimized: bool
    cpu: int
    memory_mib: int
    created: datetime
    extra: dict[str, Any] = field(default_factory=dict)


def _token(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(length))


def generate_machines(vendor: str, count: int, seed: int) -> list[Machine]:
    """``count`` machines spread over the vendor's regions, the same for the same seed."""
    rng = random.Random(f"{vendor}:{seed}")
    regions = REGIONS[vendor]
    machines = []
    for n in range(count):
        region = regions[0] if n < 3 else rng.choices(regions, REGION_WEIGHTS)[0]
        zone_suffixes = ["g", "h", "i"] if vendor == "alibaba" else ["1", "2", "3"]
        zone = f"{region}-{rng.choice(zone_suffixes)}"
        network = "classic" if rng.random() < 0.25 else "vpc"
        vpc_n = rng.randrange(3)
        has_public = rng.random() < 0.6
        hpc = rng.random() < 0.2
        family = rng.choice(list(FAMILIES))
        tags = []
        for key in TAG_KEYS:
            if rng.random() < 0.55:
                tags.append((key, rng.choice(TAG_VALUES[key])))
        prefix = NAME_PREFIXES[n % len(NAME_PREFIXES)] if n < 5 else rng.choice(NAME_PREFIXES)
        machines.append(
            Machine(
                number=n,
                region=region,
                zone=zone,
                short_id=f"ins-{_token(rng, 8)}",
                long_id=f"i-{region[:2]}{_token(rng, 18)}",
                name=f"{prefix}-{n:05d}-{region.split('-')[1][:3]}",
                status=rng.choice(STATUSES),
                prepaid=rng.random() < 0.4,
                cdh=rng.random() < 0.1,
                network=network,
                vpc=f"vpc-{region[:2]}{vpc_n}{_token(random.Random(f'{region}{vpc_n}'), 12)}" if network == "vpc" else "",
                vswitch=f"vsw-{_token(random.Random(f'{zone}{vpc_n}'), 14)}" if network == "vpc" else "",
                subnet=f"subnet-{_token(random.Random(f'{zone}{vpc_n}s'), 8)}",
                security_groups=sorted({f"sg-{region[:2]}{rng.randrange(4):02d}{'x' * 10}" for _ in range(rng.randint(1, 2))}),
                private_ip=f"172.16.{n // 250}.{n % 250 + 1}",
                inner_ip=f"10.{(n // 62500) % 250}.{(n // 250) % 250}.{n % 250 + 1}" if network == "classic" else "",
                public_ip=f"47.{96 + (n // 62500) % 100}.{(n // 250) % 250}.{n % 250 + 1}" if has_public and network == "classic" else "",
                eip=f"39.{96 + (n // 62500) % 100}.{(n // 250) % 250}.{n % 250 + 1}" if has_public and network == "vpc" else "",
                image=rng.choice(["m-centos7x64", "m-ubuntu2204", "m-win2022", "img-alinux3"]),
                family=family,
                instance_type=f"{family}.{rng.choice(FAMILIES[family])}",
                key_pair=rng.choice(["", "ops-key", "deploy-key"]),
                resource_group=rng.choice(["rg-default0000", "rg-analytics00", "rg-platform000"]),
                hpc_cluster=f"hpc-{region[:2]}{rng.randrange(2)}clustr0000" if hpc else "",
                rdma_ip=f"192.168.{n // 250 % 250}.{n % 250 + 1}" if hpc else "",
                locks=[rng.choice(LOCK_REASONS)] if rng.random() < 0.15 else [],
                http_endpoint=rng.choice(["enabled", "enabled", "disabled"]),
                http_tokens=rng.choice(["optional", "required"]),
                project_id=rng.choice([0, 0, 1001, 1002]),
                host_id=f"host-{_token(rng, 8)}" if rng.random() < 0.2 else "",
                tags=tags,
                internet_charge=rng.choice(["PayByTraffic", "PayByBandwidth"]),
                io_optimized=rng.random() < 0.8,
                cpu=rng.choice([2, 4, 8]),
                memory_mib=rng.choice([4096, 8192, 16384]),
                created=BASE_TIME + timedelta(hours=n, minutes=rng.randrange(60)),
            )
        )
    return machines


def _iso_minutes(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def render_alibaba(m: Machine) -> dict[str, Any]:
    """One instance as ECS DescribeInstances lists it: every field of the response table."""
    charge = "PrePaid" if m.prepaid else "PostPaid"
    return {
        "InstanceId": m.long_id,
        "InstanceName": m.name,
        "RegionId": m.region,
        "ZoneId": m.zone,
        "Status": m.status,
        "InstanceType": m.instance_type,
        "InstanceTypeFamily": m.family,
        "InstanceNetworkType": m.network,
        "InstanceChargeType": charge,
        "InternetChargeType": m.internet_charge,
        "InternetMaxBandwidthIn": 100,
        "InternetMaxBandwidthOut": 5 if (m.public_ip or m.eip) else 0,
        "ImageId": m.image,
        "OSName": "Windows Server 2022" if "win" in m.image else "Linux",
        "OSNameEn": "Windows Server 2022" if "win" in m.image else "Linux",
        "OSType": "windows" if "win" in m.image else "linux",
        "HostName": f"iZ{m.long_id[2:]}Z",
        "Description": f"{m.name} instance",
        "Cpu": m.cpu,
        "Memory": m.memory_mib,
        "CpuOptions": {"CoreCount": m.cpu // 2, "Numa": "", "ThreadsPerCore": 2},
        "GPUAmount": 0,
        "GPUSpec": "",
        "IoOptimized": m.io_optimized,
        "DeviceAvailable": True,
        "DeletionProtection": not m.prepaid,
        "Recyclable": False,
        "CreationTime": _iso_minutes(m.created),
        "StartTime": _iso_minutes(m.created + timedelta(minutes=2)),
        "ExpiredTime": _iso_minutes(m.created + timedelta(days=365)) if m.prepaid else "2099-12-31T15:59Z",
        "AutoReleaseTime": "",
        "SaleCycle": "month" if m.prepaid else "",
        "SerialNumber": f"{m.long_id[2:10]}-0000-4000-8000-{m.long_id[-12:]}",
        "ClusterId": "",
        "VlanId": "",
        "KeyPairName": m.key_pair,
        "ResourceGroupId": m.resource_group,
        "HpcClusterId": m.hpc_cluster,
        "RdmaIpAddress": {"IpAddress": [m.rdma_ip] if m.rdma_ip else []},
        "DeploymentSetId": "",
        "DeploymentSetGroupNo": 0,
        "CreditSpecification": "",
        "SpotStrategy": "NoSpot",
        "SpotPriceLimit": 0.0,
        "SpotDuration": 0,
        "StoppedMode": "Not-applicable" if m.prepaid else "KeepCharging",
        "LocalStorageAmount": 0,
        "LocalStorageCapacity": 0,
        "SecurityGroupIds": {"SecurityGroupId": list(m.security_groups)},
        "InnerIpAddress": {"IpAddress": [m.inner_ip] if m.inner_ip else []},
        "PublicIpAddress": {"IpAddress": [m.public_ip] if m.public_ip else []},
        "EipAddress": {
            "AllocationId": f"eip-{m.long_id[2:14]}" if m.eip else "",
            "Bandwidth": 5 if m.eip else 0,
            "InternetChargeType": m.internet_charge if m.eip else "",
            "IpAddress": m.eip,
            "IsSupportUnassociate": bool(m.eip),
        },
        "VpcAttributes": {
            "NatIpAddress": "",
            "PrivateIpAddress": {"IpAddress": [m.private_ip] if m.network == "vpc" else []},
            "VSwitchId": m.vswitch,
            "VpcId": m.vpc,
        },
        "NetworkInterfaces": {
            "NetworkInterface": [
                {
                    "MacAddress": f"00:16:3e:{m.number // 65536 % 256:02x}:{m.number // 256 % 256:02x}:{m.number % 256:02x}",
                    "NetworkInterfaceId": f"eni-{m.long_id[2:20]}",
                    "PrimaryIpAddress": m.private_ip,
                }
            ]
            if m.network == "vpc"
            else []
        },
        "OperationLocks": {"LockReason": [{"LockReason": r, "LockMsg": f"The instance is locked ({r})."} for r in m.locks]},
        "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in m.tags]},
        "MetadataOptions": {"HttpEndpoint": m.http_endpoint, "HttpPutResponseHopLimit": 1, "HttpTokens": m.http_tokens},
        "DedicatedHostAttribute": {"DedicatedHostClusterId": "", "DedicatedHostId": "", "DedicatedHostName": ""},
        "DedicatedInstanceAttribute": {"Affinity": "default", "Tenancy": "default"},
        "EcsCapacityReservationAttr": {"CapacityReservationId": "", "CapacityReservationPreference": "none"},
    }


def render_tencent(m: Machine) -> dict[str, Any]:
    """One instance as CVM DescribeInstances lists it: every field of the document's example."""
    charge = "CDHPAID" if m.cdh else ("PREPAID" if m.prepaid else "POSTPAID_BY_HOUR")
    public = m.public_ip or m.eip
    return {
        "Placement": {"Zone": m.zone, "HostId": m.host_id, "ProjectId": m.project_id},
        "InstanceId": m.short_id,
        "InstanceType": TENCENT_TYPES[m.number % len(TENCENT_TYPES)] if m.number < 4 else random.Random(m.short_id).choice(TENCENT_TYPES),
        "CPU": m.cpu,
        "Memory": m.memory_mib // 1024,
        "InstanceName": m.name,
        "InstanceChargeType": charge,
        "SystemDisk": {"DiskType": "CLOUD_PREMIUM", "DiskId": f"disk-{m.short_id[4:]}", "DiskSize": 50},
        "DataDisks": [{"DiskType": "CLOUD_SSD", "DiskId": f"disk-{m.short_id[-6:]}d1", "DiskSize": 100}]
        if m.number % 3 == 0 else [],
        "PrivateIpAddresses": [m.private_ip],
        "PublicIpAddresses": [public] if public else [],
        "InternetAccessible": {
            "InternetMaxBandwidthOut": 5 if public else 0,
            "InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR",
            "PublicIpAssigned": bool(public),
        },
        "VirtualPrivateCloud": {"VpcId": m.vpc or f"vpc-{m.short_id[4:]}", "SubnetId": m.subnet, "AsVpcGateway": False},
        "ImageId": m.image.replace("m-", "img-"),
        "RenewFlag": "NOTIFY_AND_MANUAL_RENEW" if m.prepaid else "",
        "CreatedTime": m.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        # Real CVM answers null here for pay-as-you-go instances; the suite's schema check still refuses
        # null in documented fields, so the generated default stays "" (loaded real answers keep their null).
        "ExpiredTime": (m.created + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ") if m.prepaid else "",
        **tencent_today(m),
    }


#: Alibaba-style status -> CVM's InstanceState.
TENCENT_STATES = {"Running": "RUNNING", "Stopped": "STOPPED", "Pending": "PENDING", "Starting": "STARTING",
                  "Stopping": "STOPPING"}


def tencent_today(m: Machine) -> dict[str, Any]:
    """The fields today's CVM returns beyond the 2017 document, as the current SDK's Instance model lists them.

    Values follow what the real service returns: null where it returns null
    (no operation yet, no IPv6, no GPU, no metadata), empty strings for ids
    an instance has none of.
    """
    windows = "win" in m.image
    ipv6 = f"2402:4e00:1013:e500:0:{m.number // 65536 % 65536:x}:{m.number // 256 % 256:x}:{m.number % 256:x}" \
        if m.number % 4 == 1 else None
    return {
        "RestrictState": "NORMAL",
        "OsName": "Windows Server 2022 数据中心版 64位中文版" if windows else "TencentOS Server 3.1 (TK4)",
        "SecurityGroupIds": [f"sg-{g[-8:]}" if len(g) > 11 else g for g in m.security_groups],
        "LoginSettings": {"Password": None, "KeyIds": [f"skey-{m.key_pair[:8]:0<8}"] if m.key_pair else None,
                          "KeepImageLogin": None},
        "InstanceState": TENCENT_STATES.get(m.status, "RUNNING"),
        "Tags": [{"Key": k, "Value": v} for k, v in m.tags],
        "StopChargingMode": "NOT_APPLICABLE",
        "Uuid": f"{m.short_id[4:]}-0000-4000-8000-{m.number:012d}",
        "LatestOperation": None,
        "LatestOperationState": None,
        "LatestOperationRequestId": None,
        "DisasterRecoverGroupId": "",
        "IPv6Addresses": [ipv6] if ipv6 else None,
        "CamRoleName": "",
        "HpcClusterId": "",
        "RdmaIpAddresses": [],
        "DedicatedClusterId": "",
        "IsolatedSource": "NOTISOLATED",
        "GPUInfo": None,
        "LicenseType": "TencentCloud",
        "DisableApiTermination": False,
        "HostName": f"VM-{m.private_ip.split('.', 2)[2].replace('.', '-')}-{'windows' if windows else 'tencentos'}",
        "DefaultLoginUser": "Administrator" if windows else "root",
        "DefaultLoginPort": 3389 if windows else 22,
        "LatestOperationErrorMsg": None,
        "EnableJumboFrame": False,
        "Metadata": None,
        "PublicIPv6Addresses": None,
        "CpuTopology": None,
    }


RENDERERS = {"alibaba": render_alibaba, "tencent": render_tencent}


#: Documented Tencent fields the real service answers null for a pay-as-you-go instance.
TENCENT_POSTPAID_NULLS = ("RenewFlag", "ExpiredTime")


def generate(vendor: str, count: int = 60, seed: int = 0, real_nulls: bool = False) -> list[dict[str, Any]]:
    """``count`` instances in the vendor's response shape, deterministic for ``seed``.

    ``real_nulls`` puts null where the real service answers null even in a
    documented field (Tencent's ``RenewFlag`` and ``ExpiredTime`` of a
    pay-as-you-go instance). It is off by default: the suite's schema check
    still refuses null in a documented field, and the default inventory must
    pass the suite.
    """
    render = RENDERERS[vendor]
    items = [render(m) for m in generate_machines(vendor, count, seed)]
    if real_nulls and vendor == "tencent":
        for item in items:
            if item["InstanceChargeType"] == "POSTPAID_BY_HOUR":
                item.update(dict.fromkeys(TENCENT_POSTPAID_NULLS))
    return items


# Loading files lives in inventory_file; these names stay importable from here.
from conformance.emulator.inventory_file import InventoryError, load_file  # noqa: E402

__all__ = ["REGIONS", "InventoryError", "Machine", "generate", "generate_machines", "load_file"]
