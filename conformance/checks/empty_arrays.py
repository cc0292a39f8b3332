"""Empty arrays: ``InstanceIds=[]``, and how empty lists are rendered."""

from __future__ import annotations

from collections import Counter
from typing import Any
from xml.etree import ElementTree

from jsonpath_ng.ext import parse as jsonpath

from conformance.checks import check
from conformance.checks.context import CheckContext, Failed, Observation, Skip
from conformance.vendors.base import Query


@check("empty_ids")
def empty_ids(ctx: CheckContext, args: dict[str, Any]) -> None:
    modes = ctx.adapter.capabilities.empty_ids_modes
    if ctx.client.signing not in modes:
        raise Skip(f"an empty InstanceIds list cannot travel in the {ctx.client.signing} signing mode "
                   f"(--signing {' or '.join(modes)})")
    answer = ctx.send(Query(ids=[]), note="InstanceIds=[]")
    ctx.expect_ok(answer, "InstanceIds=[]")
    if answer.items or answer.total_count != 0:
        raise Failed(f"InstanceIds=[] answered {len(answer.items)} instance(s), TotalCount {answer.total_count!r}",
                     expected={"instances": 0, "TotalCount": 0},
                     observed={"instances": len(answer.items), "TotalCount": answer.total_count})
    listing = ctx.target.listing()
    if listing.items and ctx.adapter.capabilities.ids_with_filters:
        zone = ctx.catalog.item.get("zone", listing.items[0])
        beside = ctx.send(Query(ids=[], filters={"ZoneId": [zone]}), note="InstanceIds=[] beside ZoneId")
        ctx.expect_ok(beside, "InstanceIds=[] beside ZoneId")
        if beside.items or beside.total_count != 0:
            raise Failed(f"InstanceIds=[] with ZoneId={zone} answered {len(beside.items)} instance(s)",
                         expected=0, observed=len(beside.items))
    ctx.passed_message = "InstanceIds=[] answers no instance and TotalCount 0"


def _nothing(ctx: CheckContext) -> Query:
    return Query(ids=ctx.adapter.synthetic_ids(1))


@check("empty_listing", optional={"format": str})
def empty_listing(ctx: CheckContext, args: dict[str, Any]) -> None:
    fmt = args.get("format", "JSON")
    query = _nothing(ctx)
    query.format = fmt
    answer = ctx.send(query, note=f"a query that matches nothing ({fmt})")
    ctx.expect_ok(answer, "a query that matches nothing")
    list_path = ctx.catalog.lists[0]
    if fmt == "XML":
        root = ElementTree.fromstring(answer.text.encode())
        wrapper_name, element_name = list_path.split(".")[1:3]
        wrapper = root.find(wrapper_name)
        if wrapper is None or len(wrapper.findall(element_name)):
            raise Failed(f"the empty listing in XML has {'no' if wrapper is None else 'a non-empty'} <{wrapper_name}>",
                         expected=f"<{wrapper_name}></{wrapper_name}>", observed=answer.text[:400])
    else:
        found = jsonpath(list_path).find(answer.document)
        if not found or found[0].value != []:
            raise Failed(f"{list_path} of an empty listing is {found[0].value if found else 'missing'!r}",
                         expected=[], observed=found[0].value if found else "(missing)")
    if answer.total_count != 0:
        raise Failed(f"TotalCount of an empty listing is {answer.total_count!r}", expected=0,
                     observed=answer.total_count)
    ctx.passed_message = f"an empty listing renders {list_path} as an empty list in {fmt}"


#: The instances of the listing whose lists :func:`observe_empty_lists` looks at: the first this many.
OBSERVED_ITEMS = 1000


@check("observe_empty_lists")
def observe_empty_lists(ctx: CheckContext, args: dict[str, Any]) -> Observation:
    """How empty lists inside instances render, counted on the first :data:`OBSERVED_ITEMS` of the listing."""
    listing = ctx.target.listing()
    ctx.cite(listing.exchanges[0])
    document = {"items": listing.items[:OBSERVED_ITEMS]}
    report: dict[str, dict[str, int]] = {}
    for path in ctx.catalog.lists[1:]:
        item_path = "$.items[*]" + path.split("[*]", 1)[1]
        counts: Counter[str] = Counter()
        parent_path, _, key = item_path.rpartition(".")
        for match in jsonpath(parent_path).find(document):
            parent = match.value
            if not isinstance(parent, dict) or key not in parent:
                counts["missing"] += 1
            elif parent[key] is None:
                counts["null"] += 1
            elif parent[key] == []:
                counts["[]"] += 1
            elif isinstance(parent[key], list):
                counts["non-empty"] += 1
            else:
                counts[type(parent[key]).__name__] += 1
        report[path] = dict(counts)
    empties = {p: {k: v for k, v in c.items() if k != "non-empty"} for p, c in report.items()}
    text = "; ".join(f"{p.split('.', 2)[-1]}: " + (", ".join(f"{k}×{v}" for k, v in c.items()) or "never empty")
                     for p, c in empties.items())
    return Observation(f"empty lists inside instances render as — {text}", report)
