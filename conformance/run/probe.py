"""Before a run against a foreign endpoint: is anything listening there?"""

from __future__ import annotations

import httpx

from conformance.wire.bounded import AnswerRefused, bounded_client, send_bounded

#: The probe reads little and waits little: it only asks whether something answers.
PROBE_BYTES, PROBE_DEADLINE_S = 64 * 1024, 15.0


def probe(endpoint: str) -> str | None:
    """One unauthenticated request; a sentence saying what is wrong, or None when something answered.

    Whatever answers counts, however it answers (an oversized or mis-encoded answer is the checks'
    business); only silence past the deadline, or no connection at all, stops the run.
    """
    with bounded_client(timeout=10) as http:
        try:
            send_bounded(http, http.build_request("GET", endpoint), max_bytes=PROBE_BYTES,
                         deadline_s=PROBE_DEADLINE_S)
        except httpx.InvalidURL as exc:
            return f"invalid endpoint {endpoint!r}: {exc}"
        except httpx.TransportError as exc:
            return f"endpoint {endpoint} cannot be reached: {type(exc).__name__}: {exc}"
        except AnswerRefused as refused:
            if refused.kind == "deadline":
                return f"endpoint {endpoint} did not answer within {PROBE_DEADLINE_S:.0f} s ({refused.reason})"
    return None
