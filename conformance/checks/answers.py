"""What every answer carries: request ids that differ, times in the documented form.

These hold on every path: the answers read are the discovery walk's pages and
one page in each format the adapter reads, so a rule kept in JSON but not in
XML is seen.
"""

from __future__ import annotations

import re
from typing import Any

from conformance.checks import check
from conformance.checks.context import CheckContext, Failed
from conformance.spec.catalog import Paths
from conformance.vendors.base import Answer, Query


def _answers_on_every_path(ctx: CheckContext) -> list[Answer]:
    """Two answers in each format and signing mode pair the adapter has (first page, then the second)."""
    out = []
    caps = ctx.adapter.capabilities
    for fmt in caps.formats:
        for mode in caps.signing_modes:
            for page in (0, 1):
                out.append(ctx.send(Query(offset=page * 2, limit=2, format=fmt), signing_mode=mode,
                                    note=f"{fmt}, signed {mode}, page {page + 1}"))
    return out


@check("request_ids_unique")
def request_ids_unique(ctx: CheckContext, args: dict[str, Any]) -> None:
    """Every answer's request id differs from every other's (errors included)."""
    answers = _answers_on_every_path(ctx)
    answers.append(ctx.send(Query(filters={"no-such-filter-conformance": ["x"]}), note="an error answer"))
    ids = [a.request_id for a in answers]
    if any(i in (None, "") for i in ids):
        raise Failed(f"{sum(i in (None, '') for i in ids)} of {len(ids)} answers carry no request id",
                     expected="a request id in every answer", observed=ids)
    repeated = sorted({str(i) for i in ids if ids.count(i) > 1})
    if repeated:
        raise Failed(f"{len(ids)} answers carry {len(set(ids))} distinct request ids: {repeated[0]} is repeated",
                     expected=f"{len(ids)} distinct request ids", observed=ids)
    ctx.passed_message = f"{len(ids)} answers (every format and signing mode, and an error) carry distinct request ids"


@check("time_format", required={"fields": list, "pattern": str})
def time_format(ctx: CheckContext, args: dict[str, Any]) -> None:
    """Time fields of every instance are in the documented form, in every format (empty or absent is not judged)."""
    pattern = re.compile(args["pattern"])
    paths = Paths({name: f"$.{name}" for name in args["fields"]})
    listing = ctx.oracle_listing()
    items = list(listing.items)
    for fmt in ctx.adapter.capabilities.formats[1:]:
        answer = ctx.send(Query(offset=0, limit=100, format=fmt), note=f"the first page in {fmt}")
        ctx.expect_ok(answer, f"the first page in {fmt}")
        items += answer.items
    bad: list[dict[str, Any]] = []
    read = 0
    for item in items:
        for name in args["fields"]:
            value = paths.get(name, item)
            if value in (None, ""):
                continue
            read += 1
            if not isinstance(value, str) or not pattern.fullmatch(value):
                bad.append({"instance": ctx.target.id_of(item), "field": name, "value": value})
    if bad:
        raise Failed(f"{len(bad)} of {read} time values are not in the documented form (e.g. {bad[0]['field']} "
                     f"{bad[0]['value']!r} of {bad[0]['instance']})", expected=args["pattern"], observed=bad[:20])
    ctx.need(read > 0, f"no instance carries {', '.join(args['fields'])}")
    ctx.passed_message = f"{read} values of {', '.join(args['fields'])} are all in the form {args['pattern']}"
