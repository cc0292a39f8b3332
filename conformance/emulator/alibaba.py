"""Alibaba Cloud ECS ``DescribeInstances`` (2014-05-26) on the wire.

Parameters come from the query string and/or a form body; answers are JSON or
XML (``Format``); errors carry the document's HTTP status. Validation follows
the request schema and the document's error table; where the document is
silent, the table in docs/emulator.md says what the emulator does and why.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from conformance.emulator import alibaba_time_filters as time_filters
from conformance.emulator import auth, models, tokens
from conformance.emulator.wire import (
    ApiError,
    Described,
    Service,
    WireRequest,
    WireResponse,
    request_id,
    signing_mode,
)
from conformance.wire import signing, xmlcodec

VENDOR = "alibaba"
ACTION = "DescribeInstances"
VERSION = "2014-05-26"
MAX_ARRAY = 100
MAX_TAGS = 20
JSON_TYPE = "application/json;charset=utf-8"
XML_TYPE = "text/xml;charset=utf-8"
_TAG = re.compile(r"^Tag\.(\d+)\.(Key|Value|key|value)$")

#: Parameter -> the error-table code its invalid value answers.
ENUM_ERRORS = {
    "InstanceChargeType": "InvalidInstanceChargeType.NotFound",
    "InternetChargeType": "InvalidInternetChargeType.ValueNotSupported",
    "LockReason": "InvalidLockReason.NotFound",
    "InstanceNetworkType": "InvalidNetworkType.NotFound",
    "Status": "InvalidStatus.NotFound",
}
#: Enumerated parameters the document gives no error code for.
PLAIN_ENUMS = ("HttpEndpoint", "HttpTokens")
#: ``AdditionalAttributes.N=META_OPTIONS`` asks for the instances' ``MetadataOptions``: the document ties the
#: field to that value, and the real service leaves it out unless asked.
META_OPTIONS_VALUE = "META_OPTIONS"
META_OPTIONS = "MetadataOptions"
#: Fields of a network interface that a later revision documents, served when the revision's table lists them.
ENI_FIELDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Type": lambda eni: "Primary",
    "PrivateIpSets": lambda eni: {"PrivateIpSet": [{"PrivateIpAddress": eni.get("PrimaryIpAddress", ""),
                                                    "Primary": True}]},
}
#: Instance fields holding a time (``yyyy-MM-ddTHH:mmZ``, UTC): the ``times-not-utc`` deviation shifts them.
TIME_FIELDS = ("CreationTime", "StartTime", "ExpiredTime", "AutoReleaseTime")


def _beijing_time(text: str) -> str:
    """``2099-12-31T15:59Z`` as ``2099-12-31T23:59+08:00``: the ``times-not-utc`` deviation's rendering."""
    try:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%MZ")
    except ValueError:
        return text
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M+08:00")


def _accepts(signature: str) -> Callable[[str], str]:
    """A claim's expected signature that is whatever was sent: the ``acs3-signature-unverified`` deviation."""
    return lambda _secret: signature


def _starts_with(pattern: str, value: str) -> bool:
    """The ``exact-filter-prefix`` deviation's match."""
    return value.startswith(pattern)


def _same_letters(pattern: str, value: str) -> bool:
    """The ``exact-filter-case-insensitive`` deviation's match."""
    return pattern.lower() == value.lower()


def region_of(item: dict[str, Any]) -> str:
    return str(item.get("RegionId", ""))


