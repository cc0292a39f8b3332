"""What the checks ask of a vendor, and the neutral shapes they ask in.

Checks build a :class:`Query` and read an :class:`Answer`. A vendor's
:class:`Adapter` owns its whole transport: the wire parameters of a query,
the signed HTTP request in each of its signing modes, and the reading of the
HTTP answer. What differs between vendors beyond that is data: the adapter's
:class:`Capabilities` and the vendor's folder of ``schemas/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree
from xml.etree.ElementTree import ParseError

import httpx

from conformance.spec import catalog
from conformance.spec.catalog import VendorCatalog
from conformance.wire import xmlcodec
from conformance.wire.bounded import AnswerRefused, check_xml_depth, loads_json
from conformance.wire.scrub import RUN_SECRETS


@dataclass(frozen=True)
class Credentials:
    key_id: str
    secret: str
    #: False when the endpoint's credentials were not given (checks that need them are then skipped).
    known: bool = True
    #: True for the embedded emulator's published test credentials: anyone can compute what they sign.
    public: bool = False

    def register_signature(self, signature: str) -> None:
        """Have ``signature`` scrubbed from everything the run writes (:mod:`conformance.wire.scrub`).

        A signature made with the published test credentials reveals nothing, so it is not
        registered: scrubbing every text of a run against hundreds of them cost a tenth of a
        replay's time. Signatures made with anything else are, whoever gave the credentials.
        """
        if not self.public:
            RUN_SECRETS.add(signature)


@dataclass
class Query:
    """A DescribeInstances request in vendor-neutral terms.

    ``filters`` maps the vendor's own filter names (Alibaba parameters,
    Tencent filter names) to values; ``repeated_filters`` are more filter
    entries, names may repeat (a vendor that takes a list of filters sends
    them all); ``offset``/``limit`` is the window (a paged vendor needs
    ``offset`` to be a multiple of ``limit``); ``extra`` are raw business
    parameters sent as they are (``DryRun``, an out-of-range size);
    ``variant`` names one of the adapter's declared wire spellings
    (:attr:`Capabilities.variants`), for the spellings a document contradicts
    itself on.
    """

    filters: dict[str, list[str]] = field(default_factory=dict)
    repeated_filters: list[tuple[str, list[str]]] = field(default_factory=list)
    ids: list[str] | None = None
    tags: list[tuple[str | None, str | None]] = field(default_factory=list)
    offset: int | None = None
    limit: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    format: str = "JSON"
    region: str | None = None
    variant: str | None = None


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


@dataclass(frozen=True)
class Capabilities:
    """What a vendor's API can do and how it says things, as data the checks read."""

    #: the region listed when none is given
    default_region: str
    #: signing modes the adapter can produce, the default first
    signing_modes: tuple[str, ...]
    #: the signing mode whose business parameters travel as a flat query or form (fuzzer, wire variants)
    form_mode: str
    #: ``page-number`` (windows start at a multiple of the size) or ``offset``
    paging: Literal["page-number", "offset"]
    #: the page size when none is given
    default_limit: int
    #: answer formats the API offers
    formats: tuple[str, ...]
    #: ``documented-status``: errors carry their HTTP status; ``always-200``: every answer is HTTP 200
    error_delivery: Literal["documented-status", "always-200"]
    #: the variables the vendor's SDKs read credentials from (key id, secret)
    credential_env: tuple[str, str]
    #: error codes that mean "slow down": retried, then inconclusive
    throttling_codes: frozenset[str]
    #: parameters every generated (fuzzed) request carries, ``{region}`` filled in
    fuzz_fixed: dict[str, str] = field(default_factory=dict)
    #: signing modes in which an empty id list (``InstanceIds=[]``) can travel at all
    empty_ids_modes: tuple[str, ...] = ()
    #: whether ``InstanceIds`` may be sent beside other filters (and then AND-combines with them)
    ids_with_filters: bool = True
    #: whether one filter name may be given twice (a vendor that takes a list of filters), AND-combined
    filters_repeat: bool = False
    #: wire spellings the document's examples use beside the table's (see :attr:`Query.variant`)
    variants: tuple[str, ...] = ()
    #: error codes that mean the credentials were refused (an entry ending in ``.`` is a prefix): a
    #: pre-flight answer with one stops the run with exit 2, blaming the set-up, not the endpoint
    credential_error_codes: tuple[str, ...] = ()
    #: error codes that mean the region is unknown (same form): exit 2 at pre-flight
    region_error_codes: tuple[str, ...] = ()
    #: what this API's answers look like, for people: a pre-flight answer of another provider's
    #: shape is refused with it ("the endpoint answers like …, not …")
    answer_shape: str = ""

    @staticmethod
    def matches(code: str | None, codes: tuple[str, ...]) -> bool:
        """Whether ``code`` is one of ``codes`` (entries ending in ``.`` match as prefixes)."""
        return code is not None and any(code == c or (c.endswith(".") and code.startswith(c)) for c in codes)

    @property
    def paged(self) -> bool:
        return self.paging == "page-number"


