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
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import vcr
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.serialize import deserialize, serialize

from conformance.files import write_atomic
from conformance.vendors import Adapter
from conformance.wire import redact
from conformance.wire.scrub import RUN_SECRETS

#: Parameters that change from run to run: never matched on (nor are the secret ones).
VOLATILE_PARAMS = frozenset({
    "SignatureNonce", "SignatureMethod", "SignatureVersion", "SignatureType", "Timestamp", "Nonce",
    "RequestClient", "Language",
})
IGNORED_PARAMS = VOLATILE_PARAMS | redact.SECRET_PARAMS

ReplayMiss = CannotOverwriteExistingCassetteException
#: What a credential or signature is replaced with in a cassette; short and plain, so that it
#: cannot be mistaken for a live signature in the URL-encoded form a cassette stores it in.
REDACTED = "REDACTED"


class BusinessMatcher:
    """vcrpy matcher: two requests ask the same thing, in the adapter's normal form of their parameters."""

    #: vcrpy names matchers in its messages
    __name__ = "business"

    def __init__(self, adapter: Adapter):
        self.adapter = adapter
        self._memo: dict[tuple[str, str, bytes, tuple[tuple[str, str], ...]], dict[str, str]] = {}
        # by object too: each request is compared with every recorded one, twice (vcrpy asks "can it
        # play?", then plays); the object is kept so that its id cannot be reused meanwhile
        self._objects: dict[int, tuple[Any, dict[str, str]]] = {}

    def params(self, request: Any) -> dict[str, str]:
        """The parameters of a recorded request that say what was asked (memoized: vcrpy compares a lot)."""
        seen = self._objects.get(id(request))
        if seen is not None and seen[0] is request:
            return seen[1]
        params = self._params(request)
        self._objects[id(request)] = (request, params)
        return params

    def _params(self, request: Any) -> dict[str, str]:
        headers = tuple(sorted((str(k).lower(), str(v)) for k, v in dict(request.headers).items()))
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        key = (request.method, request.uri, body, headers)
        if key not in self._memo:
            params = self.adapter.business_params(request.method, _as_stored(request.uri), dict(headers), body)
            self._memo[key] = {k: v for k, v in sorted(params.items()) if k not in IGNORED_PARAMS}
        return self._memo[key]

    def __call__(self, r1: Any, r2: Any) -> None:
        left, right = self.params(r1), self.params(r2)
        if left != right:
            differing = sorted(k for k in set(left) | set(right) if left.get(k) != right.get(k))
            raise AssertionError(f"business parameters differ: {', '.join(differing[:8])}")


def _as_stored(uri: str) -> str:
    """``uri`` with its query as a recording stores it: vcrpy's query filters sort it and drop blank values.

    A replay runs no filters (see :func:`make_vcr`), so the live request is brought to that form here.
    """
    parts = urlsplit(uri)
    if not parts.query:
        return uri
    return urlunsplit(parts._replace(query=urlencode(sorted(parse_qsl(parts.query)))))


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


def _scrub_request(request: Any) -> Any:
    """What the endpoint never needs to see again: the run's secrets and signatures, wherever they stand."""
    request.uri = RUN_SECRETS.scrub(request.uri)
    if request.body:
        request.body = RUN_SECRETS.scrub_data(request.body)
    for name in list(request.headers):
        request.headers[name] = RUN_SECRETS.scrub(str(request.headers[name]))
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """An answer as recorded, with every echo of the run's secrets and signatures replaced."""
    scrubbed: dict[str, Any] = RUN_SECRETS.scrub_data(response)
    return scrubbed


def make_vcr(mode: str, secrets: tuple[str, ...], matcher: BusinessMatcher) -> vcr.VCR:
    """A VCR that records (``mode="record"``) or only replays (``"replay"``), never touching secrets."""
    recording = mode == "record"
    sensitive = [(f"REDACTED-{n}", s) for n, s in enumerate(sorted(set(filter(None, secrets)), key=len,
                                                                         reverse=True))]
    # A replay writes nothing, and the business matcher ignores what the filters and hooks change:
    # vcrpy runs them on every loaded interaction and on every request at every match, copying it
    # each time, a second of a replay spent for nothing. Only a recording gets them.
    filters: dict[str, Any] = dict(
        filter_headers=[(h, REDACTED) for h in sorted(redact.SECRET_HEADERS)],
        filter_query_parameters=[(p, REDACTED) for p in sorted(redact.SECRET_PARAMS)],
        filter_post_data_parameters=[(p, REDACTED) for p in sorted(redact.SECRET_PARAMS)],
        filter_sensitive_data=sensitive,
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
    ) if recording else {}
    recorder = vcr.VCR(
        serializer="yaml",
        record_mode="all" if recording else "none",
        match_on=("business",),  # one operation: the host, port and path of a recording do not matter
        # the body is kept as the endpoint sent it: a lying Content-Encoding is judged by the client, not here
        decode_compressed_response=False,
        **filters,
    )
    recorder.register_matcher("business", matcher)
    recorder.register_persister(AtomicPersister)
    return recorder


def cassette_path(root: str | Path, vendor: str, target: str, requirement_id: str, revision: str = "") -> Path:
    """Where a requirement's cassette lives; a run judging a later document revision keeps its own folder.

    ``revision`` is "" for the seed revision, so the cassettes of existing recordings stay where they are.
    """
    folder = Path(root) / vendor / re.sub(r"[^A-Za-z0-9_.-]+", "_", target)
    return (folder / revision if revision else folder) / f"{requirement_id}.yaml"


def describe_miss(miss: CannotOverwriteExistingCassetteException, test: str, matcher: BusinessMatcher) -> str:
    request = getattr(miss, "failed_request", None)
    if request is None:  # a cassette from before its metadata existed
        return f"replay: the cassette of {test} lacks {getattr(miss, 'key', 'its metadata')!r}; record it again"
    params = matcher.params(request)
    cassette = getattr(miss, "cassette", None)
    return (f"replay: {test} sent a request with no recorded answer in {getattr(cassette, '_path', '?')}: "
            f"{request.method} {urlsplit(request.uri).path} {json.dumps(params, ensure_ascii=False)[:600]}")
