"""Paging with a query token (``NextToken``/``MaxResults``): the walk, the size, and what a token overrides.

The parameter names come from the requirement's ``args`` (``token``, ``size``), and the answer's
token from the vendor's JSONPath map (``next_token``): a revision of any document that pages by
token is checked the same way.
"""

from __future__ import annotations

import math
from typing import Any

from conformance.checks import check
from conformance.checks.context import CheckContext, Failed, Observation, Walk
from conformance.vendors.base import Answer, Query

TOKEN_ARGS = {"token": str, "size": str}
#: Pages a token walk may take beyond the count the listing needs before it is called endless.
SPARE_PAGES = 2


def _listing(ctx: CheckContext) -> Walk:
    """The discovery walk (page-number paging) as the reference the tokens must agree with."""
    return ctx.oracle_listing()


def _token_of(ctx: CheckContext, answer: Answer) -> str:
    token = ctx.catalog.answer.get("next_token", answer.document)
    return token if isinstance(token, str) else ""


def _page(ctx: CheckContext, args: dict[str, Any], size: int | None, token: str, note: str,
          more: dict[str, str] | None = None) -> Answer:
    extra = {**({args["size"]: str(size)} if size is not None else {}),
             **({args["token"]: token} if token else {}), **(more or {})}
    answer = ctx.send(Query(extra=extra), note=note)
    ctx.expect_ok(answer, note)
    return answer


def walk_size(total: int) -> int:
    """A size that walks the listing in about three pages (at most 100 a page)."""
    return max(1, min(100, math.ceil(total / 3)))


@check("token_walk", required=TOKEN_ARGS)
def token_walk(ctx: CheckContext, args: dict[str, Any]) -> None:
    """Following the tokens from the first page to an empty one reads every instance once.

    The reference is the discovery walk (page numbers). A walk whose tokens do not end within
    the pages the listing needs (and two more) fails: it would never end.
    """
    listing = _listing(ctx)
    total = len(listing.ids)
    ctx.need(total >= 2, f"the listing holds {total} instance(s); a walk of pages needs at least 2")
    size = walk_size(total)
    most = ctx.pages(total, size) + SPARE_PAGES
    seen: list[str] = []
    token, pages = "", 0
    while True:
        answer = _page(ctx, args, size, token, f"token walk, page {pages + 1} ({args['size']}={size})")
        seen += ctx.ids(answer)
        pages += 1
        token = _token_of(ctx, answer)
        if not token:
            break
        if pages >= most:
            ctx.fail_unless_changed(Failed(f"{args['token']} still set after {pages} pages of {size} for {total} "
                                           f"instances", expected=f"an empty {args['token']} by page "
                                           f"{ctx.pages(total, size)}", observed={"pages": pages, "read": len(seen)}))
    twice = sorted({i for i in seen if seen.count(i) > 1})
    if twice:
        ctx.fail_unless_changed(Failed(f"the token walk read {len(twice)} instance(s) twice (e.g. {twice[0]})",
                                       expected=f"{total} instances, each once", observed={"twice": twice[:20]}))
    ctx.compare_ids(f"the token walk ({pages} pages of {size})", listing.ids, seen)
    ctx.passed_message = (f"{pages} pages of {args['size']}={size} read the {total} instances of the listing, "
                          f"each once, and the last page's {args['token']} is empty")


@check("token_max_size", required={**TOKEN_ARGS, "max": int})
def token_max_size(ctx: CheckContext, args: dict[str, Any]) -> None:
    """The largest documented size is accepted and fills a page (up to the listing's size)."""
    most = int(args["max"])
    total = len(_listing(ctx).ids)
    answer = _page(ctx, args, most, "", f"{args['size']}={most}")
    if len(answer.items) != min(most, total):
        raise Failed(f"{args['size']}={most} answered {len(answer.items)} of {total} instances",
                     expected=min(most, total), observed=len(answer.items))
    ctx.passed_message = f"{args['size']}={most} is accepted and holds {len(answer.items)} of {total} instances"


