"""What the checks ask of a vendor, and the neutral shapes they ask in.

Checks build a :class:`Query` and read an :class:`Answer`; a vendor
:class:`Adapter` translates the one into wire parameters and the HTTP answer
into the other. Everything vendor-specific beyond that small translation is
data in ``schemas/<vendor>/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from conformance.catalog import VendorCatalog


@dataclass
class Query:
    """A DescribeInstances request in vendor-neutral terms.

    ``filters`` maps the vendor's own filter names (Alibaba parameters,
    Tencent filter names) to values; ``offset``/``limit`` is the window
    (Alibaba needs ``offset`` to be a multiple of ``limit``); ``extra`` are raw
    business parameters sent as they are (``DryRun``, an out-of-range size).
    """

    filters: dict[str, list[str]] = field(default_factory=dict)
    ids: list[str] | None = None
    tags: list[tuple[str, str | None]] = field(default_factory=list)
    tag_spelling: tuple[str, str] = ("Tag.{n}.Key", "Tag.{n}.Value")
    offset: int | None = None
    limit: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    format: str = "JSON"
    region: str | None = None
    #: Tencent form encoding variants the document's example uses (TC-DOC-001/002).
    numbering_base: int = 0
    values_key: str = "Values"


@dataclass
class Answer:
    """One HTTP answer, parsed through the vendor's JSONPath map."""

    status: int
    content_type: str
    text: str
    document: Any  # parsed JSON, or XML decoded into the JSON shape; None if unparseable
    format: str
    error_code: str | None
    error_message: str | None
    request_id: str | None
    items: list[dict[str, Any]]
    total_count: Any
    page_number: Any = None
    page_size: Any = None
    parse_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None and self.parse_error is None and 200 <= self.status < 300


class Adapter(Protocol):
    vendor: str
    catalog: VendorCatalog
    default_region: str
    signing_modes: tuple[str, ...]
    #: True when pages are numbered (Alibaba): windows must start at a multiple of the size.
    paged: bool
    default_limit: int
    throttling_codes: frozenset[str]

    def params(self, query: Query, region: str) -> dict[str, Any]:
        """Business parameters of the request (JSON-body form for Tencent)."""

    def parse(self, status: int, content_type: str, body: bytes, fmt: str) -> Answer:
        """Read an HTTP answer."""

    def synthetic_ids(self, count: int) -> list[str]:
        """Well-formed instance ids that no real inventory holds."""

    def foreign_zone(self, region: str) -> str:
        """A zone of a region other than ``region``."""
