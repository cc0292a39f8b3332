"""Record and replay: one vcrpy cassette per requirement, matched on business parameters.

A team records a vendor (or its mock) once and replays in every CI run,
offline; an auditor keeps the recording as evidence of what the vendor
answered on a given day.

- **Matching** ignores what changes from run to run (signatures, nonces,
  timestamps, key ids, the host and port) and compares the business
  parameters in one normal form: order-independent, ``Filters.N`` and
  ``InstanceIds.N`` renumbered from 0, JSON bodies flattened like query forms.
- **Nothing secret is written**: signatures, key ids, tokens and
  ``Authorization`` are replaced before a cassette touches the disk, and the
  run's own key id and secret are replaced wherever they appear.
- **Writes are atomic**: a cassette is written to a temporary file and renamed.
- Each cassette carries, as vcrpy metadata, the verdict it was recorded with,
  so that ``conformance diff`` can say which requirements changed outcome.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import vcr
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.serialize import deserialize, serialize

from conformance.results import write_atomic

#: Parameters that change from run to run or carry credentials: never matched on.
SIGNING_PARAMS = frozenset({
    "Signature", "SignatureNonce", "SignatureMethod", "SignatureVersion", "SignatureType", "Timestamp",
    "AccessKeyId", "SecurityToken", "Nonce", "SecretId", "Token", "RequestClient", "Language",
})
#: Headers that carry business parameters in the header-signed forms (ACS3, TC3), by the parameter they stand for.
BUSINESS_HEADERS = {"x-acs-action": "Action", "x-acs-version": "Version", "x-tc-action": "Action",
                    "x-tc-version": "Version", "x-tc-region": "Region"}
SECRET_HEADERS = ("Authorization", "x-acs-security-token", "x-acs-accesskey-id", "X-TC-Token")
SECRET_QUERY = ("Signature", "AccessKeyId", "SecurityToken", "SecretId", "Token")
_NUMBERED = re.compile(r"^(InstanceIds|Filters)\.(\d+)(?:\.(Name|Values?)(?:\.(\d+))?)?$")

ReplayMiss = CannotOverwriteExistingCassetteException
#: What a credential or signature is replaced with in a cassette; short and plain, so that it
#: cannot be mistaken for a live signature in the URL-encoded form a cassette stores it in.
REDACTED = "REDACTED"


def _headers(request: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in dict(request.headers).items()}


def business_params(request: Any) -> dict[str, str]:
    """The parameters of a recorded request that say what was asked, in one normal form."""
    headers = _headers(request)
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    relevant = tuple((h, headers[h]) for h in ("content-type", *BUSINESS_HEADERS) if h in headers)
    return dict(_business(request.uri, body, relevant))


@lru_cache(maxsize=65536)
def _business(uri: str, body: bytes, headers: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Memoized: vcrpy compares every request with every recorded one."""
    headers = dict(headers)
    params = dict(parse_qsl(urlsplit(uri).query, keep_blank_values=True))
    content_type = headers.get("content-type", "")
    if body and "json" in content_type:
        from conformance.vendors.tencent import TencentAdapter

        try:
            params.update(TencentAdapter.flatten(json.loads(body)))
        except ValueError:
            params["<body>"] = body.decode("utf-8", "replace")
    elif body:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for header, name in BUSINESS_HEADERS.items():
        if header in headers:
            params[name] = headers[header]
    if "Format" in params:
        params["Format"] = params["Format"].upper()
    return tuple(_renumber({k: v for k, v in params.items() if k not in SIGNING_PARAMS}).items())


def _renumber(params: dict[str, str]) -> dict[str, str]:
    """``Filters.N``/``InstanceIds.N`` (and ``Values.M``) renumbered 0, 1, ... in their own order."""
    numbered: dict[tuple[str, int], dict[str, Any]] = {}
    plain = {}
    for key, value in params.items():
        match = _NUMBERED.match(key)
        if not match:
            plain[key] = value
            continue
        group, n, field, m = match.group(1), int(match.group(2)), match.group(3), match.group(4)
        entry = numbered.setdefault((group, n), {"values": {}})
        if field is None:
            entry["value"] = value
        elif m is None:
            entry["name"] = value
        else:
            entry["values"][(field, int(m))] = value
    out = dict(plain)
    for group in ("InstanceIds", "Filters"):
        entries = sorted((n, e) for (g, n), e in numbered.items() if g == group)
        for index, (_, entry) in enumerate(entries):
            if "value" in entry:
                out[f"{group}.{index}"] = entry["value"]
            if "name" in entry:
                out[f"{group}.{index}.Name"] = entry["name"]
            for position, ((field, _), value) in enumerate(sorted(entry["values"].items(), key=lambda kv: kv[0][1])):
                out[f"{group}.{index}.{field}.{position}"] = value
    return dict(sorted(out.items()))


def business_matcher(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the two requests ask the same thing (raises AssertionError otherwise)."""
    left, right = business_params(r1), business_params(r2)
    if left != right:
        differing = sorted(k for k in set(left) | set(right) if left.get(k) != right.get(k))
        raise AssertionError(f"business parameters differ: {', '.join(differing[:8])}")


class AtomicPersister:
    """vcrpy's filesystem persister, writing through a temporary file and a rename."""

    @classmethod
    def load_cassette(cls, cassette_path: str | Path, serializer: Any) -> Any:
        from vcr.persisters.filesystem import CassetteNotFoundError

        path = Path(cassette_path)
        if not path.is_file():
            raise CassetteNotFoundError()
        data = path.read_text(encoding="utf-8")
        if not data.strip():
            raise CassetteNotFoundError()
        return deserialize(data, serializer)

    @staticmethod
    def save_cassette(cassette_path: str | Path, cassette_dict: dict[str, Any], serializer: Any) -> None:
        write_atomic(Path(cassette_path), serialize(cassette_dict, serializer))


def make_vcr(mode: str, secrets: tuple[str, ...]) -> vcr.VCR:
    """A VCR that records (``mode="record"``) or only replays (``"replay"``), never touching secrets."""
    sensitive = [(f"REDACTED-{n}", s) for n, s in enumerate(sorted(set(filter(None, secrets)), key=len,
                                                                         reverse=True))]
    recorder = vcr.VCR(
        serializer="yaml",
        record_mode="all" if mode == "record" else "none",
        match_on=("business",),  # one operation: the host, port and path of a recording do not matter
        filter_headers=[(h, REDACTED) for h in SECRET_HEADERS],
        filter_query_parameters=[(p, REDACTED) for p in SECRET_QUERY],
        filter_post_data_parameters=[(p, REDACTED) for p in SECRET_QUERY],
        filter_sensitive_data=sensitive,
        decode_compressed_response=True,
    )
    recorder.register_matcher("business", business_matcher)
    recorder.register_persister(AtomicPersister)
    return recorder


def cassette_path(root: str | Path, vendor: str, target: str, requirement_id: str) -> Path:
    return Path(root) / vendor / re.sub(r"[^A-Za-z0-9_.-]+", "_", target) / f"{requirement_id}.yaml"


def describe_miss(miss: ReplayMiss, test: str) -> str:
    request = getattr(miss, "failed_request", None)
    if request is None:  # a cassette from before its metadata existed
        return f"replay: the cassette of {test} lacks {getattr(miss, 'key', 'its metadata')!r}; record it again"
    params = business_params(request)
    return (f"replay: {test} sent a request with no recorded answer in {miss.cassette._path}: "
            f"{request.method} {urlsplit(request.uri).path} {json.dumps(params, ensure_ascii=False)[:600]}")
