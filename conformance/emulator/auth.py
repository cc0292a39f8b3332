"""Signature verification for the emulator, with each vendor's error codes.

A request is first reduced to a :class:`Claim` (who signs, when, with which
nonce, and how to recompute the signature from a secret); the checks that
follow are the same for every scheme. Signatures are recomputed with
:mod:`conformance.signing`, the functions the suite signs with.
"""

from __future__ import annotations

import hmac
import time
from calendar import timegm
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from conformance.emulator.protocol import ApiError, WireRequest
from conformance.wire import signing

#: Documented default test credentials of the emulator (docs/emulator.md, "Credentials").
DEFAULT_KEY_ID = "conformance-test-key"
DEFAULT_KEY_SECRET = "conformance-test-secret"

#: Each vendor's codes for the ways authentication fails: (code, HTTP status, message).
AUTH_ERRORS = {
    "alibaba": {
        "missing": ("IncompleteSignature", 400, "The request signature does not conform to Aliyun standards."),
        "unknown_key": ("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."),
        "expired": ("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired."),
        "nonce": ("SignatureNonceUsed", 400, "Specified signature nonce was used already."),
        "mismatch": ("SignatureDoesNotMatch", 400, "Specified signature is not matched with our calculation."),
    },
    "tencent": {
        "missing": ("AuthFailure.InvalidAuthorization", 200, "The request carries no valid signature."),
        "unknown_key": ("AuthFailure.SecretIdNotFound", 200, "The SecretId is not found."),
        "expired": ("AuthFailure.SignatureExpire", 200, "The signature has expired."),
        "nonce": ("AuthFailure.SignatureFailure", 200, "The nonce was used already."),
        "mismatch": ("AuthFailure.SignatureFailure", 200, "The provided credentials could not be validated."),
    },
}
#: How far a request's timestamp may be from the emulator's clock, in seconds.
MAX_SKEW = {"alibaba": 15 * 60, "tencent": 5 * 60}


@dataclass
class Claim:
    key_id: str
    timestamp: float | None  # None: unparseable
    nonce: str | None
    signature: str
    expected: Callable[[str], str]  # secret -> the signature the request should carry
    #: What the server signed, quoted in Alibaba's SignatureDoesNotMatch message (its SDK compares it).
    string_to_sign: Callable[[], str] | None = None


def _iso_epoch(text: str) -> float | None:
    """Seconds since the epoch of ``YYYY-MM-DDTHH:MM:SSZ``; None for anything else."""
    if len(text) != 20 or text[10] != "T" or text[-1] != "Z":
        return None
    try:
        return float(timegm(datetime.fromisoformat(text[:-1]).timetuple()))
    except ValueError:
        return None


def _int_epoch(text: str | None) -> float | None:
    try:
        return float(int(text or ""))
    except ValueError:
        return None


def alibaba_claim(request: WireRequest, params: dict[str, str]) -> Claim | None:
    header = request.headers.get("authorization", "")
    if header.startswith(signing.ACS3):
        auth = signing.parse_authorization(header)
        if auth is None:
            return None
        payload_hash = signing.sha256_hex(request.body)

        def expected(secret: str) -> str:
            canonical = signing.acs3_canonical_request(
                request.method, request.path, request.query, request.headers, auth.signed_headers, payload_hash
            )
            return signing.acs3_signature(secret, canonical)

        return Claim(auth.key_id, _iso_epoch(request.headers.get("x-acs-date", "")),
                     request.headers.get("x-acs-signature-nonce"), auth.signature, expected)
    if "Signature" not in params or "AccessKeyId" not in params:
        return None
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    return Claim(
        params["AccessKeyId"], _iso_epoch(params.get("Timestamp", "")), params.get("SignatureNonce"),
        params["Signature"], lambda secret: signing.alibaba_rpc_signature(request.method, unsigned, secret),
        lambda: signing.alibaba_rpc_string_to_sign(request.method, unsigned),
    )


def tc3_services(request: WireRequest, service_name: str) -> tuple[str, ...]:
    """The services a TC3 scope may name: ``service_name``, or the first label of the host the client addressed.

    An SDK takes the service from its endpoint's first label (the Node SDK
    does, by default): ``cvm.tencentcloudapi.com`` gives ``cvm``, and an IP
    endpoint such as ``127.0.0.1:8080`` gives ``127``. Both name this
    endpoint, so both verify.
    """
    first = request.host.partition(":")[0].split(".")[0] if not request.host.startswith("[") else ""
    return (service_name, first) if first and first != service_name else (service_name,)


