"""Where the documents are silent: the real services' shapes, today's filters, the calls around the listing.

- Alibaba keys in the order of the document's sample (footmark depends on it).
- Tencent instances carry today's fields; documented fields keep their types.
- Today's Tencent filters are answered exactly (checked against a scan of the
  inventory), names no version supports still answer InvalidFilter.
- STS caller identity, regions and zones agree with the inventory and the key.
- The ``conformance emulator`` options (--tls, --fault, --churn) as cmd_emulator uses them.
"""

from __future__ import annotations

import argparse
import json
import threading
import time

import httpx
import jsonschema
import pytest
import uvicorn

from conformance.emulator import inventory, key_order
from conformance.emulator.faults import FaultPlan
from conformance.emulator.fixtures import fake_cloud
from conformance.emulator.options import OptionError, add_emulator_options, apply_emulator_options, serving
from conformance.emulator.server import EmulatorConfig, bind, build_service
from conformance.emulator.tencent_side import account_of
from conformance.spec import catalog, documents

# ------------------------------------------------------------------ Alibaba key order


def test_the_key_order_is_the_documents_sample():
    sample = documents.sample_json_response("alibaba")
    instance = sample["Instances"]["Instance"][0]
    assert tuple(sample) == key_order.ANSWER_ORDER
    assert key_order.INSTANCE_ORDER[:len(instance)] == tuple(instance)
    for name, order in key_order.NESTED_ORDER.items():
        assert order[:len(instance[name])] == tuple(instance[name]), name
    assert key_order.TAG_ORDER == tuple(instance["Tags"]["Tag"][0])
    documented = set(catalog.load("alibaba").response_schema["$defs"]["Instance"]["properties"])
    assert documented <= set(key_order.INSTANCE_ORDER)


def test_answers_come_in_that_order():
    with fake_cloud("alibaba", 30) as cloud:
        from conformance.vendors import Credentials, Query, adapter
        from conformance.vendors.transport import Client

        client = Client(adapter("alibaba"), cloud.url, cloud.region, Credentials(cloud.key_id, cloud.key_secret))
        answer, _ = client.send(Query(limit=5))
        raw = json.loads(answer.text)
        assert tuple(raw) == key_order.ANSWER_ORDER
        keys = list(raw["Instances"]["Instance"][0])
        assert keys == [k for k in key_order.INSTANCE_ORDER if k in keys]
        assert keys.index("EipAddress") < keys.index("InstanceId") < keys.index("PublicIpAddress")
        assert list(raw["Instances"]["Instance"][0]["EipAddress"])[:3] == ["IpAddress", "AllocationId",
                                                                          "InternetChargeType"]


# ------------------------------------------------------------------ Tencent: today's fields

TODAY = ("InstanceState", "Tags", "SecurityGroupIds", "OsName", "LoginSettings", "RestrictState", "Uuid",
         "StopChargingMode", "LatestOperation", "IPv6Addresses", "DefaultLoginUser", "DisableApiTermination")


def test_tencent_instances_carry_todays_fields_and_stay_schema_valid():
    cat = catalog.load("tencent")
    schema = {**cat.response_schema["$defs"]["Instance"], "$defs": cat.response_schema["$defs"]}
    items = inventory.generate("tencent", 200, seed=1)
    for item in items:
        jsonschema.validate(item, schema)  # documented fields keep their documented types, null-free
        assert set(TODAY) <= set(item)
        assert item["InstanceState"] in {"RUNNING", "STOPPED", "PENDING", "STARTING", "STOPPING"}
        assert all(set(t) == {"Key", "Value"} for t in item["Tags"])
    assert any(i["Tags"] for i in items) and any(not i["Tags"] for i in items)
    assert any(i["IPv6Addresses"] for i in items) and any(i["IPv6Addresses"] is None for i in items)
    assert all(i["LatestOperation"] is None for i in items)  # null where the real service returns null


def test_real_nulls_are_opt_in_for_the_generated_inventory():
    plain = inventory.generate("tencent", 40, seed=2)
    real = inventory.generate("tencent", 40, seed=2, real_nulls=True)
    postpaid = [n for n, i in enumerate(plain) if i["InstanceChargeType"] == "POSTPAID_BY_HOUR"]
    assert postpaid and all(plain[n]["ExpiredTime"] == "" for n in postpaid)
    assert all(real[n]["ExpiredTime"] is None and real[n]["RenewFlag"] is None for n in postpaid)
    assert [i for n, i in enumerate(real) if n not in postpaid] == [i for n, i in enumerate(plain) if n not in postpaid]
    with fake_cloud("tencent", 40, seed=2, real_nulls=True) as cloud:
        answer = _ask(cloud, Filters=[{"Name": "instance-charge-type", "Values": ["POSTPAID_BY_HOUR"]}])
    assert answer["InstanceSet"] and all(i["ExpiredTime"] is None for i in answer["InstanceSet"])


