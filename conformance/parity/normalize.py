"""A result reduced to a form that compares across targets whose inventories differ.

Two targets behave alike on a requirement when these forms are equal. What is kept is behaviour:
the outcome, whether an observed requirement went as the document suggests, and for a failed or
observed result the facts its check observed that do not depend on the inventory (an error code
and HTTP status, how empty lists render, the default page size). Request ids, timestamps, instance
ids, hosts and counts that grow with the inventory are never kept: an emulator of 150 instances and
a recording of 12 must not differ for that.

How each check's observation is reduced is data (:data:`RULES`, by check name); a check with no rule
keeps only the error codes and statuses found in what it observed, which is never inventory-dependent.
A passed result keeps nothing but its outcome: passing is passing, whatever the listing held.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from conformance.results import Result

#: Keys of an observed value that are behaviour wherever they occur: the answer's status and error code.
FACT_KEYS = ("status", "code", "exception")
#: The prefixes :mod:`conformance.checks.evaluate` gives an observed requirement's message.
READINGS = {"as the document suggests: ": "as the document suggests",
            "differs from the document: ": "differs from the document"}

Rule = Callable[[Any], Any]


def error_facts(observed: Any) -> Any:
    """The statuses and error codes anywhere in ``observed``, in order, each once; None when there are none."""
    found: list[dict[str, Any]] = []
    pending = [observed]
    while pending:  # depth first, in document order
        value = pending.pop(0)
        children = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
        pending[:0] = children
        if isinstance(value, dict):
            facts = {k: value[k] for k in FACT_KEYS if k in value and isinstance(value[k], (str, int, type(None)))}
            if facts and facts not in found:
                found.append(facts)
    return found[0] if len(found) == 1 else (found or None)


def _some(count: Any) -> Any:
    """A count of instances as behaviour: none or some (how many depends on the inventory)."""
    return ("none" if count == 0 else "some") if isinstance(count, int) and not isinstance(count, bool) else count


def answered(observed: Any) -> Any:
    """An answer observed as ``{status, code}`` or ``{status, items}``: the error, or whether it listed any."""
    if not isinstance(observed, dict):
        return error_facts(observed)
    out = {k: observed[k] for k in FACT_KEYS if k in observed}
    for key in ("items", "instances", "TotalCount"):
        if key in observed:
            out[key] = _some(observed[key])
    return out


def default_filter(observed: Any) -> Any:
    """Whether a filter's documented default filters a request that leaves it out (counts dropped)."""
    if not isinstance(observed, dict):
        return error_facts(observed)
    with_default = observed.get("with_default")
    return {"default_filters": "cannot be told" if observed.get("carrying_default") == observed.get("without")
            else "no",
            "with_default": with_default if isinstance(with_default, str) else "accepted"}


def empty_renderings(observed: Any) -> Any:
    """How empty lists inside instances render: the renderings seen (``[]``, ``null``, ``missing``), not how often."""
    if not isinstance(observed, dict):
        return error_facts(observed)
    return sorted({kind for counts in observed.values() if isinstance(counts, dict)
                   for kind in counts if kind != "non-empty"})


def as_observed(observed: Any) -> Any:
    """The observation itself: it names fields, types or sizes the inventory does not decide."""
    return observed


def nothing(observed: Any) -> Any:
    return None


def variant(observed: Any) -> Any:
    """A wire spelling: refused (the code), or accepted and filtering like the SDK's form or not."""
    return {k: observed[k] for k in ("same", "code") if k in observed} if isinstance(observed, dict) else observed


#: How each check's observation is reduced; checks not named here keep :func:`error_facts` only.
RULES: dict[str, Rule] = {
    "observe_request": answered,
    "empty_ids": answered,
    "sdk_dry_run": answered,
    "observe_default_filter": default_filter,
    "observe_empty_lists": empty_renderings,
    "undocumented_fields": as_observed,
    "observe_field_types": as_observed,
    "default_page_size": as_observed,
    "wire_variant": variant,
    "document_only": nothing,
    "request_ids_unique": nothing,
}


def reading(result: Result) -> str | None:
    """For an observed requirement: whether it went as the document suggests, or differs from it."""
    return next((name for prefix, name in READINGS.items() if result.message.startswith(prefix)), None)


def observation(result: Result) -> Any:
    """What ``result`` observed, reduced by its check's rule: JSON-able, inventory-independent; None for a pass."""
    if result.outcome not in ("failed", "observed"):
        return None
    facts = RULES.get(result.check, error_facts)(result.observed)
    read = reading(result)
    if read is None:
        return facts
    return {"reading": read, **({"facts": facts} if facts not in (None, [], {}) else {})}


def normalized(result: Result) -> dict[str, Any]:
    """The comparable form of a result: its outcome and its reduced observation."""
    return {"outcome": result.outcome, "observation": json.loads(json.dumps(observation(result), default=str))}
