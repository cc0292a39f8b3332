"""What both wire formats share: a framework-free request, a response, an API error.

The vendor modules turn a :class:`WireRequest` into a :class:`WireResponse`
without touching Starlette, so they are tested and benchmarked as plain
functions and the HTTP layer (:mod:`conformance.emulator.server`) stays thin.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from conformance import catalog

if TYPE_CHECKING:
    from conformance.emulator.auth import Authenticator
    from conformance.emulator.models import Backend


@dataclass
class WireRequest:
    method: str
    path: str
    raw_query: str
    headers: dict[str, str]  # lower-case names
    body: bytes = b""

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.raw_query, keep_blank_values=True))

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def form(self) -> dict[str, str]:
        if self.content_type.startswith("application/x-www-form-urlencoded") and self.body:
            return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        return {}

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass
class WireResponse:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """An error answer: the vendor's code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def bounded_int(raw: Any, low: int, high: int | None) -> int | None:
    """``raw`` as an integer within [low, high]; None when it is not one (booleans and fractions included)."""
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value >= low and (high is None or value <= high) else None


def request_id(upper: bool = True) -> str:
    value = str(uuid.uuid4())
    return value.upper() if upper else value


class Service:
    """What both vendors' endpoints hold: the backend, the authenticator, the deviations.

    Subclasses implement :meth:`handle`, the wire format.
    """

    vendor: str

    def __init__(self, backend: "Backend", authenticator: "Authenticator",
                 deviations: frozenset[str] = frozenset(), regions: tuple[str, ...] = ()):
        self.backend = backend
        self.auth = authenticator
        self.deviations = deviations
        self.catalog = catalog.load(self.vendor)
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

    def handle(self, request: WireRequest) -> WireResponse:  # pragma: no cover - abstract
        raise NotImplementedError
