"""Faults on purpose: each one's observable effect, its repeatability from the seed, and the suite's verdicts.

Each test sends signed requests to an emulator with one fault switched on
and checks what a client sees (the vendor's throttling code, a 500, a dropped
connection, the delay, a listing that changes); then runs the same requests
against a fresh emulator with the same seed and checks the faults fall on the
same requests. The last tests run the suite itself under throttling and churn:
inconclusive, never failed.
"""

from __future__ import annotations

import time

import pytest

from conformance.emulator.faults import FaultError, FaultPlan, decide, parse
from conformance.emulator.fixtures import fake_cloud
from conformance.run.session import SuiteSession
from conformance.run.settings import Settings
from conformance.vendors import transport as client_module


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(client_module.time, "sleep", lambda seconds: None)


def test_fault_flags_parse_and_refuse_with_reasons():
    plan = parse(["throttle=0.2", "error=0.01", "latency=50ms", "reset=0.01"], churn=0.1, seed=7)
    assert plan == FaultPlan(throttle=0.2, error=0.01, reset=0.01, latency_ms=50, churn=0.1, seed=7)
    assert parse(["latency=0.2s"]).latency_ms == 200
    for bad, reason in [(["throttle=2"], "probability"), (["nope=1"], "unknown fault"), (["latency=fast"], "duration"),
                        (["throttle"], "NAME=VALUE"), (["throttle=0.6", "error=0.6"], "more than 1")]:
        with pytest.raises(FaultError, match=reason):
            parse(bad)


def test_decisions_are_a_function_of_seed_and_sequence():
    plan = FaultPlan(throttle=0.3, error=0.1, reset=0.1, seed=5)
    first = [decide(plan, n) for n in range(500)]
    assert first == [decide(plan, n) for n in range(500)]
    assert first != [decide(FaultPlan(throttle=0.3, error=0.1, reset=0.1, seed=6), n) for n in range(500)]
    counts = {k: first.count(k) for k in ("throttle", "error", "reset", None)}
    assert 110 < counts["throttle"] < 190 and 25 < counts["error"] < 75 and 25 < counts["reset"] < 75


def _tencent_outcomes(cloud, count: int) -> list[str]:
    """What each of ``count`` DescribeInstances calls of the official SDK met: ok, an error code, or a transport error."""
    from tencentcloud.common import credential
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cvm.v20170312 import cvm_client, models

    client = cvm_client.CvmClient(credential.Credential(cloud.key_id, cloud.key_secret), cloud.region,
                                  ClientProfile(httpProfile=HttpProfile(endpoint=cloud.endpoint, protocol="http",
                                                                        reqTimeout=5)))
    outcomes = []
    for _ in range(count):
        try:
            client.DescribeInstances(models.DescribeInstancesRequest())
            outcomes.append("ok")
        except TencentCloudSDKException as exc:
            outcomes.append("reset" if exc.code in ("ClientNetworkError", "ServerNetworkError") else exc.code)
    return outcomes


def _alibaba_outcomes(cloud, count: int) -> list[str]:
    """What each of ``count`` calls of aliyun-python-sdk-core met: ok, 'HTTP:code', or reset."""
    import json

    from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest

    client = AcsClient(cloud.key_id, cloud.key_secret, cloud.region, port=cloud.emulator.port, max_retry_time=0,
                       auto_retry=False)
    outcomes = []
    for _ in range(count):
        request = DescribeInstancesRequest()
        request.set_endpoint(cloud.emulator.host)
        request.set_protocol_type("http")
        try:
            json.loads(client.do_action_with_exception(request))
            outcomes.append("ok")
        except ServerException as exc:
            outcomes.append(f"{exc.get_http_status()}:{exc.get_error_code()}")
        except ClientException:
            outcomes.append("reset")
    return outcomes


OUTCOMES = {"alibaba": _alibaba_outcomes, "tencent": _tencent_outcomes}


