"""Documented limits pushed both ways, echoes on every page, TotalCount under filters.

A documented maximum must work fully at the maximum (100 ids, 100 addresses,
20 tags, 10 filters of 5 values) and must not be silently honoured just past
it: an endpoint that answers 101 ids or PageSize 101 as if they were valid
breaks the documented range even if the document names no error code for it;
which code comes back is reported as observed in the message.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from conformance.checks import check
from conformance.checks.context import CheckContext, Collected, Failed, Skip, Walk
from conformance.checks.errors import PROVOKING_ARGS, provoking_query
from conformance.checks.filters import candidates, counts, expected_ids, item_values, matches, query_for
from conformance.vendors.base import Answer, Query


def _refused(ctx: CheckContext, answer: Answer) -> bool:
    if answer.error_code is None:
        return False
    return ctx.adapter.capabilities.error_delivery == "always-200" or 400 <= answer.status < 500


@check("refused_past_limit", optional=PROVOKING_ARGS)
def refused_past_limit(ctx: CheckContext, args: dict[str, Any]) -> None:
    """Just past a documented maximum: refused with an error answer (the code is observed)."""
    query = provoking_query(ctx, args)
    what = _describe(args)
    answer = ctx.send(query, note=f"just past the documented maximum: {what}")
    if not _refused(ctx, answer):
        raise Failed(f"{what} was honoured (HTTP {answer.status}, {len(answer.items)} instance(s)) although the "
                     f"document sets a maximum", expected="an error answer",
                     observed={"status": answer.status, "code": answer.error_code, "instances": len(answer.items)})
    ctx.passed_message = f"{what} was refused: {answer.error_code} (HTTP {answer.status}; the code is observed)"


def _describe(args: dict[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in args.get("params", {}).items()]
    if "ids" in args:
        parts.append(f"{args['ids']} instance ids")
    if "values" in args:
        parts.append(f"{args['values']} values of {args.get('filter')}")
    return ", ".join(parts) or "the request"


def _carrying_any(ctx: CheckContext, listing: Walk, name: str, values: list[str],
                  required: dict[str, str] | None = None) -> list[str]:
    """The ids of the listing carrying any of ``values`` for ``name`` (OR within one filter), and what it requires.

    Read from the listing's memoised values: at 10,000 instances and 100 values, asking each
    instance's JSONPath again for every value cost seconds.
    """
    spec = ctx.catalog.filters[name]
    own = item_values(ctx, listing, name)
    needed = [(ctx.catalog.filters[k], v, item_values(ctx, listing, k)) for k, v in (required or {}).items()]
    return [listing.ids[n] for n in range(len(listing.items))
            if any(matches(spec, v, own[n]) for v in values)
            and all(matches(other, v, carried[n]) for other, v, carried in needed)]


def _filler(template: str, n: int) -> str:
    return template.format(n=n)


def _accepted_ids(ctx: CheckContext, query: Query, what: str) -> list[str] | Collected:
    """The ids answered to ``query``; a refusal fails (the request is within the documented limits).

    An answer larger than a page is read as the filter checks read one (:meth:`CheckContext.collect`):
    what was not seen is named, never failed.
    """
    first = Query(**{**query.__dict__, "offset": 0, "limit": 100})
    answer = ctx.send(first, note=what)
    ctx.expect_ok(answer, what)
    ids = ctx.ids(answer)
    if len(ids) == 100:
        return ctx.collect(query, note=what)
    return ids


@check("ids_at_max", required={"count": int})
def ids_at_max(ctx: CheckContext, args: dict[str, Any]) -> None:
    """``count`` ids (the documented maximum) in one request: every known one comes back, nothing else."""
    listing = ctx.oracle_listing()
    count = int(args["count"])
    known = listing.ids[:count]
    ids = known + ctx.adapter.synthetic_ids(count - len(known))
    observed = _accepted_ids(ctx, Query(ids=ids), f"{count} instance ids, the documented maximum")
    ctx.compare_ids(f"{count} ids ({len(known)} of the listing)", known, observed)
    ctx.passed_message = f"{count} ids at once answered exactly the {len(known)} instances of the listing among them"


@check("values_at_max", required={"filter": str, "count": int, "fillers": str})
def values_at_max(ctx: CheckContext, args: dict[str, Any]) -> None:
    """A list-valued filter with ``count`` values (the maximum): the instances carrying any of them."""
    listing = ctx.oracle_listing()
    name, count = args["filter"], int(args["count"])
    spec = ctx.catalog.filters[name]
    carried = sorted(counts(ctx, listing, name))
    ctx.need(bool(carried), f"no instance of the listing carries a {name} value")
    values = carried[:count] + [_filler(args["fillers"], n) for n in range(count - len(carried[:count]))]
    expected = _carrying_any(ctx, listing, name, values, required=spec.requires)
    query = Query(filters={name: values, **{k: [v] for k, v in spec.requires.items()}})
    observed = _accepted_ids(ctx, query, f"{name} with {count} values, the documented maximum")
    ctx.compare_ids(f"{name} with {count} values", expected, observed)
    ctx.passed_message = f"{name} with {count} values answered exactly the {len(expected)} instances carrying one"


@check("tags_at_max", required={"count": int})
def tags_at_max(ctx: CheckContext, args: dict[str, Any]) -> None:
    """``count`` tag conditions (the maximum), all naming one pair: the instances bound with it."""
    listing = ctx.oracle_listing()
    paths = ctx.catalog.item
    if "tags" not in paths:
        raise Skip("this vendor's document defines no tag filter")
    pairs: Counter[tuple[str, str]] = Counter()
    owners: dict[tuple[str, str], list[str]] = {}
    for item in listing.items:
        for tag in paths.all("tags", item):
            pair = (str(tag.get(paths.expr("tag_key"))), str(tag.get(paths.expr("tag_value"))))
            pairs[pair] += 1
            owners.setdefault(pair, []).append(ctx.target.id_of(item))
    ctx.need(bool(pairs), "no instance of the listing carries a tag")
    pair = min(pairs, key=lambda p: (pairs[p], p))
    count = int(args["count"])
    observed = _accepted_ids(ctx, Query(tags=[pair] * count), f"{count} tags, the documented maximum")
    ctx.compare_ids(f"{count} tags {pair[0]}={pair[1]}", owners[pair], observed)
    ctx.passed_message = f"{count} tag conditions answered exactly the {len(owners[pair])} instances bound with them"


@check("filters_at_max", required={"filter": str, "filters": int, "values": int, "fillers": str})
def filters_at_max(ctx: CheckContext, args: dict[str, Any]) -> None:
    """``filters`` filters of ``values`` values each (the maximums): AND across, OR within, all honoured."""
    listing = ctx.oracle_listing()
    name = args["filter"]
    carried = counts(ctx, listing, name)
    telling = [v for v, c in sorted(carried.items(), key=lambda vc: (vc[1], vc[0])) if c < len(listing.items)]
    ctx.need(bool(telling), f"no {name} value tells instances apart in this listing")
    # the value instances carry goes last, so that an endpoint reading only the first values is caught
    values = [_filler(args["fillers"], n) for n in range(int(args["values"]) - 1)] + [telling[0]]
    expected = _carrying_any(ctx, listing, name, values)
    query = Query(repeated_filters=[(name, values)] * int(args["filters"]))
    observed = _accepted_ids(ctx, query, f"{args['filters']} filters of {args['values']} values, the maximums")
    ctx.compare_ids(f"{args['filters']} × {name} with {args['values']} values", expected, observed)
    ctx.passed_message = (f"{args['filters']} filters of {args['values']} values each answered exactly the "
                          f"{len(expected)} instances they select")


@check("total_count_filtered")
def total_count_filtered(ctx: CheckContext, args: dict[str, Any]) -> None:
    """TotalCount under a filter counts the instances the endpoint's own answer selects.

    The count is compared with the answer itself (a page of 100 holding the whole selection), not
    with the suite's reading of the filter: a filter the endpoint gets wrong is the filter
    requirements' business; a TotalCount that ignores the filter is this one's.
    """
    listing: Walk = ctx.oracle_listing()
    small = [c for c in candidates(ctx, listing)
             if 0 < len(expected_ids(ctx, listing, [c])) < min(len(listing.items), 100)]
    ctx.need(bool(small), "no filter value selects some but not all instances of the listing")
    chosen = list(dict.fromkeys([small[0], small[len(small) // 2], small[-1]]))
    for condition in chosen:
        query = query_for(ctx, [condition])
        query.offset, query.limit = 0, 100
        answer = ctx.send(query, note=f"TotalCount under {condition[0]}={condition[1]}")
        ctx.expect_ok(answer, f"{condition[0]}={condition[1]}")
        ctx.need(len(answer.items) < 100, f"{condition[0]}={condition[1]} selects 100 or more instances")
        if answer.total_count != len(answer.items):
            raise Failed(f"TotalCount under {condition[0]}={condition[1]} is {answer.total_count!r}, but the answer "
                         f"selects {len(answer.items)} of the {len(listing.items)} instances",
                         expected=len(answer.items), observed=answer.total_count)
    ctx.passed_message = f"TotalCount equals the number of selected instances under {len(chosen)} filters"


@check("echo_every_page", required={"field": str})
def echo_every_page(ctx: CheckContext, args: dict[str, Any]) -> None:
    """The echoed page field on a full page, the partial last page and a page past the end."""
    listing = ctx.oracle_listing()
    total = len(listing.ids)
    ctx.need(total >= 3, "needs at least three instances for a partial last page")
    size = next((s for s in range(min(ctx.adapter.default_limit, total - 1), 1, -1) if total % s), 0)
    ctx.need(size > 1, "no page size leaves a partial last page")
    last = (total - 1) // size
    field = args["field"]
    for page, what in ((0, "a full page"), (last, "the partial last page"), (last + 1, "the page past the end")):
        answer = ctx.send(Query(offset=page * size, limit=size), note=f"{what} (size {size})")
        ctx.expect_ok(answer, what)
        asked = {"page_number": page + 1, "page_size": size}[field]
        echoed = getattr(answer, field)
        if echoed != asked:
            raise Failed(f"{what}: {field} echoed {echoed!r}, asked {asked}", expected=asked, observed=echoed)
    ctx.passed_message = f"{field} echoed as asked on a full page, the partial last page and past the end (size {size})"
