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
"""

from __future__ import annotations

import re
import time
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance.wire.bounded import AnswerRefused, describe_size
from conformance.wire.scrub import RUN_SECRETS

_CHUNK = 64 * 1024
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


class SdkGuard:
    """A context in which ``requests`` sends for an SDK within the run's bounds (see the module's docstring)."""

    def __init__(self, max_bytes: int, deadline_s: float):
        self.max_bytes = max_bytes
        self.deadline_s = deadline_s
        self.refused: AnswerRefused | None = None
        #: why a request got no HTTP answer at all (a dead or stalled endpoint, not an unreadable answer)
        self.unreachable: str | None = None
        self._original: Any = None

    def __enter__(self) -> SdkGuard:
        from requests import adapters, exceptions

        original = adapters.HTTPAdapter.send
        guard = self

        def send(adapter: Any, request: Any, stream: bool = False, **kwargs: Any) -> Any:
            register_signatures(request.method or "", request.url or "", request.headers, request.body)
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
            return response

        self._original = original
        adapters.HTTPAdapter.send = send  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        from requests import adapters

        adapters.HTTPAdapter.send = self._original  # type: ignore[method-assign]


__all__ = ["SdkGuard", "register_signatures"]