class AlibabaService(Service):
    """The ECS RPC endpoint over one :class:`~conformance.emulator.models.Backend`."""

    vendor = VENDOR

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.request_schema = self.catalog.request_schema["properties"]
        self.error_table = {row["code"]: row for row in self.catalog.error_schema["x-error-table"]}
        #: what the served revision of the document adds: NextToken paging, the time filters, more attributes
        self.tokens = "NextToken" in self.request_schema
        self.time_filters = "Filter.1.Key" in self.request_schema
        self.attributes = next((tuple(spec.get("enum", ())) for spec in
                                self.catalog.request_schema.get("patternProperties", {}).values()
                                if spec.get("x-document-name") == "AdditionalAttributes.N"), ())
        if any(name in self._eni_schema() for name in ENI_FIELDS):
            self._add_eni_fields()
        if "times-not-utc" in self.deviations:
            for position, item in enumerate(self.backend.items):
                for name in TIME_FIELDS:
                    if isinstance(item.get(name), str):
                        item[name] = _beijing_time(item[name])
                self._items_json[position] = self.item_json(item)
        # instances without MetadataOptions, serialized when first served (most answers do not ask for it)
        self._plain_json: list[bytes | None] = [None] * len(self.backend.items)

    def _eni_schema(self) -> dict[str, Any]:
        instance = self.catalog.response_schema.get("$defs", {}).get("Instance", {}).get("properties", {})
        interfaces = instance.get("NetworkInterfaces", {}).get("properties", {}).get("NetworkInterface", {})
        return dict(interfaces.get("items", {}).get("properties", {}))

    def _add_eni_fields(self) -> None:
        """The network interface fields the served revision documents (``new-eni-fields-mistyped``: wrongly typed)."""
        documented = self._eni_schema()
        for position, item in enumerate(self.backend.items):
            for eni in item.get("NetworkInterfaces", {}).get("NetworkInterface", []):
                for name, make in ENI_FIELDS.items():
                    if name in documented and name not in eni:
                        eni[name] = make(eni)
                if "new-eni-fields-mistyped" in self.deviations:
                    for address in eni.get("PrivateIpSets", {}).get("PrivateIpSet", []):
                        address["Primary"] = "true"
            self._items_json[position] = self.item_json(item)

    # ----------------------------------------------------------------- errors

    def _table_error(self, code: str) -> ApiError:
        row = self.error_table[code]
        status = row["status"]
        if status == 404 and "status-404-as-400" in self.deviations:
            status = 400
        return ApiError(code, row["message"] or row["description"], status)

    def _render_error(self, error: ApiError, fmt: str, rid: str) -> WireResponse:
        body: dict[str, Any] = {"RequestId": rid, "HostId": "ecs.aliyuncs.com", "Code": error.code,
                                "Message": error.message}
        documented_404 = self.error_table.get(error.code, {}).get("status") == 404 and error.status == 404
        if fmt == "XML" and documented_404 and "xml-errors-status-400" in self.deviations:
            error = ApiError(error.code, error.message, 400)
        if "error-without-request-id" in self.deviations:
            del body["RequestId"]
        if "errors-as-xml" in self.deviations:  # XML with another (legal) content type than the vendor's
            return WireResponse(error.status, "application/xml", xmlcodec.encode("Error", body), code=error.code)
        if fmt == "XML":
            return WireResponse(error.status, XML_TYPE, xmlcodec.encode("Error", body), code=error.code)
        return WireResponse(error.status, JSON_TYPE, json.dumps(body).encode(), code=error.code)

    def error_answer(self, request: WireRequest, code: str, message: str, status: int) -> WireResponse:
        """An error in this vendor's format (a fault on purpose, for instance)."""
        fmt = "XML" if {**request.query, **request.form}.get("Format", "JSON").upper() == "XML" else "JSON"
        return self._render_error(ApiError(code, message, status), fmt, request_id())

    # ----------------------------------------------------------------- entry

    #: RPC common parameters: how the request is framed, not what it asks.
    COMMON = frozenset({"Action", "Version", "Format"})

    def describe(self, request: WireRequest) -> Described:
        """The action, signing mode and business parameters (``RegionId`` among them), for the request log."""
        params = {**request.query, **request.form}
        mode = signing_mode(request, params, signing.ACS3, "HMAC-SHA1")
        return Described(params.get("Action") or request.headers.get("x-acs-action", ""), mode,
                         {k: v for k, v in params.items() if k not in self.COMMON}, params.get("RegionId"),
                         params.get("Version") or request.headers.get("x-acs-version"))

    def handle(self, request: WireRequest) -> WireResponse:
        params = {**request.query, **request.form}
        fmt = "XML" if params.get("Format", "JSON").upper() == "XML" or "answers-as-xml" in self.deviations else "JSON"
        rid = request_id()
        try:
            return self._describe(request, params, fmt, rid)
        except ApiError as error:
            return self._render_error(error, fmt, rid)

    def _describe(self, request: WireRequest, params: dict[str, str], fmt: str, rid: str) -> WireResponse:
        if "Signature" not in params and "authorization" not in request.headers:
            self.auth.verify(None)  # an unsigned request is an authentication error before anything else
        action = params.get("Action") or request.headers.get("x-acs-action", "")
        version = params.get("Version") or request.headers.get("x-acs-version", "")
        if action != ACTION:
            raise ApiError("InvalidAction.NotFound", f"Specified api {action or '(none)'} is not found.", 404)
        if version != VERSION:
            raise ApiError("InvalidVersion", f"Specified parameter Version {version or '(none)'} is not valid.", 400)
        dry_run = self._dry_run(params)
        acs3 = request.headers.get("authorization", "").startswith(signing.ACS3)
        if not (dry_run and "dry-run-skips-auth" in self.deviations):
            claim = auth.alibaba_claim(request, params)
            if claim is not None and acs3 and "acs3-signature-unverified" in self.deviations:
                claim = dataclasses.replace(claim, expected=_accepts(claim.signature))
            self.auth.verify(claim)
        if dry_run and "dry-run-skips-validation" in self.deviations:
            raise self._dry_run_passed()
        if dry_run and "dry-run-skips-required" in self.deviations and not params.get("RegionId"):
            raise self._dry_run_passed()
        region, conditions, page_number, page_size = self._query(
            params, check_enums=not (acs3 and "acs3-skips-validation" in self.deviations))
        if dry_run and "dry-run-ignored" not in self.deviations:
            if "dry-run-side-effect" in self.deviations:
                self._start_first_stopped(region)
            raise self._dry_run_passed()
        query = tokens.fingerprint(region, [(c.name, c.values) for c in conditions]) if self.tokens else None
        window = self._token_window(params, query) if query is not None else None
        return self._listing(region, conditions, page_number, page_size, fmt, rid,
                             metadata=META_OPTIONS_VALUE in self._additional_attributes(params),
                             query=query, window=window)

    # ----------------------------------------------------------------- validation

    def _dry_run(self, params: dict[str, str]) -> bool:
        value = params.get("DryRun")
        if value is None:
            return False
        if "dry-run-false-is-dry" in self.deviations:
            return bool(value)
        if value.lower() not in ("true", "false"):
            raise ApiError("InvalidParameter", "The specified parameter DryRun is not valid.", 400)
        return value.lower() == "true"

    @staticmethod
    def _dry_run_passed() -> ApiError:
        return ApiError("DryRunOperation", "Request validation has been passed with DryRun flag set.", 400)

    DEVIANT_DEFAULTS = {("PageSize", "default-page-size-20"): 20, ("PageNumber", "default-page-number-0"): 0,
                        ("MaxResults", "max-results-default-20"): 20}

    def _token_window(self, params: dict[str, str], query: str) -> tuple[int, int] | None:
        """(start, size) of a NextToken/MaxResults request; None for PageNumber/PageSize paging.

        "If NextToken is set, the PageSize and PageNumber request parameters become invalid":
        they are not read then (``token-honours-page-size``: they are).
        """
        token = params.get("NextToken", "")
        if not token and "MaxResults" not in params:
            return None
        most = 1000 if "max-results-unbounded" in self.deviations else MAX_ARRAY
        size = self.paging_int(params, "MaxResults", 10, 1, most)
        if "max-results-capped-50" in self.deviations:
            size = min(size, 50)
        start = 0
        if token:
            read = tokens.read(query, token)
            if read is None:
                raise ApiError("InvalidParameter.NextToken", "The specified NextToken is not valid.", 400)
            start = read
        if token and "token-honours-page-size" in self.deviations and "PageSize" in params:
            size = self.paging_int(params, "PageSize", 10, 1, 100)
        return start, size

    def invalid_integer(self, name: str) -> ApiError:
        return ApiError("InvalidParameter", f"The specified parameter {name} is not valid or out of range.", 400)

    def _array(self, name: str, raw: str) -> list[str]:
        if "ids-comma-string" in self.deviations and name == "InstanceIds":
            return [part for part in raw.split(",") if part]
        if raw.strip().startswith("["):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                raise ApiError("InvalidParameter", f"The specified parameter {name} is not a valid JSON array.",
                               400) from None
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ApiError("InvalidParameter", f"The specified parameter {name} must be an array of strings.",
                               400)
        else:
            value = [part.strip() for part in raw.split(",") if part.strip()]
        most = 50 if "array-limit-50" in self.deviations else MAX_ARRAY
        unchecked = "array-limit-unchecked" in self.deviations or (
            name != "InstanceIds" and "address-limit-unchecked" in self.deviations)
        if len(value) > most and not unchecked:
            raise ApiError("InvalidParameter", f"The specified parameter {name} holds more than {most} values.",
                           400)
        return value[:1] if "first-value-only" in self.deviations else value

    def _tags(self, params: dict[str, str]) -> list[models.Condition]:
        keys: dict[int, str] = {}
        values: dict[int, str] = {}
        for name, value in params.items():
            match = _TAG.match(name)
            if not match:
                continue
            n = int(match.group(1))
            most = 10 if "tag-limit-10" in self.deviations else MAX_TAGS
            if (n < 1 or n > most) and "tag-count-unchecked" not in self.deviations:
                raise self._table_error("InvalidTagCount")
            (keys if match.group(2).lower() == "key" else values)[n] = value
        orphans = sorted(set(values) - set(keys))
        if orphans and "tag-mismatch-accepted" not in self.deviations:
            raise self._table_error("InvalidTag.Mismatch")
        pairs = [f"{keys[n]}\0{values.get(n, '')}" for n in sorted(keys)]
        if "repeated-tag-key-last-wins" in self.deviations:  # one pair per key: the last one given
            pairs = list({pair.partition("\0")[0]: pair for pair in pairs}.values())
        if not pairs:
            return []
        if "tags-any-pair" in self.deviations:
            return [models.Condition("tag", tuple(pairs), "tag")]
        return [models.Condition("tag", (pair,), "tag") for pair in pairs]

    @staticmethod
    def _additional_attributes(params: dict[str, str]) -> set[str]:
        return {value for name, value in params.items() if name.startswith("AdditionalAttributes.")}

    def _query(self, params: dict[str, str], check_enums: bool = True
               ) -> tuple[str | None, list[models.Condition], int, int]:
        """Region, conditions and page of a request; ``check_enums`` False is the ``acs3-skips-validation`` bug."""
        region = params.get("RegionId")
        if not region:
            if "region-optional" not in self.deviations:
                raise ApiError("MissingRegionId", "RegionId is mandatory for this action.", 400)
            region = sorted(self.regions)[0]
        elif region not in self.regions:
            raise ApiError("InvalidRegionId.NotFound", f"The specified RegionId {region} does not exist.", 404)
        if "region-ignored" in self.deviations:
            region = None
        if "page-size-0-accepted" in self.deviations and params.get("PageSize", "").strip() == "0":
            params = {k: v for k, v in params.items() if k != "PageSize"}  # served as the default size
        page_number = self.paging_int(params, "PageNumber", 1, 1, None)
        page_size = self.paging_int(params, "PageSize", 10, 1,
                                    1000 if "page-size-over-100-honoured" in self.deviations else 100)
        conditions: list[models.Condition] = []
        for name, spec in self.catalog.filters.items():
            raw = params.get(name)
            if raw is None or raw == "":  # an empty value is no filter (only the JSON array [] is one)
                continue
            enum = self.request_schema.get(name, {}).get("enum", [])
            if "enum-case-insensitive" in self.deviations:  # 'running' read as 'Running'
                raw = next((listed for listed in enum if listed.lower() == raw.lower()), raw)
            refused = f"enum-value-refused-{name}" in self.deviations and enum and raw == enum[0]
            if name in ENUM_ERRORS and (raw not in enum or refused) and check_enums:
                raise self._table_error(ENUM_ERRORS[name])
            if name in PLAIN_ENUMS and (raw not in enum or refused) and check_enums:
                raise ApiError("InvalidParameter", f"The specified parameter {name} is not valid.", 400)
            if name == "IoOptimized" and raw.lower() not in ("true", "false"):
                raise ApiError("InvalidParameter", "The specified parameter IoOptimized is not valid.", 400)
            if name == "HpcClusterId" and raw not in self.backend.values(name) \
                    and "hpc-cluster-unchecked" not in self.deviations:
                raise self._table_error("InvalidHpcClusterId.NotFound")
            if (name == "KeyPairName" and "filter-ignored" in self.deviations) or f"ignored-{name}" in self.deviations:
                continue
            if spec.match == "json-array":
                values = self._array(name, raw)
                if not values and name == "InstanceIds" and "empty-ids-all" in self.deviations:
                    continue
                conditions.append(models.Condition(name, tuple(values), "exact"))
            elif spec.match == "wildcard" and "wildcard-literal" not in self.deviations:
                conditions.append(models.Condition(name, (raw,), "wildcard", test=self._wildcard_test()))
            else:
                value = raw.lower() if name == "IoOptimized" else raw
                test = _starts_with if "exact-filter-prefix" in self.deviations else (
                    _same_letters if "exact-filter-case-insensitive" in self.deviations else None)
                conditions.append(models.Condition(name, (value,), "scan" if test else "exact",
                                                   inverted=f"inverted-{name}" in self.deviations, test=test))
        for name, value in params.items():
            if name.startswith("AdditionalAttributes.") and value not in self.attributes:
                raise ApiError("InvalidParameter", f"The specified parameter {name} is not valid.", 400)
        conditions += self._tags(params)
        if self.time_filters:
            conditions += self._time_conditions(params)
        ids = next((c for c in conditions if c.name == "InstanceIds" and c.values), None)
        if ids is not None and "ids-override-filters" in self.deviations:
            conditions = [ids]
        if ids is not None and "ids-override-region" in self.deviations:
            region = None
        if conditions and "filtered-running-only" in self.deviations:
            conditions.append(models.Condition("Status", ("Running",)))
        return region, conditions, page_number, page_size

    def _time_conditions(self, params: dict[str, str]) -> list[models.Condition]:
        """``Filter.N.Key``/``Filter.N.Value``: one scanned condition per bound given."""
        keys, values = time_filters.pairs(params)
        out = []
        for n in sorted(set(keys) | set(values)):
            key, raw = keys.get(n), values.get(n)
            if key not in time_filters.FILTERS:
                if key is None or "filter-key-unknown-accepted" not in self.deviations:
                    raise self._table_error(time_filters.ERROR)
                continue
            if raw is None:
                continue  # a key without a time bounds nothing
            value = time_filters.wire_value(raw)
            if value is None:
                if "time-value-unchecked" in self.deviations:
                    continue
                raise self._table_error(time_filters.ERROR)
            if key.startswith("Creation") and "creation-time-filters-ignored" in self.deviations:
                continue
            if key.startswith("Expired") and "expired-time-filters-swapped" in self.deviations:
                key = key.replace("Start", "\0").replace("End", "Start").replace("\0", "End")
            out.append(models.Condition(key, (value,), "scan"))
        return out

    def _wildcard_test(self) -> Callable[[str, str], bool] | None:
        """The ``wildcard-prefix-only``/``-suffix-only`` deviations: a ``*`` at one end of the pattern is literal."""
        if "wildcard-prefix-only" in self.deviations:  # 'web-*' works; in '*-01' the star is a character
            return lambda pattern, value: (value.startswith("*") and models.wildcard_matches(pattern[1:], value[1:])
                                           if pattern.startswith("*") else models.wildcard_matches(pattern, value))
        if "wildcard-suffix-only" in self.deviations:  # '*-01' works; in 'web-*' the star is a character
            return lambda pattern, value: (value.endswith("*") and models.wildcard_matches(pattern[:-1], value[:-1])
                                           if pattern.endswith("*") else models.wildcard_matches(pattern, value))
        return None

    # ----------------------------------------------------------------- answers

    def _start_first_stopped(self, region: str | None) -> None:
        for position in self.backend.select(region, [models.Condition("Status", ("Stopped",))]):
            self.backend.items[position]["Status"] = "Running"
            self._items_json[position] = self.item_json(self.backend.items[position])
            self._plain_json[position] = None
            self.backend.reindex(position)
            return

    def _page(self, positions: models.Selection, page_number: int, page_size: int, fmt: str = "JSON") -> list[int]:
        if "page-size-cap-50" in self.deviations:
            page_size = min(page_size, 50)
        if "page-number-ignored" in self.deviations:
            page_number = 1
        index = page_number if "pages-from-zero" in self.deviations else page_number - 1
        start = index * (10 if "offset-ignores-page-size" in self.deviations else page_size)
        if "offset-shifted-by-one" in self.deviations or (fmt == "XML" and "xml-paged-differently" in self.deviations):
            start += 1
        if "pages-overlap-by-one" in self.deviations and start > 0:
            start -= 1
        window = positions[start:start + page_size] if index >= 0 else []
        if "last-page-short-by-one" in self.deviations and start > 0 and start + page_size >= len(positions):
            window = window[:-1]
        if not window and index > 0 and "server-error-past-end" in self.deviations:
            raise IndexError(f"page {page_number} out of range")  # the deviation: HTTP 500
        if not window and positions and "past-end-repeats-last" in self.deviations:
            last = (len(positions) - 1) // page_size
            window = positions[last * page_size:(last + 1) * page_size]
        return window

    def _filtered_window(self, region: str | None, conditions: list[models.Condition], positions: models.Selection,
                         page_number: int, page_size: int, fmt: str) -> list[int]:
        """The page of a filtered listing, as the ``filtered-*`` deviations cut it (the listing's own otherwise)."""
        if conditions and "filtered-page-cut-before-filter" in self.deviations:
            kept = set(positions)
            return [p for p in self._page(self.backend.select(region, []), page_number, page_size, fmt) if p in kept]
        if conditions and "filtered-offset-ignored" in self.deviations:
            page_number = 1
        return self._page(positions, page_number, page_size, fmt)

    def _duplicated(self, conditions: list[models.Condition], positions: models.Selection) -> models.Selection:
        """The ``duplicate-ids-counted`` deviation: an instance once per time InstanceIds names it."""
        ids = next((c.values for c in conditions if c.name == "InstanceIds"), ())
        if "duplicate-ids-counted" not in self.deviations or len(set(ids)) == len(ids):
            return positions
        return models.Selection(positions=[p for p in positions
                                           for _ in range(ids.count(self.backend.items[p]["InstanceId"]))])

    def _listing(self, region: str | None, conditions: list[models.Condition], page_number: int,
                 page_size: int, fmt: str, rid: str, metadata: bool = True, query: str | None = None,
                 window: tuple[int, int] | None = None) -> WireResponse:
        """A page in ``fmt``; ``metadata``: AdditionalAttributes asked for META_OPTIONS (MetadataOptions shown).

        ``query`` (the revision pages with tokens): the answer carries ``NextToken``, empty on the last
        page; ``window`` is the (start, size) a token or MaxResults asked for instead of a page.
        """
        positions = self.backend.select(region, conditions, any_condition="filters-or" in self.deviations)
        positions = self._duplicated(conditions, positions)
        if window is not None:
            start, page_size = window
            page_number = start // page_size + 1
            shown = positions[start:start + page_size]
        else:
            shown = self._filtered_window(region, conditions, positions, page_number, page_size, fmt)
            start = (page_number - 1) * page_size
        extra: dict[str, Any] = {}
        if query is not None:
            after = start + len(shown) + (1 if "token-walk-skips-one" in self.deviations else 0)
            extra["NextToken"] = tokens.make(query, after) if shown and after < len(positions) else ""
        return self._answer(region, positions, shown, (page_number, page_size), fmt, rid, metadata, extra)

    def _answer(self, region: str | None, positions: models.Selection, window: list[int], page: tuple[int, int],
                fmt: str, rid: str, metadata: bool, extra: dict[str, Any]) -> WireResponse:
        """The answer holding ``window`` of ``positions``, on page ``page`` (number, size), in ``fmt``."""
        page_number, page_size = page
        total = len(window) if "total-count-of-page" in self.deviations else len(positions)
        if "total-count-ignores-filters" in self.deviations:
            total = len(self.backend.select(region, []))
        echo_number = 1 if "page-number-ignored" in self.deviations else page_number
        echo_size = 10 if "page-size-not-echoed" in self.deviations else page_size
        if "page-size-echo-of-partial-page" in self.deviations and 0 < len(window) < page_size:
            echo_size = len(window)
        if "page-number-echo-past-end" in self.deviations and not window and positions:
            echo_number = (len(positions) - 1) // page_size + 1
        if fmt == "XML" or self.deviations & {"list-as-object", "number-as-string", "empty-list-null"}:
            items = [self._deviate_item(dict(self.backend.items[p])) for p in window]
            if not metadata:
                for item in items:
                    item.pop(META_OPTIONS, None)
            body: dict[str, Any] = {"PageNumber": echo_number, "TotalCount": total, "PageSize": echo_size,
                                    "RequestId": rid, **extra, "Instances": {"Instance": items}}
            if not items and "empty-list-null" in self.deviations and fmt == "JSON":
                body["Instances"]["Instance"] = None
            if fmt == "XML":
                if not items and "xml-empty-wrapper-missing" in self.deviations:
                    del body["Instances"]
                xml = xmlcodec.encode("DescribeInstancesResponse", body)
                if "xml-booleans-capitalised" in self.deviations:
                    xml = xml.replace(b">true<", b">True<").replace(b">false<", b">False<")
                return WireResponse(200, XML_TYPE, xml)
            return WireResponse(200, JSON_TYPE, json.dumps(body, separators=(",", ":")).encode())
        # the document's sample order (key_order.ANSWER_ORDER)
        head = json.dumps({"PageNumber": echo_number, "TotalCount": total, "PageSize": echo_size, "RequestId": rid,
                           **extra}, separators=(",", ":")).encode()
        items_json = b",".join(self._items_json[p] if metadata else self._plain_item_json(p) for p in window)
        return WireResponse(200, JSON_TYPE, head[:-1] + b',"Instances":{"Instance":[' + items_json + b"]}}")

    def _plain_item_json(self, position: int) -> bytes:
        """The instance at ``position`` without MetadataOptions, serialized once."""
        ready = self._plain_json[position]
        if ready is None:
            item = self.backend.items[position]
            ready = self._items_json[position] if META_OPTIONS not in item else \
                self.item_json({k: v for k, v in item.items() if k != META_OPTIONS})
            self._plain_json[position] = ready
        return ready

    def _deviate_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if "list-as-object" in self.deviations:
            groups = item.get("SecurityGroupIds", {}).get("SecurityGroupId", [])
            if len(groups) == 1:
                item["SecurityGroupIds"] = {"SecurityGroupId": groups[0]}
        if "number-as-string" in self.deviations:
            item["Cpu"] = str(item["Cpu"])
        return item
