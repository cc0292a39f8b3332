"""Client: the vendor's official SDK, pointed at the target, as the judge of what its users get.

The other categories read answers through the suite's own transport, which
reads any status and any body. A user reads them through the SDK, which may
not: the Tencent SDK turns every answer that is not HTTP 200 into
``ServerNetworkError``, so an endpoint that sends its documented errors with
HTTP 400 passes every other requirement and still never shows a user
``InvalidParameter``. These checks send through the SDK, in each signing
mode it offers, and judge what it hands its caller.

The SDK is found through the adapter (:meth:`Adapter.sdks`); nothing here
names a vendor or a package. Without the SDKs (the ``client`` extra), or
without the target's credentials, the checks are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.checks import check
from conformance.checks.context import DISCOVERY_LIMIT, DISCOVERY_PAGE_CAP, CheckContext, Failed, Skip
from conformance.checks.errors import provoking_query
from conformance.vendors.base import Query
from conformance.vendors.sdk import Sdk, SdkClient, SdkPage, SdkRaisedError, SdkUnavailable
from conformance.vendors.sdk_guard import SdkGuard
from conformance.vendors.transport import AnswerUnreadable, Exchange, Unreachable

DRY_RUN_CODE = "DryRunOperation"


def sdk_client(ctx: CheckContext, args: dict[str, Any]) -> tuple[Sdk, SdkClient]:
    """The requirement's SDK, built against the target in its signing mode; skipped when that cannot be."""
    package, mode = args["package"], args["mode"]
    sdk = next((s for s in ctx.adapter.sdks() if s.package == package), None)
    if sdk is None:
        raise Skip(f"the {ctx.target.vendor} adapter offers no SDK {package!r}")
    creds = ctx.client.credentials
    if not creds.known:
        id_var, secret_var = ctx.adapter.capabilities.credential_env
        raise Skip(f"needs credentials: the SDK signs its requests, and none were given for {ctx.client.endpoint} "
                   f"(--key-id/--key-secret, or {id_var}/{secret_var})")
    # The SDK reads whole answers, and a recorder below it keeps them whole: it is pointed only at an
    # endpoint whose listing the bounded transport could read (a walk that could not be read is inconclusive).
    ctx.oracle_listing()
    try:
        client = sdk.client(url=ctx.client.url, region=ctx.client.region, credentials=creds, mode=mode,
                            timeout=ctx.client.request_deadline, on_request=ctx.client.spend)
    except SdkUnavailable as missing:
        raise Skip(f"the official SDK is not installed, so it cannot judge: {missing}") from None
    return sdk, _Guarded(client, ctx.client.max_answer_bytes, ctx.client.request_deadline, origin=ctx.client.url,
                         cite=ctx.cite, secrets=(creds.secret, creds.key_id), ca_file=ctx.client.ca_file)


class _Guarded:
    """An SDK client whose every call runs inside :class:`SdkGuard`: bounded reads, signatures scrubbed,
    no redirect followed and nothing sent to another host than ``origin`` (the endpoint under test).

    A bound that stopped the read makes the requirement inconclusive: what the SDK raised then
    says nothing about the endpoint's conformance. When the SDK raised on an answer, that answer
    is cited (``cite``) as the evidence: a redirect, the SDK never followed, shows its ``Location`` there.
    """

    def __init__(self, client: SdkClient, max_bytes: int, deadline_s: float, *, origin: str | None = None,
                 cite: Callable[[Exchange], None] | None = None, secrets: tuple[str, ...] = (),
                 ca_file: str | None = None):
        self._client, self._max_bytes, self._deadline_s = client, max_bytes, deadline_s
        self._ca_file = ca_file
        self._origin, self._cite, self._secrets = origin, cite, secrets

    def describe_instances(self, query: Query) -> SdkPage:
        with SdkGuard(self._max_bytes, self._deadline_s, origin=self._origin, secrets=self._secrets,
                      ca_file=self._ca_file) as guard:
            try:
                return self._client.describe_instances(query)
            except SdkRaisedError:
                if guard.refused is not None:
                    raise AnswerUnreadable(f"the SDK's answer could not be read: {guard.refused.reason}") from None
                if guard.unreachable is not None:
                    raise Unreachable(guard.unreachable) from None
                if guard.answer is not None and self._cite is not None:
                    self._cite(guard.answer)
                raise


def _what(args: dict[str, Any]) -> str:
    return f"{args['package']} ({args['mode']})"