class Adapter:
    """A vendor's transport: parameters, signed requests, answers. Subclasses fill in the wire."""

    vendor: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    @property
    def catalog(self) -> VendorCatalog:
        """The catalogue of the document revision this process judges against (``--document-revision``)."""
        return catalog.load(self.vendor)

    # The capabilities most checks read, by their short names.
    @property
    def default_region(self) -> str:
        return self.capabilities.default_region

    @property
    def signing_modes(self) -> tuple[str, ...]:
        return self.capabilities.signing_modes

    @property
    def paged(self) -> bool:
        return self.capabilities.paged

    @property
    def default_limit(self) -> int:
        return self.capabilities.default_limit

    @property
    def throttling_codes(self) -> frozenset[str]:
        return self.capabilities.throttling_codes

    def params(self, query: Query, region: str) -> dict[str, Any]:
        """The business parameters of ``query``."""
        raise NotImplementedError

    def build(self, query: Query, *, url: str, region: str, credentials: Credentials, mode: str) -> httpx.Request:
        """The signed request for ``query`` in signing ``mode``: what the vendor's SDK would send."""
        raise NotImplementedError

    def business_params(self, method: str, uri: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
        """What a recorded request asked, flat, without signing parameters (recordings match on this)."""
        params = dict(parse_qsl(urlsplit(uri).query, keep_blank_values=True))
        if body:
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return params

    def sdks(self) -> tuple[Any, ...]:
        """The vendor's official SDKs the ``client`` checks drive (:class:`conformance.vendors.sdk.Sdk` each).

        Building one imports nothing: a package is imported when a client is built, so the suite
        runs without the SDKs installed.
        """
        return ()

    def synthetic_ids(self, count: int) -> list[str]:
        """Well-formed instance ids that no real inventory holds."""
        raise NotImplementedError

    def foreign_zone(self, region: str) -> str:
        """A zone of a region other than ``region``."""
        raise NotImplementedError

    def has_shape(self, document: Any) -> bool:
        """Whether a parsed answer has this API's shape: its request id or error code where the JSONPath map puts them.

        Every answer of the API, success or error, carries one of them, so an endpoint whose
        answer has neither speaks another API (the pre-flight asks the other providers' adapters which).
        """
        if not isinstance(document, dict):
            return False
        paths = self.catalog.answer
        return any(paths.get(name, document) is not None for name in ("request_id", "error_code"))

    def parse(self, status: int, content_type: str, body: bytes, fmt: str) -> Answer:
        """Read an HTTP answer (JSON, or XML decoded into the JSON shape) through the JSONPath map."""
        cat = self.catalog
        text = body.decode("utf-8", "replace")
        document: Any = None
        parse_error = None
        is_xml = fmt == "XML" or "xml" in content_type.lower() or text.lstrip().startswith("<")
        try:
            if is_xml:
                check_xml_depth(body)
                root_tag = ElementTree.fromstring(body).tag
                schema = cat.error_schema if root_tag == "Error" else cat.response_schema
                document = xmlcodec.decode(body, schema)
            else:
                document = loads_json(text)
        except AnswerRefused as refused:
            parse_error = f"answer was not parsed: {refused.reason}"
        except (ValueError, ParseError) as exc:
            parse_error = f"answer is not valid {'XML' if is_xml else 'JSON'}: {exc}"
        paths = cat.answer
        is_object = isinstance(document, dict)
        code = paths.get("error_code", document) if is_object else None
        items: list[dict[str, Any]] = []
        if is_object and code is None:
            items = [i for i in paths.all("items", document) if isinstance(i, dict)]
        return Answer(
            status=status,
            content_type=content_type,
            text=text,
            document=document,
            format="XML" if is_xml else "JSON",
            error_code=str(code) if code is not None else None,
            error_message=paths.get("error_message", document) if code is not None else None,
            request_id=paths.get("request_id", document) if is_object else None,
            items=items,
            total_count=paths.get("total_count", document) if is_object else None,
            page_number=paths.get("page_number", document) if is_object else None,
            page_size=paths.get("page_size", document) if is_object else None,
            parse_error=parse_error,
        )
