"""The vendors' Node SDKs, with their default settings, against the emulator over an IP endpoint.

``tencentcloud-sdk-nodejs-cvm`` signs TC3 with the endpoint's first label as
the scope's service (``127`` for ``127.0.0.1:PORT``) and the URL's hostname
without the port as ``host``; ``@alicloud/ecs20140526`` signs ACS3 by
default and RPC v1 with ``signatureAlgorithm: "v2"``; ``@alicloud/pop-core``
signs RPC v1 over GET. Each is told only the endpoint, the protocol, the
credentials and the region. One node process per vendor runs all of its
SDKs' scenarios (``tests/node/scenarios.js``): every page, a filter, a lookup
by ids and documented errors. ``make test`` installs node, npm and the
pinned packages (``tests/node/package-lock.json``); without them these skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.emulator.fixtures import fake_cloud

pytestmark = pytest.mark.sdk

NODE_DIR = Path(__file__).resolve().parent / "node"
PAGE_SIZE = 7


def _node_ready() -> str | None:
    """Why the Node SDKs cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed (make test installs it with apt)"
    if not (NODE_DIR / "node_modules" / "tencentcloud-sdk-nodejs-cvm").is_dir():
        return "the Node SDKs are not installed: cd tests/node && npm ci --ignore-scripts"
    return None


def run_node(sdks: list[str], plan: dict) -> dict:
    """Run ``scenarios.js`` for ``sdks`` in one node process; what each SDK returned."""
    reason = _node_ready()
    if reason:
        pytest.skip(reason)
    done = subprocess.run(["node", str(NODE_DIR / "scenarios.js"), *sdks], input=json.dumps(plan),
                          capture_output=True, text=True, timeout=120, cwd=NODE_DIR)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def plan_for(cloud, zone_of) -> tuple[dict, list[dict]]:
    listed = cloud.listed()
    plan = {"endpoint": cloud.endpoint, "protocol": cloud.protocol, "keyId": cloud.key_id,
            "secret": cloud.key_secret, "region": cloud.region, "pageSize": PAGE_SIZE, "zone": zone_of(listed[0]),
            "ids": [listed[1]["InstanceId"], listed[4]["InstanceId"]]}
    return plan, listed


def assert_scenarios(answer: dict, plan: dict, listed: list[dict], zone_of) -> None:
    ids = [i["InstanceId"] for i in listed]
    assert [len(p) for p in answer["pages"][:-1]] == [PAGE_SIZE] * (len(answer["pages"]) - 1)
    assert [i for page in answer["pages"] for i in page] == ids
    assert answer["filtered"] == [i["InstanceId"] for i in listed if zone_of(i) == plan["zone"]]
    assert 0 < len(answer["filtered"]) < len(ids)
    assert answer["lookup"] == plan["ids"]


def test_tencent_node_sdk_with_its_defaults():
    def zone_of(i):
        return i["Placement"]["Zone"]

    with fake_cloud("tencent", 50, seed=3) as cloud:
        plan, listed = plan_for(cloud, zone_of)
        answer = run_node(["tencent"], plan)["tencent"]
        modes = {entry.signing for entry in cloud.requests}
    assert_scenarios(answer, plan, listed, zone_of)
    assert answer["errors"] == {"malformed_id": "InvalidInstanceId.Malformed", "unknown_filter": "InvalidFilter",
                                "limit": "InvalidParameterValue", "wrong_secret": "AuthFailure.SignatureFailure"}
    assert modes == {"TC3-HMAC-SHA256"}  # the SDK's default, not HmacSHA256


def test_alibaba_node_sdks_with_their_defaults():
    def zone_of(i):
        return i["ZoneId"]

    sdks = ["ecs-acs3", "ecs-v2", "pop-core"]
    with fake_cloud("alibaba", 50, seed=3) as cloud:
        plan, listed = plan_for(cloud, zone_of)
        answers = run_node(sdks, plan)
        modes = {entry.signing for entry in cloud.requests}
    for sdk in sdks:
        assert_scenarios(answers[sdk], plan, listed, zone_of)
        assert answers[sdk]["errors"] == {"status": "InvalidStatus.NotFound", "page_size": "InvalidParameter",
                                          "region": "InvalidRegionId.NotFound",
                                          "wrong_secret": "SignatureDoesNotMatch"}, sdk
    assert modes == {"ACS3-HMAC-SHA256", "HMAC-SHA1"}
