"""Pagination: pages partition the listing, counts, defaults, limits, echoes, windows."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from conformance.checks import check
from conformance.checks.context import CheckContext, Failed, Inconclusive, Observation, Walk
from conformance.checks.generated import run_examples
from conformance.vendors.base import Query

#: Pages of the small page size a check fetches at most: the first, the last and some drawn between.
SAMPLE_PAGES = 10


def _walk_in_pages(ctx: CheckContext, at_least: int) -> tuple[int, int, Walk]:
    """(TotalCount, page size, the walk) with a size that gives at least three pages: every page of it.

    Used only when the discovery walk is broken (it does not add up, twice alike), as the
    evidence of what is broken; its length is capped like discovery's.
    """
    total = ctx.first_total()
    ctx.need(total >= at_least, f"the listing holds {total} instance(s); this check needs at least {at_least}")
    size = ctx.page_size_for(total)
    walk = ctx.target.walk(Query(), size, note=f"walk with page size {size}")
    ctx.cite(*walk.exchanges[:3])
    ctx.need(not walk.truncated, walk.truncated)
    return total, size, walk


def sample_pages(count: int) -> list[int]:
    """Page indexes to fetch out of ``count``: all of a few; else the first, the last and some between.

    The pages between are drawn deterministically from the number of pages, so a recording replays.
    """
    if count <= SAMPLE_PAGES:
        return list(range(count))
    between = random.Random(count).sample(range(1, count - 1), SAMPLE_PAGES - 2)
    return [0, *sorted(between), count - 1]


@dataclass
class Sampled:
    """Pages of a small size, fetched and set beside the slices of the discovered listing."""

    total: int
    size: int
    count: int
    pages: dict[int, list[str]]
    totals: dict[int, Any]


def _sampled(ctx: CheckContext, listing: Walk, at_least: int) -> Sampled:
    total = len(listing.ids)
    ctx.need(total >= at_least, f"the listing holds {total} instance(s); this check needs at least {at_least}")
    size = ctx.page_size_for(total)
    count = ctx.pages(total, size)
    out = Sampled(total, size, count, {}, {})
    for index in sample_pages(count):
        answer = ctx.send(Query(offset=index * size, limit=size), note=f"page {index + 1} of {count} (size {size})")
        ctx.expect_ok(answer, f"page {index + 1} of size {size}")
        out.pages[index] = ctx.ids(answer)
        out.totals[index] = answer.total_count
    return out


def _discovered(ctx: CheckContext) -> Walk | None:
    """The discovery walk when it adds up; None when it is broken (then the check walks at a small size).

    A walk the listing's churn or a cap explains makes the check inconclusive, with the reason.
    """
    listing = ctx.target.listing()
    ctx.cite(listing.exchanges[0])
    if listing.churn or listing.truncated:
        raise Inconclusive("; ".join(listing.problems))
    return None if listing.broken else listing


@check("pages_partition")
def pages_partition(ctx: CheckContext, args: dict[str, Any]) -> None:
    """The pages partition the listing: nothing missing, nothing twice, every page full but the last.

    The discovery walk (pages of 100) must hold every instance once, as many as ``TotalCount``
    says. Pages of a small size (three pages at least) must each be their slice of it: every page
    of a short listing, else :data:`SAMPLE_PAGES` of them (first, last, some drawn between), so
    that the check's requests do not grow with the listing. When the discovery walk is broken,
    the listing is walked whole at the small size, as the evidence.
    """
    listing = _discovered(ctx)
    if listing is None:
        _partition_of_a_walk(ctx)
        return
    sampled = _sampled(ctx, listing, 2)
    size, problems = sampled.size, []
    for index, ids in sampled.pages.items():
        expected = listing.ids[index * size:(index + 1) * size]
        if ids != expected:
            twice = sorted(set(ids) & {i for j, other in sampled.pages.items() if j != index for i in other})
            detail = f"{len(twice)} also on another page" if twice else f"{len(set(ids) - set(expected))} not in its slice"
            problems.append(f"page {index + 1} holds {len(ids)} instance(s), not its {len(expected)} of the "
                            f"listing ({detail})")
    if problems:
        ctx.fail_unless_changed(Failed(
            "; ".join(problems[:3]),
            expected=f"{sampled.total} distinct instances on {sampled.count} page(s) of {size}",
            observed={"pages": {i + 1: len(ids) for i, ids in sampled.pages.items()}}))
    seen = "every page" if len(sampled.pages) == sampled.count else f"{len(sampled.pages)} of them (first, last, drawn)"
    ctx.passed_message = (f"{sampled.total} instances, each once in the discovery walk; {sampled.count} pages of "
                          f"{size}: {seen} equal to their slice, full but the last")


def _partition_of_a_walk(ctx: CheckContext) -> None:
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
    """``TotalCount`` is the number of instances walked, on every page.

    Every page of the discovery walk, and the pages of a small size :func:`pages_partition`
    fetches (all, or a sample: the requests do not grow with the listing). When the discovery
    walk is broken, every page of a walk at the small size.
    """
    listing = _discovered(ctx)
    if listing is None:
        _, _, walk = _walk_in_pages(ctx, 1)
        distinct = len(set(walk.ids))
        if len(set(map(str, walk.totals))) != 1 or walk.totals[0] != distinct:
            raise Failed(f"TotalCount per page {walk.totals} but the walk found {distinct} instances",
                         expected=[distinct] * len(walk.totals), observed=walk.totals)
        ctx.passed_message = f"TotalCount {distinct} on all {len(walk.totals)} pages, equal to the instances walked"
        return
    sampled = _sampled(ctx, listing, 1)
    wrong = {i + 1: t for i, t in sampled.totals.items() if t != sampled.total}
    if wrong:
        ctx.fail_unless_changed(Failed(f"TotalCount per page {wrong} but the listing holds {sampled.total} instances",
                                       expected=sampled.total, observed=wrong))
    ctx.passed_message = (f"TotalCount {sampled.total} on all {len(listing.totals)} pages of the discovery walk and on "
                          f"{len(sampled.totals)} page(s) of {sampled.size}, equal to the instances walked")


@check("default_first_page")
def default_first_page(ctx: CheckContext, args: dict[str, Any]) -> None:
    total = ctx.first_total()
    ctx.need(total >= 2, "needs at least 2 instances to tell pages apart")
    size = ctx.page_size_for(total)
    implicit = ctx.send(Query(limit=size), note="no page/offset given")
    explicit = ctx.send(Query(offset=0, limit=size), note="first page asked for")
    ctx.expect_ok(implicit, "the listing without a page")
    if ctx.ids(implicit) != ctx.ids(explicit):
        ctx.fail_unless_changed(Failed("the answer without a page/offset is not the first page",
                                       expected=ctx.ids(explicit), observed=ctx.ids(implicit)))
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
        ctx.fail_unless_changed(Failed(f"past the end: {len(answer.items)} instance(s), TotalCount {answer.total_count!r}",
                                       expected={"instances": 0, "TotalCount": total},
                                       observed={"instances": len(answer.items), "TotalCount": answer.total_count}))
    ctx.passed_message = f"the window at {offset} (size {size}) is empty and reports TotalCount {total}"


@check("windows_agree")
def windows_agree(ctx: CheckContext, args: dict[str, Any]) -> None:
    """Windows of sizes and offsets drawn by hypothesis equal their slice of the listing.

    The reference is the discovery walk (pages of 100), or, when it is broken, a walk at the
    documented default size, so that windows of other sizes are still set beside a reference
    (capped like discovery). A fixed number of windows: the requests do not grow with the listing.
    """
    listing = _discovered(ctx)
    if listing is not None:
        reference = listing
    else:
        reference = ctx.target.walk(Query(), ctx.adapter.default_limit, note="reference walk at the default size")
        ctx.cite(reference.exchanges[0])
        ctx.need(reference.consistent, "neither the discovery walk nor the walk at the default size adds up ("
                 + "; ".join(reference.problems) + "); see the other pagination results")
    ids = reference.ids
    ctx.need(len(ids) >= 2, "needs at least 2 instances")
    max_size = min(100, len(ids) + 2)

    caps = ctx.adapter.capabilities

    @st.composite
    def windows(draw):
        limit = draw(st.integers(1, max_size))
        if ctx.adapter.paged:
            offset = draw(st.integers(0, ctx.pages(len(ids), limit))) * limit
        else:
            offset = draw(st.integers(0, len(ids) + 2))
        return offset, limit, draw(st.sampled_from(caps.formats)), draw(st.sampled_from(caps.signing_modes))

    # the second page of a few instances, once on every path: a rule kept in one format or mode only shows here
    small = max(1, min(10, len(ids) // 3))
    explicit = [(small, small, fmt, mode) for fmt in caps.formats for mode in caps.signing_modes]

    def example(window: tuple[int, int, str, str]) -> None:
        offset, limit, fmt, mode = window
        answer = ctx.send(Query(offset=offset, limit=limit, format=fmt), signing_mode=mode,
                          note=f"window {offset}+{limit} ({fmt}, signed {mode})")
        ctx.expect_ok(answer, f"the window at {offset} of size {limit}")
        if ctx.ids(answer) != ids[offset:offset + limit] or answer.total_count != len(ids):
            ctx.fail_unless_changed(Failed(f"the window at {offset} of size {limit} ({fmt}, signed {mode}) is not that "
                                           f"slice of the listing",
                         expected={"ids": ids[offset:offset + limit], "TotalCount": len(ids)},
                         observed={"ids": ctx.ids(answer), "TotalCount": answer.total_count}))

    count = run_examples(windows(), example, ctx, explicit=explicit)
    ctx.passed_message = (f"{count} windows ({len(explicit)} on every format and signing mode, the rest drawn by "
                          f"hypothesis) each equal their slice of the {len(ids)}-instance listing")


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
