"""A deterministic inventory of realistic instances for the emulator.

Instances are drawn once as vendor-neutral :class:`Machine` records and then
rendered into each vendor's response shape, so that both vendors' inventories
vary the same attributes the same way and the difference between them is only
the rendering. Every filterable attribute takes several values, each held by
some but not all instances of a region, so that every filter can be decided.
"""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from conformance.spec import catalog

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
        "ExpiredTime": (m.created + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ") if m.prepaid else "",
    }


RENDERERS = {"alibaba": render_alibaba, "tencent": render_tencent}


def generate(vendor: str, count: int = 60, seed: int = 0) -> list[dict[str, Any]]:
    """``count`` instances in the vendor's response shape, deterministic for ``seed``."""
    render = RENDERERS[vendor]
    return [render(m) for m in generate_machines(vendor, count, seed)]


class InventoryError(ValueError):
    """A user's inventory file that cannot be used."""


def load_file(vendor: str, path: str | Path) -> list[dict[str, Any]]:
    """Instances from a JSON or YAML file: a list of items, or a whole answer.

    Each item is validated against the vendor's response schema so that the
    emulator never serves an instance the documents would not allow.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InventoryError(f"cannot read inventory {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InventoryError(f"inventory {path} is not valid JSON/YAML: {exc}") from exc
    cat = catalog.load(vendor)
    if isinstance(data, dict):
        data = cat.answer.all("items", data)
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise InventoryError(f"inventory {path}: expected a list of instances or a DescribeInstances answer")
    instance_schema = {**cat.response_schema["$defs"]["Instance"], "$defs": cat.response_schema["$defs"]}
    validator = jsonschema.Draft202012Validator(instance_schema)
    for n, item in enumerate(data):
        error = jsonschema.exceptions.best_match(validator.iter_errors(item))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(item)"
            raise InventoryError(f"inventory {path}: instance {n} at {where}: {error.message}")
    return data
