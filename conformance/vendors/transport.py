"""Signed requests to an endpoint, with retries, a budget and evidence.

Only ``DescribeInstances`` is ever sent. Throttling, timeouts and connection
errors are retried with backoff; if they persist the caller gets
:class:`Unreachable` or :class:`Throttled`, which the checks turn into an
``inconclusive`` result, never a ``failed`` one. Every exchange is kept,
redacted, as evidence.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from conformance.vendors.base import Adapter, Answer, Credentials, Query
from conformance.wire import redact

EVIDENCE_BODY_LIMIT = 6000


class Unreachable(Exception):
    """The endpoint did not answer (connection refused, timeouts), after retries."""


class Throttled(Exception):
    """The endpoint kept throttling, after retries."""


class BudgetExhausted(Exception):
    """``--max-requests`` is spent."""


class NoCredentials(Exception):
    """The endpoint's credentials were not given: nothing is sent signed with made-up ones."""


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

    def to_dict(self) -> dict[str, Any]:
        body = self.request_body.decode("utf-8", "replace")
        if self.request_content_type.startswith("application/x-www-form-urlencoded"):
            body = redact.form_body(body)
        kept = ("accept-encoding", "connection", "user-agent", "accept", "content-length")
        return {
            "note": self.note,
            "request": {"method": self.method, "url": redact.url(self.url),
                        "headers": redact.headers({k: v for k, v in self.request_headers.items()
                                                   if k.lower() not in kept}),
                        "body": redact.text(body, self.secrets)},
            "response": {"status": self.status, "headers": self.response_headers,
                         "body": redact.text(_pretty(self.response_body, self.response_headers.get("content-type", "")),
                                             self.secrets)},
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


def _pretty(body: bytes, content_type: str) -> str:
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            text = json.dumps(_abbreviate(json.loads(text)), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    elif "xml" in content_type:
        try:
            from xml.dom import minidom

            text = minidom.parseString(body).toprettyxml(indent="  ")
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

    def __post_init__(self) -> None:
        self.signing = self.signing or self.adapter.signing_modes[0]
        if self.signing not in self.adapter.signing_modes:
            raise ValueError(f"signing {self.signing!r} is not one of {', '.join(self.adapter.signing_modes)}")
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"endpoint {self.endpoint!r} is not an http(s) URL")
        self.url = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"
        self._http = httpx.Client(timeout=self.timeout)
        self._lock = threading.Lock()
        self._unreachable = ""

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

    def _spend(self) -> None:
        with self._lock:
            if self.max_requests is not None and self.requests_sent >= self.max_requests:
                raise BudgetExhausted(f"--max-requests {self.max_requests} spent")
            self.requests_sent += 1

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
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            request = self.build(query, credentials, signing_mode)
            self._spend()
            started = time.perf_counter()
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                continue
            elapsed = (time.perf_counter() - started) * 1000
            content_type = response.headers.get("content-type", "")
            answer = self.adapter.parse(response.status_code, content_type, response.content, query.format)
            if answer.error_code in self.adapter.throttling_codes:
                last_error = f"throttled: {answer.error_code}"
                continue
            exchange = self._evidence(request, response, elapsed, note)
            return answer, exchange
        if last_error.startswith("throttled"):
            raise Throttled(f"{self.endpoint} kept answering {last_error[11:]} after {self.retries} retries")
        self._unreachable = f"{self.endpoint} did not answer after {self.retries} retries ({last_error})"
        raise Unreachable(self._unreachable)

    def _evidence(self, request: httpx.Request, response: httpx.Response, elapsed: float, note: str) -> Exchange:
        keep = ("content-type", "x-acs-request-id")
        return Exchange(
            method=request.method,
            url=str(request.url),
            request_headers=dict(request.headers),
            request_body=request.content,
            request_content_type=request.headers.get("content-type", ""),
            status=response.status_code,
            response_headers={k: v for k, v in response.headers.items() if k.lower() in keep},
            response_body=response.content,
            elapsed_ms=elapsed,
            secrets=(self.credentials.secret, self.credentials.key_id),
            note=note,
        )
