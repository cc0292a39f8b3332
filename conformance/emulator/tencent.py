"""Tencent Cloud CVM ``DescribeInstances`` (2017-03-12) on the wire: API 3.0.

Two request forms: common parameters in the query or form (``HmacSHA1`` /
``HmacSHA256``, GET or POST), or ``X-TC-*`` headers with a JSON body
(``TC3-HMAC-SHA256``). ``Filters.N``/``InstanceIds.N`` may be numbered from 0
(today's SDK) or 1 (the document's example), and ``Filters.N.Value.M`` (the
example's spelling) is read like ``Values``. Every answer is HTTP 200; errors
sit in ``Response.Error``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from conformance.emulator import auth, models, tencent_filters, tencent_side
from conformance.emulator.wire import ApiError, Described, Service, WireRequest, WireResponse, request_id, signing_mode
from conformance.wire import signing

VENDOR = "tencent"
ACTION = "DescribeInstances"
VERSION = "2017-03-12"
MAX_IDS = 100
MAX_FILTERS = 10
MAX_VALUES = 5
JSON_TYPE = "application/json"
INSTANCE_ID = re.compile(r"^ins-[a-z0-9]{8}$")
HOST_ID = re.compile(r"^host-[a-z0-9]{8}$")
_ID_N = re.compile(r"^InstanceIds\.(\d+)$")
_FILTER_N = re.compile(r"^Filters\.(\d+)\.(Name|Values?\.(\d+))$")
#: The one RequestId of every answer under the ``request-id-constant`` deviation.
CONSTANT_REQUEST_ID = "6f0c1a2b-0000-4000-8000-000000000018"


def region_of(item: dict[str, Any]) -> str:
    return region_of_zone(str(item.get("Placement", {}).get("Zone", "")))


def region_of_zone(zone: str) -> str:
    """``ap-guangzhou-3`` -> ``ap-guangzhou``."""
    return zone.rsplit("-", 1)[0]


def _prefix(pattern: str, value: str) -> bool:
    """The ``name-prefix-only`` deviation's fuzzy match (and ``exact-filter-prefix``'s): the part must begin it."""
    return value.startswith(pattern)


def _same_letters(pattern: str, value: str) -> bool:
    """The ``exact-filter-case-insensitive`` deviation's match."""
    return pattern.lower() == value.lower()


def _accepts(signature: str) -> Callable[[str], str]:
    """A claim's expected signature that is whatever was sent: the ``hmac256-signature-unverified`` deviation."""
    return lambda _secret: signature


def unflatten(params: dict[str, str]) -> dict[str, Any]:
    """``InstanceIds.N`` and ``Filters.N.Name``/``Filters.N.Values.M`` into JSON-body form.

    Numbers order the entries; whether they start at 0 or 1 does not matter.
    """
    ids: dict[int, str] = {}
    filters: dict[int, dict[str, Any]] = defaultdict(lambda: {"Values": {}})
    out: dict[str, Any] = {}
    for key, value in params.items():
        if m := _ID_N.match(key):
            ids[int(m.group(1))] = value
        elif m := _FILTER_N.match(key):
            entry = filters[int(m.group(1))]
            if m.group(2) == "Name":
                entry["Name"] = value
            else:
                entry["Values"][int(m.group(3))] = value
        else:
            out[key] = value
    if ids:
        out["InstanceIds"] = [ids[n] for n in sorted(ids)]
    if filters:
        out["Filters"] = [
            {"Name": f.get("Name"), "Values": [f["Values"][m] for m in sorted(f["Values"])]}
            for _, f in sorted(filters.items())
        ]
    return out


