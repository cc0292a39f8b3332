"""What an official SDK sends and reads, held to the run's bounds while it judges an untrusted endpoint.

The SDKs read answers with ``requests``, whole and unbounded: a 200 MB answer
becomes gigabytes of parsed JSON, and a server dripping a byte every two
seconds holds them for ever. They also sign with the run's secret, and an
endpoint may echo those signatures back into a cassette or a report. While an
SDK call runs, :class:`SdkGuard` wraps ``requests``' adapter (below the SDK,
above whatever records the exchange) so that every signature it sends is
registered for scrubbing, and every answer is read within the size cap and the
deadline of the suite's own transport (``conformance/wire/bounded.py``). A
bound that is hit is kept in :attr:`SdkGuard.refused`, and a request that got
no HTTP answer at all in :attr:`SdkGuard.unreachable`: the client checks turn
both into an inconclusive result instead of blaming the endpoint for what the
SDK raised. An answer the SDK cannot read (another status, another body) is
neither: that is what the checks judge.

No request reaches a host the user did not name (issue 19). ``requests``
follows redirects by default, and both SDKs keep that default: a hostile
endpoint answering 307 to another host received the signed POST body, key id
and signature, and any 3xx the signed query. The documents define no
redirect, so while the guard is on, ``requests`` resolves none, whatever the
SDK asks (``Session.resolve_redirects``, the one place it follows, yields
nothing): the 3xx is the SDK's answer, judged like any other unexpected one,
and :attr:`SdkGuard.answer` keeps it, ``Location`` and all, as evidence.
Below that, the adapter sends nothing to any origin but the endpoint
under test (scheme, host and port), so an SDK that followed by itself would
still reach no one (:attr:`SdkGuard.elsewhere`).
"""

from __future__ import annotations

import re
import time
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance.vendors.transport import KEPT_RESPONSE_HEADERS, Exchange
from conformance.wire import redact
from conformance.wire.bounded import AnswerRefused, describe_size
from conformance.wire.scrub import RUN_SECRETS

_CHUNK = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SIGNATURE_IN_HEADER = re.compile(r"Signature=([^,\s]+)")


def register_signatures(method: str, url: str, headers: Any, body: Any) -> None:
    """Register the signature an SDK request carries (header, query or form), as the transport does for its own."""
    authorization = headers.get("Authorization") if headers is not None else None
    if authorization:
        RUN_SECRETS.add(authorization)
        for value in _SIGNATURE_IN_HEADER.findall(authorization):
            RUN_SECRETS.add(value)
    pairs = parse_qsl(urlsplit(url).query)
    if isinstance(body, (bytes, str)) and body:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        if "=" in text and not text.lstrip().startswith("{"):
            pairs += parse_qsl(text)
    for name, value in pairs:
        if name == "Signature":
            RUN_SECRETS.add(value)


def origin_of(url: str) -> tuple[str, str, int | None]:
    """A URL's scheme, host and port (the scheme's default when absent): what "the same host" means here."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def _kept_headers(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_RESPONSE_HEADERS}


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    return body.encode("utf-8") if isinstance(body, str) else b""


class SdkGuard:
    """A context in which ``requests`` sends for an SDK within the run's bounds (see the module's docstring).

    ``origin`` is the endpoint under test: with it, a request to any other scheme, host or port
    is not sent. Redirects are never resolved, with or without it.
    """

    def __init__(self, max_bytes: int, deadline_s: float, origin: str | None = None,
                 secrets: tuple[str, ...] = (), ca_file: str | None = None):
        self.max_bytes = max_bytes
        #: ``--ca-file``: the SDK's ``requests`` trusts it for this call only (nothing set process-wide)
        self.ca_file = ca_file
        self.deadline_s = deadline_s
        self.origin = origin
        self.secrets = secrets
        self.refused: AnswerRefused | None = None
        #: why a request got no HTTP answer at all (a dead or stalled endpoint, not an unreadable answer)
        self.unreachable: str | None = None
        #: the URL of a request not sent because it was for another host than the endpoint under test
        self.elsewhere: str | None = None
        #: the last answer read, as evidence (a redirect's ``Location`` included)
        self.answer: Exchange | None = None
        self._original: Any = None
        self._original_redirects: Any = None

    def _exchange(self, request: Any, response: Any, body: bytes, started: float) -> Exchange:
        return Exchange(method=request.method or "", url=request.url or "", request_headers=dict(request.headers),
                        request_body=_body_bytes(request.body),
                        request_content_type=request.headers.get("Content-Type", ""),
                        status=response.status_code, response_headers=_kept_headers(response.headers),
                        response_body=body,
                        elapsed_ms=(time.monotonic() - started) * 1000, secrets=self.secrets,
                        note="the official SDK's request")

    def __enter__(self) -> SdkGuard:
        from requests import adapters, exceptions, sessions

        original = adapters.HTTPAdapter.send
        guard = self
        pinned = origin_of(self.origin) if self.origin is not None else None

        def send(adapter: Any, request: Any, stream: bool = False, **kwargs: Any) -> Any:
            register_signatures(request.method or "", request.url or "", request.headers, request.body)
            if pinned is not None and origin_of(request.url or "") != pinned:
                guard.elsewhere = redact.url(request.url or "")
                raise exceptions.ConnectionError(f"not sent: {guard.elsewhere} is not the endpoint under test "
                                                 f"({guard.origin}); the suite sends nowhere else")
            if guard.ca_file and kwargs.get("verify", True) is not False:  # the SDK's own bundle too (certifi)
                kwargs["verify"] = guard.ca_file
            started = time.monotonic()
            try:
                response = original(adapter, request, stream=True, **kwargs)
            except Exception as exc:
                guard.unreachable = f"the SDK's request got no answer: {exc}"
                raise
            body = bytearray()
            try:
                for chunk in response.raw.stream(_CHUNK, decode_content=True):
                    body += chunk
                    if len(body) > guard.max_bytes:
                        guard.refused = AnswerRefused("too-large", f"the answer was over the "
                                                      f"{describe_size(guard.max_bytes)} limit")
                        break
                    if time.monotonic() - started > guard.deadline_s:
                        guard.refused = AnswerRefused("deadline", f"the endpoint did not finish answering within "
                                                      f"{guard.deadline_s:g} s")
                        break
            except Exception as exc:  # noqa: BLE001 - a broken or lying body is the SDK's to report
                raise exceptions.ConnectionError(str(exc)) from None
            finally:
                if guard.refused is not None:
                    response.close()
            if guard.refused is not None:
                raise exceptions.ConnectionError(guard.refused.reason)
            response._content = bytes(body)
            response._content_consumed = True
            guard.answer = guard._exchange(request, response, response._content, started)
            return response

        def resolve_redirects(session: Any, response: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            return iter(())  # a 3xx is the answer: nothing is followed, nothing is prepared to be

        self._original = original
        self._original_redirects = sessions.Session.resolve_redirects
        adapters.HTTPAdapter.send = send  # type: ignore[method-assign,assignment]
        sessions.Session.resolve_redirects = resolve_redirects  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        from requests import adapters, sessions

        adapters.HTTPAdapter.send = self._original  # type: ignore[method-assign]
        sessions.Session.resolve_redirects = self._original_redirects  # type: ignore[method-assign]


__all__ = ["SdkGuard", "origin_of", "register_signatures"]
