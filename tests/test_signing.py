"""Our signatures equal the official SDKs' for the same inputs.

The suite signs with :mod:`conformance.wire.signing` and the emulator verifies with
it, so these comparisons with clients nobody here wrote are what keeps the
loop honest.
"""

from __future__ import annotations

import json
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import pytest

from conformance.wire import signing

KEY_ID, SECRET = "LTAI-test-key", "s3cr3t/+=value"
PARAMS = {
    "Action": "DescribeInstances", "Version": "2014-05-26", "RegionId": "cn-hangzhou", "PageSize": "7",
    "InstanceIds": '["i-abc","i-def"]', "InstanceName": "web*", "Tag.1.Key": "env", "Tag.1.Value": "prod ü~*",
    "Format": "JSON", "AccessKeyId": KEY_ID, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
    "SignatureNonce": "nonce-1", "Timestamp": "2026-11-22T10:00:00Z",
}


@pytest.mark.sdk
def test_alibaba_rpc_equals_aliyun_sdk_core():
    from aliyunsdkcore.auth.composer import rpc_signature_composer

    url, _ = rpc_signature_composer.get_signed_url(dict(PARAMS), KEY_ID, SECRET, "JSON", "GET", {})
    sent = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))  # it signs an empty SignatureType
    assert signing.alibaba_rpc_signature("GET", sent, SECRET) == sent["Signature"]


@pytest.mark.sdk
def test_alibaba_rpc_equals_tea_sdk_v2():
    from alibabacloud_tea_openapi.utils import Utils

    for method in ("GET", "POST"):
        assert signing.alibaba_rpc_signature(method, PARAMS, SECRET) == Utils.get_rpcsignature(PARAMS, method, SECRET)


@pytest.mark.sdk
def test_alibaba_rpc_equals_libcloud():
    from libcloud.common.aliyun import AliyunRequestSignerAlgorithmV1_0

    signer = AliyunRequestSignerAlgorithmV1_0(KEY_ID, SECRET, "2014-05-26")
    assert signing.alibaba_rpc_signature("GET", PARAMS, SECRET) == signer._sign_request(dict(PARAMS), "GET", "/")


@pytest.mark.sdk
def test_alibaba_acs3_equals_tea_sdk():
    from alibabacloud_tea_openapi.utils import Utils

    class Request:
        method = "POST"
        pathname = "/"
        query = {"RegionId": "cn-hangzhou", "PageSize": "7", "InstanceName": "web *"}
        headers = {"host": "ecs.example:8080", "x-acs-action": "DescribeInstances", "x-acs-version": "2014-05-26",
                   "x-acs-date": "2026-11-22T10:00:00Z", "x-acs-signature-nonce": "n-1",
                   "x-acs-content-sha256": signing.sha256_hex(b""), "user-agent": "sdk"}

    expected = Utils.get_authorization(Request, signing.ACS3, signing.sha256_hex(b""), KEY_ID, SECRET)
    canonical = signing.acs3_canonical_request("POST", "/", Request.query, Request.headers, Request.headers,
                                               signing.sha256_hex(b""))
    ours = signing.acs3_authorization(KEY_ID, Request.headers, signing.acs3_signature(SECRET, canonical))
    assert ours == expected
    parsed = signing.parse_authorization(expected)
    assert parsed is not None and parsed.key_id == KEY_ID and "x-acs-date" in parsed.signed_headers


def _tencent_client(sign_method: str):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cvm.v20170312 import cvm_client

    profile = ClientProfile(signMethod=sign_method, httpProfile=HttpProfile(endpoint="cvm.example:9000"))
    return cvm_client.CvmClient(credential.Credential(KEY_ID, SECRET), "ap-guangzhou", profile)


TENCENT_PARAMS = {"Filters": [{"Name": "zone", "Values": ["ap-guangzhou-1", "ap-guangzhou-2"]}], "Limit": 5}


@pytest.mark.sdk
@pytest.mark.parametrize("sign_method", ["HmacSHA256", "HmacSHA1"])
def test_tencent_v1_equals_sdk(sign_method):
    from tencentcloud.common.http.request import RequestInternal

    client = _tencent_client(sign_method)
    request = RequestInternal("cvm.example:9000", "POST", "/")
    client._build_req_with_old_signature("DescribeInstances", TENCENT_PARAMS, request, {})
    sent = dict(parse_qsl(request.data))
    assert sent["Filters.0.Values.1"] == "ap-guangzhou-2"  # the SDK numbers from 0
    ours = signing.tencent_v1_signature("POST", "cvm.example:9000", "/", sent, SECRET, sign_method)
    assert ours == sent["Signature"]


@pytest.mark.sdk
def test_tencent_tc3_equals_sdk():
    from tencentcloud.common.http.request import RequestInternal

    client = _tencent_client("TC3-HMAC-SHA256")
    request = RequestInternal("cvm.example:9000", "POST", "/")
    with mock.patch("time.time", return_value=1795000000):
        client._build_req_with_tc3_signature("DescribeInstances", TENCENT_PARAMS, request, {})
    header = request.header
    date = "2026-11-18"
    canonical = signing.tc3_canonical_request("POST", "/", "", header["Content-Type"], header["Host"],
                                              request.data.encode())
    signature = signing.tc3_signature(SECRET, date, "cvm", header["X-TC-Timestamp"], canonical)
    assert signing.tc3_authorization(KEY_ID, date, "cvm", signature) == header["Authorization"]
    assert json.loads(request.data) == TENCENT_PARAMS


def test_signatures_change_with_the_secret_and_the_parameters():
    base = signing.alibaba_rpc_signature("GET", PARAMS, SECRET)
    assert signing.alibaba_rpc_signature("GET", PARAMS, SECRET + "x") != base
    assert signing.alibaba_rpc_signature("GET", {**PARAMS, "PageSize": "8"}, SECRET) != base
    assert signing.alibaba_rpc_signature("POST", PARAMS, SECRET) != base


def test_parse_authorization_rejects_malformed_headers():
    assert signing.parse_authorization("ACS3-HMAC-SHA256 garbage") is None
    assert signing.parse_authorization("") is None
