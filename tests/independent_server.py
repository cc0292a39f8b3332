"""An independent Tencent CVM DescribeInstances server, written apart from the emulator.

It shares no code with ``conformance.emulator``: its own inventory (47
instances by default, any number on request, listed in descending id order,
names and zones of its own), its own parsing and filtering on the standard
library's HTTP server. It checks no signature. The suite run against it shows
that the checks derive their oracles from what an endpoint answers, not from
the emulator's data. With ``churn_every`` an instance is created every that
many requests (for the first ``churn_until`` requests, or for ever), listed
first: a listing that changes while it is walked.

``bugs`` names bugs of the emulator's deviation catalogue (the same names,
implemented here on their own) to prove the suite catches them on a server it
was not written against; ``verify_signatures`` checks both signing modes with
the pair independent-key/independent-secret; ``filtered_order="reversed"``
and ``null_scalars`` are liberties the document allows (the order of a
filtered listing, null optional scalars), to prove they fail nothing.
"""

from __future__ import annotations

import hmac
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from conformance.wire import signing  # the suite's own signing, not the emulator's

FILTERS = {"zone", "project-id", "host-id", "instance-id", "instance-name", "instance-charge-type",
           "private-ip-address", "public-ip-address"}
CHARGE_TYPES = ("PREPAID", "POSTPAID_BY_HOUR", "CDHPAID")
REGION = "ap-guangzhou"
KEY_ID, KEY_SECRET = "independent-key", "independent-secret"
CONSTANT_REQUEST_ID = "0d15ea5e-0000-4000-8000-00000000cafe"
#: The bugs this server can have: the names of the emulator's Tencent deviations of issue 18.
BUGS = frozenset({
    "filtered-page-cut-before-filter", "filtered-offset-ignored", "ids-override-region", "duplicate-ids-counted",
    "exact-filter-prefix", "exact-filter-case-insensitive", "enum-case-insensitive", "repeated-filter-last-wins",
    "limit-0-as-default", "values-limit-only-zone", "hmac256-signature-unverified", "request-id-constant",
    "validate-first-value-only", "form-skips-validation",
})


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


def make_foreign(count: int = 3) -> list[dict]:
    """A few instances of ap-shanghai: what a region-blind id lookup would find."""
    out = []
    for item in make_inventory(count):
        item = json.loads(json.dumps(item))
        item["InstanceId"] = "ins-5" + item["InstanceId"][5:]
        item["Placement"]["Zone"] = "ap-shanghai-2"
        item["InstanceName"] = item["InstanceName"].replace("svc-", "sha-")
        out.append(item)
    return out


def nulled(item: dict) -> dict:
    """``item`` with its empty optional scalars as null, as the real service answers them."""
    item = json.loads(json.dumps(item))
    for key in ("RenewFlag", "ExpiredTime"):
        if item.get(key) == "":
            item[key] = None
    if item["Placement"].get("HostId") == "":
        item["Placement"]["HostId"] = None
    return item


class Refused(Exception):
    def __init__(self, code: str, message: str = "refused"):
        super().__init__(code)
        self.code, self.message = code, message