class TencentService(Service):
    """The CVM API 3.0 endpoint over one :class:`~conformance.emulator.models.Backend`."""

    vendor = VENDOR

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.filter_schemas = self.catalog.request_schema["$defs"]["filters"]
        self.error_messages = {row["code"]: row["message"] for row in self.catalog.error_schema["x-error-table"]}

    def _error(self, code: str, message: str | None = None) -> ApiError:
        return ApiError(code, message or self.error_messages.get(code, code), 200)

    def handle(self, request: WireRequest) -> WireResponse:
        rid = CONSTANT_REQUEST_ID if "request-id-constant" in self.deviations else request_id(upper=False)
        try:
            return self._describe(request, rid)
        except ApiError as error:
            return self._render_error(error, rid)

    def _render_error(self, error: ApiError, rid: str) -> WireResponse:
        response: dict[str, Any] = {"Error": {"Code": error.code, "Message": error.message}, "RequestId": rid}
        if "error-without-request-id" in self.deviations:
            del response["RequestId"]
        status = 400 if "errors-http-400" in self.deviations else 200
        return WireResponse(status, JSON_TYPE, json.dumps({"Response": response}, ensure_ascii=False).encode(),
                            code=error.code)

    def error_answer(self, request: WireRequest, code: str, message: str, status: int) -> WireResponse:
        """An error in this vendor's format (a fault on purpose, for instance)."""
        return self._render_error(ApiError(code, message, status), request_id(upper=False))

    # ----------------------------------------------------------------- request forms

    #: API 3.0 common parameters of the form (``HmacSHA*``): how the request is framed, not what it asks.
    COMMON = frozenset({"Action", "Version", "Region", "Language", "RequestClient"})

    def describe(self, request: WireRequest) -> Described:
        """The action, signing mode and business parameters of either request form, for the request log."""
        try:
            params, common = self._read(request)
        except ApiError:
            params, common = {}, {"Action": request.headers.get("x-tc-action", "")}
        mode = signing_mode(request, common, signing.TC3, "HmacSHA1")
        return Described(str(common.get("Action") or ""), mode,
                         {k: v for k, v in params.items() if k not in self.COMMON},
                         common.get("Region") or None, common.get("Version") or None)

    @staticmethod
    def _json_form(request: WireRequest) -> bool:
        """Common parameters in ``X-TC-*`` headers and a JSON body: TC3, or unsigned (curl, without authentication)."""
        if request.headers.get("authorization", "").startswith(signing.TC3):
            return True
        return "x-tc-action" in request.headers and "Action" not in request.query and "Action" not in request.form

    def _read(self, request: WireRequest) -> tuple[dict[str, Any], dict[str, str]]:
        """(business parameters, common parameters) from either request form."""
        headers = request.headers
        if self._json_form(request):
            common = {"Action": headers.get("x-tc-action", ""), "Version": headers.get("x-tc-version", ""),
                      "Region": headers.get("x-tc-region", "")}
            if request.method == "GET":
                return unflatten(request.query), common
            try:
                body = json.loads(request.body or b"{}")
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise self._error("InvalidParameter", "The request body is not valid JSON.") from None
            if not isinstance(body, dict):
                raise self._error("InvalidParameter", "The request body must be a JSON object.")
            return body, common
        flat = {**request.query, **request.form}
        return unflatten(flat), flat

    def _describe(self, request: WireRequest, rid: str) -> WireResponse:
        if "Signature" not in {**request.query, **request.form} and "authorization" not in request.headers:
            self.auth.verify(None)  # an unsigned request is an authentication error before anything else
        signed_form = {**request.query, **request.form}
        if "hmac-sha1-refused" in self.deviations and "Signature" in signed_form \
                and signed_form.get("SignatureMethod", "HmacSHA1") == "HmacSHA1":
            raise self._error("AuthFailure.SignatureFailure", "The signature method HmacSHA1 is not supported.")
        params, common = self._read(request)
        side = tencent_side.ACTIONS.get((str(common.get("Action")), str(common.get("Version"))))
        if side is not None:
            key_id = self.auth.verify(auth.tencent_claim(request, {**request.query, **request.form}, side.service))
            return tencent_side.answer(side, self, common.get("Region") or "", rid, key_id)
        if common.get("Action") != ACTION:
            raise self._error("InvalidAction", f"The action {common.get('Action') or '(none)'} does not exist.")
        if common.get("Version") != VERSION:
            raise self._error("NoSuchVersion", f"The version {common.get('Version') or '(none)'} does not exist.")
        flat = {**request.query, **request.form}
        claim = auth.tencent_claim(request, flat)
        form = not self._json_form(request)
        if claim is not None and form and flat.get("SignatureMethod") == "HmacSHA256" \
                and "hmac256-signature-unverified" in self.deviations:
            claim = dataclasses.replace(claim, expected=_accepts(claim.signature))
        self.auth.verify(claim)
        region = common.get("Region")
        if not region:
            raise self._error("MissingParameter", "The parameter Region is missing.")
        if region not in self.regions:
            raise self._error("InvalidRegion", f"The region {region} does not exist.")
        conditions = self._conditions(params, region, form)
        if "limit-0-as-default" in self.deviations and str(params.get("Limit")).strip() == "0":
            params = {k: v for k, v in params.items() if k != "Limit"}  # served as the default
        offset = self.paging_int(params, "Offset", 0, 0, None)
        limit = self.paging_int(params, "Limit", 20, 1, 1000 if "limit-over-100-honoured" in self.deviations else 100)
        return self._listing(region, conditions, offset, limit, params, rid)

    # ----------------------------------------------------------------- validation

    DEVIANT_DEFAULTS = {("Limit", "default-limit-10"): 10, ("Offset", "default-offset-1"): 1}

    def invalid_integer(self, name: str) -> ApiError:
        return self._error("InvalidParameterValue", f"The value of {name} is not an integer in range.")

    def _checked(self, values: list[str], form: bool) -> list[str]:
        """The values that get validated: all of them, unless a deviation skips some."""
        if form and "form-skips-validation" in self.deviations:
            return []
        return values[:1] if "validate-first-value-only" in self.deviations else values

    def _conditions(self, params: dict[str, Any], region: str, form: bool = False) -> list[models.Condition]:
        """The conditions of a request; ``form``: it came in the form (HmacSHA*) rather than as TC3 JSON."""
        ids = params.get("InstanceIds")
        filters = params.get("Filters")
        if ids is not None and filters is not None:
            if "ids-and-filters-accepted" not in self.deviations:
                raise self._error("InvalidParameter", "InstanceIds and Filters cannot be specified together.")
            ids = None
        conditions: list[models.Condition] = []
        if ids is not None:
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise self._error("InvalidParameter", "InstanceIds must be a list of strings.")
            most = 50 if "id-limit-50" in self.deviations else MAX_IDS
            if len(ids) > most and "id-limit-unchecked" not in self.deviations:
                raise self._error("InvalidParameterValue.LimitExceeded")
            for instance_id in self._checked(ids, form):
                if not INSTANCE_ID.match(instance_id) and "malformed-id-accepted" not in self.deviations:
                    raise self._error("InvalidInstanceId.Malformed", f"The instance id {instance_id} is malformed.")
            if "ids-ignored" not in self.deviations:
                conditions.append(models.Condition("instance-id", tuple(ids)))
        if filters is not None:
            if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
                raise self._error("InvalidParameter", "Filters must be a list of objects.")
            most = 5 if "filter-limit-5" in self.deviations else MAX_FILTERS
            if len(filters) > most and "filter-limit-unchecked" not in self.deviations:
                raise self._error("InvalidParameterValue.LimitExceeded")
            if "repeated-filter-last-wins" in self.deviations:  # one entry per name: the last one given
                last = {entry.get("Name"): n for n, entry in enumerate(filters) if isinstance(entry.get("Name"), str)}
                filters = [e for n, e in enumerate(filters) if last.get(e.get("Name"), n) == n]
            for entry in filters:
                condition = self._filter(entry, region, form)
                if condition is not None:
                    conditions.append(condition)
        if conditions and "filtered-running-only" in self.deviations:
            conditions.append(models.Condition("instance-state", ("RUNNING",)))
        return conditions

    def _filter(self, entry: dict[str, Any], region: str, form: bool = False) -> models.Condition | None:
        name, values = entry.get("Name"), entry.get("Values")
        if isinstance(name, str) and tencent_filters.accepted(name):
            return self._todays_filter(name, values)
        if name not in self.catalog.filters:
            if "unknown-filter-ignored" in self.deviations:
                return None
            raise self._error("InvalidFilter", f"The filter {name} is not supported.")
        if not isinstance(values, list) or not values or not all(isinstance(v, (str, int)) for v in values):
            raise self._error("InvalidParameter", f"The filter {name} needs a non-empty list of Values.")
        values = [str(v) for v in values]
        limited = "value-limit-unchecked" not in self.deviations and (
            name == "zone" or "values-limit-only-zone" not in self.deviations)
        if len(values) > MAX_VALUES and limited:
            raise self._error("InvalidFilterValue.LimitExceeded")
        schema = self.filter_schemas[name]
        if "enum-case-insensitive" in self.deviations and "enum" in schema:  # 'prepaid' read as 'PREPAID'
            values = [next((listed for listed in schema["enum"] if listed.lower() == v.lower()), v) for v in values]
        for value in self._checked(values, form):
            if "enum" in schema and value not in schema["enum"] and "charge-type-unchecked" not in self.deviations:
                raise self._error("InvalidParameterValue", f"The value {value} of {name} is not supported.")
            if f"enum-value-refused-{name}" in self.deviations and value == schema.get("enum", [None])[0]:
                raise self._error("InvalidParameterValue", f"The value {value} of {name} is not supported.")
            if "pattern" in schema and not re.match(schema["pattern"], value):
                raise self._error("InvalidParameterValue", f"The value {value} of {name} is not valid.")
            if name == "zone" and not self._zone_in_region(value, region) \
                    and "foreign-zone-empty" not in self.deviations:
                raise self._error("InvalidZone.MismatchRegion", f"The zone {value} is not in region {region}.")
            if name == "host-id" and not HOST_ID.match(value) and "malformed-host-accepted" not in self.deviations:
                raise self._error("InvalidHostId.Malformed", f"The host id {value} is malformed.")
            if name == "instance-id" and not INSTANCE_ID.match(value) \
                    and "malformed-id-accepted" not in self.deviations:
                raise self._error("InvalidInstanceId.Malformed", f"The instance id {value} is malformed.")
        if (name == "project-id" and "filter-ignored" in self.deviations) or f"ignored-{name}" in self.deviations:
            return None
        match: str = self.catalog.filters[name].match
        if match == "fuzzy" and "name-exact-only" in self.deviations:
            match = "exact"
        test = _prefix if match == "fuzzy" and "name-prefix-only" in self.deviations else None
        if match == "exact" and self.deviations & {"exact-filter-prefix", "exact-filter-case-insensitive"}:
            match, test = "scan", _prefix if "exact-filter-prefix" in self.deviations else _same_letters
        if "first-value-only" in self.deviations:
            values = values[:1]
        return models.Condition(name, tuple(values), match, every="filter-values-and" in self.deviations,
                                inverted=f"inverted-{name}" in self.deviations, test=test)

    def _zone_in_region(self, zone: str, region: str) -> bool:
        """Whether ``zone`` names a zone of ``region`` (as the ``exact-filter-*`` deviations match zones)."""
        if "exact-filter-case-insensitive" in self.deviations:
            zone = zone.lower()
        if "exact-filter-prefix" in self.deviations and any(
                known.startswith(zone) for known in self.backend.values("zone") if region_of_zone(known) == region):
            return True
        return region_of_zone(zone) == region

    def _todays_filter(self, name: str, values: Any) -> models.Condition:
        """A filter of today's API the document does not list: accepted, beyond the document."""
        if not isinstance(values, list) or not values or not all(isinstance(v, (str, int)) for v in values):
            raise self._error("InvalidParameter", f"The filter {name} needs a non-empty list of Values.")
        if len(values) > MAX_VALUES:
            raise self._error("InvalidFilterValue.LimitExceeded")
        try:
            index, wanted, match = tencent_filters.condition_args(name, [str(v) for v in values])
        except ValueError as exc:
            raise self._error("InvalidParameterValue", str(exc)) from None
        return models.Condition(index, wanted, match)

    # ----------------------------------------------------------------- answers

    def _selected(self, region: str, conditions: list[models.Condition], params: dict[str, Any]
                  ) -> models.Selection:
        """What ``conditions`` select, with the ``ids-override-region``/``duplicate-ids-counted`` deviations."""
        ids = [str(i) for i in params.get("InstanceIds") or []] if conditions else []
        scope: str | None = None if ids and "ids-override-region" in self.deviations else region
        positions = self.backend.select(scope, conditions, any_condition="filters-or" in self.deviations)
        if "duplicate-ids-counted" in self.deviations and len(set(ids)) < len(ids):
            positions = models.Selection(positions=[
                p for p in positions for _ in range(ids.count(self.backend.items[p]["InstanceId"]))])
        return positions

    def _listing(self, region: str, conditions: list[models.Condition], offset: int, limit: int,
                 params: dict[str, Any], rid: str) -> WireResponse:
        positions = self._selected(region, conditions, params)
        if "limit-cap-50" in self.deviations:
            limit = min(limit, 50)
        if conditions and "filtered-offset-ignored" in self.deviations:
            offset = 0
        start = offset * limit if "offset-as-page" in self.deviations and "Offset" in params else offset
        if "offset-rounded-to-limit" in self.deviations:
            start -= start % limit
        if "offset-shifted-by-one" in self.deviations:
            start += 1
        if "pages-overlap-by-one" in self.deviations and start > 0:
            start -= 1
        window = positions[start:start + limit]
        if conditions and "filtered-page-cut-before-filter" in self.deviations:
            kept = set(positions)
            window = [p for p in self.backend.select(region, [])[start:start + limit] if p in kept]
        if "last-page-short-by-one" in self.deviations and start > 0 and start + limit >= len(positions):
            window = window[:-1]
        if not window and start > 0 and "server-error-past-end" in self.deviations:
            raise IndexError(f"offset {start} out of range")  # the deviation: HTTP 500
        if not window and positions and "past-end-repeats-last" in self.deviations:
            window = positions[-limit:]
        total = len(window) if "total-count-of-page" in self.deviations else len(positions)
        if "total-count-ignores-filters" in self.deviations:
            total = len(self.backend.select(region, []))
        if not window and "instanceset-null" in self.deviations:
            items_json = b"null"
        elif "number-as-string" in self.deviations:
            items_json = json.dumps([{**self.backend.items[p], "CPU": str(self.backend.items[p]["CPU"])}
                                     for p in window], ensure_ascii=False).encode()
        else:
            items_json = b"[" + b",".join(self._items_json[p] for p in window) + b"]"
        head = json.dumps({"TotalCount": total, "RequestId": rid}).encode()
        status = 201 if "success-http-201" in self.deviations else 200
        return WireResponse(status, JSON_TYPE, b'{"Response":' + head[:-1] + b',"InstanceSet":' + items_json + b"}}")
