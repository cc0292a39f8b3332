"""Query tokens (``NextToken``): where the next page of one query starts, and nothing else.

A token is 32 hex characters, like the document's example: a MAC over the query's
fingerprint and the offset, then the offset. It needs no state, so it survives a
rebuild of the service (churn, fixtures), and it is the same for the same query on
every run, so recordings replay. A token made for another query, or forged, does
not verify, and the emulator refuses it (the document is silent on both; see
docs/emulator.md).
"""

from __future__ import annotations

import hashlib
import hmac

_KEY = b"conformance-emulator-next-token"
_OFFSET_HEX = 8


def fingerprint(*parts: object) -> str:
    """What a token is bound to: the query's region and conditions, never its paging."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def make(query: str, offset: int) -> str:
    """The token of ``offset`` in the query whose fingerprint is ``query``."""
    mac = hmac.new(_KEY, f"{query}|{offset}".encode(), hashlib.sha256).hexdigest()
    return mac[:32 - _OFFSET_HEX] + f"{offset:0{_OFFSET_HEX}x}"


def read(query: str, token: str) -> int | None:
    """The offset ``token`` stands for in this query; None when it was not made for it."""
    if len(token) != 32:
        return None
    try:
        offset = int(token[-_OFFSET_HEX:], 16)
    except ValueError:
        return None
    return offset if hmac.compare_digest(make(query, offset), token) else None
