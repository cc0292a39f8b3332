"""Error codes: each documented error provoked, with its code, status, message and request id."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from conformance.checks import check
from conformance.checks.context import CheckContext, Failed, Observation
from conformance.vendors.base import Query

#: The arguments that describe a provoking request in ``requirements.yaml``.
PROVOKING_ARGS: dict[str, type] = {"params": dict, "drop": list, "filters": dict, "ids": int, "tags": int,
                                   "filter_count": int, "filter": str, "values": int, "fillers": str}


def provoking_query(ctx: CheckContext, args: dict[str, Any]) -> Query:
    """The request a requirement's ``args`` describe (see requirements.yaml)."""
    listing_zone = f"{ctx.client.region}-1"
    listing = ctx.target.listing()
    if listing.items:
        listing_zone = str(ctx.catalog.item.get("zone", listing.items[0]))
    values = {"zone": listing_zone, "foreign_zone": ctx.adapter.foreign_zone(ctx.client.region)}
    query = Query(extra=dict(args.get("params", {})), drop=tuple(args.get("drop", ())))
    if "filters" in args:
        query.filters = {name: [v.format(**values) for v in vs] for name, vs in args["filters"].items()}
    if "ids" in args:
        query.ids = ctx.adapter.synthetic_ids(int(args["ids"]))
    if "tags" in args:
        query.tags = [(f"key{n}", f"value{n}") for n in range(1, int(args["tags"]) + 1)]
    if "values" in args:
        query.filters[args["filter"]] = [args["fillers"].format(n=n) for n in range(int(args["values"]))]
    if "filter_count" in args:
        query.filters = {}
        query.repeated_filters = [("zone", [listing_zone]) for _ in range(int(args["filter_count"]))]
    return query


@check("error_provoked", optional={**PROVOKING_ARGS, "code": str, "status": int, "status_class": int})
def error_provoked(ctx: CheckContext, args: dict[str, Any]) -> None:
    """The documented error, with its code, status, message and request id, in every format and signing mode.

    An endpoint may validate in one request form only, or answer XML errors with another status:
    the same provoking request goes out once per path (the default path first).
    """
    query = provoking_query(ctx, args)
    caps = ctx.adapter.capabilities
    paths = [(fmt, mode) for fmt in caps.formats for mode in caps.signing_modes]
    code, status = args.get("code"), args.get("status")
    want = {"code": code or "an error code", "status": status or (f"{args['status_class']}xx" if "status_class" in args
                                                                   else "any")}
    seen = []
    for fmt, mode in paths:
        answer = ctx.send(replace(query, format=fmt), signing_mode=mode,
                          note=f"provoking the error ({fmt}, signed {mode})")
        problems = _problems(ctx, args, answer)
        if problems:
            where = f" in {fmt}, signed {mode}" if (fmt, mode) != paths[0] else ""
            raise Failed(f"expected {want['code']} (HTTP {want['status']}){where}; got " + ", ".join(problems),
                         expected={**want, "format": fmt, "signing": mode}, observed=_got(ctx, answer))
        seen.append(f"{answer.error_code} with HTTP {answer.status}")
    kinds = sorted(set(seen))
    ctx.passed_message = (f"answered {' / '.join(kinds)}, a message and a request id, on all {len(paths)} paths "
                          f"(formats x signing modes)")


def _got(ctx: CheckContext, answer: Any) -> dict[str, Any]:
    return {"status": answer.status, "code": answer.error_code, "message": answer.error_message,
            "request_id": ctx.catalog.answer.get("error_request_id", answer.document)
            if isinstance(answer.document, dict) else None}


def _problems(ctx: CheckContext, args: dict[str, Any], answer: Any) -> list[str]:
    code, status = args.get("code"), args.get("status")
    got = _got(ctx, answer)
    problems = []
    if answer.error_code is None:
        problems.append("no error code")
    elif code and answer.error_code != code:
        problems.append(f"code {answer.error_code}")
    if status and answer.status != status:
        problems.append(f"HTTP {answer.status}")
    if "status_class" in args and answer.status // 100 != args["status_class"]:
        problems.append(f"HTTP {answer.status}")
    if answer.error_code and not answer.error_message:
        problems.append("no message")
    if answer.error_code and not got["request_id"]:
        problems.append("no request id")
    return problems


@check("document_only", required={"code": str})
def document_only(ctx: CheckContext, args: dict[str, Any]) -> Observation:
    return Observation(f"{args['code']} is listed in the document's table but no DescribeInstances request can be "
                       f"shown to provoke it; not sent", {"code": args["code"]})
