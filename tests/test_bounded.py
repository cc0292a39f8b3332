"""Bounded reading of untrusted answers (issue 14): each bound holds, and each can be seen failing."""

from __future__ import annotations

import gzip
import json
import threading
import time
import tracemalloc
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

import httpx
import pytest
from hostile_servers import (
    DeepJSONServer,
    DripServer,
    GzipBombServer,
    HostileServer,
    LyingGzipServer,
    OversizeServer,
    RawRequest,
    StallServer,
)

from conformance.wire.bounded import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DEPTH,
    AnswerRefused,
    bounded_client,
    check_xml_depth,
    describe_size,
    loads_json,
    send_bounded,
)

DEEP = 100_000


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as client:
        yield client


def get(url: str) -> httpx.Request:
    return httpx.Request("GET", url + "?Action=DescribeInstances")


# ---------------------------------------------------------------- JSON


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_defaults_are_documented_values() -> None:
    assert DEFAULT_MAX_BYTES == 32 * 1024 * 1024
    assert 16 <= DEFAULT_MAX_DEPTH <= 128


def test_json_within_depth_is_decoded() -> None:
    assert loads_json(nested(99), max_depth=128) is not None
    assert loads_json(nested(128), max_depth=128) is not None
    assert loads_json(b'{"a": [1, {"b": "x"}]}', max_depth=3) == {"a": [1, {"b": "x"}]}


def test_json_one_level_too_deep_is_refused() -> None:
    with pytest.raises(AnswerRefused) as refused:
        loads_json(nested(129), max_depth=128)
    assert refused.value.kind == "too-deep" and "128" in refused.value.reason


def test_json_100000_deep_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(AnswerRefused) as refused:
        loads_json(nested(DEEP), max_depth=DEFAULT_MAX_DEPTH)
    assert refused.value.kind == "too-deep"
    assert time.perf_counter() - started < 1.0


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"name": "[[[[{{{{" * 100, "escaped": 'a\\"[[[[' * 50})
    assert loads_json(text, max_depth=1)["name"].startswith("[[[[")


def test_strings_without_escapes_take_the_fast_path_and_still_hide_nothing() -> None:
    """Without a backslash the strings are every other run between quotes: their brackets do not count, the
    brackets between them do, and a string left open cannot hide nesting from the decoder."""
    assert loads_json(json.dumps({"a": "[[[[{{{{" * 100, "b": ["]]]]"]}), max_depth=2)["b"] == ["]]]]"]
    with pytest.raises(AnswerRefused) as refused:
        loads_json('{"a": "[[[", "b": ' + "[" * 70 + "]" * 70 + "}", max_depth=DEFAULT_MAX_DEPTH)
    assert refused.value.kind == "too-deep"
    with pytest.raises((ValueError, AnswerRefused)):  # refused or invalid, never decoded nor recursed into
        loads_json('{"a": "' + "[" * 100000, max_depth=DEFAULT_MAX_DEPTH)


def test_one_thread_rings_every_deadline_and_a_cancelled_one_never() -> None:
    from conformance.wire.bounded import _ALARMS

    rang: list[str] = []
    early = _ALARMS.add(0.05, lambda: rang.append("early"))
    cancelled = _ALARMS.add(0.1, lambda: rang.append("cancelled"))
    _ALARMS.add(0.15, lambda: rang.append("late"))
    _ALARMS.cancel(cancelled)
    started = [t for t in threading.enumerate() if t.name == "conformance-deadlines"]
    time.sleep(0.4)
    assert rang == ["early", "late"] and early[2] is None
    assert len([t for t in threading.enumerate() if t.name == "conformance-deadlines"]) == len(started) == 1


def test_invalid_json_stays_a_value_error() -> None:
    with pytest.raises(ValueError):
        loads_json("{not json", max_depth=8)


def test_non_utf8_bytes_are_undecodable() -> None:
    with pytest.raises(AnswerRefused) as refused:
        loads_json(b'{"a": "\xff\xfe"}', max_depth=8)
    assert refused.value.kind == "undecodable"


# ---------------------------------------------------------------- XML


def xml_nested(depth: int) -> bytes:
    return b"<R>" + b"<a>" * (depth - 1) + b"</a>" * (depth - 1) + b"</R>"


def test_xml_within_depth_passes() -> None:
    check_xml_depth(xml_nested(64), max_depth=64)
    check_xml_depth(b'<?xml version="1.0"?><DescribeInstancesResponse><RequestId>x</RequestId>'
                    b"</DescribeInstancesResponse>", max_depth=2)


def test_xml_one_level_too_deep_is_refused() -> None:
    with pytest.raises(AnswerRefused) as refused:
        check_xml_depth(xml_nested(65), max_depth=64)
    assert refused.value.kind == "too-deep"


