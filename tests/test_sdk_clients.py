"""The official SDKs, installed from PyPI, against the emulator over real sockets.

Each client pages through the whole inventory, filters, hits DryRun and the
documented errors, and is refused with a wrong secret. If the emulator's wire
format or signature checks drifted from the vendors', these clients, which
nobody here wrote, would notice first.
"""

from __future__ import annotations

import json

import pytest

from conformance.emulator import DEFAULT_KEY_ID as KEY_ID
from conformance.emulator import DEFAULT_KEY_SECRET as SECRET
from conformance.emulator import Emulator, EmulatorConfig

pytestmark = pytest.mark.sdk


@pytest.fixture(scope="module")
def alibaba():
    with Emulator(EmulatorConfig("alibaba", instances=80, seed=3)) as emulator:
        emulator.expected = [i for i in emulator.service.backend.items if i["RegionId"] == "cn-hangzhou"]
        yield emulator


@pytest.fixture(scope="module")
def tencent():
    with Emulator(EmulatorConfig("tencent", instances=80, seed=3)) as emulator:
        emulator.expected = [i for i in emulator.service.backend.items
                             if i["Placement"]["Zone"].startswith("ap-guangzhou-")]
        yield emulator


# ------------------------------------------------------------------ alibabacloud-ecs20140526 (Tea)

def tea_client(emulator, secret=SECRET, algorithm=None):
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi import models as open_api

    config = open_api.Config(access_key_id=KEY_ID, access_key_secret=secret, endpoint=f"127.0.0.1:{emulator.port}",
                             protocol="http", region_id="cn-hangzhou")
    if algorithm:
        config.signature_algorithm = algorithm
    return Client(config)


@pytest.mark.parametrize("algorithm", [None, "v2"], ids=["ACS3-HMAC-SHA256", "rpc-v1-HMAC-SHA1"])
def test_tea_sdk_pages_filters_dry_run_and_errors(alibaba, algorithm):
    from alibabacloud_ecs20140526 import models
    from alibabacloud_tea_openapi.exceptions import ClientException

    client = tea_client(alibaba, algorithm=algorithm)
    seen, page = [], 1
    while True:
        body = client.describe_instances(models.DescribeInstancesRequest(
            region_id="cn-hangzhou", page_number=page, page_size=7)).body
        assert body.page_number == page and body.page_size == 7
        seen += [i.instance_id for i in body.instances.instance]
        if page * 7 >= body.total_count:
            break
        page += 1
    assert seen == [i["InstanceId"] for i in alibaba.expected]

    running = client.describe_instances(models.DescribeInstancesRequest(
        region_id="cn-hangzhou", status="Running", instance_network_type="vpc", page_size=100)).body
    expected = [i["InstanceId"] for i in alibaba.expected if i["Status"] == "Running" and i["InstanceNetworkType"] == "vpc"]
    assert [i.instance_id for i in running.instances.instance] == expected

    empty = client.describe_instances(models.DescribeInstancesRequest(region_id="cn-hangzhou", instance_ids="[]")).body
    assert empty.total_count == 0 and empty.instances.instance == []

    with pytest.raises(ClientException) as dry:
        client.describe_instances(models.DescribeInstancesRequest(region_id="cn-hangzhou", dry_run=True))
    assert dry.value.code == "DryRunOperation"

    for field, code, status in [("status", "InvalidStatus.NotFound", 404),
                                ("instance_charge_type", "InvalidInstanceChargeType.NotFound", 404),
                                ("internet_charge_type", "InvalidInternetChargeType.ValueNotSupported", 404),
                                ("lock_reason", "InvalidLockReason.NotFound", 404),
                                ("instance_network_type", "InvalidNetworkType.NotFound", 404),
                                ("hpc_cluster_id", "InvalidHpcClusterId.NotFound", 400)]:
        with pytest.raises(ClientException) as error:
            client.describe_instances(models.DescribeInstancesRequest(region_id="cn-hangzhou", **{field: "Bogus"}))
        assert (error.value.code, error.value.status_code) == (code, status)

    with pytest.raises(ClientException) as tags:
        client.describe_instances(models.DescribeInstancesRequest(
            region_id="cn-hangzhou", tag=[models.DescribeInstancesRequestTag(value="orphan")]))
    assert tags.value.code == "InvalidTag.Mismatch"


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_tea_sdk_wrong_secret_is_refused(alibaba, algorithm):
    from alibabacloud_ecs20140526 import models
    from alibabacloud_tea_openapi.exceptions import ClientException

    with pytest.raises(ClientException) as error:
        tea_client(alibaba, secret="wrong", algorithm=algorithm).describe_instances(
            models.DescribeInstancesRequest(region_id="cn-hangzhou"))
    assert error.value.code == "SignatureDoesNotMatch"


# ------------------------------------------------------------------ aliyun-python-sdk-ecs (core)

def core_call(emulator, secret=SECRET, **setters):
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest

    client = AcsClient(KEY_ID, secret, "cn-hangzhou", port=emulator.port)
    request = DescribeInstancesRequest()
    request.set_endpoint("127.0.0.1")
    request.set_protocol_type("http")
    for name, value in setters.items():
        getattr(request, f"set_{name}")(value)
    return json.loads(client.do_action_with_exception(request))


