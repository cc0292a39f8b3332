"""TC3 as clients other than the suite sign it: the scope's service from the host, more signed headers.

A client derives the scope's service from its endpoint's first label and may
sign more headers than ``content-type;host``. The emulator verifies all of
these with the secret, and still refuses a scope naming another service, a
header set without ``host``, and a wrong secret.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest

from conformance.emulator import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET
from conformance.emulator.fixtures import fake_cloud
from conformance.wire import signing


@pytest.fixture(scope="module")
def cloud():
    with fake_cloud("tencent", 12) as cloud:
        yield cloud


def tc3_post(cloud, *, service: str, signed: tuple[str, ...] = ("content-type", "host"), signed_host: str | None = None,
             secret: str = DEFAULT_KEY_SECRET, extra: dict[str, str] | None = None) -> dict:
    body = json.dumps({"Limit": 5}).encode()
    timestamp = str(int(time.time()))
    date = time.strftime("%Y-%m-%d", time.gmtime(int(timestamp)))
    headers = {"Content-Type": "application/json", "Host": cloud.endpoint, "X-TC-Action": "DescribeInstances",
               "X-TC-Version": "2017-03-12", "X-TC-Region": cloud.region, "X-TC-Timestamp": timestamp,
               **(extra or {})}
    to_sign = {**headers, "Host": signed_host or cloud.endpoint}
    canonical = signing.tc3_canonical_request_signed("POST", "/", "", to_sign, signed, body)
    signature = signing.tc3_signature(secret, date, service, timestamp, canonical)
    headers["Authorization"] = (f"{signing.TC3} Credential={DEFAULT_KEY_ID}/{date}/{service}/tc3_request, "
                                f"SignedHeaders={';'.join(sorted(signed))}, Signature={signature}")
    return httpx.post(cloud.url, content=body, headers=headers).json()["Response"]


def test_the_service_may_be_the_first_label_of_an_ip_endpoint(cloud):
    assert "InstanceSet" in tc3_post(cloud, service="127")
    assert "InstanceSet" in tc3_post(cloud, service="cvm")
    assert "InstanceSet" in tc3_post(cloud, service="127", signed_host="127.0.0.1")  # the URL's hostname
    assert tc3_post(cloud, service="cbs")["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_any_signed_header_set_with_content_type_and_host(cloud):
    signed = ("content-type", "host", "x-tc-action", "x-tc-timestamp", "x-tc-custom")
    assert "InstanceSet" in tc3_post(cloud, service="cvm", signed=signed, extra={"X-TC-Custom": "Mixed Case"})
    assert tc3_post(cloud, service="cvm", signed=signed, secret="wrong",
                    extra={"X-TC-Custom": "v"})["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert tc3_post(cloud, service="cvm", signed=("content-type", "x-tc-action"))["Error"]["Code"] \
        == "AuthFailure.SignatureFailure"


def test_two_header_form_equals_the_general_form():
    headers = {"Content-Type": "application/json", "Host": "cvm.tencentcloudapi.com"}
    assert signing.tc3_canonical_request("POST", "/", "", "application/json", "cvm.tencentcloudapi.com", b"{}") \
        == signing.tc3_canonical_request_signed("POST", "/", "", headers, ("host", "content-type"), b"{}")
