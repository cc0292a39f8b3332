"""Before a run: is anything listening there, and does it take the credentials and the region?"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from conformance.checks import Target
from conformance.errors import ExitCode
from conformance.vendors import Query
from conformance.vendors.transport import AnswerUnreadable, OutOfTime, Throttled, Unreachable
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


@dataclass(frozen=True)
class Problem:
    """Why a run cannot start: a sentence for stderr and the exit status it maps to."""

    message: str
    code: ExitCode


def preflight(target: Target) -> Problem | None:
    """One signed listing request: refused credentials or an unknown region stop the run before it starts.

    Refused credentials and an unknown region are mistakes in the set-up (exit 2), an endpoint
    that does not answer is exit 3; none of them is written as a failed requirement. Without
    credentials (a foreign endpoint with none given) nothing is signed: only reachability is known.
    """
    client, vendor = target.client, target.vendor
    capabilities = target.adapter.capabilities
    if not client.credentials.known:
        return None
    try:
        answer, _ = client.send(Query(limit=1), note="pre-flight")
    except Unreachable as exc:
        return Problem(f"{vendor}: endpoint cannot be reached: {exc}", ExitCode.UNDECIDED)
    except (Throttled, AnswerUnreadable, OutOfTime):
        return None  # busy, or answering what cannot be read: the run goes on and says what stayed undecided
    code, status = answer.error_code, answer.status
    # the first sentence only: Alibaba's SignatureDoesNotMatch goes on to quote the string to sign, key id and all
    message = str(answer.error_message or "").split(". ")[0][:160]
    said = f"{code} (HTTP {status}{': ' + message if message else ''})"
    if capabilities.matches(code, capabilities.credential_error_codes):
        id_var, secret_var = capabilities.credential_env
        return Problem(f"{vendor}: the endpoint refused the credentials: {said}; check the key id and secret "
                       f"(--key-id/--key-secret or {id_var}/{secret_var}) and this machine's clock", ExitCode.USAGE)
    if capabilities.matches(code, capabilities.region_error_codes):
        return Problem(f"{vendor}: the endpoint does not know region {client.region!r}: {said}; check --region",
                       ExitCode.USAGE)
    return None