def test_todays_fields_follow_the_current_sdks_instance_model():
    from tencentcloud.cvm.v20170312 import models

    instance = models.Instance()
    item = inventory.generate("tencent", 1)[0]
    instance._deserialize(dict(item))  # the SDK warns about (and drops) fields it does not know
    for field in TODAY:
        assert hasattr(instance, field), field
    assert instance.Tags[0].Key == item["Tags"][0]["Key"] if item["Tags"] else instance.Tags == []


# ------------------------------------------------------------------ Tencent: today's filters

def _ask(cloud, **params):
    from tencentcloud.common import credential
    from tencentcloud.common.common_client import CommonClient
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    client = CommonClient("cvm", "2017-03-12", credential.Credential(cloud.key_id, cloud.key_secret), cloud.region,
                          ClientProfile(httpProfile=HttpProfile(endpoint=cloud.endpoint, protocol="http")))
    return client.call_json("DescribeInstances", {"Limit": 100, **params})["Response"]


def _error(cloud, **params) -> str:
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    try:
        _ask(cloud, **params)
    except TencentCloudSDKException as exc:
        return exc.code
    return "no error"


def _tags(item):
    return {t["Key"]: t["Value"] for t in item["Tags"]}


@pytest.fixture(scope="module")
def tencent():
    with fake_cloud("tencent", 150, seed=4) as cloud:
        yield cloud


FILTERS = [
    ("vpc-id", lambda i: [i["VirtualPrivateCloud"]["VpcId"]]),
    ("subnet-id", lambda i: [i["VirtualPrivateCloud"]["SubnetId"]]),
    ("instance-state", lambda i: [i["InstanceState"]]),
    ("security-group-id", lambda i: i["SecurityGroupIds"]),
    ("tag-key", lambda i: list(_tags(i))),
    ("tag-value", lambda i: list(_tags(i).values())),
    ("tag:env", lambda i: [_tags(i)["env"]] if "env" in _tags(i) else []),
    ("uuid", lambda i: [i["Uuid"]]),
    ("ipv6-address", lambda i: i["IPv6Addresses"] or []),
]


@pytest.mark.parametrize("name, carried", FILTERS, ids=[f[0] for f in FILTERS])
def test_todays_filters_select_exactly_the_carriers(tencent, name, carried):
    listed = tencent.listed()
    values = sorted({v for i in listed for v in carried(i)})
    assert values, name
    for value in values[:3]:
        answer = _ask(tencent, Filters=[{"Name": name, "Values": [value]}])
        expected = [i["InstanceId"] for i in listed if value in carried(i)]
        assert [i["InstanceId"] for i in answer["InstanceSet"]] == expected and answer["TotalCount"] == len(expected)
    both = _ask(tencent, Filters=[{"Name": name, "Values": values[:2]}, {"Name": "instance-state", "Values": ["RUNNING"]}])
    assert [i["InstanceId"] for i in both["InstanceSet"]] == [
        i["InstanceId"] for i in listed if set(values[:2]) & set(carried(i)) and i["InstanceState"] == "RUNNING"]


def test_creation_time_filters_bound_the_listing(tencent):
    listed = tencent.listed()
    start, end = "2024-01-02 00:00:00", "2024-01-03 12:00:00"
    answer = _ask(tencent, Filters=[{"Name": "creation-start-time", "Values": [start]},
                                    {"Name": "creation-end-time", "Values": [end]}])
    expected = [i["InstanceId"] for i in listed if "2024-01-02T00:00:00Z" <= i["CreatedTime"] <= "2024-01-03T12:00:00Z"]
    assert expected and [i["InstanceId"] for i in answer["InstanceSet"]] == expected
    assert _error(tencent, Filters=[{"Name": "creation-start-time", "Values": ["yesterday"]}]) == "InvalidParameterValue"


@pytest.mark.parametrize("name", ["no-such-filter", "tag:", "tag-pair", "instance-status"])
def test_names_no_version_supports_are_still_refused(tencent, name):
    assert _error(tencent, Filters=[{"Name": name, "Values": ["x"]}]) == "InvalidFilter"


def test_todays_filter_values_are_limited_like_the_documents(tencent):
    assert _error(tencent, Filters=[{"Name": "tag-key", "Values": [str(n) for n in range(6)]}]) \
        == "InvalidFilterValue.LimitExceeded"


# ------------------------------------------------------------------ Tencent: around the listing

