"""Issue 19: no request reaches a host the user did not name, whatever the endpoint redirects to.

The endpoint is not trusted, and a redirect to another host would hand that host the key id and
a signature still valid for minutes (on 307/308 the signed body itself). Nothing the suite
drives follows one: not its own transport (``bounded_client``/``send_bounded``, the pre-flight
probe), not an official SDK in any signing mode (``conformance/vendors/sdk_guard.py``, below
each SDK). A 3xx is the answer, with its ``Location`` in the evidence.

Each test points a client at a ``RedirectServer`` on 127.0.0.1 whose ``Location`` is an
``OtherHostServer`` on 127.0.0.2, which counts every request it receives: the count must be 0.
These hold the guarantee without a whole run; ``test_hostile_run.py`` holds it for the real
``conformance run``.
"""

from __future__ import annotations

import httpx
import pytest
import requests
from hostile_servers import REDIRECT_STATUSES, OtherHostServer, RedirectServer

from conformance.checks.client import _Guarded
from conformance.run.probe import probe
from conformance.vendors import adapter
from conformance.vendors.base import Credentials, Query
from conformance.vendors.sdk import SdkRaisedError
from conformance.vendors.sdk_guard import SdkGuard
from conformance.vendors.transport import Client, Exchange
from conformance.wire.bounded import bounded_client, send_bounded

VENDORS = ("alibaba", "tencent")
REGIONS = {"alibaba": "cn-hangzhou", "tencent": "ap-guangzhou"}
CREDENTIALS = Credentials("AKIDredirectKey0123456789", "redirect-secret/0123456789")
SDK_MODES = [(vendor, sdk.package, mode) for vendor in VENDORS for sdk in adapter(vendor).sdks() for mode in sdk.modes]
SUITE_MODES = [(vendor, mode) for vendor in VENDORS for mode in adapter(vendor).signing_modes]


def location_of(exchange: Exchange) -> str:
    return {k.lower(): v for k, v in exchange.response_headers.items()}.get("location", "")


@pytest.mark.sdk
@pytest.mark.parametrize("status", REDIRECT_STATUSES)
@pytest.mark.parametrize("vendor,package,mode", SDK_MODES)
def test_an_sdk_does_not_follow_a_redirect_in_any_signing_mode(vendor: str, package: str, mode: str,
                                                               status: int) -> None:
    """The SDK's caller gets the 3xx as the answer (the SDK raises on it); the other host gets nothing."""
    cited: list[Exchange] = []
    with OtherHostServer(vendor) as other, \
            RedirectServer(vendor, status=status, location=other.url, spare_walk=False) as server:
        sdk = next(s for s in adapter(vendor).sdks() if s.package == package)
        client = sdk.client(url=server.url, region=REGIONS[vendor], credentials=CREDENTIALS, mode=mode, timeout=5,
                            on_request=lambda: None)
        guarded = _Guarded(client, 1024 * 1024, 5.0, origin=server.url, cite=cited.append)
        with pytest.raises(SdkRaisedError):
            guarded.describe_instances(Query(limit=100))
    assert other.requests == 0, [(r.method, r.target) for r in other.received]
    assert [r.signing_mode for r in server.redirected] == [mode]  # the request in this mode was redirected
    (exchange,) = cited  # the redirect reached the check as the answer, Location and all
    assert exchange.status == status
    assert location_of(exchange).startswith(other.url.rstrip("/"))
    evidence = exchange.to_dict()
    assert evidence["response"]["status"] == status
    assert evidence["response"]["headers"]["location"].startswith(other.url.rstrip("/"))
    assert "Location" in evidence["note"] and "not followed" in evidence["note"]


@pytest.mark.sdk
@pytest.mark.parametrize("status", REDIRECT_STATUSES)
def test_the_guard_turns_redirects_off_whatever_the_caller_asks(status: int) -> None:
    """``allow_redirects=True`` (requests' default, which both SDKs keep) is overridden below the SDK."""
    with OtherHostServer() as other, \
            RedirectServer(status=status, location=other.url, spare_walk=False) as server:
        with SdkGuard(1024 * 1024, 5.0, origin=server.url) as guard, requests.Session() as session:
            answer = session.post(server.url, data=b"SecretId=AKIDx&Signature=sig", allow_redirects=True)
        assert answer.status_code == status and answer.history == []
        assert answer.headers["location"].startswith(other.url.rstrip("/"))
        assert guard.answer is not None and guard.answer.status == status
    assert other.requests == 0


def test_the_guard_sends_nothing_to_a_host_the_user_did_not_name() -> None:
    """Below every redirect logic, an SDK's request to any other origin is not sent at all."""
    with OtherHostServer() as other, RedirectServer(location=other.url) as server:
        with SdkGuard(1024 * 1024, 5.0, origin=server.url) as guard:
            with pytest.raises(requests.ConnectionError, match="not the endpoint under test"):
                requests.get(other.url, params={"Signature": "sig"}, timeout=5)
            assert guard.elsewhere == f"{other.url}?Signature=<redacted>"
            with pytest.raises(requests.ConnectionError, match="not the endpoint under test"):
                requests.get(server.url.replace("127.0.0.1", "localhost"), timeout=5)  # another name is another host
        assert guard.unreachable is None  # nothing was sent: not an unreachable endpoint either
    assert other.requests == 0 and server.requests == 0


@pytest.mark.parametrize("status", REDIRECT_STATUSES)
@pytest.mark.parametrize("vendor,mode", SUITE_MODES)
def test_the_suite_transport_does_not_follow_a_redirect(vendor: str, mode: str, status: int) -> None:
    """A 3xx is the answer the checks judge; the evidence keeps its Location (credentials in it redacted)."""
    with OtherHostServer(vendor) as other, \
            RedirectServer(vendor, status=status, location=other.url, spare_walk=False) as server:
        client = Client(adapter(vendor), server.url, REGIONS[vendor], CREDENTIALS, signing=mode, retries=0)
        try:
            answer, exchange = client.send(Query(limit=100))
        finally:
            client.close()
    assert other.requests == 0
    assert answer.status == status and not answer.items
    location = exchange.to_dict()["response"]["headers"]["location"]
    assert location.startswith(other.url.rstrip("/"))
    assert CREDENTIALS.key_id not in location
    assert "Signature" not in location or "Signature=<redacted>" in location


@pytest.mark.parametrize("status", REDIRECT_STATUSES)
def test_the_probe_and_a_bounded_client_do_not_follow_a_redirect(status: int) -> None:
    with OtherHostServer() as other, \
            RedirectServer(status=status, location=other.url, spare_walk=False) as server:
        assert probe(server.url) is None  # something answered: that is all the probe asks
        with bounded_client(timeout=5, follow_redirects=True) as http:
            assert http.follow_redirects is False
            response, _ = send_bounded(http, http.build_request("POST", server.url, content=b"Signature=sig"))
        with httpx.Client(follow_redirects=True) as plain:  # send_bounded holds even for a client that would follow
            redirected, _ = send_bounded(plain, plain.build_request("GET", server.url))
    assert response.status_code == status and redirected.status_code == status
    assert other.requests == 0
