"""A live cloud is somebody's account: throttling and dead endpoints make results inconclusive, never failed."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from conformance.emulator import Emulator, EmulatorConfig
from conformance.emulator.auth import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET
from conformance.results import exit_code
from conformance.run.session import SuiteSession
from conformance.run.settings import Settings
from conformance.vendors import transport as client_module

#: An emulator behind a proxy is a foreign endpoint: its credentials are given, as a user would give them.
TEST_KEYS = {"key_id": DEFAULT_KEY_ID, "key_secret": DEFAULT_KEY_SECRET}

FORWARD = httpx.Client()


class ThrottlingProxy(BaseHTTPRequestHandler):
    """Answers every ``every``-th request with Tencent's RequestLimitExceeded, forwards the others."""

    protocol_version = "HTTP/1.1"
    upstream = ""
    every = 2
    count = 0
    lock = threading.Lock()

    def log_message(self, *args) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no delayed-ACK stalls

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.lock:
            type(self).count += 1
            throttle = self.count % self.every == 0
        if throttle:
            data = json.dumps({"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "slow down"},
                                            "RequestId": "r"}}).encode()
            status, content_type = 200, "application/json"
        else:
            answer = FORWARD.post(self.upstream, content=body, headers={k: v for k, v in self.headers.items()})
            data, status, content_type = answer.content, answer.status_code, answer.headers["content-type"]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    """The backoff is real (0.5 s, 1 s, 2 s); the tests need not wait it out."""
    monkeypatch.setattr(client_module.time, "sleep", lambda seconds: None)


def _proxy(upstream: str, every: int):
    handler = type("Proxy", (ThrottlingProxy,), {"upstream": upstream, "every": every, "count": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_throttling_is_retried_and_changes_no_verdict():
    with Emulator(EmulatorConfig("tencent")) as emulator:
        proxy = _proxy(emulator.url, every=3)
        try:
            results = SuiteSession(Settings(vendors=["tencent"], endpoint=f"http://127.0.0.1:{proxy.server_port}", **TEST_KEYS,
                                            categories=["pagination", "filters"])).run_all()
        finally:
            proxy.shutdown()
    assert {r.outcome for r in results if r.documented} == {"passed"}


def test_persistent_throttling_is_inconclusive_not_failed():
    with Emulator(EmulatorConfig("tencent")) as emulator:
        proxy = _proxy(emulator.url, every=1)
        try:
            results = SuiteSession(Settings(vendors=["tencent"], endpoint=f"http://127.0.0.1:{proxy.server_port}", **TEST_KEYS,
                                            categories=["pagination"])).run_all()
        finally:
            proxy.shutdown()
    assert {r.outcome for r in results} <= {"inconclusive", "observed"}
    assert all("RequestLimitExceeded" in r.message for r in results if r.outcome == "inconclusive")
    assert exit_code(results) == 3


def test_an_endpoint_that_dies_makes_the_rest_inconclusive_quickly():
    import time

    emulator = Emulator(EmulatorConfig("alibaba")).start()
    session = SuiteSession(Settings(vendors=["alibaba"], endpoint=emulator.url, **TEST_KEYS))
    requirements = session.selected_requirements()
    first = session.evaluate(requirements[0])
    emulator.stop()
    started = time.monotonic()
    rest = [session.evaluate(r) for r in requirements[1:]]
    session.close()
    assert first.outcome == "passed"
    assert {r.outcome for r in rest if r.documented} <= {"inconclusive", "skipped"}
    assert time.monotonic() - started < 30
