"""Pagination: pages partition the listing, counts, defaults, limits, echoes, windows."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from conformance.checks import check
from conformance.checks.context import CheckContext, Failed, Observation, Walk
from conformance.checks.generated import run_examples
from conformance.vendors.base import Query


def _walk_in_pages(ctx: CheckContext, at_least: int) -> tuple[int, int, Walk]:
    """(TotalCount, page size, the walk) with a size that gives at least three pages."""
    total = ctx.first_total()
    ctx.need(total >= at_least, f"the listing holds {total} instance(s); this check needs at least {at_least}")
    size = ctx.page_size_for(total)
    walk = ctx.target.walk(Query(), size, note=f"walk with page size {size}")
    ctx.cite(*walk.exchanges[:3])
    return total, size, walk


@check("pages_partition")
def pages_partition(ctx: CheckContext, args: dict[str, Any]) -> None:
    total, size, walk = _walk_in_pages(ctx, 2)
    expected_pages = ctx.pages(total, size)
    problems = []
    if walk.duplicates:
        problems.append(f"{len(walk.duplicates)} instance(s) on two pages (e.g. {walk.duplicates[0]})")
    if len(set(walk.ids)) != total:
        problems.append(f"the pages hold {len(set(walk.ids))} distinct instances, TotalCount says {total}")
    short = [n + 1 for n, count in enumerate(walk.page_sizes[:-1]) if count != size]
    if short:
        problems.append(f"page(s) {short} hold fewer than {size} instances but are not the last")
    if problems:
        raise Failed("; ".join(problems),
                     expected=f"{total} distinct instances on {expected_pages} page(s) of {size}",
                     observed={"page_sizes": walk.page_sizes, "distinct": len(set(walk.ids)),
                               "duplicates": walk.duplicates[:10]})
    ctx.passed_message = f"{total} instances on {len(walk.page_sizes)} pages of {size}: each once, every page full but the last"


@check("total_count_consistent")
def total_count_consistent(ctx: CheckContext, args: dict[str, Any]) -> None:
    _, _, walk = _walk_in_pages(ctx, 1)
    distinct = len(set(walk.ids))
    if len(set(map(str, walk.totals))) != 1 or walk.totals[0] != distinct:
        raise Failed(f"TotalCount per page {walk.totals} but the walk found {distinct} instances",
                     expected=[distinct] * len(walk.totals), observed=walk.totals)
    ctx.passed_message = f"TotalCount {distinct} on all {len(walk.totals)} pages, equal to the instances walked"


@check("default_first_page")
def default_first_page(ctx: CheckContext, args: dict[str, Any]) -> None:
    total = ctx.first_total()
    ctx.need(total >= 2, "needs at least 2 instances to tell pages apart")
    size = ctx.page_size_for(total)
    implicit = ctx.send(Query(limit=size), note="no page/offset given")
    explicit = ctx.send(Query(offset=0, limit=size), note="first page asked for")
    ctx.expect_ok(implicit, "the listing without a page")
    if ctx.ids(implicit) != ctx.ids(explicit):
        raise Failed("the answer without a page/offset is not the first page",
                     expected=ctx.ids(explicit), observed=ctx.ids(implicit))
    ctx.passed_message = f"without a page/offset the first {len(ctx.ids(implicit))} instances come back"


@check("default_page_size", required={"size": int})
def default_page_size(ctx: CheckContext, args: dict[str, Any]) -> None:
    size = int(args["size"])
    total = ctx.first_total()
    ctx.need(total > size, f"the listing holds {total} instances; telling a default of {size} apart needs more")
    answer = ctx.send(Query(), note="no size given")
    ctx.expect_ok(answer, "the listing without a size")
    if len(answer.items) != size:
        raise Failed(f"without a size the answer holds {len(answer.items)} instances",
                     expected=size, observed=len(answer.items))
    ctx.passed_message = f"without a size {size} of {total} instances come back"


@check("max_page_size", required={"size": int})
def max_page_size(ctx: CheckContext, args: dict[str, Any]) -> None:
    size = int(args["size"])
    total = ctx.first_total()
    answer = ctx.send(Query(offset=0, limit=size), note=f"size {size}")
    ctx.expect_ok(answer, f"a page of {size}")
    if len(answer.items) != min(size, total):
        raise Failed(f"a page of {size} holds {len(answer.items)} of {total} instances",
                     expected=min(size, total), observed=len(answer.items))
    ctx.passed_message = f"a page of {size} is accepted and holds {len(answer.items)} of {total} instances"


@check("page_echo", required={"field": str})
def page_echo(ctx: CheckContext, args: dict[str, Any]) -> None:
    field = args["field"]
    defaults = ctx.catalog.request_schema["properties"]
    ctx.first_total()
    # a size other than the default, so that an echo of the default cannot pass for an echo
    size = defaults["PageSize"]["default"] - 3
    asked = [(Query(), {"page_number": defaults["PageNumber"]["default"], "page_size": defaults["PageSize"]["default"]}),
             (Query(offset=size, limit=size), {"page_number": 2, "page_size": size})]
    for query, expected in asked:
        answer = ctx.send(query, note=f"page {expected['page_number']} of size {expected['page_size']}")
        ctx.expect_ok(answer, "the page")
        got = getattr(answer, field)
        if got != expected[field]:
            raise Failed(f"asked for {field.replace('_', ' ')} {expected[field]}, the answer says {got!r}",
                         expected=expected[field], observed=got)
    ctx.passed_message = f"{field.replace('_', ' ')} echoed for the default and for page 2 of size {size}"


@check("page_past_end")
def page_past_end(ctx: CheckContext, args: dict[str, Any]) -> None:
    total = ctx.first_total()
    ctx.need(total >= 1, "the listing is empty; every page is past its end")
    size = ctx.page_size_for(total)
    offset = ctx.pages(total, size) * size
    answer = ctx.send(Query(offset=offset, limit=size), note="the first page past the end")
    ctx.expect_ok(answer, "the page past the end")
    if answer.items or answer.total_count != total:
        raise Failed(f"past the end: {len(answer.items)} instance(s), TotalCount {answer.total_count!r}",
                     expected={"instances": 0, "TotalCount": total},
                     observed={"instances": len(answer.items), "TotalCount": answer.total_count})
    ctx.passed_message = f"the window at {offset} (size {size}) is empty and reports TotalCount {total}"


@check("windows_agree")
def windows_agree(ctx: CheckContext, args: dict[str, Any]) -> None:
    # The reference is the listing walked with the documented default size, not with the largest:
    # a window of another size must agree with it.
    reference = ctx.target.walk(Query(), ctx.adapter.default_limit, note="reference walk at the default size")
    ctx.cite(reference.exchanges[0])
    ctx.need(reference.consistent, "the walk at the default size does not add up (" + "; ".join(reference.problems)
             + "); see the other pagination results")
    ids = reference.ids
    ctx.need(len(ids) >= 2, "needs at least 2 instances")
    max_size = min(100, len(ids) + 2)

    @st.composite
    def windows(draw):
        limit = draw(st.integers(1, max_size))
        if ctx.adapter.paged:
            return draw(st.integers(0, ctx.pages(len(ids), limit))) * limit, limit
        return draw(st.integers(0, len(ids) + 2)), limit

    def example(window: tuple[int, int]) -> None:
        offset, limit = window
        answer = ctx.send(Query(offset=offset, limit=limit), note=f"window {offset}+{limit}")
        ctx.expect_ok(answer, f"the window at {offset} of size {limit}")
        if ctx.ids(answer) != ids[offset:offset + limit] or answer.total_count != len(ids):
            raise Failed(f"the window at {offset} of size {limit} is not that slice of the listing",
                         expected={"ids": ids[offset:offset + limit], "TotalCount": len(ids)},
                         observed={"ids": ctx.ids(answer), "TotalCount": answer.total_count})

    count = run_examples(windows(), example, ctx)
    ctx.passed_message = f"{count} windows drawn by hypothesis each equal their slice of the {len(ids)}-instance listing"


@check("observe_request", optional={"ids": int, "params": dict})
def observe_request(ctx: CheckContext, args: dict[str, Any]) -> Observation:
    query = Query(extra=dict(args.get("params", {})))
    if "ids" in args:
        query.ids = ctx.adapter.synthetic_ids(int(args["ids"]))
    answer = ctx.send(query, note="observation")
    if answer.ok:
        return Observation(f"accepted: HTTP {answer.status}, {len(answer.items)} instance(s), "
                           f"TotalCount {answer.total_count!r}", {"status": answer.status, "items": len(answer.items)})
    return Observation(f"refused: HTTP {answer.status} {answer.error_code}: {answer.error_message}",
                       {"status": answer.status, "code": answer.error_code})
