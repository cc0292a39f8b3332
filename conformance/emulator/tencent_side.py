"""The Tencent calls tools make around the listing, answered minimally and consistently.

Cloud Custodian's Tencent provider asks STS who the caller is before it lists
anything; tccli and other SDK users ask for regions and zones. None of this
is in the document, so the answers are small, signed like any other call,
and agree with the inventory: the regions are the emulator's, the zones are
the ones its instances sit in (and ``-1`` to ``-3`` of each region), and the
account is derived from the key id, the same on every call.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any

from conformance.emulator.wire import Service, WireResponse

JSON_TYPE = "application/json"


@dataclass(frozen=True)
class SideAction:
    service: str  # the TC3 scope's service
    action: str
    version: str


ACTIONS = {(a.action, a.version): a for a in (
    SideAction("sts", "GetCallerIdentity", "2018-08-13"),
    SideAction("cvm", "DescribeRegions", "2017-03-12"),
    SideAction("cvm", "DescribeZones", "2017-03-12"),
)}

REGION_NAMES = {"ap-guangzhou": "华南地区(广州)", "ap-shanghai": "华东地区(上海)", "ap-beijing": "华北地区(北京)"}


def account_of(key_id: str) -> str:
    """A stable 12-digit account id (uin) for a key id."""
    return str(100000000000 + zlib.crc32(key_id.encode()) % 900000000000)


def zones(service: Service, region: str) -> list[str]:
    """A region's zones: ``-1`` to ``-3``, and any zone an instance of the inventory sits in."""
    seen = {f"{region}-{n}" for n in (1, 2, 3)}
    seen |= {z for z in service.backend.values("zone") if z.rsplit("-", 1)[0] == region}
    return sorted(seen, key=lambda z: (len(z), z))


def answer(action: SideAction, service: Service, region: str, rid: str, key_id: str) -> WireResponse:
    """The answer to one side action, in API 3.0's envelope."""
    body: dict[str, Any]
    if action.action == "GetCallerIdentity":
        uin = account_of(key_id)
        body = {"Arn": f"qcs::cam::uin/{uin}:uin/{uin}", "AccountId": uin, "UserId": uin, "PrincipalId": uin,
                "Type": "RootAccount"}
    elif action.action == "DescribeRegions":
        regions = sorted(service.regions)
        body = {"TotalCount": len(regions), "RegionSet": [
            {"Region": r, "RegionName": REGION_NAMES.get(r, r), "RegionState": "AVAILABLE"} for r in regions]}
    else:
        if region not in service.regions:
            body = {"Error": {"Code": "InvalidRegion", "Message": f"The region {region or '(none)'} does not exist."}}
        else:
            found = zones(service, region)
            body = {"TotalCount": len(found), "ZoneSet": [
                {"Zone": z, "ZoneName": z, "ZoneId": str(100000 + n), "ZoneState": "AVAILABLE"}
                for n, z in enumerate(found, 1)]}
    body["RequestId"] = rid
    return WireResponse(200, JSON_TYPE, json.dumps({"Response": body}, ensure_ascii=False).encode())
