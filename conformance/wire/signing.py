"""Request signatures of both vendors, as their SDKs compute them.

The suite signs its requests with these functions and the emulator verifies
incoming requests by recomputing them, so each algorithm exists once.
``tests/test_signing.py`` proves every function equals the official SDK's
output for the same inputs.

Algorithms:

- Alibaba RPC v1, ``HMAC-SHA1``: the ``Signature`` parameter
  (aliyun-python-sdk-core, apache-libcloud, the Tea SDK with
  ``signature_algorithm='v2'``).
- Alibaba ``ACS3-HMAC-SHA256``: the ``Authorization`` header
  (alibabacloud-ecs20140526's default).
- Tencent API 3.0 ``HmacSHA1``/``HmacSHA256``: the ``Signature`` parameter.
- Tencent ``TC3-HMAC-SHA256``: the ``Authorization`` header (the SDK's default).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

ACS3 = "ACS3-HMAC-SHA256"
TC3 = "TC3-HMAC-SHA256"


@lru_cache(maxsize=8192)
def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba defines it: only ``A-Za-z0-9-_.~`` stay as they are.

    Cached: parameter names and most values repeat from request to request.
    """
    return quote(str(value), safe="~")


# ------------------------------------------------------------------ Alibaba RPC v1

def alibaba_rpc_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()) if k != "Signature"
    )
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical)}"


def alibaba_rpc_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    """Base64 HMAC-SHA1 of the canonical query, keyed with ``secret + '&'``."""
    digest = hmac.new(f"{secret}&".encode(), alibaba_rpc_string_to_sign(method, params).encode(), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode()


# ------------------------------------------------------------------ Alibaba ACS3

def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def acs3_canonical_request(
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    signed_headers: Iterable[str],
    payload_hash: str,
) -> str:
    lowered = {k.lower(): str(v).strip() for k, v in headers.items()}
    names = sorted(h.lower() for h in signed_headers)
    canonical_headers = "".join(f"{name}:{lowered.get(name, '')}\n" for name in names)
    canonical_query = "&".join(f"{k}={quote(str(v), safe='~')}" for k, v in sorted(query.items()))
    return "\n".join([method.upper(), path or "/", canonical_query, canonical_headers, ";".join(names), payload_hash])


def acs3_signature(secret: str, canonical_request: str) -> str:
    string_to_sign = f"{ACS3}\n{sha256_hex(canonical_request.encode())}"
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def acs3_authorization(key_id: str, signed_headers: Iterable[str], signature: str) -> str:
    return f"{ACS3} Credential={key_id},SignedHeaders={';'.join(sorted(h.lower() for h in signed_headers))},Signature={signature}"


@dataclass(frozen=True)
class Authorization:
    """The parts of an ``Authorization`` header of either vendor."""

    algorithm: str
    key_id: str
    signed_headers: tuple[str, ...]
    signature: str
    scope: str = ""  # TC3: date/service/tc3_request


def parse_authorization(header: str) -> Authorization | None:
    """Split ``ALG Credential=...,SignedHeaders=...,Signature=...``; ``None`` if malformed."""
    algorithm, _, rest = header.strip().partition(" ")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields[key] = value
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        return None
    key_id, _, scope = fields["Credential"].partition("/")
    return Authorization(
        algorithm=algorithm,
        key_id=key_id,
        signed_headers=tuple(h for h in fields["SignedHeaders"].split(";") if h),
        signature=fields["Signature"],
        scope=scope,
    )


# ------------------------------------------------------------------ Tencent v1 (HmacSHA1/256)

TENCENT_V1_DIGESTS = {"HmacSHA1": hashlib.sha1, "HmacSHA256": hashlib.sha256}


def tencent_v1_string_to_sign(method: str, host: str, path: str, params: Mapping[str, str]) -> str:
    joined = "&".join(f"{k.replace('_', '.')}={v}" for k, v in sorted(params.items()) if k != "Signature")
    return f"{method.upper()}{host}{path}?{joined}"


def tencent_v1_signature(method: str, host: str, path: str, params: Mapping[str, str], secret: str,
                         algorithm: str = "HmacSHA256") -> str:
    digest = TENCENT_V1_DIGESTS[algorithm]
    mac = hmac.new(secret.encode(), tencent_v1_string_to_sign(method, host, path, params).encode(), digest)
    return base64.b64encode(mac.digest()).decode()


# ------------------------------------------------------------------ Tencent TC3

def tc3_canonical_request(method: str, path: str, query_string: str, content_type: str, host: str,
                          payload: bytes) -> str:
    return "\n".join([
        method.upper(), path or "/", query_string,
        f"content-type:{content_type}\nhost:{host}\n", "content-type;host", sha256_hex(payload),
    ])


def tc3_canonical_request_signed(method: str, path: str, query_string: str, headers: Mapping[str, str],
                                 signed_headers: Iterable[str], payload: bytes, lower_values: bool = True) -> str:
    """The canonical request over any ``SignedHeaders`` set, as a server recomputes it.

    Tencent's document lower-cases the signed headers' names and values and
    trims them; the SDKs send lower-case values for ``content-type`` and
    ``host`` anyway, so :func:`tc3_canonical_request` (the two-header form)
    equals this one for them. ``lower_values=False`` keeps values as sent,
    for a client that signs an upper-case value as it is.
    """
    lowered = {k.lower(): str(v).strip() for k, v in headers.items()}
    names = sorted(h.lower() for h in signed_headers)
    value = (lambda v: v.lower()) if lower_values else (lambda v: v)
    canonical_headers = "".join(f"{name}:{value(lowered.get(name, ''))}\n" for name in names)
    return "\n".join([method.upper(), path or "/", query_string, canonical_headers, ";".join(names),
                      sha256_hex(payload)])


def tc3_signature(secret: str, date: str, service: str, timestamp: str, canonical_request: str) -> str:
    def _hmac(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    scope = f"{date}/{service}/tc3_request"
    string_to_sign = f"{TC3}\n{timestamp}\n{scope}\n{sha256_hex(canonical_request.encode())}"
    key = _hmac(_hmac(_hmac(f"TC3{secret}".encode(), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def tc3_authorization(key_id: str, date: str, service: str, signature: str) -> str:
    return f"{TC3} Credential={key_id}/{date}/{service}/tc3_request, SignedHeaders=content-type;host, Signature={signature}"
