"""An independent Alibaba ECS DescribeInstances server (pagination and filters), apart from the emulator.

No code or data shared with ``conformance.emulator``: 53 instances of its own
by default (any number on request), listed newest first, on the standard
library's HTTP server. Both request forms: RPC (parameters in the query or a
form body) and ACS3 (POST, ``x-acs-action``/``x-acs-version`` headers,
parameters in the query string); JSON or XML (``Format=XML``), rendered here
its own way. Enough of the document to answer the pagination, filter and
error checks; the suite's oracles must come from what it answers. With
``churn_every`` an instance is created every that many requests (for the
first ``churn_until`` requests, or for ever), listed first: a listing that
changes while it is walked.

``bugs`` names bugs of the emulator's deviation catalogue (the same names,
implemented here on their own) to prove the suite catches them on a server it
was not written against. ``verify_signatures`` checks both signing modes with
independent-key/independent-secret. Liberties the document allows, to prove
they fail nothing: ``metadata_on_request`` (MetadataOptions only when
``AdditionalAttributes.N=META_OPTIONS`` asks, as the real API; on by default),
``filtered_order="reversed"`` (the order of a filtered listing) and
``null_scalars`` (null optional scalars). Where the document is silent: ``unknown_region`` is what a
RegionId naming no region of the inventory gets, ``"empty"`` (an empty listing, by default) or
``"error"`` (404 ``InvalidRegionId.NotFound``, as real ECS answers).

``revision="2021-05-17"`` serves that revision of the document as well (off by
default: the seed's 2020-12-14 answers are unchanged): a ``NextToken`` in every
answer (empty on the last page), ``MaxResults`` (10 by default, at most 100),
a ``NextToken`` overriding ``PageSize``/``PageNumber``, the four time filters
``Filter.N.Key``/``Filter.N.Value`` and ``InvalidFilterKey.NotFound`` (404) for
a key or a time they do not allow, and ENIs with their ``Type`` and
``PrivateIpSets``. Its tokens are this server's own: the listing position as
the id of the last instance handed out, tied to the query that asked.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import hmac
import json
import re
import socket
import threading
import time
import uuid
from calendar import timegm
from collections.abc import Iterable
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

from conformance.wire import signing  # the suite's own signing, not the emulator's

KEY_ID, KEY_SECRET = "independent-key", "independent-secret"
#: The bugs this server can have: the names of the emulator's Alibaba deviations of issue 18.
BUGS = frozenset({
    "filtered-page-cut-before-filter", "filtered-offset-ignored", "ids-override-filters", "ids-override-region",
    "duplicate-ids-counted", "exact-filter-prefix", "exact-filter-case-insensitive", "enum-case-insensitive",
    "repeated-tag-key-last-wins", "xml-paged-differently", "xml-errors-status-400", "page-size-0-accepted",
    "address-limit-unchecked", "acs3-signature-unverified", "times-not-utc", "acs3-skips-validation",
})
SEED, LATER = "2020-12-14", "2021-05-17"
#: The bugs of the 2021-05-17 revision's additions (the emulator's deviations of that revision, same names).
LATER_BUGS = frozenset({
    "token-walk-skips-one", "max-results-unbounded", "max-results-capped-50", "max-results-default-20",
    "token-honours-page-size", "creation-time-filters-ignored", "expired-time-filters-swapped",
    "filter-key-unknown-accepted", "time-value-unchecked", "new-eni-fields-mistyped",
})
#: Filter.N.Key of the 2021-05-17 revision: (the instance time it bounds, which side of the bound is kept).
TIME_KEYS = {"CreationStartTime": ("CreationTime", "after"), "CreationEndTime": ("CreationTime", "before"),
             "ExpiredStartTime": ("ExpiredTime", "after"), "ExpiredEndTime": ("ExpiredTime", "before")}
#: The document's request form of a bound, to the minute, in UTC.
BOUND_FORM = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})Z")
MOST_RESULTS, DEFAULT_RESULTS = 100, 10
#: The parameters that choose which instances are listed: a token belongs to the query they make.
QUERY_PARAMS = {"RegionId", "InstanceName", "HpcClusterId", "DryRun"}
#: Enumerated parameters: (valid values, error code, HTTP status), from the document's tables.
ENUMS = {
    "InstanceChargeType": (("PostPaid", "PrePaid"), "InvalidInstanceChargeType.NotFound", 404),
    "InternetChargeType": (("PayByBandwidth", "PayByTraffic"), "InvalidInternetChargeType.ValueNotSupported", 404),
    "LockReason": (("financial", "security", "recycling", "dedicatedhostfinancial", "refunded"),
                   "InvalidLockReason.NotFound", 404),
    "InstanceNetworkType": (("classic", "vpc"), "InvalidNetworkType.NotFound", 404),
    "Status": (("Pending", "Running", "Starting", "Stopping", "Stopped"), "InvalidStatus.NotFound", 404),
    "HttpEndpoint": (("enabled", "disabled"), "InvalidParameter", 400),
    "HttpTokens": (("optional", "required"), "InvalidParameter", 400),
}
TIMES = ("CreationTime", "StartTime", "ExpiredTime", "AutoReleaseTime")
OPTIONAL_SCALARS = ("AutoReleaseTime", "KeyPairName", "HpcClusterId", "DeploymentSetId")


class Refused(Exception):
    def __init__(self, code: str, status: int = 400, message: str = "refused"):
        super().__init__(code)
        self.code, self.status, self.message = code, status, message


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
            "CreationTime": f"2025-02-{n % 28 + 1:02d}T0{n % 10}:{n % 60:02d}Z",
            "StartTime": f"2025-02-{n % 28 + 1:02d}T0{n % 10}:{n % 60:02d}Z",
            "ExpiredTime": f"2026-02-{n % 28 + 1:02d}T16:00Z" if n % 3 == 0 else "2099-12-31T15:59Z",
            "AutoReleaseTime": "",
            "KeyPairName": "ind-keys" if n % 5 == 1 else "",
            "HpcClusterId": "",
            "DeploymentSetId": "",
            "MetadataOptions": {"HttpEndpoint": ["enabled", "disabled"][n % 5 == 2], "HttpTokens":
                                ["optional", "required"][n % 2], "HttpPutResponseHopLimit": 1},
        })
    return list(reversed(out))  # newest first


def _values(item: dict, name: str) -> list[str]:
    def text(value):
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    direct = {"ZoneId", "Status", "InstanceType", "InstanceTypeFamily", "InstanceNetworkType", "InstanceChargeType",
              "ImageId", "IoOptimized", "InstanceName", "InstanceId", "KeyPairName"}
    if name in direct:
        return [text(item[name])]
    if name in ("HttpEndpoint", "HttpTokens"):
        return [item["MetadataOptions"][name]]
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


def _exact(raw: str, carried: list[str], bugs: frozenset[str]) -> bool:
    if "exact-filter-prefix" in bugs:
        return any(value.startswith(raw) for value in carried)
    if "exact-filter-case-insensitive" in bugs:
        return raw.lower() in [value.lower() for value in carried]
    return raw in carried


def _tags(params: dict[str, str], bugs: frozenset[str]) -> list[dict[str, str]]:
    """The Tag.N pairs, in N's order: every one must hold."""
    tags: dict[int, dict[str, str]] = {}
    for name, value in params.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "Tag" and parts[2] in ("Key", "Value"):
            tags.setdefault(int(parts[1]), {})[parts[2]] = value
    if any(not 1 <= n <= 20 for n in tags):
        raise Refused("InvalidTagCount")
    if any("Key" not in pair for pair in tags.values()):
        raise Refused("InvalidTag.Mismatch")
    pairs = [tags[n] for n in sorted(tags)]
    if "repeated-tag-key-last-wins" in bugs:
        pairs = list({pair.get("Key"): pair for pair in pairs}.values())
    return pairs


