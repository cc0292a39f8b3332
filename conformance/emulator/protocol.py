"""A framework-free request, a response and an API error: what the wire formats and auth exchange."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl


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
    code: str | None = None  # the error code answered, for the request log; None for a success


class ApiError(Exception):
    """An error answer: the vendor's code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def request_id(upper: bool = True) -> str:
    value = str(uuid.uuid4())
    return value.upper() if upper else value


