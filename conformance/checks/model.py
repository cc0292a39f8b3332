"""The document model: what the documents say an endpoint answers to a request, given its listing.

The single-rule checks each set one request beside the listing. Real fakes
break rules where paths meet: a filtered listing paged, ids beside filters or a
region, a value in another letter case, a name given twice, a second value
that is never validated. The model predicts the answer to *any* request the
document defines from the discovered listing alone: the instances (as a set:
the documents leave their order open), the page's size, ``TotalCount``, or
the documented refusal. It is written from the documents, like the other
checks, and shares nothing with the emulator.

What differs between vendors is data: the adapter's :class:`Capabilities`, the
filter table of ``jsonpath.yaml`` and the refusals of ``model.yaml``, each
naming the requirement whose sentence it enforces. Where the document leaves
an outcome open (which code when two rules are broken, what an unlisted value
of an enum without an error code gets), the prediction says so: any of the
allowed outcomes is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from conformance.checks.context import Walk
from conformance.checks.filters import matches
from conformance.spec.catalog import FilterSpec, VendorCatalog
from conformance.vendors.base import Answer, Capabilities, Query

Condition = tuple[str, tuple[str, ...]]  # one filter entry: the name and its values
#: Lists up to this long are shrunk a value at a time; longer ones only whole.
SHRINK_VALUES = 5


@dataclass(frozen=True)
class Request:
    """One DescribeInstances request in every dimension the model knows, and the path it travels.

    ``conditions`` are filter entries in order (a name may repeat where the vendor takes a list of
    filters); ``variants`` pairs each value made from a carried value (another letter
    case, a prefix, a part) so that a disagreement they cause is told apart; ``walk`` asks for every
    page of the answer at ``limit`` instead of one.
    """

    conditions: tuple[Condition, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    ids: tuple[str, ...] | None = None
    offset: int | None = None
    limit: int | None = None
    region: str | None = None
    format: str = "JSON"
    mode: str | None = None
    walk: bool = False
    variants: tuple[tuple[str, str], ...] = ()

    def query(self, offset: int | None = None) -> Query:
        return Query(repeated_filters=[(name, list(values)) for name, values in self.conditions],
                     tags=list(self.tags), ids=list(self.ids) if self.ids is not None else None,
                     offset=self.offset if offset is None else offset, limit=self.limit, format=self.format,
                     region=self.region)

    def describe(self, default_mode: str = "") -> str:
        """The request as a person reads it, to send again by hand."""
        parts = [f"{name}={'|'.join(values)}" for name, values in self.conditions]
        parts += [f"Tag {key}={value}" for key, value in self.tags]
        if self.ids is not None:
            parts.append(f"InstanceIds={list(self.ids)}")
        if self.region:
            parts.append(f"region={self.region}")
        if self.offset is not None:
            parts.append(f"offset={self.offset}")
        if self.limit is not None:
            parts.append(f"limit={self.limit}")
        if self.walk:
            parts.append("every page")
        if self.format != "JSON":
            parts.append(f"format={self.format}")
        if self.mode and self.mode != default_mode:
            parts.append(f"signed {self.mode}")
        return ", ".join(parts) or "no parameter"

    def to_json(self) -> dict[str, Any]:
        return {"conditions": [[n, list(v)] for n, v in self.conditions], "tags": [list(t) for t in self.tags],
                "ids": list(self.ids) if self.ids is not None else None, "offset": self.offset, "limit": self.limit,
                "region": self.region, "format": self.format, "mode": self.mode, "walk": self.walk,
                "variants": [list(pair) for pair in self.variants]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Request:
        return cls(conditions=tuple((n, tuple(v)) for n, v in data.get("conditions", [])),
                   tags=tuple((k, v) for k, v in data.get("tags", [])),
                   ids=tuple(data["ids"]) if data.get("ids") is not None else None,
                   offset=data.get("offset"), limit=data.get("limit"), region=data.get("region"),
                   format=data.get("format", "JSON"), mode=data.get("mode"), walk=bool(data.get("walk")),
                   variants=tuple((str(v), str(o)) for v, o in data.get("variants", ())))

    def smaller(self, default_mode: str, default_format: str = "JSON") -> list[Request]:
        """Requests with one dimension less, the greedy shrinker's candidates, most removed first."""
        out: list[Request] = []
        if self.walk:
            out.append(replace(self, walk=False))
        if self.offset or self.limit is not None:
            out.append(replace(self, offset=None, limit=None, walk=False))
        if self.offset:
            out.append(replace(self, offset=None))
        for n in range(len(self.conditions)):
            out.append(replace(self, conditions=self.conditions[:n] + self.conditions[n + 1:]))
        for n, (name, values) in enumerate(self.conditions):
            # a long list (one past a limit) is kept or dropped whole: one value less is a request per value
            for m in range(len(values)) if 1 < len(values) <= SHRINK_VALUES else ():
                fewer = values[:m] + values[m + 1:]
                out.append(replace(self, conditions=self.conditions[:n] + ((name, fewer),) + self.conditions[n + 1:]))
        for n in range(len(self.tags)):
            out.append(replace(self, tags=self.tags[:n] + self.tags[n + 1:]))
        if self.ids is not None:
            out.append(replace(self, ids=None))
            if 1 < len(self.ids) <= SHRINK_VALUES:
                for m in range(len(self.ids)):
                    out.append(replace(self, ids=self.ids[:m] + self.ids[m + 1:]))
        if self.region is not None:
            out.append(replace(self, region=None))
        if self.format != default_format:
            out.append(replace(self, format=default_format))
        if self.mode is not None and self.mode != default_mode:
            out.append(replace(self, mode=default_mode))
        return [r for r in out if r != self]