def _attribute(item: dict, name: str) -> list[str]:
    return {
        "zone": [item["Placement"]["Zone"]],
        "project-id": [str(item["Placement"]["ProjectId"])],
        "host-id": [item["Placement"]["HostId"] or ""],
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


def _matches(name: str, values: list[str], item: dict, bugs: frozenset[str]) -> bool:
    """Whether ``item`` meets one filter: a part of the name, or one of the values exactly (unless a bug)."""
    if name == "instance-name":
        return any(v in item["InstanceName"] for v in values)
    carried = _attribute(item, name)
    if "exact-filter-prefix" in bugs:
        return any(c.startswith(v) for v in values for c in carried)
    if "exact-filter-case-insensitive" in bugs:
        return bool({v.lower() for v in values} & {c.lower() for c in carried})
    return bool(set(values) & set(carried))


def _zone_refused(zone: str, region: str, bugs: frozenset[str]) -> bool:
    if "exact-filter-case-insensitive" in bugs:
        zone = zone.lower()
    if "exact-filter-prefix" in bugs and f"{region}-".startswith(zone):
        return False  # 'ap-guangzhou' begins this region's zones: the prefix bug serves it
    return not zone.startswith(region + "-")


def _validate(name: str, values: list[str], region: str, bugs: frozenset[str], form: bool) -> None:
    if form and "form-skips-validation" in bugs:
        return
    for value in values[:1] if "validate-first-value-only" in bugs else values:
        if name == "zone" and _zone_refused(value, region, bugs):
            raise Refused("InvalidZone.MismatchRegion")
        if name == "host-id" and not re.fullmatch(r"host-[0-9a-z]{8}", value):
            raise Refused("InvalidHostId.Malformed")
        if name == "instance-id" and not re.fullmatch(r"ins-[0-9a-z]{8}", value):
            raise Refused("InvalidInstanceId.Malformed")
        if name == "instance-charge-type" and value not in CHARGE_TYPES:
            raise Refused("InvalidParameterValue")
        if name == "project-id" and not value.isdigit():
            raise Refused("InvalidParameterValue")


def describe(inventory: list[dict], region: str, body: dict, bugs: Iterable[str] = frozenset(),
             form: bool = False, foreign: Iterable[dict] = (), filtered_order: str = "listing") -> dict:
    """One DescribeInstances answer: ``form`` says the request came as a form (HmacSHA256), not TC3 JSON."""
    bugs = frozenset(bugs)
    foreign = list(foreign)
    if "InstanceIds" in body and "Filters" in body:
        raise Refused("InvalidParameter")
    if region == REGION:
        listing = list(inventory)
    else:
        listing = [i for i in foreign if i["Placement"]["Zone"].startswith(region + "-")] if region else []
    selected = list(listing)
    ids = body.get("InstanceIds")
    if ids is not None:
        if len(ids) > 100:
            raise Refused("InvalidParameterValue.LimitExceeded")
        _validate("instance-id", ids, region, bugs, form)
        pool = [*inventory, *foreign] if "ids-override-region" in bugs and ids else selected
        selected = [i for i in pool if i["InstanceId"] in ids]
        if "duplicate-ids-counted" in bugs:
            selected = [i for i in selected for _ in range(ids.count(i["InstanceId"]))]
    filters = body.get("Filters") or []
    if len(filters) > 10:
        raise Refused("InvalidParameterValue.LimitExceeded")
    if "repeated-filter-last-wins" in bugs:
        filters = list({entry.get("Name"): entry for entry in filters}.values())
    for entry in filters:
        name, values = entry.get("Name"), [str(v) for v in entry.get("Values") or []]
        if name not in FILTERS:
            raise Refused("InvalidFilter")
        if len(values) > 5 and (name == "zone" or "values-limit-only-zone" not in bugs):
            raise Refused("InvalidFilterValue.LimitExceeded")
        if not values:
            raise Refused("InvalidParameter")
        if name == "instance-charge-type" and "enum-case-insensitive" in bugs:
            values = [v.upper() if v.upper() in CHARGE_TYPES else v for v in values]
        _validate(name, values, region, bugs, form)
        selected = [i for i in selected if _matches(name, values, i, bugs)]
    limit_given = body.get("Limit", 20)
    if "limit-0-as-default" in bugs and str(limit_given).strip() == "0":
        limit_given = 20
    try:
        offset, limit = int(body.get("Offset", 0)), int(limit_given)
    except (TypeError, ValueError):
        raise Refused("InvalidParameterValue") from None
    if offset < 0 or not 1 <= limit <= 100:
        raise Refused("InvalidParameterValue")
    conditions = ids is not None or bool(filters)
    if conditions and filtered_order == "reversed":  # the document leaves the order open
        selected.reverse()
    if conditions and "filtered-offset-ignored" in bugs:
        offset = 0
    window = selected[offset:offset + limit]
    if conditions and "filtered-page-cut-before-filter" in bugs:
        window = [i for i in listing[offset:offset + limit] if i in selected]
    return {"TotalCount": len(selected), "InstanceSet": window}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    inventory: list[dict] = []
    churn_every = 0
    churn_until = 0
    served = 0
    bugs: frozenset[str] = frozenset()
    verify_signatures = False
    foreign: list[dict] = []
    filtered_order = "listing"
    null_scalars = False

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
        cls = type(self)
        request_id = CONSTANT_REQUEST_ID if "request-id-constant" in cls.bugs else str(uuid.uuid4())
        answer: dict = {"RequestId": request_id}
        try:
            tc3 = self.headers.get("Authorization", "").startswith("TC3")
            if tc3:
                region = self.headers.get("X-TC-Region", "")
                body = json.loads(raw or b"{}")
            else:
                form = dict(parse_qsl(raw.decode("utf-8", "replace") or self.path.partition("?")[2],
                                      keep_blank_values=True))
                region = form.get("Region", "")
                body = _from_form(form)
            if cls.verify_signatures:
                self._verify(raw, None if tc3 else form)
            found = describe(self.inventory, region, body, bugs=cls.bugs, form=not tc3, foreign=cls.foreign,
                             filtered_order=cls.filtered_order)
            if cls.null_scalars:
                found["InstanceSet"] = [nulled(i) for i in found["InstanceSet"]]
            answer.update(found)
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

    def _verify(self, raw: bytes, form: dict[str, str] | None) -> None:
        """Check a TC3 (``form`` None) or form signature against independent-key/independent-secret."""
        host, path = self.headers.get("Host", ""), urlsplit(self.path).path or "/"
        if form is None:
            auth = signing.parse_authorization(self.headers.get("Authorization", ""))
            if auth is None:
                raise Refused("AuthFailure.InvalidAuthorization")
            key_id, (date, service, _) = auth.key_id, (auth.scope.split("/") + ["", "", ""])[:3]
            timestamp = self.headers.get("X-TC-Timestamp", "")
            canonical = signing.tc3_canonical_request(self.command, path, "", self.headers.get("Content-Type", ""),
                                                      host, raw)
            given = auth.signature
            expected = signing.tc3_signature(KEY_SECRET, date, service, timestamp, canonical)
        else:
            if "Signature" not in form or "SecretId" not in form:
                raise Refused("AuthFailure.InvalidAuthorization")
            key_id, given, timestamp = form["SecretId"], form["Signature"], form.get("Timestamp", "")
            method = form.get("SignatureMethod", "HmacSHA1")
            if method not in signing.TENCENT_V1_DIGESTS:
                raise Refused("AuthFailure.SignatureFailure")
            unsigned = {k: v for k, v in form.items() if k != "Signature"}
            expected = signing.tencent_v1_signature(self.command, host, path, unsigned, KEY_SECRET, method)
            if method == "HmacSHA256" and "hmac256-signature-unverified" in type(self).bugs:
                expected = given
        if key_id != KEY_ID:
            raise Refused("AuthFailure.SecretIdNotFound")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            raise Refused("AuthFailure.SignatureExpire")
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise Refused("AuthFailure.SignatureFailure")


def known_bugs(bugs: Iterable[str], known: frozenset[str]) -> frozenset[str]:
    """``bugs`` as a set; ValueError names one this server does not have."""
    chosen = frozenset(bugs)
    if chosen - known:
        raise ValueError(f"unknown bug {sorted(chosen - known)[0]!r}; known: {', '.join(sorted(known))}")
    return chosen


class IndependentServer:
    def __init__(self, count: int = 47, churn_every: int = 0, churn_until: int = 0,
                 bugs: frozenset[str] | Iterable[str] = (), verify_signatures: bool = False,
                 filtered_order: str = "listing", null_scalars: bool = False) -> None:
        if filtered_order not in ("listing", "reversed"):
            raise ValueError(f"filtered_order is 'listing' or 'reversed', not {filtered_order!r}")
        handler = type("SizedHandler", (Handler,), {
            "inventory": make_inventory(count), "churn_every": churn_every, "churn_until": churn_until, "served": 0,
            "bugs": known_bugs(bugs, BUGS), "verify_signatures": verify_signatures, "foreign": make_foreign(),
            "filtered_order": filtered_order, "null_scalars": null_scalars})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "IndependentServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
