"""What both wire formats share: the :class:`Service` base and the parsing of paging integers.

The vendor modules turn a :class:`WireRequest` into a :class:`WireResponse`
without touching an HTTP framework, so they are tested and benchmarked as
plain functions and the HTTP layer (:mod:`conformance.emulator.server`) stays thin.
"""

from __future__ import annotations

import json
from typing import Any

from conformance.emulator.auth import Authenticator
from conformance.emulator.models import Backend
from conformance.emulator.protocol import ApiError, WireRequest, WireResponse, request_id
from conformance.emulator.request_log import Described

__all__ = ["ApiError", "Described", "Service", "WireRequest", "WireResponse", "bounded_int", "request_id"]


def bounded_int(raw: Any, low: int, high: int | None) -> int | None:
    """``raw`` as an integer within [low, high]; None when it is not one (booleans and fractions included)."""
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value >= low and (high is None or value <= high) else None


class Service:
    """What both vendors' endpoints hold: the backend, the authenticator, the deviations.

    Subclasses implement :meth:`handle`, the wire format.
    """

    vendor: str

    def __init__(self, backend: Backend, authenticator: Authenticator,
                 deviations: frozenset[str] = frozenset(), regions: tuple[str, ...] = ()):
        self.backend = backend
        self.auth = authenticator
        self.deviations = deviations
        self.catalog = backend.catalog  # the document revision the service serves
        self.regions = set(regions) | backend.regions
        # Items are serialized once: a page is then a join of ready-made bytes.
        self._items_json = [self.item_json(item) for item in backend.items]

    @staticmethod
    def item_json(item: dict[str, Any]) -> bytes:
        return json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode()

    #: Defaults a deviation changes: (parameter, deviation) -> the default it uses instead.
    DEVIANT_DEFAULTS: dict[tuple[str, str], int] = {}

    def paging_int(self, params: dict[str, Any], name: str, default: int, low: int, high: int | None) -> int:
        """A paging parameter: its documented default when absent, else an integer in [low, high]."""
        raw = params.get(name)
        if raw is None:
            return next((v for (p, d), v in self.DEVIANT_DEFAULTS.items() if p == name and d in self.deviations),
                        default)
        value = bounded_int(raw, low, high)
        if value is None:
            raise self.invalid_integer(name)
        return value

    def invalid_integer(self, name: str) -> ApiError:  # pragma: no cover - abstract
        raise NotImplementedError

    def error_answer(self, request: WireRequest, code: str, message: str, status: int) -> WireResponse:
        """An error in the vendor's wire format (what a fault injects).  # pragma: no cover - abstract"""
        raise NotImplementedError

    def handle(self, request: WireRequest) -> WireResponse:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, request: WireRequest) -> Described:  # pragma: no cover - abstract
        """The action, signing mode and business parameters of ``request``, for the request log."""
        raise NotImplementedError


def signing_mode(request: WireRequest, params: dict[str, Any], header_scheme: str, default_method: str) -> str:
    """How a request was signed, for the request log: the header scheme, the query's method, or ``none``."""
    if request.headers.get("authorization", "").startswith(header_scheme):
        return header_scheme
    if "Signature" in params:
        return str(params.get("SignatureMethod") or default_method)
    return "none"
