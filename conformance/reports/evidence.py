"""How much of a result's evidence the reports keep.

A passing run's reports were megabytes (3.3 MB of HTML, 2.5 MB of JSON): every request and answer of
every requirement, bodies and all, though nobody reads the answers of a requirement that passed.
Failed and undecided requirements keep their evidence whole: that is what a person debugs with. The
others keep one line per exchange (what was asked, the status, the note); ``--full-evidence`` keeps
everything.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from conformance.reports.html import business
from conformance.results import Result

#: Outcomes whose evidence is summarised unless ``--full-evidence`` is given.
SUMMARISED = frozenset({"passed", "observed"})


def keeps_full(result: Result) -> bool:
    """Whether ``result``'s evidence stays whole: a failure, a known deviation, anything undecided."""
    return result.outcome not in SUMMARISED or result.replay_miss or bool(result.baseline)


def compact(evidence: list[dict[str, Any]], vendor: str) -> list[dict[str, Any]]:
    """Each exchange as a one-line summary: method, path, what it asked, the answer's status and headers, the note."""
    out = []
    for exchange in evidence:
        if exchange.get("compact"):
            out.append(exchange)
            continue
        request, response = exchange.get("request", {}), exchange.get("response", {})
        out.append({"compact": True, "note": exchange.get("note", ""),
                    "request": {"method": request.get("method", ""),
                                "url": urlsplit(str(request.get("url", ""))).path or "/",
                                "asked": business(vendor, request) if request else ""},
                    # the answer's few kept headers stay: a redirect's Location is the evidence of one
                    "response": {"status": response.get("status"), "headers": response.get("headers", {})}})
    return out


def trim(result: Result, full: bool) -> Result:
    """``result`` with the evidence the reports keep (in place): whole when ``full`` or :func:`keeps_full`."""
    if not full and not keeps_full(result):
        result.evidence = compact(result.evidence, result.vendor)
    return result
