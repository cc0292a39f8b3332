"""Before a run against a foreign endpoint: is anything listening there?"""

from __future__ import annotations

import httpx


def probe(endpoint: str) -> str | None:
    """One unauthenticated request; a sentence saying what is wrong, or None when something answered."""
    try:
        httpx.get(endpoint, timeout=10)
    except httpx.InvalidURL as exc:
        return f"invalid endpoint {endpoint!r}: {exc}"
    except httpx.TransportError as exc:
        return f"endpoint {endpoint} cannot be reached: {type(exc).__name__}: {exc}"
    return None
