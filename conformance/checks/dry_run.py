"""DryRun (Alibaba): validation only, the documented code, no side effect."""

from __future__ import annotations

from typing import Any

from conformance.checks import check
from conformance.checks.context import CheckContext, Failed, Skip
from conformance.vendors.base import Credentials, Query

DRY_RUN_CODE = "DryRunOperation"


@check("dry_run_valid")
def dry_run_valid(ctx: CheckContext, args: dict[str, Any]) -> None:
    answer = ctx.send(Query(extra={"DryRun": "true"}), note="DryRun=true, valid request")
    if answer.error_code != DRY_RUN_CODE or answer.items:
        raise Failed(f"DryRun=true on a valid request answered HTTP {answer.status} "
                     f"{answer.error_code or 'a listing'} with {len(answer.items)} instance(s)",
                     expected=DRY_RUN_CODE, observed={"status": answer.status, "code": answer.error_code,
                                                      "instances": len(answer.items)})
    ctx.passed_message = f"DryRun=true answered {DRY_RUN_CODE} (HTTP {answer.status}) and no instance"


@check("dry_run_invalid", required={"params": dict, "code": str})
def dry_run_invalid(ctx: CheckContext, args: dict[str, Any]) -> None:
    answer = ctx.send(Query(extra={"DryRun": "true", **args["params"]}), note="DryRun=true, invalid request")
    if answer.error_code != args["code"]:
        raise Failed(f"DryRun=true on an invalid request answered {answer.error_code or 'a listing'}",
                     expected=args["code"], observed=answer.error_code)
    ctx.passed_message = f"DryRun=true with {args['params']} answered the validation error {args['code']}"


@check("dry_run_no_side_effect")
def dry_run_no_side_effect(ctx: CheckContext, args: dict[str, Any]) -> None:
    """A DryRun request changes nothing: the first page of 100 and ``TotalCount``, before and after.

    Not the whole listing walked twice: that would cost two walks per run on a large account.
    A creation or deletion shows in ``TotalCount``; a change of state shows on the page read
    (the instances an endpoint lists first, the ones a side effect is likeliest to touch first).
    """
    before = ctx.send(Query(offset=0, limit=100), note="the first page before DryRun")
    ctx.expect_ok(before, "the listing before DryRun")
    ctx.need(bool(before.items), "the listing is empty: a side effect could not show")
    ctx.send(Query(extra={"DryRun": "true"}), note="DryRun=true")
    after = ctx.send(Query(offset=0, limit=100), note="the first page after DryRun")
    ctx.expect_ok(after, "the listing after DryRun")
    changed = [ctx.target.id_of(a) for a, b in zip(before.items, after.items, strict=False) if a != b]
    if ctx.ids(before) != ctx.ids(after) or changed or before.total_count != after.total_count:
        raise Failed(f"the listing changed after a DryRun request ({len(changed)} instance(s) differ"
                     f"{', e.g. ' + changed[0] if changed else ''}; TotalCount {before.total_count!r} then "
                     f"{after.total_count!r})",
                     expected="the same listing", observed={"changed": changed[:20]})
    ctx.passed_message = (f"the first {len(before.items)} instances and TotalCount {before.total_count!r} are identical "
                          f"before and after a DryRun request")


@check("dry_run_refused", optional={"params": dict, "drop": list})
def dry_run_refused(ctx: CheckContext, args: dict[str, Any]) -> None:
    """DryRun checks what the document lists before it answers DryRunOperation: here, a missing required parameter."""
    query = Query(extra={"DryRun": "true", **args.get("params", {})}, drop=tuple(args.get("drop", ())))
    what = ", ".join([*(f"without {p}" for p in args.get("drop", ())), *(f"{k}={v}" for k, v in
                                                                        args.get("params", {}).items())])
    answer = ctx.send(query, note=f"DryRun=true, {what}")
    if answer.error_code in (None, DRY_RUN_CODE):
        raise Failed(f"DryRun=true {what} answered {answer.error_code or 'a listing'} (HTTP {answer.status})",
                     expected="the validation error", observed={"status": answer.status, "code": answer.error_code})
    ctx.passed_message = f"DryRun=true {what} answered {answer.error_code} (HTTP {answer.status}; the code is observed)"


@check("dry_run_bad_credentials")
def dry_run_bad_credentials(ctx: CheckContext, args: dict[str, Any]) -> None:
    creds = ctx.client.credentials
    if not creds.known:
        raise Skip("the endpoint's credentials are unknown")
    wrong = Credentials(creds.key_id, creds.secret + "-wrong")
    answer = ctx.send(Query(extra={"DryRun": "true"}), credentials=wrong, note="DryRun=true, wrong secret")
    if answer.error_code in (None, DRY_RUN_CODE) or answer.status < 400:
        raise Failed(f"DryRun=true signed with a wrong secret answered HTTP {answer.status} {answer.error_code}",
                     expected="an authentication error", observed={"status": answer.status, "code": answer.error_code})
    ctx.passed_message = f"a wrong secret with DryRun=true answered {answer.error_code} (HTTP {answer.status})"


@check("dry_run_false")
def dry_run_false(ctx: CheckContext, args: dict[str, Any]) -> None:
    plain = ctx.send(Query(limit=100), note="no DryRun")
    answer = ctx.send(Query(limit=100, extra={"DryRun": "false"}), note="DryRun=false")
    ctx.expect_ok(answer, "DryRun=false")
    if ctx.ids(answer) != ctx.ids(plain):
        raise Failed("DryRun=false answered another listing than no DryRun", expected=ctx.ids(plain),
                     observed=ctx.ids(answer))
    ctx.passed_message = f"DryRun=false answered HTTP {answer.status} with the same {len(answer.items)} instances"
