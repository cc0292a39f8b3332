"""Every shape of the fake-cloud fixtures, and a user's ``pytest --help`` without the suite's options.

The marker, the factory and the per-test fixtures run here directly (the
``conformance-emulator`` plugin is installed with the package); the
session-scoped fixtures' reset and ``--help`` run in a user's project: a
temporary directory and its own pytest process.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import textwrap

import httpx
import pytest

from conformance.vendors import Credentials, Query, adapter
from conformance.vendors.transport import Client


def listing(cloud, **query) -> tuple:
    client = Client(adapter(cloud.vendor), cloud.url, cloud.region, Credentials(cloud.key_id, cloud.key_secret))
    try:
        return client.send(Query(**query))[0]
    finally:
        client.close()


@pytest.mark.fake_cloud(instances=7, seed=4, deviations=["total-count-of-page"])
def test_the_marker_configures_the_per_test_fixture(tencent_cloud):
    assert len(tencent_cloud.instances) == 7
    assert tencent_cloud.emulator.service.deviations == {"total-count-of-page"}
    answer = listing(tencent_cloud, limit=2)
    assert answer.total_count == 2  # the deviation at work


def test_without_the_marker_the_fixture_is_the_reference(alibaba_cloud):
    assert len(alibaba_cloud.instances) == 60 and alibaba_cloud.emulator.service.deviations == frozenset()
    assert len(alibaba_cloud.requests) == 0


def test_the_factory_takes_an_inventory_file_deviations_faults_and_churn(make_fake_cloud, tmp_path):
    first = make_fake_cloud("tencent", 3, seed=9)
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps({"Response": {"TotalCount": 3, "InstanceSet": first.instances,
                                              "RequestId": "x"}}), encoding="utf-8")
    again = make_fake_cloud("tencent", inventory=saved, deviations=["total-count-of-page"],
                            faults={"latency_ms": 1, "seed": 3}, churn=0.0)
    assert again.instances == first.instances and again.url != first.url
    assert again.emulator.app.plan is not None and again.emulator.app.plan.latency_ms == 1
    churning = make_fake_cloud("alibaba", 20, churn=1.0, faults={"seed": 2})
    before = {i["InstanceId"] for i in churning.instances}
    listing(churning, limit=5)
    assert {i["InstanceId"] for i in churning.instances} != before and churning.faults_met[0][1] == "churn"


def test_the_factory_serves_tls_and_switches_at_run_time(make_fake_cloud):
    secure = make_fake_cloud("alibaba", 5, tls=True)
    assert secure.protocol == "https" and secure.ca_path
    assert httpx.get(f"{secure.control_url}health", verify=ssl.create_default_context(cafile=secure.ca_path)).json()["status"] == "ok"
    cloud = make_fake_cloud("alibaba", 9)
    cloud.set_faults(throttle=1.0)
    httpx.get(cloud.url)
    assert cloud.requests[-1].fault == "throttle"
    cloud.set_faults()
    cloud.set_deviations("total-count-of-page")
    assert listing(cloud, limit=2).total_count == 2
    cloud.reset()
    assert listing(cloud, limit=2).total_count == len(cloud.listed()) > 2 and len(cloud.requests) == 1


USER_TESTS = '''
import pytest
from conformance.vendors import Credentials, Query, adapter
from conformance.vendors.transport import Client

def page(cloud):
    client = Client(adapter(cloud.vendor), cloud.url, cloud.region, Credentials(cloud.key_id, cloud.key_secret))
    answer = client.send(Query(limit=3))[0]
    client.close()
    return answer

def test_a_dirties_the_shared_cloud(tencent_cloud_session, alibaba_cloud_session):
    tencent_cloud_session.replace_instances([tencent_cloud_session.instance()])
    tencent_cloud_session.set_deviations("total-count-of-page")
    assert page(tencent_cloud_session).total_count == 1
    alibaba_cloud_session.set_faults(throttle=1.0)
    pytest.shared = (tencent_cloud_session.url, alibaba_cloud_session.url)

def test_b_finds_it_reset(tencent_cloud_session, alibaba_cloud_session):
    assert (tencent_cloud_session.url, alibaba_cloud_session.url) == pytest.shared  # the same processes' servers
    assert len(tencent_cloud_session.requests) == 0 and len(tencent_cloud_session.instances) == 60
    assert page(tencent_cloud_session).total_count > 3
    assert page(alibaba_cloud_session).ok and alibaba_cloud_session.faults_met == []

@pytest.mark.fake_cloud(instances=4)
def test_c_marker_in_a_user_project(alibaba_cloud):
    assert len(alibaba_cloud.instances) == 4
'''


def run_user_pytest(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_session_fixtures_reset_between_tests_in_a_users_project(tmp_path):
    (tmp_path / "test_user.py").write_text(textwrap.dedent(USER_TESTS), encoding="utf-8")
    done = run_user_pytest(tmp_path, "-q", "-p", "no:randomly", "test_user.py")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout


def test_a_users_pytest_help_has_no_suite_options(tmp_path):
    (tmp_path / "test_trivial.py").write_text("def test_trivial():\n    pass\n", encoding="utf-8")
    plain = run_user_pytest(tmp_path, "--help")
    assert plain.returncode == 0 and "--conformance-" not in plain.stdout
    asked = run_user_pytest(tmp_path, "--help", "--pyargs", "conformance.suite")
    assert asked.returncode == 0 and "--conformance-vendor" in asked.stdout
