"""The control API under ``/_conformance/``, ``--no-auth`` with curl, and the request log it serves.

One emulator process per vendor serves the whole module, as a user runs it
(``conformance emulator --no-auth``), and is driven with the curl binary;
the control operations that need a signed client run against one in-process
fake cloud per vendor. The log is read both ways and never holds a secret.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import httpx
import pytest

from conformance.emulator import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET
from conformance.emulator.fixtures import fake_cloud
from conformance.vendors import Credentials, Query, adapter
from conformance.vendors.transport import Client

CURL = shutil.which("curl")


def curl(*args: str) -> dict:
    if CURL is None:
        pytest.skip("curl is not installed")
    done = subprocess.run([CURL, "-sS", "--max-time", "10", *args], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module", params=["alibaba", "tencent"])
def no_auth(request):
    """``conformance emulator --no-auth`` as a process: (vendor, url, its start-up line)."""
    process = subprocess.Popen([sys.executable, "-m", "conformance", "emulator", "--vendor", request.param,
                                "--instances", "30", "--no-auth"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        line = process.stdout.readline().strip()
        yield request.param, line.split()[2], line
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_no_auth_says_so_at_start_up_and_answers_plain_curl(no_auth):
    vendor, url, line = no_auth
    assert line.startswith(f"listening on {url}") and "no authentication" in line
    if vendor == "alibaba":
        answer = curl(f"{url}/?Action=DescribeInstances&Version=2014-05-26&RegionId=cn-hangzhou&PageSize=5")
        assert len(answer["Instances"]["Instance"]) == 5 and answer["TotalCount"] > 5
        wrong = curl(f"{url}/?Action=DescribeInstances&Version=2014-05-26&RegionId=cn-hangzhou&Status=Nope")
        assert wrong["Code"] == "InvalidStatus.NotFound"  # validation still applies
    else:
        answer = curl(url, "-H", "X-TC-Action: DescribeInstances", "-H", "X-TC-Version: 2017-03-12",
                      "-H", "X-TC-Region: ap-guangzhou", "-H", "Content-Type: application/json",
                      "-d", '{"Limit": 5}')["Response"]
        assert len(answer["InstanceSet"]) == 5 and answer["TotalCount"] > 5
        form = curl(f"{url}/?Action=DescribeInstances&Version=2017-03-12&Region=ap-guangzhou&Limit=3")["Response"]
        assert len(form["InstanceSet"]) == 3
    log = curl(f"{url}/_conformance/requests")["requests"]
    assert {e["signing"] for e in log} == {"none"} and all(e["action"] == "DescribeInstances" for e in log)
    health = curl(f"{url}/_conformance/health")
    assert health["authentication"] is False and health["vendor"] == vendor


def test_authentication_stays_the_default():
    with fake_cloud("tencent", 5) as cloud:
        answer = httpx.get(f"{cloud.url}/?Action=DescribeInstances&Version=2017-03-12&Region=ap-guangzhou").json()
        assert answer["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization"
        assert httpx.get(f"{cloud.control_url}health").json()["authentication"] is True


@pytest.fixture(scope="module", params=["alibaba", "tencent"])
def cloud(request):
    with fake_cloud(request.param, 20, seed=5) as cloud:
        cloud.client = Client(adapter(request.param), cloud.url, cloud.region,
                              Credentials(DEFAULT_KEY_ID, DEFAULT_KEY_SECRET))
        yield cloud
        cloud.client.close()


def control(cloud, method: str, operation: str, body=None) -> tuple[int, dict]:
    answer = httpx.request(method, f"{cloud.control_url}{operation}",
                           content=json.dumps(body).encode() if body is not None else None)
    return answer.status_code, answer.json()


def test_instances_replace_add_and_reset(cloud):
    control(cloud, "POST", "reset")
    first = cloud.listed()
    status, listed = control(cloud, "GET", "instances")
    assert status == 200 and len(listed["instances"]) == 20
    mine = [cloud.instance(), cloud.instance()]
    assert control(cloud, "PUT", "instances", mine) == (200, {"instances": 2})
    assert [i["InstanceId"] for i in cloud.client.send(Query(limit=100))[0].items] == [i["InstanceId"] for i in mine]
    assert control(cloud, "POST", "instances", [cloud.instance()])[1] == {"instances": 3}
    status, refused = control(cloud, "PUT", "instances", [{"InstanceId": 5}])
    assert status == 400 and "instance 0" in refused["error"]
    assert control(cloud, "POST", "reset")[1]["instances"] == 20
    assert cloud.listed() == first and len(cloud.requests) == 0


def test_request_log_records_what_was_sent_and_no_secret(cloud):
    control(cloud, "POST", "reset")
    a = adapter(cloud.vendor)
    for mode, secret, limit in [(m, DEFAULT_KEY_SECRET, 3) for m in a.capabilities.signing_modes] + [
            (a.capabilities.signing_modes[0], "wrong-secret", 4)]:
        client = Client(a, cloud.url, cloud.region, Credentials(DEFAULT_KEY_ID, secret), signing=mode)
        client.send(Query(limit=limit))
        client.close()
    status, served = control(cloud, "GET", "requests")
    log = served["requests"]
    assert status == 200 and log == cloud.requests.to_json() and len(log) == 3
    assert [e["signing"] for e in log[:2]] == [{"rpc": "HMAC-SHA1", "acs3": "ACS3-HMAC-SHA256", "tc3": "TC3-HMAC-SHA256",
                                                 "hmac256": "HmacSHA256"}[m] for m in a.capabilities.signing_modes]
    for entry in log:
        assert entry["action"] == "DescribeInstances" and entry["vendor"] == cloud.vendor and entry["time"] > 0
        assert entry["method"] in ("GET", "POST") and entry["region"] == cloud.region
    assert log[0]["code"] is None and log[0]["status"] == 200
    assert log[2]["code"] in ("SignatureDoesNotMatch", "AuthFailure.SignatureFailure")
    paging = "PageSize" if cloud.vendor == "alibaba" else "Limit"
    assert [str(e["params"][paging]) for e in log] == ["3", "3", "4"]
    text = json.dumps(log)
    for secret in (DEFAULT_KEY_SECRET, "wrong-secret", DEFAULT_KEY_ID):
        assert secret not in text
    for entry in log:
        assert not {k.lower() for k in entry["params"]} & {"signature", "signaturenonce", "nonce", "accesskeyid",
                                                          "secretid", "authorization", "timestamp", "token"}
    assert control(cloud, "DELETE", "requests") == (200, {"requests": []}) and len(cloud.requests) == 0


def test_deviations_and_faults_switch_at_run_time(cloud):
    control(cloud, "POST", "reset")
    status, listed = control(cloud, "GET", "deviations")
    assert status == 200 and listed["active"] == [] and "filters-or" in listed["available"]
    deviation = "total-count-of-page"
    assert control(cloud, "PUT", "deviations", {"deviations": [deviation]}) == (200, {"active": [deviation]})
    answer, _ = cloud.client.send(Query(limit=3))
    assert answer.total_count == 3  # the deviation: the page's count, not the listing's
    assert control(cloud, "PUT", "deviations", {"deviations": ["no-such"]})[0] == 400
    assert control(cloud, "PUT", "deviations", []) == (200, {"active": []})
    assert cloud.client.send(Query(limit=3))[0].total_count > 3

    status, plan = control(cloud, "PUT", "faults", {"throttle": 1, "seed": 2})
    assert status == 200 and plan["throttle"] == 1
    httpx.get(cloud.url)  # a fault comes before anything else, the signature check included
    assert cloud.requests[-1].fault == "throttle" and cloud.requests[-1].code in ("Throttling.User",
                                                                                    "RequestLimitExceeded")
    assert control(cloud, "GET", "health")[1]["faults"]["throttle"] == 1
    assert control(cloud, "PUT", "faults", {"throttle": 2})[0] == 400
    assert control(cloud, "PUT", "faults", {"bogus": 1})[0] == 400
    assert control(cloud, "DELETE", "faults") == (200, {})
    assert cloud.client.send(Query(limit=3))[0].ok


def test_health_and_unknown_operations(cloud):
    control(cloud, "POST", "reset")
    status, health = control(cloud, "GET", "health")
    assert status == 200 and health == {"status": "ok", "vendor": cloud.vendor, "instances": 20, "requests": 0,
                                        "authentication": True, "deviations": [], "faults": {}}
    assert control(cloud, "GET", "nothing")[0] == 404
    assert httpx.put(f"{cloud.control_url}faults", content=b"{not json").status_code == 400
    assert len(cloud.requests) == 0  # control requests are not logged