@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
@pytest.mark.parametrize("fault, expected", [
    ("throttle", {"alibaba": "400:Throttling.User", "tencent": "RequestLimitExceeded"}),
    ("error", {"alibaba": "500:InternalError", "tencent": "InternalError"}),
    ("reset", {"alibaba": "reset", "tencent": "reset"}),
])
def test_each_fault_is_seen_by_an_sdk_and_repeats_with_its_seed(vendor, fault, expected):
    faults = {fault: 0.3, "seed": 11}
    with fake_cloud(vendor, 20, faults=faults) as cloud:
        first = OUTCOMES[vendor](cloud, 30)
        met = cloud.faults_met
    assert set(first) == {"ok", expected[vendor]}, first
    assert 3 <= first.count(expected[vendor]) <= 20
    assert [n for n, kind in met] == [n for n, o in enumerate(first) if o != "ok"]
    with fake_cloud(vendor, 20, faults=faults) as again:
        assert OUTCOMES[vendor](again, 30) == first
    with fake_cloud(vendor, 20, faults={fault: 0.3, "seed": 12}) as other:
        assert OUTCOMES[vendor](other, 30) != first


def test_latency_delays_every_answer():
    with fake_cloud("tencent", 5, faults={"latency_ms": 150}) as slow, fake_cloud("tencent", 5) as fast:
        timings = {}
        for name, cloud in (("slow", slow), ("fast", fast)):
            _tencent_outcomes(cloud, 1)  # connection set-up out of the way
            started = time.perf_counter()
            assert _tencent_outcomes(cloud, 5) == ["ok"] * 5
            timings[name] = (time.perf_counter() - started) / 5
    assert timings["slow"] >= 0.15 and timings["fast"] < timings["slow"] - 0.1, timings


def _walk_ids(cloud, page: int = 7) -> list[str]:
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cvm.v20170312 import cvm_client, models

    client = cvm_client.CvmClient(credential.Credential(cloud.key_id, cloud.key_secret), cloud.region,
                                  ClientProfile(httpProfile=HttpProfile(endpoint=cloud.endpoint, protocol="http")))
    ids, offset = [], 0
    while True:
        request = models.DescribeInstancesRequest()
        request.Offset, request.Limit = offset, page
        answer = client.DescribeInstances(request)
        ids += [i.InstanceId for i in answer.InstanceSet]
        offset += page
        if offset >= answer.TotalCount:
            return ids


def test_churn_changes_the_listing_while_a_client_pages_and_repeats():
    with fake_cloud("tencent", 60, faults={"churn": 0.5, "seed": 3}) as cloud:
        before = [i["InstanceId"] for i in cloud.listed()]
        walked = _walk_ids(cloud)
        after = [i["InstanceId"] for i in cloud.listed()]
        churned = [n for n, kind in cloud.faults_met if kind == "churn"]
    assert churned, "churn 0.5 met no request"
    assert before != after and len(after) >= 1
    assert walked != before or walked != after  # the walk saw a listing that moved under it
    with fake_cloud("tencent", 60, faults={"churn": 0.5, "seed": 3}) as again:
        assert _walk_ids(again) == walked
        assert [i["InstanceId"] for i in again.listed()] == after


# ------------------------------------------------------------------ the suite under faults

def _suite(vendor: str, faults: dict, categories: list[str]):
    with fake_cloud(vendor, 150, faults=faults) as cloud:
        return SuiteSession(Settings(vendors=[vendor], endpoint=cloud.url, key_id=cloud.key_id,
                                     key_secret=cloud.key_secret, categories=categories)).run_all()


@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_persistent_throttling_makes_the_suite_inconclusive_never_failed(vendor):
    results = _suite(vendor, {"throttle": 1.0}, ["pagination"])
    assert results and {r.outcome for r in results} <= {"inconclusive", "observed", "skipped"}
    assert any(r.outcome == "inconclusive" for r in results)


@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_some_throttling_is_retried_and_fails_nothing(vendor):
    results = _suite(vendor, {"throttle": 0.2, "seed": 1}, ["pagination", "filters"])
    assert "failed" not in {r.outcome for r in results}
    assert any(r.outcome == "passed" for r in results)


@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_churn_makes_the_suite_inconclusive_never_failed(vendor):
    results = _suite(vendor, {"churn": 0.3, "seed": 2}, ["pagination", "filters"])
    failed = [f"{r.requirement}: {r.message}" for r in results if r.outcome == "failed"]
    assert not failed, failed
