"""What both adapters share: the catalogue, and reading JSON or XML into an :class:`Answer`."""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import ParseError

from conformance import xmlcodec
from conformance.catalog import VendorCatalog
from conformance.vendors.base import Answer


def parse_answer(cat: VendorCatalog, status: int, content_type: str, body: bytes, fmt: str) -> Answer:
    text = body.decode("utf-8", "replace")
    document: Any = None
    parse_error = None
    is_xml = fmt == "XML" or "xml" in content_type.lower() or text.lstrip().startswith("<")
    try:
        if is_xml:
            from xml.etree import ElementTree

            root_tag = ElementTree.fromstring(body).tag
            schema = cat.error_schema if root_tag == "Error" else cat.response_schema
            document = xmlcodec.decode(body, schema)
        else:
            document = json.loads(text)
    except (ValueError, ParseError) as exc:
        parse_error = f"answer is not valid {'XML' if is_xml else 'JSON'}: {exc}"
    answer_paths = cat.answer
    code = answer_paths.get("error_code", document) if isinstance(document, dict) else None
    items: list[dict[str, Any]] = []
    if isinstance(document, dict) and code is None:
        items = [i for i in answer_paths.all("items", document) if isinstance(i, dict)]
    return Answer(
        status=status,
        content_type=content_type,
        text=text,
        document=document,
        format="XML" if is_xml else "JSON",
        error_code=str(code) if code is not None else None,
        error_message=answer_paths.get("error_message", document) if code is not None else None,
        request_id=answer_paths.get("request_id", document) if isinstance(document, dict) else None,
        items=items,
        total_count=answer_paths.get("total_count", document) if isinstance(document, dict) else None,
        page_number=answer_paths.get("page_number", document) if isinstance(document, dict) else None,
        page_size=answer_paths.get("page_size", document) if isinstance(document, dict) else None,
        parse_error=parse_error,
    )


class CatalogAdapter:
    """The part of an adapter that is data: the vendor's catalogue, read through its JSONPath map."""

    vendor: str

    def __init__(self) -> None:
        from conformance import catalog

        self.catalog = catalog.load(self.vendor)

    def parse(self, status: int, content_type: str, body: bytes, fmt: str) -> Answer:
        return parse_answer(self.catalog, status, content_type, body, fmt)
