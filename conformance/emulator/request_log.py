"""The log of requests an emulator received: what a test asserts its code sent, and what the control API serves.

A request is recorded as it arrives, cheaply (the raw request, the answer's
status and code, the fault met), and described only when someone reads the
log: the vendor's wire module says which action it was, in which signing
mode, with which business parameters. Nothing that authenticates a request
is ever described: signatures, ``Authorization``, key ids, security tokens
and nonces are dropped (the key id identifies a credential rather than
proving it, but a log that may be pasted into a bug report keeps none).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from conformance.emulator.protocol import WireRequest

#: Parameters (any case) that authenticate a request or only carry the signing: never logged.
NEVER_LOGGED = frozenset(name.lower() for name in (
    "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "SignatureType", "Timestamp", "Nonce",
    "AccessKeyId", "SecretId", "SecurityToken", "Token", "X-TC-Token", "Authorization", "Credential",
))


@dataclass(frozen=True)
class Described:
    """What a vendor's wire module reads from a request: the action, the signing mode, the business parameters."""

    action: str
    signing: str  # "ACS3-HMAC-SHA256", "HMAC-SHA1", "TC3-HMAC-SHA256", "HmacSHA256", "HmacSHA1" or "none"
    params: dict[str, Any]
    region: str | None = None
    version: str | None = None


#: A vendor's reader of requests (``Service.describe``).
Describer = Callable[[WireRequest], Described]


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the log tells it: no secret, JSON-ready (:meth:`to_dict`)."""

    sequence: int  # the n-th request since the emulator started (faults are decided from it)
    time: float  # seconds since the epoch, when it arrived
    vendor: str
    action: str
    version: str | None
    region: str | None
    signing: str
    method: str
    path: str
    params: dict[str, Any]
    status: int  # the answer's HTTP status; 0 when a fault dropped the connection
    code: str | None  # the error code answered, None for a success
    fault: str | None  # the fault injected instead of an answer (throttle, error, reset), if any

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` without anything that authenticates the request."""
    return {k: v for k, v in params.items() if k.lower() not in NEVER_LOGGED}


class RequestLog:
    """Requests in arrival order, bounded (the oldest go first), safe to read from the test's thread.

    It reads like a list of :class:`LoggedRequest`: ``len(log)``,
    ``log[-1]``, iteration; :meth:`actions` and :meth:`where` for the
    common assertions.
    """

    def __init__(self, vendor: str, describe: Describer, limit: int = 10_000):
        self.vendor = vendor
        self.describe = describe
        self._raw: deque[tuple[int, float, WireRequest, int, str | None, str | None]] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def record(self, sequence: int, request: WireRequest, status: int, code: str | None,
               fault: str | None = None) -> None:
        """Keep one request (called by the server for every request it answers or drops)."""
        with self._lock:
            self._raw.append((sequence, time.time(), request, status, code, fault))

    def clear(self) -> None:
        with self._lock:
            self._raw.clear()

    def _entry(self, raw: tuple[int, float, WireRequest, int, str | None, str | None]) -> LoggedRequest:
        sequence, moment, request, status, code, fault = raw
        try:
            described = self.describe(request)
        except Exception:  # noqa: BLE001 - a request too broken to read is still logged
            described = Described("", "none", {})
        return LoggedRequest(sequence, moment, self.vendor, described.action, described.version, described.region,
                             described.signing, request.method, request.path, clean(described.params), status, code,
                             fault)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            raw = list(self._raw)
        return [self._entry(r) for r in raw]

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, index: int) -> LoggedRequest:
        with self._lock:
            raw = self._raw[index]
        return self._entry(raw)

    def __bool__(self) -> bool:
        return bool(self._raw)

    def actions(self) -> list[str]:
        """The action of every request, in order."""
        return [e.action for e in self.entries()]

    def where(self, **fields: Any) -> list[LoggedRequest]:
        """The entries whose fields equal ``fields`` (``log.where(action="DescribeInstances", code=None)``)."""
        return [e for e in self.entries() if all(getattr(e, k) == v for k, v in fields.items())]

    def to_json(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.entries()]

    def __repr__(self) -> str:
        return f"RequestLog({len(self)} requests)"


__all__ = ["NEVER_LOGGED", "Described", "Describer", "LoggedRequest", "RequestLog", "clean"]
