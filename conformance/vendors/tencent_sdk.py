"""Tencent Cloud's official Python SDK (``tencentcloud-sdk-python-cvm``) as a ``client`` judge.

The SDK signs in three modes (``ClientProfile.signMethod``): TC3-HMAC-SHA256
with a JSON body, and HmacSHA256 and HmacSHA1 with a form. It reads only
HTTP 200 answers: any other status becomes ``TencentCloudSDKException`` with
code ``ServerNetworkError`` (``AbstractClient._check_status``), whatever the
body says. A service error is the same exception class with the answer's
``Error.Code`` and its ``RequestId``; that request id is how an exception the
service caused is told apart from one the SDK made up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from conformance.vendors.base import Credentials, Query
from conformance.vendors.sdk import EXTRA, Raised, SdkPage, SdkRaisedError, SdkUnavailable, qualified

PACKAGE = "tencentcloud-sdk-python-cvm"
MODES = ("TC3-HMAC-SHA256", "HmacSHA256", "HmacSHA1")


def _import() -> Any:
    try:
        from tencentcloud.common import credential
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.cvm.v20170312 import cvm_client, models
    except ImportError as exc:
        raise SdkUnavailable(f"{PACKAGE} is not installed (pip install 'conformance[{EXTRA}]'): {exc}") from None
    return credential, TencentCloudSDKException, ClientProfile, HttpProfile, cvm_client, models


class TencentSdkClient:
    """A ``CvmClient`` pointed at the target in one signing mode."""

    def __init__(self, params: Callable[[Query, str], dict[str, Any]], *, url: str, region: str,
                 credentials: Credentials, mode: str, timeout: float, on_request: Callable[[], None]):
        credential, self._exception, client_profile, http_profile, cvm_client, self._models = _import()
        parts = urlsplit(url)
        profile = client_profile(signMethod=mode, httpProfile=http_profile(
            endpoint=parts.netloc, protocol=parts.scheme, reqTimeout=max(1, int(timeout))))
        self._client = cvm_client.CvmClient(credential.Credential(credentials.key_id, credentials.secret),
                                            region, profile)
        self._params, self._region = params, region
        self._on_request = on_request

    def describe_instances(self, query: Query) -> SdkPage:
        request = self._models.DescribeInstancesRequest()
        request.from_json_string(json.dumps(self._params(query, self._region)))
        self._on_request()
        try:
            answer = self._client.DescribeInstances(request)
        except self._exception as exc:
            raise SdkRaisedError(Raised(kind=qualified(exc), code=exc.get_code(), message=str(exc.get_message()),
                                        service_error=bool(exc.get_request_id()))) from None
        except Exception as exc:  # noqa: BLE001 - whatever the SDK lets through is what its caller gets
            raise SdkRaisedError(Raised(kind=qualified(exc), code=None, message=str(exc),
                                        service_error=False)) from None
        return SdkPage(ids=[str(i.InstanceId) for i in answer.InstanceSet or []], total=answer.TotalCount)


class TencentSdk:
    """``tencentcloud-sdk-python-cvm``: its package name, signing modes and clients."""

    package = PACKAGE
    modes = MODES

    def __init__(self, params: Callable[[Query, str], dict[str, Any]]):
        self._params = params

    def client(self, *, url: str, region: str, credentials: Credentials, mode: str, timeout: float,
               on_request: Callable[[], None]) -> TencentSdkClient:
        if mode not in MODES:
            raise ValueError(f"{PACKAGE} has no signing mode {mode!r} (one of {', '.join(MODES)})")
        return TencentSdkClient(self._params, url=url, region=region, credentials=credentials, mode=mode,
                                timeout=timeout, on_request=on_request)