@check("token_default_size", required={**TOKEN_ARGS, "default": int})
def token_default_size(ctx: CheckContext, args: dict[str, Any]) -> None:
    """With a token and no size, the page holds the default number of instances.

    The token comes from a first page of 3, so the default (a method-1 request) is told apart
    from the page-number default on a request without any token.
    """
    default = int(args["default"])
    listing = _listing(ctx)
    first = 3
    ctx.need(len(listing.ids) > first + default,
             f"the listing holds {len(listing.ids)} instances; telling a default of {default} apart needs "
             f"more than {first + default}")
    token = _token_of(ctx, _page(ctx, args, first, "", f"a first page of {first}"))
    if not token:
        raise Failed(f"a first page of {first} of {len(listing.ids)} instances came back without a {args['token']}",
                     expected=f"a {args['token']}", observed="")
    answer = _page(ctx, args, None, token, f"the next page, no {args['size']}")
    if len(answer.items) != default:
        raise Failed(f"with a {args['token']} and no {args['size']} the page holds {len(answer.items)} instances",
                     expected=default, observed=len(answer.items))
    ctx.passed_message = f"with a {args['token']} and no {args['size']}, {default} instances come back"


def _second_page_token(ctx: CheckContext, args: dict[str, Any]) -> tuple[int, str]:
    """(size, token) of a first page of a walk: the token that asks for the second page."""
    total = len(_listing(ctx).ids)
    ctx.need(total >= 4, f"the listing holds {total} instance(s); a second page of a walk needs at least 4")
    size = walk_size(total)
    token = _token_of(ctx, _page(ctx, args, size, "", f"a first page of {size}"))
    ctx.need(bool(token), f"the first page of {size} of {total} instances carries no {args['token']}; "
             f"see the token walk's result")
    return size, token


@check("token_overrides_pages", required={**TOKEN_ARGS, "ignored": dict})
def token_overrides_pages(ctx: CheckContext, args: dict[str, Any]) -> None:
    """With a token set, the page-number parameters change nothing: the same page comes back."""
    size, token = _second_page_token(ctx, args)
    ignored = {str(k): str(v) for k, v in args["ignored"].items()}
    plain = _page(ctx, args, size, token, f"the second page ({args['token']} only)")
    mixed = _page(ctx, args, size, token, f"the second page, with {ignored}", more=ignored)
    if ctx.ids(mixed) != ctx.ids(plain):
        ctx.fail_unless_changed(Failed(f"with a {args['token']} set, {ignored} changed the page",
                                       expected=ctx.ids(plain), observed=ctx.ids(mixed)))
    ctx.passed_message = f"with a {args['token']} set, {ignored} left the page as it was ({len(ctx.ids(plain))} instances)"


def _observed(answer: Answer, what: str) -> Observation:
    if answer.ok:
        return Observation(f"{what}: accepted, HTTP {answer.status}, {len(answer.items)} instance(s)",
                           {"status": answer.status, "accepted": True})
    return Observation(f"{what}: refused, HTTP {answer.status} {answer.error_code}: {answer.error_message}",
                       {"status": answer.status, "code": answer.error_code})


@check("token_foreign", required={**TOKEN_ARGS, "other": dict})
def token_foreign(ctx: CheckContext, args: dict[str, Any]) -> Observation:
    """What a token of one query does to another query (the document is silent): observed."""
    size, token = _second_page_token(ctx, args)
    other = {str(k): str(v) for k, v in args["other"].items()}
    answer = ctx.send(Query(extra={args["size"]: str(size), args["token"]: token, **other}),
                      note=f"the token of the whole listing, with {other}")
    return _observed(answer, f"a token of the whole listing sent with {other}")


@check("token_forged", required={**TOKEN_ARGS, "value": str})
def token_forged(ctx: CheckContext, args: dict[str, Any]) -> Observation:
    """What a token the endpoint never issued does (the document is silent): observed."""
    answer = ctx.send(Query(extra={args["token"]: args["value"]}), note=f"a token never issued: {args['value']}")
    return _observed(answer, f"{args['token']}={args['value']}")