def test_aliyun_core_sdk(alibaba):
    from aliyunsdkcore.acs_exception.exceptions import ServerException

    seen, page = [], 1
    while True:
        body = core_call(alibaba, PageNumber=page, PageSize=10)
        seen += [i["InstanceId"] for i in body["Instances"]["Instance"]]
        if page * 10 >= body["TotalCount"]:
            break
        page += 1
    assert seen == [i["InstanceId"] for i in alibaba.expected]
    wanted = alibaba.expected[:3]
    body = core_call(alibaba, InstanceIds=json.dumps([i["InstanceId"] for i in wanted]))
    assert [i["InstanceId"] for i in body["Instances"]["Instance"]] == [i["InstanceId"] for i in wanted]
    with pytest.raises(ServerException) as dry:
        core_call(alibaba, DryRun=True)
    assert dry.value.get_error_code() == "DryRunOperation"
    with pytest.raises(ServerException) as error:
        core_call(alibaba, Status="Bogus")
    assert (error.value.get_error_code(), error.value.get_http_status()) == ("InvalidStatus.NotFound", 404)
    with pytest.raises(ServerException) as wrong:
        core_call(alibaba, secret="wrong")
    # The SDK compares its string to sign with the one the server quotes: equal, so the secret is wrong.
    assert wrong.value.get_error_code() == "InvalidAccessKeySecret"


# ------------------------------------------------------------------ apache-libcloud ECSDriver (XML)

def libcloud_driver(emulator, secret=SECRET):
    from libcloud.compute.drivers.ecs import ECSDriver

    return ECSDriver(KEY_ID, secret, secure=False, host="127.0.0.1", port=emulator.port, region="cn-hangzhou")


def test_libcloud_ecs_driver_xml(alibaba):
    nodes = libcloud_driver(alibaba).list_nodes()
    assert [n.id for n in nodes] == [i["InstanceId"] for i in alibaba.expected]
    stopped = libcloud_driver(alibaba).list_nodes(ex_filters={"Status": "Stopped"})
    assert [n.id for n in stopped] == [i["InstanceId"] for i in alibaba.expected if i["Status"] == "Stopped"]
    some = [i["InstanceId"] for i in alibaba.expected[:2]]
    assert [n.id for n in libcloud_driver(alibaba).list_nodes(ex_node_ids=some)] == some
    with pytest.raises(Exception, match="InvalidStatus.NotFound"):
        libcloud_driver(alibaba).list_nodes(ex_filters={"Status": "Bogus"})
    with pytest.raises(Exception, match="SignatureDoesNotMatch"):
        libcloud_driver(alibaba, secret="wrong").list_nodes()


# ------------------------------------------------------------------ tencentcloud-sdk-python-cvm

def cvm_client(emulator, method, secret=SECRET):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cvm.v20170312 import cvm_client as cvm

    profile = ClientProfile(signMethod=method, httpProfile=HttpProfile(endpoint=f"127.0.0.1:{emulator.port}",
                                                                      protocol="http"))
    return cvm.CvmClient(credential.Credential(KEY_ID, secret), "ap-guangzhou", profile)


def cvm_request(**fields):
    from tencentcloud.cvm.v20170312 import models

    request = models.DescribeInstancesRequest()
    request.from_json_string(json.dumps(fields))
    return request


@pytest.mark.parametrize("method", ["TC3-HMAC-SHA256", "HmacSHA256"])
def test_tencent_sdk(tencent, method):
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    client = cvm_client(tencent, method)
    seen, offset = [], 0
    while True:
        answer = client.DescribeInstances(cvm_request(Offset=offset, Limit=9))
        seen += [i.InstanceId for i in answer.InstanceSet]
        offset += 9
        if offset >= answer.TotalCount:
            break
    assert seen == [i["InstanceId"] for i in tencent.expected]

    zones = ["ap-guangzhou-1", "ap-guangzhou-2"]
    answer = client.DescribeInstances(cvm_request(Filters=[{"Name": "zone", "Values": zones}], Limit=100))
    assert [i.InstanceId for i in answer.InstanceSet] == [
        i["InstanceId"] for i in tencent.expected if i["Placement"]["Zone"] in zones]
    assert client.DescribeInstances(cvm_request(Filters=[{"Name": "instance-name", "Values": ["no-such"]}])
                                    ).InstanceSet == []

    errors = [
        (dict(InstanceIds=["ins-1122"]), "InvalidInstanceId.Malformed"),
        (dict(Filters=[{"Name": "host-id", "Values": ["host-1122"]}]), "InvalidHostId.Malformed"),
        (dict(Filters=[{"Name": "no-such", "Values": ["x"]}]), "InvalidFilter"),
        (dict(Filters=[{"Name": "zone", "Values": ["ap-beijing-1"]}]), "InvalidZone.MismatchRegion"),
        (dict(Filters=[{"Name": "zone", "Values": [f"ap-guangzhou-{n}" for n in range(6)]}]),
         "InvalidFilterValue.LimitExceeded"),
        (dict(InstanceIds=[f"ins-{n:08d}" for n in range(101)]), "InvalidParameterValue.LimitExceeded"),
        (dict(InstanceIds=["ins-00000001"], Filters=[{"Name": "zone", "Values": ["ap-guangzhou-1"]}]),
         "InvalidParameter"),
    ]
    for fields, code in errors:
        with pytest.raises(TencentCloudSDKException) as error:
            client.DescribeInstances(cvm_request(**fields))
        assert error.value.code == code, fields

    with pytest.raises(TencentCloudSDKException) as wrong:
        cvm_client(tencent, method, secret="wrong").DescribeInstances(cvm_request())
    assert wrong.value.code == "AuthFailure.SignatureFailure"