@check("sdk_pages", required={"package": str, "mode": str}, optional={"max_pages": int})
def sdk_pages(ctx: CheckContext, args: dict[str, Any]) -> None:
    """The SDK pages through the whole listing and sees exactly the instances of the discovery walk.

    Pages of :data:`DISCOVERY_LIMIT` (the largest size): the walk costs as many requests as discovery.
    With ``max_pages`` (the other signing modes of an SDK: the mode decides whether a request is
    accepted, not how pages are cut) the SDK reads that many pages, which must be the walk's first
    instances, in order, under the walk's ``TotalCount``: the run's requests do not grow by a walk per mode.
    """
    _, client = sdk_client(ctx, args)
    listing = ctx.oracle_listing()
    limit = int(args.get("max_pages", DISCOVERY_PAGE_CAP))
    seen: list[str] = []
    totals: list[Any] = []
    pages = 0
    while pages < limit:
        try:
            page = client.describe_instances(Query(offset=pages * DISCOVERY_LIMIT, limit=DISCOVERY_LIMIT))
        except SdkRaisedError as error:
            raise Failed(f"{_what(args)} raised on page {pages + 1} of the listing instead of answering: "
                         f"{error.raised.describe()}",
                         expected="a page of instances",
                         observed={"exception": error.raised.kind, "code": error.raised.code,
                                   "message": error.raised.message[:300]}) from None
        pages += 1
        seen.extend(page.ids)
        totals.append(page.total)
        if len(page.ids) < DISCOVERY_LIMIT or not isinstance(page.total, int) \
                or pages * DISCOVERY_LIMIT >= page.total:
            break
    whole = len(seen) < pages * DISCOVERY_LIMIT or pages * DISCOVERY_LIMIT >= len(listing.ids)
    if whole:
        ctx.compare_ids(f"the instances {_what(args)} pages through", listing.ids, seen)
        ctx.passed_message = (f"{_what(args)} paged through the whole listing ({len(seen)} instances in {pages} "
                              f"page(s) of {DISCOVERY_LIMIT}), exactly the instances of the discovery walk")
        return
    expected = listing.ids[:len(seen)]
    if seen != expected or any(t != len(listing.ids) for t in totals):
        ctx.fail_unless_changed(Failed(
            f"the first {pages} page(s) {_what(args)} reads are not the discovery walk's first {len(expected)} "
            f"instances under its TotalCount {len(listing.ids)}",
            expected={"ids": expected[:20], "TotalCount": len(listing.ids)},
            observed={"ids": seen[:20], "TotalCount": totals}))
    ctx.passed_message = (f"{_what(args)} read the first {pages} page(s) of {DISCOVERY_LIMIT}: the discovery walk's "
                          f"first {len(seen)} instances, in order, under TotalCount {len(listing.ids)}")


@check("sdk_errors", required={"package": str, "mode": str, "cases": list})
def sdk_errors(ctx: CheckContext, args: dict[str, Any]) -> None:
    """Each documented error named in ``cases`` (error-code requirements) reaches the SDK's caller as its
    exception for a service error, carrying the documented code.

    The provoking request is the one the error-code requirement describes, sent through the SDK.
    A network or parse exception, another code, or a listing is a failure naming the case.
    """
    _, client = sdk_client(ctx, args)
    by_id = {r.id: r for r in ctx.catalog.requirements}
    problems: list[str] = []
    observed: dict[str, Any] = {}
    for case in args["cases"]:
        source = by_id.get(str(case))
        if source is None or "code" not in source.args:
            raise Skip(f"case {case!r} is not an error-code requirement with a documented code")
        code = source.args["code"]
        try:
            page = client.describe_instances(provoking_query(ctx, source.args))
        except SdkRaisedError as error:
            raised = error.raised
            observed[case] = {"exception": raised.kind, "code": raised.code, "service_error": raised.service_error}
            if raised.code != code or not raised.service_error:
                problems.append(f"{case}: expected {code}, the SDK raised {raised.describe()}")
            continue
        observed[case] = {"instances": len(page.ids)}
        problems.append(f"{case}: expected {code}, the SDK answered a listing of {len(page.ids)} instance(s)")
    if problems:
        raise Failed(f"{len(problems)} of {len(args['cases'])} documented error(s) do not reach {_what(args)}'s "
                     f"caller with their code: " + "; ".join(problems),
                     expected={case: by_id[str(case)].args["code"] for case in args["cases"]}, observed=observed)
    ctx.passed_message = (f"{len(args['cases'])} documented error(s) reached {_what(args)}'s caller as its exception "
                          f"with the documented code: " + ", ".join(str(by_id[str(c)].args["code"])
                                                                   for c in args["cases"]))


@check("sdk_dry_run", required={"package": str, "mode": str})
def sdk_dry_run(ctx: CheckContext, args: dict[str, Any]) -> None:
    """DryRun=true on a valid request, through the SDK: the caller gets the SDK's exception with DryRunOperation.

    The document gives the code, not how an SDK delivers it: the requirement is an observation.
    """
    _, client = sdk_client(ctx, args)
    try:
        page = client.describe_instances(Query(extra={"DryRun": "true"}))
    except SdkRaisedError as error:
        if error.raised.code != DRY_RUN_CODE:
            raise Failed(f"DryRun=true through {_what(args)} raised {error.raised.describe()}",
                         expected=DRY_RUN_CODE, observed={"exception": error.raised.kind,
                                                          "code": error.raised.code}) from None
        ctx.passed_message = f"DryRun=true through {_what(args)} raised {error.raised.kind} with {DRY_RUN_CODE}"
        return
    raise Failed(f"DryRun=true through {_what(args)} answered a listing of {len(page.ids)} instance(s)",
                 expected=DRY_RUN_CODE, observed={"instances": len(page.ids)})