def _tc3_canonical_requests(request: WireRequest, names: set[str]) -> Iterator[str]:
    """The canonical requests a correct TC3 client may have signed for ``request``, the most common first.

    The signed ``host`` is the ``Host`` header, or its name without the port
    (the Node SDK signs the URL's hostname: the same for a real endpoint,
    which has no port). Values of further signed headers are lower-cased, as
    the document says, or kept as sent. Each candidate is a full
    recomputation with the secret: what varies is only how the client wrote
    down what it addressed, never what it sent.
    """
    payload = b"" if request.method == "GET" else request.body
    query = request.raw_query if request.method == "GET" else ""
    hosts = [request.host]
    bare = request.host.rpartition(":")[0] if request.host.rpartition(":")[2].isdigit() else ""
    if bare:
        hosts.append(bare)
    for host in hosts:
        if names == TC3_REQUIRED_HEADERS:  # the common case, as the suite and the SDKs sign
            yield signing.tc3_canonical_request(request.method, request.path, query, request.content_type, host,
                                                payload)
            continue
        headers = {**request.headers, "host": host}
        for lower in (True, False):
            yield signing.tc3_canonical_request_signed(request.method, request.path, query, headers, names,
                                                       payload, lower)


#: The headers every TC3 signature must cover: without them the body's type and the target are unsigned.
TC3_REQUIRED_HEADERS = frozenset({"content-type", "host"})


def tencent_claim(request: WireRequest, params: dict[str, str], service_name: str = "cvm") -> Claim | None:
    """What a Tencent request claims; a TC3 scope names ``service_name`` (``cvm``, ``sts``) or the host's label.

    Any ``SignedHeaders`` set that includes ``content-type`` and ``host`` is
    verified over the headers it names.
    """
    header = request.headers.get("authorization", "")
    if header.startswith(signing.TC3):
        auth = signing.parse_authorization(header)
        if auth is None:
            return None
        timestamp = request.headers.get("x-tc-timestamp", "")
        date, _, rest = auth.scope.partition("/")
        service = rest.partition("/")[0]
        epoch = _int_epoch(timestamp)
        day = time.strftime("%Y-%m-%d", time.gmtime(epoch)) if epoch is not None else None
        names = {h.lower() for h in auth.signed_headers}

        def expected(secret: str) -> str:
            if date != day or service not in tc3_services(request, service_name) \
                    or not TC3_REQUIRED_HEADERS <= names:
                return ""  # the scope does not match the request: no signature can be right
            signature = ""
            for canonical in _tc3_canonical_requests(request, names):
                signature = signing.tc3_signature(secret, date, service, timestamp, canonical)
                if hmac.compare_digest(signature.encode(), auth.signature.encode()):
                    break
            return signature

        return Claim(auth.key_id, epoch, None, auth.signature, expected)
    if "Signature" not in params or "SecretId" not in params:
        return None
    algorithm = params.get("SignatureMethod", "HmacSHA1")
    if algorithm not in signing.TENCENT_V1_DIGESTS:
        return None
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    return Claim(
        params["SecretId"], _int_epoch(params.get("Timestamp")), None, params["Signature"],
        lambda secret: signing.tencent_v1_signature(request.method, request.host, request.path, unsigned, secret,
                                                    algorithm),
    )


class Authenticator:
    """Checks a :class:`Claim` against the known keys, the clock and the nonces already seen."""

    def __init__(self, vendor: str, credentials: dict[str, str], deviations: frozenset[str] = frozenset(),
                 clock: Callable[[], float] = time.time, required: bool = True):
        self.vendor = vendor
        #: False: any signature or none is accepted (``conformance emulator --no-auth``, to explore with curl)
        self.required = required
        self.credentials = dict(credentials)
        self.deviations = deviations
        self.clock = clock
        self._nonces: dict[str, float] = {}

    def forget(self) -> None:
        """Forget the nonces seen (a reset emulator starts afresh)."""
        self._nonces.clear()

    def _fail(self, kind: str) -> ApiError:
        code, status, message = AUTH_ERRORS[self.vendor][kind]
        return ApiError(code, message, status)

    def _nonce_seen(self, nonce: str, now: float) -> bool:
        window = MAX_SKEW[self.vendor]
        if len(self._nonces) > 100_000:
            self._nonces = {n: t for n, t in self._nonces.items() if t > now - window}
        seen = self._nonces.get(nonce)
        self._nonces[nonce] = now
        return seen is not None and seen > now - window

    def verify(self, claim: Claim | None) -> str:
        """The key id the request is signed with; raises :class:`ApiError` otherwise."""
        if not self.required:  # the key id claimed, or the configured one for an unsigned request
            return claim.key_id if claim is not None else next(iter(self.credentials))
        if claim is None:
            raise self._fail("missing")
        secret = self.credentials.get(claim.key_id)
        if secret is None:
            if "unknown-key-accepted" not in self.deviations:
                raise self._fail("unknown_key")
            secret = next(iter(self.credentials.values()))
        now = self.clock()
        if claim.timestamp is None or abs(now - claim.timestamp) > MAX_SKEW[self.vendor]:
            raise self._fail("expired")
        if "wrong-signature-accepted" not in self.deviations:
            if not hmac.compare_digest(claim.expected(secret).encode(), claim.signature.encode()):
                error = self._fail("mismatch")
                if self.vendor == "alibaba" and claim.string_to_sign is not None:
                    error.message += f" server string to sign is:{claim.string_to_sign()}"
                raise error
        # only a correctly signed request spends its nonce
        if claim.nonce is not None and self._nonce_seen(claim.nonce, now):
            raise self._fail("nonce")
        return claim.key_id
