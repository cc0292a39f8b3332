"""Before a run: is anything listening there, and does it take the credentials and the region?"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import httpx

from conformance import providers
from conformance.checks import Target
from conformance.errors import ExitCode
from conformance.vendors import Query, adapter
from conformance.vendors.transport import AnswerUnreadable, OutOfTime, Throttled, Unreachable, trust
from conformance.wire.bounded import AnswerRefused, bounded_client, send_bounded

#: The probe reads little and waits little: it only asks whether something answers.
PROBE_BYTES, PROBE_DEADLINE_S = 64 * 1024, 15.0


def probe(endpoint: str, ca_file: str | None = None) -> str | None:
    """One unauthenticated request; a sentence saying what is wrong, or None when something answered.

    Whatever answers counts, however it answers (an oversized or mis-encoded answer is the checks'
    business); only silence past the deadline, no connection at all, or a certificate this machine
    does not trust stops the run.
    """
    problem = reach(endpoint, ca_file)
    return problem.message if problem is not None else None


def reach(endpoint: str, ca_file: str | None = None, left_s: float | None = None) -> Problem | None:
    """:func:`probe`, with the exit status its answer maps to; ``left_s``: what the run's ``--timeout`` leaves.

    An untrusted certificate is a set-up problem with a known fix (``--ca-file``), exit 2; it used
    to read as "cannot be reached" with ``CERTIFICATE_VERIFY_FAILED`` buried in it, exit 3.
    """
    deadline = PROBE_DEADLINE_S if left_s is None else min(PROBE_DEADLINE_S, left_s)
    with bounded_client(timeout=10, verify=trust(ca_file)) as http:
        try:
            send_bounded(http, http.build_request("GET", endpoint), max_bytes=PROBE_BYTES, deadline_s=deadline)
        except httpx.InvalidURL as exc:
            return Problem(f"invalid endpoint {endpoint!r}: {exc}", ExitCode.USAGE)
        except httpx.TransportError as exc:
            if (why := certificate_failure(exc)) is not None:
                trusted = f"the CAs of --ca-file {ca_file}" if ca_file else "this machine's CAs"
                return Problem(f"endpoint {endpoint}: a certificate problem: its TLS certificate is not trusted by "
                               f"{trusted} ({why}); give the CA that signed it with --ca-file PEM_FILE",
                               ExitCode.USAGE)
            return Problem(f"endpoint {endpoint} cannot be reached: {type(exc).__name__}: {exc}", ExitCode.UNDECIDED)
        except AnswerRefused as refused:
            if refused.kind == "deadline":
                return Problem(f"endpoint {endpoint} did not answer within {deadline:.0f} s "
                               f"({refused.reason})", ExitCode.UNDECIDED)
    return None


def certificate_failure(exc: BaseException) -> str | None:
    """The reason a TLS certificate was refused, when that is what ``exc`` (or what caused it) is; else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return str(current.verify_message or current.reason or current)
        text = str(current)
        if "CERTIFICATE_VERIFY_FAILED" in text:
            detail = text.split("certificate verify failed", 1)[-1].split("(_ssl", 1)[0].strip(" :")
            return f"certificate verify failed{': ' + detail if detail else ''}"
        current = current.__cause__ or current.__context__
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
    if (other := looks_like(target, answer.document)) is not None:
        return Problem(f"{vendor}: the endpoint answers like {other}, not "
                       f"{capabilities.answer_shape or vendor}; check --vendor and --endpoint", ExitCode.USAGE)
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


def looks_like(target: Target, document: object) -> str | None:
    """What another provider's API an answer looks like, when it does not have the target's own shape; else None.

    Each adapter knows its own shape (:meth:`~conformance.vendors.base.Adapter.has_shape`): the
    target's is asked first, then every other provider's, so no vendor is named here.
    """
    if document is None or target.adapter.has_shape(document):
        return None
    for name in providers.names():
        other = adapter(name)
        if name != target.vendor and other.has_shape(document):
            return other.capabilities.answer_shape or name
    return None
