"""Signed requests to an endpoint, with retries, a budget and evidence.

Only ``DescribeInstances`` is ever sent. Throttling, timeouts and connection
errors are retried with backoff; if they persist the caller gets
:class:`Unreachable` or :class:`Throttled`, which the checks turn into an
``inconclusive`` result, never a ``failed`` one. Every exchange is kept,
redacted, as evidence.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx

from conformance.vendors.base import Adapter, Answer, Credentials, Query
from conformance.wire import redact
from conformance.wire.bounded import (
    DEFAULT_DEADLINE_S,
    DEFAULT_MAX_BYTES,
    AnswerRefused,
    bounded_client,
    check_xml_depth,
    loads_json,
    send_bounded,
)
from conformance.wire.scrub import RUN_SECRETS

EVIDENCE_BODY_LIMIT = 6000
#: An answer's headers kept as evidence. ``Location``: a redirect is never followed (issue 19), so
#: the evidence says where the endpoint pointed (credential parameters in it redacted).
KEPT_RESPONSE_HEADERS = ("content-type", "x-acs-request-id", "location")
#: The longest wait a ``Retry-After`` header is honoured for, in seconds (a bound, not a promise).
MAX_RETRY_AFTER = 30.0


def trust(ca_file: str | None) -> ssl.SSLContext | bool:
    """What an https connection trusts: the system's CAs, or those of ``ca_file`` (``--ca-file``)."""
    return ssl.create_default_context(cafile=ca_file) if ca_file else True


class Unreachable(Exception):
    """The endpoint did not answer (connection refused, timeouts), after retries."""


class Throttled(Exception):
    """The endpoint kept throttling, after retries."""


class BudgetExhausted(Exception):
    """``--max-requests`` is spent."""


class OutOfTime(Exception):
    """The run's ``--timeout`` is spent: what is left is not decided."""


class AnswerUnreadable(Exception):
    """The answer could not be read within the bounds (too large, mis-encoded): nothing to judge."""


class NoCredentials(Exception):
    """The endpoint's credentials were not given: nothing is sent signed with made-up ones."""


#: An answer's body where the evidence leaves it out (a requirement whose evidence the reports summarise).
BODY_NOT_KEPT = "(not kept: the reports summarise this requirement's evidence; --full-evidence keeps it)"


