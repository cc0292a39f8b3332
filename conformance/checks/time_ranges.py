"""Time-range filters: a bound in a parameter pair selects the instances on its side of a time.

The parameters, the bound's side and the instance field come from the requirement's ``args``
(``Filter.1.Key=CreationStartTime`` with ``Filter.1.Value``, on ``CreationTime``, ``start``).
Bounds are put between two instances' times, never on one: the documents do not say whether
a bound is inclusive.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from conformance.checks import check
from conformance.checks.context import CheckContext
from conformance.vendors.base import Query


def _minute(value: Any) -> str | None:
    """``2017-12-05T22:40Z`` (any longer time too) to the minute, comparable as text; None if not a time."""
    return value[:16] if isinstance(value, str) and len(value) >= 16 and value[4] == "-" and value[10] == "T" else None


def bound_between(times: list[str]) -> str | None:
    """A minute strictly between two of ``times``, near their middle, that no instance carries; None if none."""
    distinct = sorted(set(times))
    middle = len(distinct) // 2
    gaps = sorted(range(len(distinct) - 1), key=lambda n: abs(n - middle))
    for low, high in ((distinct[n], distinct[n + 1]) for n in gaps):
        start = _after(low)
        if start is not None and start < high:
            return start
    return None


def _after(minute: str) -> str | None:
    try:
        moment = datetime.strptime(minute, "%Y-%m-%dT%H:%M") + timedelta(minutes=1)
    except ValueError:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M")


@check("time_bound", required={"key_param": str, "key": str, "value_param": str, "field": str, "side": str})
def time_bound(ctx: CheckContext, args: dict[str, Any]) -> None:
    """The bound selects exactly the instances whose ``field`` is on its side (``start``: later, ``end``: earlier)."""
    listing = ctx.oracle_listing()
    carried = {ctx.target.id_of(item): _minute(item.get(args["field"])) for item in listing.items}
    times = [t for t in carried.values() if t is not None]
    ctx.need(len(set(times)) >= 2, f"needs instances with two different {args['field']} values")
    bound = bound_between(times)
    ctx.need(bound is not None, f"no minute lies between two instances' {args['field']} values")
    assert bound is not None
    later = args["side"] == "start"
    expected = [i for i in listing.ids if carried.get(i) is not None and ((carried[i] or "") > bound) == later]
    value = f"{bound}Z"
    collected = ctx.collect(Query(extra={args["key_param"]: args["key"], args["value_param"]: value}),
                            note=f"{args['key']} {value}")
    ctx.compare_ids(f"{args['key']}={value}", expected, collected)
    ctx.passed_message = (f"{args['key']}={value} selected the {len(expected)} of {len(listing.ids)} instances whose "
                          f"{args['field']} is {'after' if later else 'before'} it")
