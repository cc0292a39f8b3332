"""The hostile servers misbehave exactly as their docstrings say (else the tests using them prove nothing)."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import quote

import httpx
import pytest
from hostile_servers import (
    DeepJSONServer,
    DeepXMLServer,
    DripServer,
    EchoServer,
    LoginPageServer,
    LyingGzipServer,
    OversizeServer,
    StallServer,
)


def raw_get(url: str, query: str, read: int = 1 << 20, timeout: float = 5.0) -> bytes:
    host, port = url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(f"GET /?{query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while len(data) < read:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_echo_puts_credentials_in_names_and_headers(vendor: str) -> None:
    key = "AKID/echo+me"
    with EchoServer(vendor, key_id=key) as server:
        response = httpx.get(server.url, params={"AccessKeyId": key, "SecretId": key, "Signature": "s/g="})
    names = json.dumps(response.json())
    assert key in names and quote(key, safe="") in names
    assert any(key in v for v in response.headers.values())
    assert "s/g=" in response.headers["x-acs-request-id"]


@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_echo_puts_credentials_in_error_messages(vendor: str) -> None:
    with EchoServer(vendor, key_id="right") as server:
        response = httpx.get(server.url, params={"AccessKeyId": "wrong", "SecretId": "wrong"})
    message = json.dumps(response.json())
    assert "Code" in message and "wrong" in message


def test_echo_answers_xml_when_asked() -> None:
    with EchoServer("alibaba") as server:
        response = httpx.get(server.url, params={"Format": "XML", "AccessKeyId": "k<&>"})
    assert response.text.startswith("<?xml") and "k&lt;&amp;&gt;" in response.text


def test_deep_servers_nest_100000() -> None:
    with DeepJSONServer("tencent") as server:
        assert httpx.get(server.url).content.count(b"[") == 100_000
    with DeepXMLServer("alibaba") as server:
        assert httpx.get(server.url).content.count(b"<Instance>") == 100_000


def test_oversize_streams_past_200_mb_unannounced() -> None:
    with OversizeServer("tencent", size=2 * 1024 * 1024) as server:
        head = raw_get(server.url, "a=1", read=4096)
        assert b"Transfer-Encoding: chunked" in head and b"Content-Length" not in head
        with httpx.stream("GET", server.url) as response:
            assert sum(len(c) for c in response.iter_bytes()) > 2 * 1024 * 1024


def test_lying_gzip_breaks_httpx() -> None:
    with LyingGzipServer("tencent") as server:
        with pytest.raises(httpx.DecodingError):
            httpx.get(server.url)


def test_login_page_first_then_answer_ignoring_signature() -> None:
    with LoginPageServer("alibaba") as server:
        first = httpx.get(server.url, params={"PageSize": "5", "Signature": "a", "SignatureNonce": "1"})
        again = httpx.get(server.url, params={"PageSize": "5", "Signature": "b", "SignatureNonce": "2"})
        other = httpx.get(server.url, params={"PageSize": "6", "Signature": "c"})
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    assert again.json()["PageSize"] == 5
    assert other.headers["content-type"].startswith("text/html")


def test_stall_only_the_nth() -> None:
    with StallServer("tencent", only=2) as server, httpx.Client(timeout=1.0) as client:
        assert client.get(server.url).status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            client.get(server.url)
        assert client.get(server.url).status_code == 200


def test_drip_sends_one_byte_per_interval() -> None:
    with DripServer("tencent", interval_s=0.3) as server, httpx.stream("GET", server.url, timeout=5) as response:
        started, got = time.monotonic(), 0
        for chunk in response.iter_raw():
            got += len(chunk)
            if got >= 4:
                break
    assert 0.6 <= time.monotonic() - started < 3


def test_servers_stop_by_themselves() -> None:
    server = StallServer("tencent", lifetime_s=0.5).start()
    time.sleep(1.0)
    assert server.stopped.is_set()
    server.stop()