def _common(cloud, service, version, action, secret=None):
    from tencentcloud.common import credential
    from tencentcloud.common.common_client import CommonClient
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    client = CommonClient(service, version, credential.Credential(cloud.key_id, secret or cloud.key_secret),
                          cloud.region, ClientProfile(httpProfile=HttpProfile(endpoint=cloud.endpoint,
                                                                             protocol="http")))
    return client.call_json(action, {})["Response"]


def test_caller_identity_regions_and_zones_agree_with_the_inventory(tencent):
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    me = _common(tencent, "sts", "2018-08-13", "GetCallerIdentity")
    assert me["AccountId"] == account_of(tencent.key_id) == _common(tencent, "sts", "2018-08-13",
                                                                     "GetCallerIdentity")["AccountId"]
    assert me["Arn"] == f"qcs::cam::uin/{me['AccountId']}:uin/{me['AccountId']}"
    regions = _common(tencent, "cvm", "2017-03-12", "DescribeRegions")
    assert {r["Region"] for r in regions["RegionSet"]} == set(inventory.REGIONS["tencent"])
    zones = {z["Zone"] for z in _common(tencent, "cvm", "2017-03-12", "DescribeZones")["ZoneSet"]}
    assert {i["Placement"]["Zone"] for i in tencent.listed()} <= zones
    with pytest.raises(TencentCloudSDKException) as wrong:
        _common(tencent, "sts", "2018-08-13", "GetCallerIdentity", secret="wrong")
    assert wrong.value.code == "AuthFailure.SignatureFailure"


# ------------------------------------------------------------------ options of `conformance emulator`

def _parse(*argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    add_emulator_options(parser)
    return parser.parse_args(list(argv))


def test_options_fill_the_config():
    config = EmulatorConfig("alibaba")
    apply_emulator_options(_parse("--tls", "--fault", "throttle=0.2", "--fault", "latency=50ms", "--churn", "0.1",
                                  "--seed", "9", "--real-nulls"), config)
    assert config.tls and config.faults == FaultPlan(throttle=0.2, latency_ms=50, churn=0.1, seed=9)
    assert config.real_nulls
    plain = EmulatorConfig("alibaba")
    apply_emulator_options(_parse(), plain)
    assert plain.faults is None and not plain.tls and not plain.real_nulls
    with pytest.raises(OptionError, match="--fault throttle=2: expected a probability"):
        apply_emulator_options(_parse("--fault", "throttle=2"), EmulatorConfig("alibaba"))


def test_tls_serving_as_cmd_emulator_does_prints_the_ca_and_serves_https():
    config = EmulatorConfig("tencent", instances=12)
    apply_emulator_options(_parse("--tls", "--fault", "throttle=1"), config)
    service = build_service(config)
    sock = bind("127.0.0.1", 0)
    host, port = sock.getsockname()[:2]
    served = serving(service, config)
    lines = served.banner(host, port)
    assert lines == [f"listening on https://127.0.0.1:{port}", f"CA file: {served.tls.ca_path}"]
    server = uvicorn.Server(uvicorn.Config(served.app, log_level="warning", lifespan="off", **served.uvicorn_kwargs))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        answer = httpx.post(f"https://localhost:{port}/", verify=str(served.tls.ca_path), json={},
                            headers={"X-TC-Action": "DescribeInstances"})
        assert answer.json()["Response"]["Error"]["Code"] == "RequestLimitExceeded"  # throttle=1 reached it
        with pytest.raises(httpx.ConnectError):
            httpx.post(f"https://localhost:{port}/", json={})  # a client that does not trust the CA
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        served.close()
    assert not served.tls.ca_path.exists()


# ------------------------------------------------------------------ the fixtures

@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_a_fake_cloud_starts_within_half_a_second_and_can_be_reseeded(vendor):
    with fake_cloud(vendor, 0):
        pass  # imports and the schemas' first load out of the way
    started = time.perf_counter()
    with fake_cloud(vendor) as cloud:
        took = time.perf_counter() - started
        assert len(cloud.instances) == 60
        mine = cloud.instance(InstanceName="mine-1")
        other = cloud.instance()
        assert other["InstanceId"] != mine["InstanceId"]
        cloud.add_instances(mine)
        assert cloud.listed()[-1]["InstanceName"] == "mine-1"
        cloud.replace_instances([mine])
        assert [i["InstanceName"] for i in cloud.instances] == ["mine-1"]
        assert set(cloud.env().values()) >= {cloud.key_id, cloud.key_secret, cloud.region}
    assert took <= 0.5, f"{vendor} fake cloud took {took:.3f} s to start"
