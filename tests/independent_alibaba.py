"""An independent Alibaba ECS DescribeInstances server (pagination and filters), apart from the emulator.

No code or data shared with ``conformance.emulator``: 53 instances of its own
by default (any number on request), listed newest first, on the standard
library's HTTP server, JSON only, no signature check. Enough of the document
to answer the pagination and filter checks; the suite's oracles must come
from what it answers. With ``churn_every`` an instance is created every that
many requests (for the first ``churn_until`` requests, or for ever), listed
first: a listing that changes while it is walked.
"""

from __future__ import annotations

import fnmatch
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


def make_inventory(count: int = 53) -> list[dict]:
    out = []
    for n in range(count):
        region = "cn-shanghai" if n % 7 == 0 else "cn-hangzhou"
        vpc = n % 4 != 0
        out.append({
            "InstanceId": f"i-ind{n:016d}",
            "InstanceName": ["api", "worker", "queue"][n % 3] + f"-node-{n:02d}",
            "RegionId": region,
            "ZoneId": f"{region}-{'jk'[n % 2]}",
            "Status": ["Running", "Stopped", "Running", "Starting"][n % 4],
            "InstanceType": ["ecs.t6.small", "ecs.u1.large"][n % 2],
            "InstanceTypeFamily": ["ecs.t6", "ecs.u1"][n % 2],
            "InstanceNetworkType": "vpc" if vpc else "classic",
            "InstanceChargeType": ["PostPaid", "PrePaid"][n % 3 == 0],
            "ImageId": ["m-ind-ubuntu", "m-ind-debian"][n % 2],
            "IoOptimized": n % 5 != 0,
            "SecurityGroupIds": {"SecurityGroupId": [f"sg-ind-{n % 3}"] + (["sg-ind-extra"] if n % 4 == 1 else [])},
            "VpcAttributes": {"VpcId": "vpc-ind-a" if vpc else "", "VSwitchId": f"vsw-ind-{n % 2}" if vpc else "",
                              "PrivateIpAddress": {"IpAddress": [f"192.168.7.{n + 10}"] if vpc else []}},
            "InnerIpAddress": {"IpAddress": [] if vpc else [f"10.20.0.{n + 10}"]},
            "PublicIpAddress": {"IpAddress": [f"198.51.100.{n}"] if n % 3 else []},
            "Tags": {"Tag": [{"TagKey": "owner", "TagValue": ["ana", "bo"][n % 2]}]
                     + ([{"TagKey": "tier", "TagValue": "gold"}] if n % 3 == 0 else [])},
        })
    return list(reversed(out))  # newest first


def _values(item: dict, name: str) -> list[str]:
    def text(value):
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    direct = {"ZoneId", "Status", "InstanceType", "InstanceTypeFamily", "InstanceNetworkType", "InstanceChargeType",
              "ImageId", "IoOptimized", "InstanceName", "InstanceId"}
    if name in direct:
        return [text(item[name])]
    if name == "InstanceIds":
        return [item["InstanceId"]]
    if name == "SecurityGroupId":
        return item["SecurityGroupIds"]["SecurityGroupId"]
    if name in ("VpcId", "VSwitchId"):
        return [item["VpcAttributes"][name]] if item["VpcAttributes"][name] else []
    if name == "PrivateIpAddresses":
        return item["VpcAttributes"]["PrivateIpAddress"]["IpAddress"]
    if name == "InnerIpAddresses":
        return item["InnerIpAddress"]["IpAddress"]
    if name == "PublicIpAddresses":
        return item["PublicIpAddress"]["IpAddress"]
    return []  # a filter this inventory carries no value for


ARRAYS = {"InstanceIds", "PrivateIpAddresses", "InnerIpAddresses", "PublicIpAddresses", "EipAddresses"}
SINGLE = {"ZoneId", "Status", "InstanceType", "InstanceTypeFamily", "InstanceNetworkType", "InstanceChargeType",
          "ImageId", "IoOptimized", "SecurityGroupId", "VpcId", "VSwitchId", "KeyPairName", "ResourceGroupId",
          "LockReason", "InternetChargeType", "HttpEndpoint", "HttpTokens", "RdmaIpAddresses"}


def describe(inventory: list[dict], params: dict[str, str]) -> tuple[int, dict]:
    region = params.get("RegionId")
    if not region:
        return 400, {"Code": "MissingRegionId", "Message": "RegionId is mandatory"}
    selected = [i for i in inventory if i["RegionId"] == region]
    for name, raw in params.items():
        if name in ARRAYS:
            wanted = json.loads(raw) if raw.startswith("[") else raw.split(",")
            if len(wanted) > 100:  # "a JSON array that consists of up to 100 ..."
                return 400, {"Code": "InvalidParameter", "Message": f"{name} holds more than 100 values"}
            selected = [i for i in selected if set(wanted) & set(_values(i, name))]
        elif name in SINGLE:
            selected = [i for i in selected if raw in _values(i, name)]
        elif name == "InstanceName":
            selected = [i for i in selected if fnmatch.fnmatchcase(i["InstanceName"], raw)]
    tags = {}
    for name, value in params.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "Tag" and parts[2] in ("Key", "Value"):
            tags.setdefault(int(parts[1]), {})[parts[2]] = value
    for tag in tags.values():
        selected = [i for i in selected if any(t["TagKey"] == tag.get("Key") and
                                               ("Value" not in tag or t["TagValue"] == tag["Value"])
                                               for t in i["Tags"]["Tag"])]
    try:
        number, size = int(params.get("PageNumber", 1)), int(params.get("PageSize", 10))
    except ValueError:
        return 400, {"Code": "InvalidParameter", "Message": "not a number"}
    if number < 1 or not 1 <= size <= 100:
        return 400, {"Code": "InvalidParameter", "Message": "out of range"}
    page = selected[(number - 1) * size:number * size]
    return 200, {"TotalCount": len(selected), "PageNumber": number, "PageSize": size,
                 "Instances": {"Instance": page}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    inventory: list[dict] = []
    churn_every = 0
    churn_until = 0
    served = 0

    def log_message(self, *args) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _churn(self) -> None:
        """Create an instance every ``churn_every`` requests: the newest, listed first."""
        cls = type(self)
        cls.served += 1
        if cls.churn_every and cls.served % cls.churn_every == 0 and (not cls.churn_until or cls.served <= cls.churn_until):
            new = json.loads(json.dumps(next(i for i in cls.inventory if i["RegionId"] == "cn-hangzhou")))
            new["InstanceId"] = f"i-indnew{cls.served:012d}"
            new["InstanceName"] = f"new-node-{cls.served}"
            new["PublicIpAddress"] = {"IpAddress": []}
            new["VpcAttributes"]["PrivateIpAddress"] = {"IpAddress": []}
            new["InnerIpAddress"] = {"IpAddress": []}
            cls.inventory = [new, *cls.inventory]

    def do_GET(self) -> None:
        self._churn()
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        status, body = describe(self.inventory, params)
        body["RequestId"] = str(uuid.uuid4()).upper()
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class IndependentAlibaba:
    def __init__(self, count: int = 53, churn_every: int = 0, churn_until: int = 0) -> None:
        handler = type("SizedHandler", (Handler,), {"inventory": make_inventory(count), "churn_every": churn_every,
                                                    "churn_until": churn_until, "served": 0})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "IndependentAlibaba":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
