"""Alibaba Cloud's official Python SDK (``alibabacloud-ecs20140526``, on Tea/OpenAPI) as a ``client`` judge.

The SDK signs in two modes (``Config.signature_algorithm``): ACS3-HMAC-SHA256
(its default, parameters in the query, the signature in ``Authorization``) and
``v2``, the RPC signature with HMAC-SHA1. It raises a service error as
``AlibabaCloudException`` (``ClientException`` for 4xx, ``ServerException``
for 5xx, ``ThrottlingException``) carrying the answer's ``Code`` and
``RequestId``; DryRun's ``DryRunOperation`` arrives that way too.

``aliyun-python-sdk-core`` is not offered: it sends through its own vendored
copy of ``requests``, which the recorder cannot see, so its verdicts could not
be replayed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from conformance.vendors.base import Credentials, Query
from conformance.vendors.sdk import EXTRA, Raised, SdkPage, SdkRaisedError, SdkUnavailable, qualified

PACKAGE = "alibabacloud-ecs20140526"
#: The modes by the names this suite shows, and the ``signature_algorithm`` each sets (None: the default).
MODES = {"ACS3-HMAC-SHA256": None, "HMAC-SHA1": "v2"}
_TAG = re.compile(r"^Tag\.(\d+)\.(Key|Value|key|value)$")


def _import() -> Any:
    try:
        from alibabacloud_ecs20140526 import models
        from alibabacloud_ecs20140526.client import Client
        from alibabacloud_tea_openapi import models as open_api
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
        from darabonba.runtime import RuntimeOptions
    except ImportError as exc:
        raise SdkUnavailable(f"{PACKAGE} is not installed (pip install 'conformance[{EXTRA}]'): {exc}") from None
    return models, Client, open_api, AlibabaCloudException, RuntimeOptions


def model_map(params: dict[str, Any]) -> dict[str, Any]:
    """The adapter's wire parameters in the shape the SDK's ``from_map`` reads (``Tag.N.Key`` as a ``Tag`` list)."""
    out: dict[str, Any] = {}
    tags: dict[int, dict[str, str]] = {}
    for key, value in params.items():
        match = _TAG.match(key)
        if match:
            tags.setdefault(int(match.group(1)), {})[match.group(2).capitalize()] = value
        else:
            out[key] = value
    if tags:
        out["Tag"] = [tags[n] for n in sorted(tags)]
    return out


class AlibabaSdkClient:
    """An ECS ``Client`` pointed at the target in one signing mode, without the SDK's own retries."""

    def __init__(self, params: Callable[[Query, str], dict[str, Any]], *, url: str, region: str,
                 credentials: Credentials, mode: str, timeout: float, on_request: Callable[[], None]):
        self._models, client, open_api, self._exception, runtime_options = _import()
        parts = urlsplit(url)
        config = open_api.Config(access_key_id=credentials.key_id, access_key_secret=credentials.secret,
                                 endpoint=parts.netloc, protocol=parts.scheme, region_id=region,
                                 read_timeout=int(timeout * 1000), connect_timeout=int(timeout * 1000))
        if MODES[mode]:
            config.signature_algorithm = MODES[mode]
        self._client = client(config)
        self._runtime = runtime_options(autoretry=False, max_attempts=0)
        self._params, self._region = params, region
        self._on_request = on_request

    def describe_instances(self, query: Query) -> SdkPage:
        request = self._models.DescribeInstancesRequest().from_map(model_map(self._params(query, self._region)))
        self._on_request()
        try:
            body = self._client.describe_instances_with_options(request, self._runtime).body
        except self._exception as exc:
            raise SdkRaisedError(Raised(kind=qualified(exc), code=exc.code, message=str(exc.message),
                                        service_error=bool(exc.request_id), status=exc.status_code)) from None
        except Exception as exc:  # noqa: BLE001 - whatever the SDK lets through is what its caller gets
            raise SdkRaisedError(Raised(kind=qualified(exc), code=getattr(exc, "code", None), message=str(exc),
                                        service_error=False)) from None
        instances = body.instances.instance if body.instances and body.instances.instance else []
        return SdkPage(ids=[str(i.instance_id) for i in instances], total=body.total_count)


class AlibabaSdk:
    """``alibabacloud-ecs20140526``: its package name, signing modes and clients."""

    package = PACKAGE
    modes = tuple(MODES)

    def __init__(self, params: Callable[[Query, str], dict[str, Any]]):
        self._params = params

    def client(self, *, url: str, region: str, credentials: Credentials, mode: str, timeout: float,
               on_request: Callable[[], None]) -> AlibabaSdkClient:
        if mode not in MODES:
            raise ValueError(f"{PACKAGE} has no signing mode {mode!r} (one of {', '.join(MODES)})")
        return AlibabaSdkClient(self._params, url=url, region=region, credentials=credentials, mode=mode,
                                timeout=timeout, on_request=on_request)
