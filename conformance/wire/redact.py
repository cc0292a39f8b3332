"""Credentials and signatures out of everything the suite writes.

Evidence in reports (and, later, cassettes) passes through here: key ids,
signatures, nonces' companions and tokens are replaced, so that no report
ever carries what would let a reader sign a request.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "<redacted>"
#: Parameters (query or form) that carry a credential or a signature.
SECRET_PARAMS = frozenset({"Signature", "AccessKeyId", "SecretId", "SecurityToken", "Token", "BearerToken"})
#: Headers that do (compared lower-case).
SECRET_HEADERS = frozenset({"authorization", "x-acs-security-token", "x-acs-accesskey-id", "x-tc-token",
                            "x-acs-bearer-token", "cookie"})
_AUTH_VALUE = re.compile(r"(Credential=)[^,/ ]+|(Signature=)[0-9a-fA-F]+")


def query_string(query: str) -> str:
    return urlencode([(k, REDACTED if k in SECRET_PARAMS else v) for k, v in parse_qsl(query, keep_blank_values=True)],
                     safe="<>")


def url(value: str) -> str:
    parts = urlsplit(value)
    return urlunsplit(parts._replace(query=query_string(parts.query)))


def headers(values: dict[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in values.items()}


def form_body(body: str) -> str:
    return query_string(body)


def text(value: str, secrets: tuple[str, ...] = ()) -> str:
    """Any free text: known secret strings and ``Authorization``-shaped values removed."""
    for secret in secrets:
        if secret:
            value = value.replace(secret, REDACTED)
    return _AUTH_VALUE.sub(lambda m: (m.group(1) or m.group(2)) + REDACTED, value)