@dataclass(frozen=True)
class Refusal:
    """A documented refusal: the code (None: any code) and HTTP status (None: any the vendor uses for errors)."""

    code: str | None
    status: int | None
    rule: str
    requirement: str
    #: ``page`` (page size), ``limit`` (how many of a list), ``value`` (one value), ``exclusive``, ``unknown``
    kind: str = "value"


@dataclass(frozen=True)
class Expected:
    """A listing answer: the instances it selects (order left open), how many on the page, the total."""

    ids: frozenset[str]
    order: tuple[str, ...]
    total: int
    page: int
    offset: int
    limit: int


@dataclass
class Prediction:
    """What the document allows as the answer: one of ``refusals``, or ``listing``, or either."""

    refusals: list[Refusal] = field(default_factory=list)
    listing: Expected | None = None
    #: set when the document leaves the outcome open: the answer is recorded, never judged
    open: str = ""

    @property
    def refused(self) -> bool:
        return bool(self.refusals) and self.listing is None


@dataclass
class Disagreement:
    """An answer the model does not allow, and what it allowed."""

    message: str
    expected: Any
    observed: Any
    #: ``paging`` when the right instances were selected (TotalCount right, none foreign) but the pages
    #: do not hold them as they should; ``selection`` otherwise
    kind: str = "selection"


_CASE_SWAP = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def case_variant(value: str) -> str:
    """``value`` in another letter case (every letter swapped); ``value`` itself when it has no letter."""
    return value.translate(_CASE_SWAP)