def _beijing(text: str) -> str:
    """``2099-12-31T15:59Z`` as ``2099-12-31T23:59+08:00`` (the ``times-not-utc`` bug)."""
    if not text.endswith("Z"):
        return text
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%MZ") + timedelta(hours=8)
    return moment.strftime("%Y-%m-%dT%H:%M+08:00")


def _moment(text: object) -> datetime | None:
    """An instance's time (``2025-02-01T03:04Z`` or with seconds) as a moment; None when it has none."""
    if not isinstance(text, str) or not text:
        return None
    for form in ("%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, form)
        except ValueError:
            pass
    return None


def _bound(text: str | None) -> datetime | None:
    """A Filter.N.Value in the document's yyyy-MM-ddTHH:mmZ form as a moment; None when it is not one."""
    match = BOUND_FORM.fullmatch(text or "")
    if match is None:
        return None
    try:
        return datetime(*(int(part) for part in match.groups()))
    except ValueError:  # 2025-02-30T25:61Z has the form but is no time
        return None


def time_bounds(params: dict[str, str], bugs: frozenset[str]) -> list[tuple[str, str, datetime]]:
    """The Filter.N pairs as (instance field, side kept, moment); Refused for a key or a time not allowed."""
    pairs: dict[str, dict[str, str]] = {}
    for name, value in params.items():
        head, _, rest = name.partition(".")
        number, _, part = rest.partition(".")
        if head == "Filter" and part in ("Key", "Value"):
            pairs.setdefault(number, {})[part] = value
    bounds = []
    for number, pair in sorted(pairs.items()):
        key = pair.get("Key")
        if key not in TIME_KEYS or not number.isdigit():
            if "filter-key-unknown-accepted" in bugs:
                continue
            raise Refused("InvalidFilterKey.NotFound", 404, f"The specified Filter.{number}.Key is not valid.")
        moment = _bound(pair.get("Value"))
        if moment is None:
            if "time-value-unchecked" in bugs:
                continue
            raise Refused("InvalidFilterKey.NotFound", 404,
                          f"The specified Filter.{number}.Value is not a time in the yyyy-MM-ddTHH:mmZ form.")
        field, side = TIME_KEYS[key]
        if field == "CreationTime" and "creation-time-filters-ignored" in bugs:
            continue
        if field == "ExpiredTime" and "expired-time-filters-swapped" in bugs:
            side = "before" if side == "after" else "after"
        bounds.append((field, side, moment))
    return bounds


def _within(item: dict, field: str, side: str, moment: datetime) -> bool:
    carried = _moment(item.get(field))
    if carried is None:
        return False
    return carried >= moment if side == "after" else carried <= moment


def _fingerprint(params: dict[str, str]) -> str:
    """What makes the query a token belongs to: the parameters that choose instances, nothing of paging."""
    chosen = sorted((k, v) for k, v in params.items() if v != "" and (
        k in QUERY_PARAMS or k in ARRAYS or k in SINGLE or k.startswith(("Tag.", "Filter."))))
    return hashlib.blake2s(json.dumps(chosen).encode(), digest_size=6).hexdigest()


def make_token(params: dict[str, str], last_id: str) -> str:
    """An opaque token: the query's fingerprint and the last instance handed out."""
    raw = f"{_fingerprint(params)}/{last_id}".encode()
    return base64.b32encode(raw).decode().rstrip("=").lower()


def read_token(params: dict[str, str], token: str) -> str:
    """The id a token says the next page follows; Refused for a token this server did not give this query."""
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
    except (ValueError, UnicodeDecodeError):
        raise Refused("InvalidNextToken.Malformed", 400, "The specified NextToken is not valid.") from None
    fingerprint, _, last_id = raw.partition("/")
    if not last_id:
        raise Refused("InvalidNextToken.Malformed", 400, "The specified NextToken is not valid.")
    if fingerprint != _fingerprint(params):
        raise Refused("InvalidNextToken.Mismatch", 400, "The specified NextToken belongs to another query.")
    return last_id


def _results(params: dict[str, str], bugs: frozenset[str], token: str) -> int:
    """The page size of a token page: MaxResults, or the default; Refused past the maximum."""
    given = params.get("MaxResults", "")
    if token and "token-honours-page-size" in bugs and params.get("PageSize", "").isdigit():
        return int(params["PageSize"])
    if given == "":
        return 20 if "max-results-default-20" in bugs else DEFAULT_RESULTS
    try:
        size = int(given)
    except ValueError:
        raise Refused("InvalidParameter", 400, "MaxResults is not a number.") from None
    if size < 1 or (size > MOST_RESULTS and "max-results-unbounded" not in bugs):
        raise Refused("InvalidParameter.MaxResults", 400, f"MaxResults is 1 to {MOST_RESULTS}.")
    return min(size, 50) if "max-results-capped-50" in bugs else size


def describe(inventory: list[dict], params: dict[str, str], bugs: Iterable[str] = frozenset(), acs3: bool = False,
             xml: bool = False, filtered_order: str = "listing", revision: str = SEED,
             unknown_region: str = "empty") -> tuple[int, dict]:
    """(HTTP status, body) of one answer; ``acs3``: the request came in the ACS3 form."""
    bugs = frozenset(bugs)
    later = revision == LATER
    region = params.get("RegionId")
    if not region:
        return 400, {"Code": "MissingRegionId", "Message": "RegionId is mandatory"}
    if unknown_region == "error" and region not in {i["RegionId"] for i in inventory}:
        return 404, {"Code": "InvalidRegionId.NotFound", "Message": f"The RegionId {region} does not exist."}
    listing = [i for i in inventory if i["RegionId"] == region]
    conditions = False
    dry_run = params.get("DryRun", "false").lower()
    if dry_run not in ("true", "false"):
        return 400, {"Code": "InvalidParameter", "Message": "DryRun is true or false"}
    hpc = params.get("HpcClusterId")
    if hpc and hpc not in {i.get("HpcClusterId") for i in inventory}:
        return 400, {"Code": "InvalidHpcClusterId.NotFound", "Message": f"The HPC cluster {hpc} does not exist."}
    for name, (valid, code, status) in ENUMS.items():
        raw = params.get(name)
        if raw and "enum-case-insensitive" in bugs:
            params = {**params, name: next((v for v in valid if v.lower() == raw.lower()), raw)}
        if raw and params[name] not in valid and not (acs3 and "acs3-skips-validation" in bugs):
            if xml and status == 404 and "xml-errors-status-400" in bugs:
                status = 400
            return status, {"Code": code, "Message": f"The specified {name} is not valid."}
    ids: list[str] = []
    for name in ARRAYS:
        raw = params.get(name)
        if raw is None:
            continue
        wanted = json.loads(raw) if raw.startswith("[") else [v for v in raw.split(",") if v]
        if len(wanted) > 100 and (name == "InstanceIds" or "address-limit-unchecked" not in bugs):
            return 400, {"Code": "InvalidParameter", "Message": f"{name} holds more than 100 values"}
        if name == "InstanceIds":
            ids = [str(i) for i in wanted]
    alone = bool(ids) and "ids-override-filters" in bugs
    selected = list(inventory if ids and "ids-override-region" in bugs else listing)
    for name, raw in params.items():
        if raw == "" or (alone and name != "InstanceIds"):
            continue
        if name in ARRAYS:
            wanted = json.loads(raw) if raw.startswith("[") else [v for v in raw.split(",") if v]
            selected = [i for i in selected if set(wanted) & set(_values(i, name))]
            if name == "InstanceIds" and "duplicate-ids-counted" in bugs:
                selected = [i for i in selected for _ in range(wanted.count(i["InstanceId"]))]
        elif name in SINGLE:
            selected = [i for i in selected if _exact(raw, _values(i, name), bugs)]
        elif name == "InstanceName":
            selected = [i for i in selected if fnmatch.fnmatchcase(i["InstanceName"], raw)]
        else:
            continue
        conditions = True
    try:
        tags = _tags(params, bugs)
    except Refused as refused:
        return refused.status, {"Code": refused.code, "Message": refused.message}
    for tag in [] if alone else tags:
        conditions = True
        selected = [i for i in selected if any(t["TagKey"] == tag.get("Key") and
                                               ("Value" not in tag or t["TagValue"] == tag["Value"])
                                               for t in i["Tags"]["Tag"])]
    token, results = params.get("NextToken", "") if later else "", 0
    if later:
        try:
            bounds = time_bounds(params, bugs)
            if token or params.get("MaxResults", "") != "":
                results = _results(params, bugs, token)
        except Refused as refused:
            return refused.status, {"Code": refused.code, "Message": refused.message}
        for field, side, moment in [] if alone else bounds:
            conditions = True
            selected = [i for i in selected if _within(i, field, side, moment)]
    size_given = params.get("PageSize", "10")
    if size_given.strip() == "0" and "page-size-0-accepted" in bugs:
        size_given = "10"
    if token:  # "If NextToken is set, the PageSize and PageNumber request parameters become invalid."
        number, size = 1, results
    else:
        try:
            number, size = int(params.get("PageNumber", 1)), int(size_given)
        except ValueError:
            return 400, {"Code": "InvalidParameter", "Message": "not a number"}
        if number < 1 or not 1 <= size <= 100:
            return 400, {"Code": "InvalidParameter", "Message": "out of range"}
        if results:  # method 1's first page: MaxResults, from the top
            number, size = 1, results
    if dry_run == "true":
        return 400, {"Code": "DryRunOperation", "Message": "Request validation has been passed with DryRun flag set."}
    if conditions and filtered_order == "reversed":  # the document leaves the order open
        selected.reverse()
    cut = 1 if conditions and "filtered-offset-ignored" in bugs else number
    start = (cut - 1) * size + (1 if xml and "xml-paged-differently" in bugs else 0)
    if token:
        try:
            after = read_token(params, token)
        except Refused as refused:
            return refused.status, {"Code": refused.code, "Message": refused.message}
        place = next((n for n, i in enumerate(selected) if i["InstanceId"] == after), None)
        if place is None:
            return 400, {"Code": "InvalidNextToken.Expired", "Message": "The instance the token follows is gone."}
        start = place + (2 if "token-walk-skips-one" in bugs else 1)
        number = start // size + 1
    page = selected[start:start + size]
    if conditions and "filtered-page-cut-before-filter" in bugs:
        page = [i for i in listing[start:start + size] if any(i is s for s in selected)]
    body = {"TotalCount": len(selected), "PageNumber": number, "PageSize": size, "Instances": {"Instance": page}}
    if later:
        more = page and start + len(page) < len(selected)
        body["NextToken"] = make_token(params, page[-1]["InstanceId"]) if more else ""
    return 200, body


def _xml_into(parent: ElementTree.Element, name: str, value: object) -> None:
    """A list is its elements repeated under the parent; anything else one element."""
    if isinstance(value, list):
        for item in value:
            _xml_into(parent, name, item)
        return
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_into(element, key, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def to_xml(root: str, body: dict) -> bytes:
    top = ElementTree.Element(root)
    for key, value in body.items():
        _xml_into(top, key, value)
    return b'<?xml version="1.0" encoding="UTF-8"?>' + ElementTree.tostring(top)


def _epoch(text: str) -> float | None:
    try:
        return float(timegm(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").timetuple()))
    except ValueError:
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    inventory: list[dict] = []
    churn_every = 0
    churn_until = 0
    served = 0
    bugs: frozenset[str] = frozenset()
    verify_signatures = False
    metadata_on_request = True
    filtered_order = "listing"
    null_scalars = False
    revision = SEED
    unknown_region = "empty"

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
        self._serve(b"")

    def do_POST(self) -> None:
        self._serve(self.rfile.read(int(self.headers.get("Content-Length", 0) or 0)))

    def _serve(self, raw: bytes) -> None:
        self._churn()
        cls = type(self)
        query = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        params = dict(query)
        if raw and "form" in self.headers.get("Content-Type", ""):
            params.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        acs3 = self.headers.get("Authorization", "").startswith(signing.ACS3)
        xml = params.get("Format", "JSON").upper() == "XML"
        action = params.get("Action") or self.headers.get("x-acs-action") or "DescribeInstances"
        try:
            if cls.verify_signatures:
                self._verify(params, query, raw, acs3)
            if action != "DescribeInstances":
                raise Refused("InvalidAction.NotFound", 404)
            status, body = describe(self.inventory, params, bugs=cls.bugs, acs3=acs3, xml=xml,
                                    filtered_order=cls.filtered_order, revision=cls.revision,
                                    unknown_region=cls.unknown_region)
        except Refused as refused:
            status, body = refused.status, {"Code": refused.code, "Message": refused.message}
        if status == 200:
            body["Instances"]["Instance"] = [self._shown(i, params) for i in body["Instances"]["Instance"]]
            body["RequestId"] = str(uuid.uuid4()).upper()
        else:
            body = {"RequestId": str(uuid.uuid4()).upper(), "HostId": "ecs.aliyuncs.com", **body}
        if xml:
            data, content_type = to_xml("DescribeInstancesResponse" if status == 200 else "Error", body), \
                "text/xml;charset=utf-8"
        else:
            data, content_type = json.dumps(body).encode(), "application/json;charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _shown(self, item: dict, params: dict[str, str]) -> dict:
        """An instance as answered: MetadataOptions when asked for, the liberties and bugs applied."""
        cls = type(self)
        item = dict(item)
        asked = {v for k, v in params.items() if k.startswith("AdditionalAttributes.")}
        if cls.metadata_on_request and "META_OPTIONS" not in asked:
            item.pop("MetadataOptions", None)
        if cls.null_scalars:
            item.update({k: None for k in OPTIONAL_SCALARS if item.get(k) == ""})
        if "times-not-utc" in cls.bugs:
            item.update({k: _beijing(item[k]) for k in TIMES if isinstance(item.get(k), str)})
        if cls.revision == LATER:
            item["NetworkInterfaces"] = {"NetworkInterface": self._enis(item)}
        return item

    def _enis(self, item: dict) -> list[dict]:
        """The 2021-05-17 revision's ENIs of a VPC instance: the primary one, with its private IPs."""
        addresses = item["VpcAttributes"]["PrivateIpAddress"]["IpAddress"]
        if not addresses:
            return []
        serial = item["InstanceId"][-6:]
        mistyped = "new-eni-fields-mistyped" in type(self).bugs
        return [{"NetworkInterfaceId": f"eni-ind{serial}", "Type": "Primary",
                 "MacAddress": f"00:16:3e:{serial[0:2]}:{serial[2:4]}:{serial[4:6]}",
                 "PrimaryIpAddress": addresses[0],
                 "PrivateIpSets": {"PrivateIpSet": [
                     {"PrivateIpAddress": address, "Primary": str(n == 0).lower() if mistyped else n == 0}
                     for n, address in enumerate(addresses)]}}]

    def _verify(self, params: dict[str, str], query: dict[str, str], raw: bytes, acs3: bool) -> None:
        """Check an RPC or ACS3 signature against independent-key/independent-secret."""
        if acs3:
            auth = signing.parse_authorization(self.headers.get("Authorization", ""))
            if auth is None:
                raise Refused("IncompleteSignature")
            headers = {k.lower(): v for k, v in self.headers.items()}
            canonical = signing.acs3_canonical_request(self.command, urlsplit(self.path).path or "/", query, headers,
                                                       auth.signed_headers, signing.sha256_hex(raw))
            key_id, given, when = auth.key_id, auth.signature, headers.get("x-acs-date", "")
            expected = given if "acs3-signature-unverified" in type(self).bugs \
                else signing.acs3_signature(KEY_SECRET, canonical)
        else:
            if "Signature" not in params or "AccessKeyId" not in params:
                raise Refused("IncompleteSignature")
            unsigned = {k: v for k, v in params.items() if k != "Signature"}
            key_id, given, when = params["AccessKeyId"], params["Signature"], params.get("Timestamp", "")
            expected = signing.alibaba_rpc_signature(self.command, unsigned, KEY_SECRET)
        if key_id != KEY_ID:
            raise Refused("InvalidAccessKeyId.NotFound", 404)
        epoch = _epoch(when)
        if epoch is None or abs(time.time() - epoch) > 15 * 60:
            raise Refused("InvalidTimeStamp.Expired")
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise Refused("SignatureDoesNotMatch")


class IndependentAlibaba:
    def __init__(self, count: int = 53, churn_every: int = 0, churn_until: int = 0,
                 bugs: frozenset[str] | Iterable[str] = (), verify_signatures: bool = False,
                 metadata_on_request: bool = True, filtered_order: str = "listing",
                 null_scalars: bool = False, revision: str | None = None, unknown_region: str = "empty") -> None:
        chosen = frozenset(bugs)
        if unknown_region not in ("empty", "error"):
            raise ValueError(f"unknown_region is 'empty' or 'error', not {unknown_region!r}")
        revision = revision or SEED
        if revision not in (SEED, LATER):
            raise ValueError(f"revision is {SEED!r} or {LATER!r}, not {revision!r}")
        known = BUGS | LATER_BUGS if revision == LATER else BUGS
        if chosen - known:
            raise ValueError(f"unknown bug {sorted(chosen - known)[0]!r} for revision {revision}; "
                             f"known: {', '.join(sorted(known))}")
        if filtered_order not in ("listing", "reversed"):
            raise ValueError(f"filtered_order is 'listing' or 'reversed', not {filtered_order!r}")
        handler = type("SizedHandler", (Handler,), {
            "inventory": make_inventory(count), "churn_every": churn_every, "churn_until": churn_until, "served": 0,
            "bugs": chosen, "verify_signatures": verify_signatures, "metadata_on_request": metadata_on_request,
            "filtered_order": filtered_order, "null_scalars": null_scalars, "revision": revision,
            "unknown_region": unknown_region})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "IndependentAlibaba":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