def test_xml_100000_deep_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(AnswerRefused):
        check_xml_depth(DeepXML := xml_nested(DEEP), max_depth=DEFAULT_MAX_DEPTH)  # noqa: F841
    assert time.perf_counter() - started < 1.0


def test_xml_dtd_and_entities_are_refused() -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
              b"<R>&b;</R>")
    with pytest.raises(AnswerRefused) as refused:
        check_xml_depth(laughs, max_depth=8)
    assert refused.value.kind == "undecodable"


def test_malformed_xml_stays_a_parse_error() -> None:
    with pytest.raises(ParseError):
        check_xml_depth(b"<R><a></R>", max_depth=8)


# ---------------------------------------------------------------- sending


def test_describe_size() -> None:
    assert describe_size(200 * 1024 * 1024) == "200 MB"
    assert describe_size(32 * 1024 * 1024) == "32 MB"
    assert describe_size(1536) == "1.5 kB"
    assert describe_size(12) == "12 bytes"


def test_a_proper_answer_is_read(http: httpx.Client) -> None:
    with HostileServer("alibaba") as server:
        response, body = send_bounded(http, get(server.url), max_bytes=1 << 20, deadline_s=5)
    assert response.status_code == 200
    assert json.loads(body)["Instances"]["Instance"][0]["InstanceName"] == "web-1"