class DocumentModel:
    """The documents' answer to any request, over one discovered listing (see the module's docstring)."""

    def __init__(self, catalog: VendorCatalog, capabilities: Capabilities, listing: Walk, region: str,
                 foreign_zone: str = ""):
        self.catalog = catalog
        self.capabilities = capabilities
        self.listing = listing
        self.region = region
        #: a zone of another region (the adapter's): certainly not one of this region's
        self.foreign_zone = foreign_zone
        self.rules: dict[str, Any] = catalog.model_rules

    # ------------------------------------------------------------ the listing

    @cached_property
    def item_values(self) -> dict[str, list[list[str]]]:
        return {name: [spec.values(item) for item in self.listing.items] for name, spec in self.catalog.filters.items()}

    @cached_property
    def item_tags(self) -> list[set[tuple[str, str]]]:
        paths = self.catalog.item
        if "tags" not in paths:
            return [set() for _ in self.listing.items]
        out = []
        for item in self.listing.items:
            pairs = set()
            for tag in paths.all("tags", item):
                if isinstance(tag, dict):
                    pairs.add((str(tag.get(paths.expr("tag_key"))), str(tag.get(paths.expr("tag_value")))))
            out.append(pairs)
        return out

    def carried(self, name: str) -> set[str]:
        """Every value of filter ``name`` some instance of the listing carries."""
        return {v for values in self.item_values.get(name, []) for v in values}

    # ------------------------------------------------------------ validation

    def _limit(self, name: str) -> dict[str, Any]:
        return dict(self.rules.get("limits", {}).get(name, {}))

    def _refusal(self, entry: dict[str, Any], rule: str, kind: str = "value") -> Refusal:
        return Refusal(entry.get("code"), entry.get("status"), rule, str(entry.get("requirement", "")), kind)

    def violations(self, request: Request) -> tuple[list[Refusal], list[Refusal], str]:
        """The refusals a request earns: (certain ones, ones that may come instead of an empty answer, open)."""
        certain: list[Refusal] = []
        maybe: list[Refusal] = []
        opened = ""
        size = self._limit("page_size")
        if request.limit is not None and size:
            if request.limit > size.get("max", 100):
                certain.append(self._refusal(size, f"a page size above {size.get('max', 100)}", "page"))
            elif request.limit < size.get("min", 1) and size.get("below_min") == "open":
                opened = f"a page size below {size.get('min', 1)}: the document gives no minimum"
            elif request.limit < size.get("min", 1):
                below = {**size, "requirement": size.get("min_requirement", size.get("requirement"))}
                (maybe if size.get("below_min") == "empty-or-refused" else certain).append(
                    self._refusal(below, f"a page size below {size.get('min', 1)}", "page"))
        ids_limit = self._limit("ids")
        if request.ids is not None and ids_limit and len(request.ids) > ids_limit["max"]:
            certain.append(self._refusal(ids_limit, f"more than {ids_limit['max']} instance ids", "limit"))
        ids_pattern = self.rules.get("ids_pattern")
        if ids_pattern and request.ids and any(not re.fullmatch(ids_pattern["regex"], i) for i in request.ids):
            certain.append(self._refusal(ids_pattern, "an instance id not of the documented form"))
        exclusive = self.rules.get("ids_with_filters")
        if exclusive and request.ids is not None and request.conditions:
            certain.append(self._refusal(exclusive, "InstanceIds together with Filters", "exclusive"))
        filters_limit = self._limit("filters")
        if filters_limit and len(request.conditions) > filters_limit["max"]:
            certain.append(self._refusal(filters_limit, f"more than {filters_limit['max']} filters", "limit"))
        values_limit = self._limit("values")
        for name, values in request.conditions:
            spec = self.catalog.filters.get(name)
            if spec is None:
                unknown = self.rules.get("unknown_filter")
                if unknown:
                    certain.append(self._refusal(unknown, f"the unknown filter {name}", "unknown"))
                else:
                    opened = f"{name} is not a filter of the document"
                continue
            if values_limit and len(values) > values_limit["max"] and (
                    not values_limit.get("json_array_only") or spec.match == "json-array"):
                certain.append(self._refusal(values_limit, f"more than {values_limit['max']} values of {name}", "limit"))
            for value in values:
                refusal, may_be_empty, open_reason = self._value_rule(name, value)
                if refusal is not None:
                    (maybe if may_be_empty else certain).append(refusal)
                opened = opened or open_reason
        tags_limit = self._limit("tags")
        if tags_limit and len(request.tags) > tags_limit["max"]:
            certain.append(self._refusal(tags_limit, f"more than {tags_limit['max']} tags", "limit"))
        return certain, maybe, opened

    def _value_rule(self, name: str, value: str) -> tuple[Refusal | None, bool, str]:
        """The refusal one value earns: (refusal, whether an empty answer may come instead, why it is open)."""
        enum = self.enum(name)
        rules = self.rules.get("values", {}).get(name, {})
        if enum and value not in enum:
            if "enum" in rules:
                return self._refusal(rules["enum"], f"{value!r}, not a value {name} lists"), False, ""
            return None, False, f"{name}={value!r} is not among the values the document lists, and no error is given"
        pattern = rules.get("pattern")
        if pattern and not re.fullmatch(pattern["regex"], value):
            return self._refusal(pattern, f"{value!r}, not the form of {name}"), False, ""
        region_bound = rules.get("unknown_value")
        if region_bound and value not in self.carried(name):
            # it may exist without an instance (a zone, a cluster): an empty answer is as right as the refusal
            return (self._refusal(region_bound, f"{name} {value!r}, carried by no instance of the region"),
                    value != self.foreign_zone, "")
        return None, False, ""

    def enum(self, name: str) -> list[str]:
        """The values the document lists for filter ``name`` (empty when it lists none)."""
        schema = self.catalog.request_schema
        found = schema.get("properties", {}).get(name, {}).get("enum") \
            or schema.get("$defs", {}).get("filters", {}).get(name, {}).get("enum")
        return [str(v) for v in found or []]

    # ------------------------------------------------------------ prediction

    def predict(self, request: Request) -> Prediction:
        certain, maybe, opened = self.violations(request)
        if certain:
            return Prediction(refusals=certain + maybe)
        if opened:
            return Prediction(open=opened)
        given = {name: values for name, values in request.conditions}
        for name in given:
            spec = self.catalog.filters.get(name)
            for other, required in (spec.requires.items() if spec else ()):
                if required not in given.get(other, ()):
                    return Prediction(open=f"{name} takes effect only when {other} is {required}")
        if request.region is not None and request.region != self.region:
            if request.ids is None or any(i not in self.listing.ids for i in request.ids):
                return Prediction(open=f"the listing of {request.region} was not discovered")
            return Prediction(listing=self._page(request, []), refusals=maybe)
        return Prediction(listing=self._page(request, self.select(request)), refusals=maybe)

    def select(self, request: Request) -> list[int]:
        """Positions in the listing of the instances the request selects: every condition AND-combined."""
        positions = range(len(self.listing.items))
        chosen = [p for p in positions if self._selected(p, request)]
        return chosen

    def _selected(self, position: int, request: Request) -> bool:
        if request.ids is not None and self.listing.ids[position] not in request.ids:
            return False
        for name, values in request.conditions:
            spec: FilterSpec = self.catalog.filters[name]
            carried = self.item_values[name][position]
            if not any(matches(spec, value, carried) for value in values):
                return False
        return all(pair in self.item_tags[position] for pair in request.tags)

    def _page(self, request: Request, positions: list[int]) -> Expected:
        order = tuple(dict.fromkeys(self.listing.ids[p] for p in positions))
        limit = request.limit if request.limit is not None else self.capabilities.default_limit
        offset = request.offset or 0
        page = max(0, min(limit, len(order) - offset))
        return Expected(ids=frozenset(order), order=order, total=len(order), page=page, offset=offset, limit=limit)

    # ------------------------------------------------------------ judging

    def judge(self, prediction: Prediction, answers: list[tuple[Answer, list[str]]],
              complete: bool = True) -> Disagreement | None:
        """Whether ``answers`` (one page, or the pages of a walk, with their ids) are allowed; None if so.

        ``complete`` is False for a walk stopped before its last page: what was not read is not missed.
        """
        first, _ = answers[0]
        if prediction.open:
            return None
        if not first.ok:
            for refusal in prediction.refusals:
                if refusal.code in (None, first.error_code) and self._status_ok(refusal, first.status):
                    return None
            if prediction.listing is not None and not prediction.refusals:
                return Disagreement(f"refused with {first.error_code or first.parse_error} (HTTP {first.status}) "
                                    f"where the document selects {prediction.listing.total} instance(s)",
                                    expected={"TotalCount": prediction.listing.total},
                                    observed={"status": first.status, "code": first.error_code})
            allowed = sorted({f"{r.code or 'an error'} (HTTP {r.status or 'of an error'})" for r in prediction.refusals})
            return Disagreement(f"answered {first.error_code or first.parse_error} with HTTP {first.status} where the "
                                f"document gives {' or '.join(allowed)}",
                                expected={"refusals": allowed}, observed={"status": first.status,
                                                                          "code": first.error_code})
        if prediction.listing is None:
            allowed = sorted({f"{r.code or 'an error'}" for r in prediction.refusals})
            return Disagreement(f"served {len(answers[0][1])} instance(s) (TotalCount {first.total_count!r}) where the "
                                f"document refuses it: {'; '.join(r.rule for r in prediction.refusals)}",
                                expected={"refusals": allowed, "rules": [r.rule for r in prediction.refusals]},
                                observed={"status": first.status, "TotalCount": first.total_count,
                                          "instances": len(answers[0][1])})
        return self._judge_listing(prediction.listing, answers, complete)

    def _status_ok(self, refusal: Refusal, status: int) -> bool:
        """The document's status, where it gives one; else any status of an error (a vendor that documents
        none is held to its SDK's HTTP 200 by the client category, not here)."""
        if refusal.status is not None:
            return status == refusal.status
        if self.capabilities.error_delivery == "always-200":
            return True
        return 400 <= status < 500

    @staticmethod
    def _judge_listing(expected: Expected, answers: list[tuple[Answer, list[str]]],
                       complete: bool = True) -> Disagreement | None:
        seen: list[str] = []
        for number, (answer, ids) in enumerate(answers):
            page = max(0, min(expected.limit, expected.total - expected.offset - number * expected.limit))
            problems = []
            extra = [i for i in ids if i not in expected.ids]
            if extra:
                problems.append(f"{len(extra)} instance(s) the request does not select (e.g. {extra[0]})")
            if len(ids) != len(set(ids)):
                problems.append("an instance twice on one page")
            if len(ids) != page:
                problems.append(f"{len(ids)} instance(s) on the page where {page} belong there")
            if answer.total_count != expected.total:
                problems.append(f"TotalCount {answer.total_count!r} for {expected.total} selected")
            if problems:
                where = f"page {number + 1} of the walk: " if len(answers) > 1 else ""
                selection = bool(extra) or answer.total_count != expected.total
                return Disagreement(where + "; ".join(problems),
                                    expected={"TotalCount": expected.total, "on the page": page,
                                              "selected": sorted(expected.ids)[:20]},
                                    observed={"TotalCount": answer.total_count, "ids": ids[:20]},
                                    kind="selection" if selection else "paging")
            seen.extend(ids)
        if len(answers) > 1:
            twice = sorted({i for i in seen if seen.count(i) > 1})
            missing = sorted(expected.ids - set(seen)) if complete else []
            if twice or missing:
                return Disagreement(f"the pages of the walk list {len(twice)} instance(s) twice and miss {len(missing)}",
                                    expected={"selected": sorted(expected.ids)[:20]},
                                    observed={"twice": twice[:20], "missing": missing[:20]}, kind="paging")
        return None