@dataclass
class Exchange:
    """One request and its answer: the evidence a result cites.

    Bodies are kept raw and only redacted and pretty-printed when a report
    asks (:meth:`to_dict`): most exchanges are never cited.
    """

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes
    request_content_type: str
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    elapsed_ms: float
    secrets: tuple[str, ...] = ()
    note: str = ""
    #: the answer's JSON as the adapter already parsed it: evidence is not parsed a second time
    parsed: Any = field(default=None, repr=False, compare=False)

    def to_dict(self, body: bool = True) -> dict[str, Any]:
        """The exchange as evidence: credentials, signatures and their echoes removed wherever they stand.

        ``body=False`` leaves the answer's body out (:data:`BODY_NOT_KEPT`): rendering it is most of
        the cost of evidence, and the reports keep one line per exchange of a requirement that passed.
        """
        scrubbed: dict[str, Any] = RUN_SECRETS.scrub_data(self._as_dict(body))
        return scrubbed

    def _as_dict(self, body_kept: bool = True) -> dict[str, Any]:
        body = self.request_body.decode("utf-8", "replace")
        if self.request_content_type.startswith("application/x-www-form-urlencoded"):
            body = redact.form_body(body)
        kept = ("accept-encoding", "connection", "user-agent", "accept", "content-length")
        response_headers = {k: redact.url(v) if k.lower() == "location" else v for k, v in self.response_headers.items()}
        note = self.note
        location = next((v for k, v in response_headers.items() if k.lower() == "location"), None)
        if location is not None and 300 <= self.status < 400:
            note = (f"{note}; " if note else "") + (f"answered HTTP {self.status} with Location: {location} "
                                                    "(a redirect: not followed)")
        return {
            "note": note,
            "request": {"method": self.method, "url": redact.url(self.url),
                        "headers": redact.headers({k: v for k, v in self.request_headers.items()
                                                   if k.lower() not in kept}),
                        "body": redact.text(body, self.secrets)},
            "response": {"status": self.status, "headers": response_headers,
                         "body": redact.text(_pretty(self.response_body, self.response_headers.get("content-type", ""),
                                                     self.parsed), self.secrets) if body_kept else BODY_NOT_KEPT},
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


def _abbreviate(value: Any, keep: int = 3) -> Any:
    """Long lists cut to their first items and a count: evidence stays readable and cheap to render."""
    if isinstance(value, dict):
        return {k: _abbreviate(v, keep) for k, v in value.items()}
    if isinstance(value, list):
        shown = [_abbreviate(v, keep) for v in value[:keep]]
        return shown + [f"… {len(value) - keep} more"] if len(value) > keep else shown
    return value


def _abbreviate_xml(element: ElementTree.Element, keep: int = 3) -> None:
    """Runs of more than ``keep`` siblings of one name cut to their first ones and a comment with the count."""
    children = list(element)
    by_tag: dict[str, list[ElementTree.Element]] = {}
    for child in children:
        by_tag.setdefault(child.tag, []).append(child)
    for tag, run in by_tag.items():
        if len(run) > keep:
            position = children.index(run[keep])
            for extra in run[keep:]:
                element.remove(extra)
            element.insert(position, ElementTree.Comment(f" … {len(run) - keep} more {tag} "))
    for child in element:
        if not callable(child.tag):
            _abbreviate_xml(child, keep)


def _pretty_xml(body: bytes) -> str:
    """An XML answer indented, long runs of siblings abbreviated like a JSON answer's lists."""
    root = ElementTree.fromstring(body)
    _abbreviate_xml(root)
    ElementTree.indent(root, space="  ")
    return '<?xml version="1.0" ?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def _pretty(body: bytes, content_type: str, parsed: Any = None) -> str:
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            document = parsed if parsed is not None else loads_json(text)
            text = json.dumps(_abbreviate(document), indent=2, ensure_ascii=False)
        except (ValueError, AnswerRefused):
            pass
    elif "xml" in content_type:
        try:
            check_xml_depth(body)
            text = _pretty_xml(body)
        except Exception:  # noqa: BLE001 - evidence shows the raw text then
            pass
    if len(text) > EVIDENCE_BODY_LIMIT:
        text = text[:EVIDENCE_BODY_LIMIT] + f"\n… ({len(text) - EVIDENCE_BODY_LIMIT} more characters)"
    return text


@dataclass
class Client:
    adapter: Adapter
    endpoint: str
    region: str
    credentials: Credentials
    signing: str | None = None
    max_requests: int | None = None
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    requests_sent: int = 0
    #: the largest answer read (decoded bytes); larger ones are not read
    max_answer_bytes: int = DEFAULT_MAX_BYTES
    #: one request's deadline, connect, headers and body together
    request_deadline: float = DEFAULT_DEADLINE_S
    #: when the whole run must stop sending (``time.time()``), from ``--timeout``
    run_deadline: float | None = None
    #: requests per second at most (a client-side token bucket); None for no limit
    rate_limit: float | None = None
    #: a PEM bundle of CA certificates trusted for an https endpoint (``--ca-file``); None: the system's
    ca_file: str | None = None

    def __post_init__(self) -> None:
        self.signing = self.signing or self.adapter.signing_modes[0]
        if self.signing not in self.adapter.signing_modes:
            raise ValueError(f"signing {self.signing!r} is not one of {', '.join(self.adapter.signing_modes)}")
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"endpoint {self.endpoint!r} is not an http(s) URL")
        self.url = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"
        self._http = bounded_client(timeout=self.timeout, verify=trust(self.ca_file))
        self._lock = threading.Lock()
        self._unreachable = ""
        self._tokens = self._capacity
        self._refilled = time.monotonic()

    def close(self) -> None:
        self._http.close()

    # ----------------------------------------------------------------- building

    def build(self, query: Query, credentials: Credentials | None = None, signing_mode: str | None = None,
              ) -> httpx.Request:
        """The signed request for ``query``: what the vendor's SDK would send."""
        return self.adapter.build(query, url=self.url, region=self.region,
                                  credentials=credentials or self.credentials,
                                  mode=signing_mode or self.signing or self.adapter.signing_modes[0])

    # ----------------------------------------------------------------- sending

    @property
    def _capacity(self) -> float:
        """The token bucket's size: a second's worth of requests, at least one."""
        return max(1.0, self.rate_limit or 1.0)

    def spend(self) -> None:
        """Count one request sent by other means (an official SDK's client) against the budget and the rate."""
        self._spend()

    def _spend(self) -> None:
        with self._lock:
            if self.max_requests is not None and self.requests_sent >= self.max_requests:
                raise BudgetExhausted(f"--max-requests {self.max_requests} spent")
            self.requests_sent += 1
            if not self.rate_limit:
                return
            now = time.monotonic()
            self._tokens = min(self._capacity, self._tokens + (now - self._refilled) * self.rate_limit)
            self._refilled = now
            self._tokens -= 1
            wait = -self._tokens / self.rate_limit if self._tokens < 0 else 0.0
        if wait:
            time.sleep(wait)

    @staticmethod
    def _retry_after(response: httpx.Response) -> float:
        """The seconds a throttling answer's ``Retry-After`` asks for (bounded), or 0."""
        try:
            return min(MAX_RETRY_AFTER, max(0.0, float(response.headers.get("retry-after", "0"))))
        except ValueError:  # an HTTP date: the backoff applies
            return 0.0

    def send(self, query: Query, credentials: Credentials | None = None, signing_mode: str | None = None,
             note: str = "") -> tuple[Answer, Exchange]:
        """Send ``query`` signed; retry throttling and transport errors with backoff.

        Once the endpoint has stopped answering, later requests fail at once: a dead endpoint
        makes the rest of the run inconclusive in seconds, not in minutes of backoff.
        """
        if credentials is None and not self.credentials.known:
            id_var, secret_var = self.adapter.capabilities.credential_env
            raise NoCredentials(f"needs credentials, and none were given for {self.endpoint} "
                                f"(--key-id/--key-secret, or {id_var}/{secret_var})")
        if self._unreachable:
            raise Unreachable(self._unreachable)
        last_error = ""
        asked = 0.0  # what the last throttling answer's Retry-After asked for
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(max(asked, self.backoff * 2 ** (attempt - 1)))
                asked = 0.0
            request = self.build(query, credentials, signing_mode)
            deadline = self._deadline()
            self._spend()
            started = time.perf_counter()
            try:
                response, body = send_bounded(self._http, request, max_bytes=self.max_answer_bytes,
                                              deadline_s=deadline)
            except httpx.TransportError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                continue
            except AnswerRefused as refused:
                if refused.kind != "deadline":
                    raise AnswerUnreadable(f"the answer could not be read: {refused.reason}") from None
                # a stalled or dripping endpoint costs the whole deadline again on every retry
                self._unreachable = f"{self.endpoint} did not answer within {deadline:.0f} s ({refused.reason})"
                raise Unreachable(self._unreachable) from None
            elapsed = (time.perf_counter() - started) * 1000
            content_type = response.headers.get("content-type", "")
            answer = self.adapter.parse(response.status_code, content_type, body, query.format)
            if answer.error_code in self.adapter.throttling_codes or response.status_code == 429:
                last_error = f"throttled: {answer.error_code or 'HTTP 429'}"
                asked = self._retry_after(response)
                continue
            exchange = self._evidence(request, response, body, elapsed, note)
            if answer.format == "JSON":
                exchange.parsed = answer.document
            return answer, exchange
        if last_error.startswith("throttled"):
            raise Throttled(f"{self.endpoint} kept answering {last_error[11:]} after {self.retries} retries")
        self._unreachable = f"{self.endpoint} did not answer after {self.retries} retries ({last_error})"
        raise Unreachable(self._unreachable)

    def _deadline(self) -> float:
        """This request's deadline: the per-request one, or what is left of the run's ``--timeout``."""
        if self.run_deadline is None:
            return self.request_deadline
        left = self.run_deadline - time.time()
        if left <= 0:
            raise OutOfTime("the run's --timeout is spent: not sent")
        return min(self.request_deadline, left)

    def _evidence(self, request: httpx.Request, response: httpx.Response, body: bytes, elapsed: float,
                  note: str) -> Exchange:
        return Exchange(
            method=request.method,
            url=str(request.url),
            request_headers=dict(request.headers),
            request_body=request.content,
            request_content_type=request.headers.get("content-type", ""),
            status=response.status_code,
            response_headers={k: v for k, v in response.headers.items() if k.lower() in KEPT_RESPONSE_HEADERS},
            response_body=body,
            elapsed_ms=elapsed,
            secrets=(self.credentials.secret, self.credentials.key_id),
            note=note,
        )
