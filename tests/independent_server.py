"""An independent Tencent CVM DescribeInstances server, written apart from the emulator.

It shares no code with ``conformance.emulator``: its own inventory (47
instances by default, any number on request, listed in descending id order,
names and zones of its own), its own parsing and filtering on the standard
library's HTTP server. It checks no signature. The suite run against it shows
that the checks derive their oracles from what an endpoint answers, not from
the emulator's data. With ``churn_every`` an instance is created every that
many requests (for the first ``churn_until`` requests, or for ever), listed
first: a listing that changes while it is walked.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

FILTERS = {"zone", "project-id", "host-id", "instance-id", "instance-name", "instance-charge-type",
           "private-ip-address", "public-ip-address"}


def make_inventory(count: int = 47) -> list[dict]:
    out = []
    for n in range(count):
        zone = ["ap-guangzhou-3", "ap-guangzhou-4", "ap-guangzhou-6"][n % 3]
        out.append({
            "Placement": {"Zone": zone, "HostId": f"host-{n:08x}" if n % 5 == 0 else "", "ProjectId": [0, 7][n % 2]},
            "InstanceId": f"ins-{(977 * n + 13) % 100000:08d}",
            "InstanceType": ["SA3.MEDIUM4", "S6.LARGE8"][n % 2],
            "CPU": 2 + 2 * (n % 2),
            "Memory": 4,
            "InstanceName": f"svc-{['alpha', 'beta', 'gamma', 'delta'][n % 4]}-{n:03d}",
            "InstanceChargeType": ["POSTPAID_BY_HOUR", "PREPAID", "POSTPAID_BY_HOUR", "CDHPAID"][n % 4],
            "SystemDisk": {"DiskType": "CLOUD_BSSD", "DiskId": f"disk-{n:08d}", "DiskSize": 60},
            "DataDisks": [],
            "PrivateIpAddresses": [f"10.8.{n // 200}.{n % 200 + 2}"],
            "PublicIpAddresses": [f"203.0.113.{n + 1}"] if n % 3 else [],
            "InternetAccessible": {"InternetMaxBandwidthOut": 10, "InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR",
                                   "PublicIpAssigned": bool(n % 3)},
            "VirtualPrivateCloud": {"VpcId": "vpc-indep001", "SubnetId": f"subnet-{n % 4:08d}", "AsVpcGateway": False},
            "ImageId": "img-indep001",
            "RenewFlag": "",
            "CreatedTime": f"2025-03-{n % 28 + 1:02d}T10:00:00Z",
            "ExpiredTime": "",
        })
    return sorted(out, key=lambda i: i["InstanceId"], reverse=True)


class Refused(Exception):
    def __init__(self, code: str, message: str = "refused"):
        super().__init__(code)
        self.code, self.message = code, message


def _attribute(item: dict, name: str) -> list[str]:
    return {
        "zone": [item["Placement"]["Zone"]],
        "project-id": [str(item["Placement"]["ProjectId"])],
        "host-id": [item["Placement"]["HostId"]],
        "instance-id": [item["InstanceId"]],
        "instance-name": [item["InstanceName"]],
        "instance-charge-type": [item["InstanceChargeType"]],
        "private-ip-address": item["PrivateIpAddresses"],
        "public-ip-address": item["PublicIpAddresses"],
    }[name]


def _from_form(form: dict[str, str]) -> dict:
    body: dict = {}
    ids = sorted((int(k.split(".")[1]), v) for k, v in form.items() if re.fullmatch(r"InstanceIds\.\d+", k))
    if ids:
        body["InstanceIds"] = [v for _, v in ids]
    filters: dict[int, dict] = {}
    for key, value in form.items():
        m = re.fullmatch(r"Filters\.(\d+)\.(Name|Values?\.(\d+))", key)
        if m:
            entry = filters.setdefault(int(m.group(1)), {"Values": {}})
            if m.group(2) == "Name":
                entry["Name"] = value
            else:
                entry["Values"][int(m.group(3))] = value
    if filters:
        body["Filters"] = [{"Name": f.get("Name"), "Values": [f["Values"][k] for k in sorted(f["Values"])]}
                           for _, f in sorted(filters.items())]
    for key in ("Offset", "Limit"):
        if key in form:
            body[key] = form[key]
    return body


def describe(inventory: list[dict], region: str, body: dict) -> dict:
    if region != "ap-guangzhou":
        return {"TotalCount": 0, "InstanceSet": []}
    if "InstanceIds" in body and "Filters" in body:
        raise Refused("InvalidParameter")
    selected = list(inventory)
    ids = body.get("InstanceIds")
    if ids is not None:
        if len(ids) > 100:
            raise Refused("InvalidParameterValue.LimitExceeded")
        if any(not re.fullmatch(r"ins-[0-9a-z]{8}", i) for i in ids):
            raise Refused("InvalidInstanceId.Malformed")
        selected = [i for i in selected if i["InstanceId"] in ids]
    filters = body.get("Filters") or []
    if len(filters) > 10:
        raise Refused("InvalidParameterValue.LimitExceeded")
    for entry in filters:
        name, values = entry.get("Name"), [str(v) for v in entry.get("Values") or []]
        if name not in FILTERS:
            raise Refused("InvalidFilter")
        if len(values) > 5:
            raise Refused("InvalidFilterValue.LimitExceeded")
        if not values:
            raise Refused("InvalidParameter")
        for value in values:
            if name == "zone" and not value.startswith(region + "-"):
                raise Refused("InvalidZone.MismatchRegion")
            if name == "host-id" and not re.fullmatch(r"host-[0-9a-z]{8}", value):
                raise Refused("InvalidHostId.Malformed")
            if name == "instance-id" and not re.fullmatch(r"ins-[0-9a-z]{8}", value):
                raise Refused("InvalidInstanceId.Malformed")
            if name == "instance-charge-type" and value not in ("PREPAID", "POSTPAID_BY_HOUR", "CDHPAID"):
                raise Refused("InvalidParameterValue")
            if name == "project-id" and not value.isdigit():
                raise Refused("InvalidParameterValue")
        if name == "instance-name":
            selected = [i for i in selected if any(v in i["InstanceName"] for v in values)]
        else:
            selected = [i for i in selected if set(values) & set(_attribute(i, name))]
    try:
        offset, limit = int(body.get("Offset", 0)), int(body.get("Limit", 20))
    except (TypeError, ValueError):
        raise Refused("InvalidParameterValue") from None
    if offset < 0 or not 1 <= limit <= 100:
        raise Refused("InvalidParameterValue")
    return {"TotalCount": len(selected), "InstanceSet": selected[offset:offset + limit]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    inventory: list[dict] = []
    churn_every = 0
    churn_until = 0
    served = 0

    def log_message(self, *args) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no delayed-ACK stalls

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        self._serve(raw)

    def do_GET(self) -> None:
        self._serve(b"")

    def _churn(self) -> None:
        """Create an instance every ``churn_every`` requests: it sorts first (the largest id)."""
        cls = type(self)
        cls.served += 1
        if cls.churn_every and cls.served % cls.churn_every == 0 and (not cls.churn_until or cls.served <= cls.churn_until):
            new = dict(cls.inventory[-1])
            new["InstanceId"] = f"ins-{90000000 + cls.served:08d}"
            new["InstanceName"] = f"svc-new-{cls.served}"
            new["PrivateIpAddresses"] = [f"10.9.{cls.served // 200}.{cls.served % 200 + 2}"]
            new["PublicIpAddresses"] = []
            cls.inventory = [new, *cls.inventory]

    def _serve(self, raw: bytes) -> None:
        self._churn()
        answer: dict = {"RequestId": str(uuid.uuid4())}
        try:
            if self.headers.get("Authorization", "").startswith("TC3"):
                region = self.headers.get("X-TC-Region", "")
                body = json.loads(raw or b"{}")
            else:
                form = dict(parse_qsl(raw.decode("utf-8", "replace") or self.path.partition("?")[2],
                                      keep_blank_values=True))
                region = form.get("Region", "")
                body = _from_form(form)
            answer.update(describe(self.inventory, region, body))
        except Refused as refused:
            answer["Error"] = {"Code": refused.code, "Message": refused.message}
        except (ValueError, AttributeError, TypeError):
            answer["Error"] = {"Code": "InvalidParameter", "Message": "malformed request"}
        data = json.dumps({"Response": answer}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class IndependentServer:
    def __init__(self, count: int = 47, churn_every: int = 0, churn_until: int = 0) -> None:
        handler = type("SizedHandler", (Handler,), {"inventory": make_inventory(count), "churn_every": churn_every,
                                                    "churn_until": churn_until, "served": 0})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "IndependentServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