def test_a_read_answer_is_freed_without_the_garbage_collector() -> None:
    """httpx binds a response and its stream in a reference cycle; a recorder below keeps the body in it.

    With the cycle cut, the body goes when the last reference does: a run against a server
    answering megabytes no longer holds every answer until the collector comes by.
    """
    import gc
    import weakref

    class Recorded(httpx.SyncByteStream):
        """An answer held whole, as a recorder below the client holds it."""

        def __init__(self, data: bytes) -> None:
            self.data = data

        def __iter__(self) -> Iterator[bytes]:
            yield self.data

    made: list[weakref.ref[Recorded]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        payload = Recorded(b"x" * 1_000_000)
        made.append(weakref.ref(payload))
        return httpx.Response(200, stream=payload, headers={"content-type": "text/plain"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        response, body = send_bounded(client, httpx.Request("GET", "http://h/"), max_bytes=2_000_000, deadline_s=5)
        assert len(body) == 1_000_000 and response.status_code == 200
        del response, body
        assert made and made[0]() is None, "the answer is still held by a reference cycle"
    finally:
        if enabled:
            gc.enable()
        client.close()


class HonestGzip(HostileServer):
    def answer(self, conn, request: RawRequest, number: int) -> bool:
        return self.send(conn, 200, "application/json", gzip.compress(b'{"ok": true}'), [("Content-Encoding", "gzip")])


def test_honest_gzip_is_decoded(http: httpx.Client) -> None:
    with HonestGzip() as server:
        _response, body = send_bounded(http, get(server.url), max_bytes=1 << 20, deadline_s=5)
    assert body == b'{"ok": true}'


def test_empty_body_with_gzip_is_empty(http: httpx.Client) -> None:
    class EmptyGzip(HostileServer):
        def answer(self, conn, request: RawRequest, number: int) -> bool:
            return self.send(conn, 200, "application/json", b"", [("Content-Encoding", "gzip")])

    with EmptyGzip() as server:
        assert send_bounded(http, get(server.url), max_bytes=1024, deadline_s=5)[1] == b""


def test_truncated_gzip_is_undecodable(http: httpx.Client) -> None:
    class Truncated(HostileServer):
        def answer(self, conn, request: RawRequest, number: int) -> bool:
            return self.send(conn, 200, "application/json", gzip.compress(b"x" * 1000)[:-12],
                             [("Content-Encoding", "gzip")])

    with Truncated() as server, pytest.raises(AnswerRefused) as refused:
        send_bounded(http, get(server.url), max_bytes=1 << 20, deadline_s=5)
    assert refused.value.kind == "undecodable"


def test_lying_gzip_is_undecodable(http: httpx.Client) -> None:
    with LyingGzipServer("tencent") as server:
        with pytest.raises(AnswerRefused) as refused:
            send_bounded(http, get(server.url), max_bytes=1 << 20, deadline_s=5)
    assert refused.value.kind == "undecodable" and "gzip" in refused.value.reason


def test_announced_oversize_is_refused_before_reading(http: httpx.Client) -> None:
    class Announces(HostileServer):
        def answer(self, conn, request: RawRequest, number: int) -> bool:
            from hostile_servers import response_head

            conn.sendall(response_head(200, [("Content-Type", "application/json")], length=200 * 1024 * 1024))
            self.stopped.wait(30)
            return False

    with Announces() as server:
        started = time.monotonic()
        with pytest.raises(AnswerRefused) as refused:
            send_bounded(http, get(server.url), max_bytes=DEFAULT_MAX_BYTES, deadline_s=20)
        assert time.monotonic() - started < 2
    assert refused.value.kind == "too-large"
    assert refused.value.reason == "the answer was 200 MB (Content-Length), over the 32 MB limit"


def test_streamed_200_mb_is_refused_with_bounded_memory(http: httpx.Client) -> None:
    with OversizeServer("tencent") as server:
        tracemalloc.start()
        try:
            with pytest.raises(AnswerRefused) as refused:
                send_bounded(http, get(server.url), max_bytes=DEFAULT_MAX_BYTES, deadline_s=60)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert refused.value.kind == "too-large" and "32 MB limit" in refused.value.reason
    assert peak < 64 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB"


def test_gzip_bomb_is_capped_on_decoded_bytes(http: httpx.Client) -> None:
    with GzipBombServer("tencent", inflated=256 * 1024 * 1024) as server:
        tracemalloc.start()
        try:
            with pytest.raises(AnswerRefused) as refused:
                send_bounded(http, get(server.url), max_bytes=8 * 1024 * 1024, deadline_s=30)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert refused.value.kind == "too-large"
    assert peak < 40 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB"


def test_deep_json_server_body_is_read_then_refused_by_loads(http: httpx.Client) -> None:
    with DeepJSONServer("tencent") as server:
        _response, body = send_bounded(http, get(server.url), max_bytes=DEFAULT_MAX_BYTES, deadline_s=10)
    with pytest.raises(AnswerRefused):
        loads_json(body, DEFAULT_MAX_DEPTH)


@pytest.mark.parametrize("server", [
    pytest.param(lambda: DripServer("tencent", interval_s=2.0), id="drip-body"),
    pytest.param(lambda: DripServer("tencent", interval_s=0.5, drip_headers=True), id="drip-headers"),
    pytest.param(lambda: StallServer("tencent"), id="stall-before-headers"),
])
def test_deadline_ends_slow_answers(http: httpx.Client, server) -> None:
    deadline = 3.0
    with server() as running:
        started = time.monotonic()
        with pytest.raises(AnswerRefused) as refused:
            send_bounded(http, get(running.url), max_bytes=DEFAULT_MAX_BYTES, deadline_s=deadline)
        took = time.monotonic() - started
    assert refused.value.kind == "deadline"
    assert deadline - 0.3 <= took < deadline + 1.0, took


def test_stall_on_a_reused_connection_ends_at_the_deadline(http: httpx.Client) -> None:
    """The second request rides the first one's keep-alive connection, which the watchdog has not seen connect."""
    with StallServer("tencent", only=2) as server:
        send_bounded(http, get(server.url), max_bytes=DEFAULT_MAX_BYTES, deadline_s=5)
        started = time.monotonic()
        with pytest.raises(AnswerRefused) as refused:
            send_bounded(http, get(server.url), max_bytes=DEFAULT_MAX_BYTES, deadline_s=2.0)
        took = time.monotonic() - started
    assert refused.value.kind == "deadline" and took < 3.0, took


def test_connection_refused_stays_a_transport_error(http: httpx.Client) -> None:
    server = HostileServer()
    url = server.url
    server.stop()  # never started: nothing listens once the socket is closed
    with pytest.raises(httpx.ConnectError):
        send_bounded(http, get(url), max_bytes=1024, deadline_s=5)


# ---------------------------------------------------------------- under vcrpy recording


def test_bounded_client_reads_a_proper_answer() -> None:
    with HostileServer("tencent") as server, bounded_client(timeout=5) as client:
        response, body = send_bounded(client, get(server.url), max_bytes=1 << 20, deadline_s=5)
    assert response.status_code == 200 and b"InstanceSet" in body


def test_recording_keeps_the_size_cap_with_a_bounded_client(tmp_path) -> None:
    """vcrpy reads the whole body inside httpx's transport: only a cap below it holds while recording."""
    import vcr

    recorder = vcr.VCR(record_mode="all", decode_compressed_response=False)
    with OversizeServer("tencent") as server, bounded_client(timeout=10) as client:
        tracemalloc.start()
        try:
            with recorder.use_cassette(str(tmp_path / "c.yaml")):
                with pytest.raises(AnswerRefused) as refused:
                    send_bounded(client, get(server.url), max_bytes=8 * 1024 * 1024, deadline_s=30)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert refused.value.kind == "too-large"
    assert peak < 40 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB"


def test_recording_keeps_the_deadline(tmp_path) -> None:
    import vcr

    recorder = vcr.VCR(record_mode="all", decode_compressed_response=False)
    with DripServer("tencent", interval_s=0.5) as server, bounded_client(timeout=10) as client:
        started = time.monotonic()
        with recorder.use_cassette(str(tmp_path / "c.yaml")):
            with pytest.raises(AnswerRefused) as refused:
                send_bounded(client, get(server.url), max_bytes=DEFAULT_MAX_BYTES, deadline_s=2.0)
        took = time.monotonic() - started
    assert refused.value.kind == "deadline" and took < 3.0, took
