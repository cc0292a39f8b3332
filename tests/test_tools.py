"""Real tools against the emulator, over http and https, changed only where a user would change them.

footmark (behind Ansible's alicloud modules), tccli, Cloud Custodian with
c7n-tencentcloud, apache-libcloud and the official SDKs, installed from PyPI
as test extras. Each lists every page, filters, looks up ids and is refused
with a wrong secret. What each is told, and nothing more:

- the endpoint, in the setting the tool offers for it (footmark: aliyunsdkcore's
  ``region_provider.modify_point``; tccli: ``--endpoint``; the SDKs: their
  endpoint option); c7n-tencentcloud has none and hard-codes
  ``https://cvm.<region>.tencentcloudapi.com``, so it goes through
  ``HTTPS_PROXY`` (which the Tencent SDK reads) to a CONNECT forwarder;
- credentials through the vendor's variables;
- over https, the emulator's CA, where the tool reads a CA from: the SDKs'
  CA options, ``ALIBABA_CLOUD_CA_BUNDLE`` for aliyunsdkcore, ``SSL_CERT_FILE``
  for libcloud. The Tencent SDK verifies against certifi's bundle only (it
  passes ``verify=certifi.where()``, so ``REQUESTS_CA_BUNDLE`` is ignored), so
  tccli and c7n get a copy of certifi whose bundle holds the CA, first on
  ``PYTHONPATH``: what appending the CA to ``python -m certifi``'s file does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.emulator.fixtures import fake_cloud
from conformance.emulator.forward import connect_forwarder

pytestmark = pytest.mark.sdk
BIN = Path(sys.executable).parent
SCHEMES = ["http", "https"]


@pytest.fixture(scope="module", params=SCHEMES)
def alibaba(request):
    with fake_cloud("alibaba", 80, seed=3, tls=request.param == "https") as cloud:
        yield cloud


@pytest.fixture(scope="module", params=SCHEMES)
def tencent(request):
    with fake_cloud("tencent", 80, seed=3, tls=request.param == "https") as cloud:
        yield cloud


def certifi_with(ca_path: str, where: Path) -> Path:
    """A copy of certifi whose bundle also holds ``ca_path``; put its parent first on PYTHONPATH."""
    import certifi

    copy = where / "certifi-shim" / "certifi"
    shutil.copytree(Path(certifi.__file__).parent, copy, dirs_exist_ok=True)
    with (copy / "cacert.pem").open("a") as bundle:
        bundle.write(Path(ca_path).read_text())
    return copy.parent


def tool_env(cloud, tmp_path: Path, secret: str | None = None) -> dict[str, str]:
    env = {**os.environ, **cloud.env(), "HOME": str(tmp_path)}
    if secret is not None:
        env[{"alibaba": "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "tencent": "TENCENTCLOUD_SECRET_KEY"}[cloud.vendor]] = secret
    if cloud.ca_path:
        env["PYTHONPATH"] = str(certifi_with(cloud.ca_path, tmp_path))
    return env


# ------------------------------------------------------------------ footmark

@pytest.fixture
def footmark_pointed(alibaba, monkeypatch):
    """footmark's AcsClient sent to the emulator through aliyunsdkcore's own settings."""
    from aliyunsdkcore import request as acs_request
    from aliyunsdkcore.profile import region_provider

    region_provider.modify_point("Ecs", alibaba.region, alibaba.endpoint)
    if alibaba.ca_path:
        acs_request.set_default_protocol_type("https")
        monkeypatch.setenv("ALIBABA_CLOUD_CA_BUNDLE", alibaba.ca_path)
    yield alibaba
    acs_request.set_default_protocol_type("http")


def footmark_connection(cloud, secret=None):
    import footmark.ecs

    return footmark.ecs.connect_to_region(cloud.region, acs_access_key_id=cloud.key_id,
                                          acs_secret_access_key=secret or cloud.key_secret)


def test_footmark_lists_filters_looks_up_and_is_refused(footmark_pointed):
    cloud = footmark_pointed
    listed = cloud.listed()
    conn = footmark_connection(cloud)
    everything = conn.describe_instances()  # pages of 10 until a short one
    assert [i.id for i in everything] == [i["InstanceId"] for i in listed]
    with_eip = next(i for i in everything if i.eip_address["ip_address"])
    assert with_eip.public_ip_address == with_eip.eip_address["ip_address"]  # the attribute footmark derives
    tagged = next(i for i in listed if i["Tags"]["Tag"])
    assert next(i for i in everything if i.id == tagged["InstanceId"]).tags == {
        t["TagKey"]: t["TagValue"] for t in tagged["Tags"]["Tag"]}
    running = conn.describe_instances(status="Running", instance_network_type="vpc", page_size=100)
    assert [i.id for i in running] == [i["InstanceId"] for i in listed
                                       if i["Status"] == "Running" and i["InstanceNetworkType"] == "vpc"]
    wanted = [i["InstanceId"] for i in listed[3:6]]
    assert [i.id for i in conn.describe_instances(instance_ids=wanted)] == wanted
    with pytest.raises(Exception, match="InvalidAccessKeySecret|SignatureDoesNotMatch"):
        footmark_connection(cloud, secret="wrong").describe_instances()


# ------------------------------------------------------------------ tccli

def tccli(cloud, tmp_path, *args, secret=None):
    endpoint = cloud.endpoint if cloud.protocol == "https" else cloud.url  # a bare host means https to tccli
    result = subprocess.run([str(BIN / "tccli"), "cvm", *args, "--region", cloud.region, "--endpoint", endpoint],
                            env=tool_env(cloud, tmp_path, secret), capture_output=True, text=True, timeout=120)
    return result


def test_tccli_lists_filters_looks_up_and_is_refused(tencent, tmp_path):
    listed = tencent.listed()
    seen, offset = [], 0
    while True:
        result = tccli(tencent, tmp_path, "DescribeInstances", "--Offset", str(offset), "--Limit", "25")
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        seen += [i["InstanceId"] for i in answer["InstanceSet"]]
        offset += 25
        if offset >= answer["TotalCount"]:
            break
    assert seen == [i["InstanceId"] for i in listed]
    filters = [{"Name": "instance-state", "Values": ["RUNNING"]}, {"Name": "tag:env", "Values": ["prod"]}]
    result = tccli(tencent, tmp_path, "DescribeInstances", "--Limit", "100", "--Filters", json.dumps(filters))
    assert result.returncode == 0, result.stderr
    assert [i["InstanceId"] for i in json.loads(result.stdout)["InstanceSet"]] == [
        i["InstanceId"] for i in listed if i["InstanceState"] == "RUNNING" and {"Key": "env", "Value": "prod"} in i["Tags"]]
    wanted = [i["InstanceId"] for i in listed[:4]]
    result = tccli(tencent, tmp_path, "DescribeInstances", "--InstanceIds", json.dumps(wanted))
    assert [i["InstanceId"] for i in json.loads(result.stdout)["InstanceSet"]] == wanted
    zones = tccli(tencent, tmp_path, "DescribeZones")
    assert {z["Zone"] for z in json.loads(zones.stdout)["ZoneSet"]} >= {i["Placement"]["Zone"] for i in listed}
    refused = tccli(tencent, tmp_path, "DescribeInstances", secret="wrong")
    assert refused.returncode != 0 and "AuthFailure.SignatureFailure" in refused.stdout + refused.stderr


# ------------------------------------------------------------------ Cloud Custodian (c7n-tencentcloud)

POLICY = """
policies:
  - name: running-prod
    resource: tencentcloud.cvm
    filters:
      - InstanceState: RUNNING
      - "tag:env": prod
  - name: stopped-or-untagged-team
    resource: tencentcloud.cvm
    filters:
      - or:
          - InstanceState: STOPPED
          - "tag:team": absent
  - name: one-vpc
    resource: tencentcloud.cvm
    filters:
      - type: value
        key: VirtualPrivateCloud.VpcId
        value: {vpc}
  - name: by-id
    resource: tencentcloud.cvm
    filters:
      - type: value
        key: InstanceId
        op: in
        value: {ids}
"""


def custodian(cloud, tmp_path, proxy, secret=None):
    policy = tmp_path / "policy.yml"
    listed = cloud.listed()
    policy.write_text(POLICY.format(vpc=listed[0]["VirtualPrivateCloud"]["VpcId"],
                                    ids=json.dumps([i["InstanceId"] for i in listed[2:5]])))
    env = {**tool_env(cloud, tmp_path, secret), "HTTPS_PROXY": proxy}
    return subprocess.run([str(BIN / "custodian"), "run", "-s", str(tmp_path / "out"), "--region", cloud.region,
                           str(policy)], env=env, capture_output=True, text=True, timeout=180)


def custodian_found(tmp_path, name):
    return [r["InstanceId"] for r in json.loads((tmp_path / "out" / name / "resources.json").read_text())]


def test_custodian_policies_on_state_and_tags(tmp_path):
    # c7n-tencentcloud always speaks https to the vendor's host name: there is no http variant to run.
    with fake_cloud("tencent", 80, seed=3, tls=True) as cloud, \
            connect_forwarder(cloud.emulator.host, cloud.emulator.port) as proxy:
        listed = cloud.listed()
        result = custodian(cloud, tmp_path, proxy)
        assert result.returncode == 0, result.stderr[-3000:]
        assert len(cloud.requests) >= 1 + (len(listed) + 19) // 20  # GetCallerIdentity, then every page of 20
        assert custodian_found(tmp_path, "running-prod") == [
            i["InstanceId"] for i in listed if i["InstanceState"] == "RUNNING" and {"Key": "env", "Value": "prod"}
            in i["Tags"]]
        assert sorted(custodian_found(tmp_path, "stopped-or-untagged-team")) == sorted(  # c7n's `or` reorders
            i["InstanceId"] for i in listed if i["InstanceState"] == "STOPPED" or not any(
                t["Key"] == "team" for t in i["Tags"]))
        vpc = listed[0]["VirtualPrivateCloud"]["VpcId"]
        assert custodian_found(tmp_path, "one-vpc") == [
            i["InstanceId"] for i in listed if i["VirtualPrivateCloud"]["VpcId"] == vpc]
        assert custodian_found(tmp_path, "by-id") == [i["InstanceId"] for i in listed[2:5]]
        (tmp_path / "wrong").mkdir()
        refused = custodian(cloud, tmp_path / "wrong", proxy, secret="wrong")
        assert refused.returncode != 0 and "AuthFailure.SignatureFailure" in refused.stderr


# ------------------------------------------------------------------ libcloud and the SDKs over https

def test_libcloud_over_the_scheme(alibaba, monkeypatch):
    import libcloud.security
    from libcloud.compute.drivers.ecs import ECSDriver

    if alibaba.ca_path:
        monkeypatch.setattr(libcloud.security, "CA_CERTS_PATH", alibaba.ca_path)  # what SSL_CERT_FILE sets

    def driver(secret=alibaba.key_secret):
        return ECSDriver(alibaba.key_id, secret, secure=alibaba.protocol == "https", host=alibaba.emulator.host,
                         port=alibaba.emulator.port, region=alibaba.region)

    listed = alibaba.listed()
    assert [n.id for n in driver().list_nodes()] == [i["InstanceId"] for i in listed]
    assert [n.id for n in driver().list_nodes(ex_filters={"Status": "Stopped"})] == [
        i["InstanceId"] for i in listed if i["Status"] == "Stopped"]
    some = [i["InstanceId"] for i in listed[:2]]
    assert [n.id for n in driver().list_nodes(ex_node_ids=some)] == some
    with pytest.raises(Exception, match="SignatureDoesNotMatch"):
        driver("wrong").list_nodes()


def test_tea_sdk_over_the_scheme(alibaba):
    from alibabacloud_ecs20140526 import models
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi import models as open_api
    from alibabacloud_tea_openapi.exceptions import ClientException

    def client(secret=alibaba.key_secret):
        config = open_api.Config(access_key_id=alibaba.key_id, access_key_secret=secret, endpoint=alibaba.endpoint,
                                 protocol=alibaba.protocol, region_id=alibaba.region)
        if alibaba.ca_path:
            config.ca = alibaba.ca_path
        return Client(config)

    listed = alibaba.listed()
    seen, page = [], 1
    while True:
        body = client().describe_instances(models.DescribeInstancesRequest(
            region_id=alibaba.region, page_number=page, page_size=30)).body
        seen += [i.instance_id for i in body.instances.instance]
        if page * 30 >= body.total_count:
            break
        page += 1
    assert seen == [i["InstanceId"] for i in listed]
    ids = [i["InstanceId"] for i in listed[:3]]
    found = client().describe_instances(models.DescribeInstancesRequest(
        region_id=alibaba.region, instance_ids=json.dumps(ids), status="Running")).body
    assert [i.instance_id for i in found.instances.instance] == [
        i["InstanceId"] for i in listed[:3] if i["Status"] == "Running"]
    with pytest.raises(ClientException) as wrong:
        client("wrong").describe_instances(models.DescribeInstancesRequest(region_id=alibaba.region))
    assert wrong.value.code == "SignatureDoesNotMatch"


def test_aliyun_core_sdk_over_the_scheme(alibaba):
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest

    def call(secret=alibaba.key_secret, **setters):
        client = AcsClient(alibaba.key_id, secret, alibaba.region, port=alibaba.emulator.port,
                           verify=alibaba.ca_path or None)
        request = DescribeInstancesRequest()
        request.set_endpoint(alibaba.emulator.host)
        request.set_protocol_type(alibaba.protocol)
        for name, value in setters.items():
            getattr(request, f"set_{name}")(value)
        return json.loads(client.do_action_with_exception(request))

    listed = alibaba.listed()
    seen, page = [], 1
    while True:
        body = call(PageNumber=page, PageSize=50)
        seen += [i["InstanceId"] for i in body["Instances"]["Instance"]]
        if page * 50 >= body["TotalCount"]:
            break
        page += 1
    assert seen == [i["InstanceId"] for i in listed]
    body = call(Tags=[{"Key": "env", "Value": "prod"}], PageSize=100)
    assert [i["InstanceId"] for i in body["Instances"]["Instance"]] == [
        i["InstanceId"] for i in listed if {"TagKey": "env", "TagValue": "prod"} in i["Tags"]["Tag"]]
    with pytest.raises(ServerException) as wrong:
        call(secret="wrong")
    assert wrong.value.get_error_code() == "InvalidAccessKeySecret"


def test_tencent_sdk_over_the_scheme_with_todays_filters(tencent):
    from tencentcloud.common import credential
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cvm.v20170312 import cvm_client, models

    def client(secret=tencent.key_secret):
        profile = HttpProfile(endpoint=tencent.endpoint, protocol=tencent.protocol, certification=tencent.ca_path)
        return cvm_client.CvmClient(credential.Credential(tencent.key_id, secret), tencent.region,
                                    ClientProfile(httpProfile=profile))

    def ask(**fields):
        request = models.DescribeInstancesRequest()
        request.from_json_string(json.dumps(fields))
        return client().DescribeInstances(request)

    listed = tencent.listed()
    seen, offset = [], 0
    while True:
        answer = ask(Offset=offset, Limit=30)
        seen += [i.InstanceId for i in answer.InstanceSet]
        offset += 30
        if offset >= answer.TotalCount:
            break
    assert seen == [i["InstanceId"] for i in listed]
    first = answer.InstanceSet[0]
    assert first.InstanceState and isinstance(first.Tags, list) and first.SecurityGroupIds and first.OsName
    vpc = listed[0]["VirtualPrivateCloud"]["VpcId"]
    group = listed[0]["SecurityGroupIds"][0]
    answer = ask(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "security-group-id", "Values": [group]}],
                 Limit=100)
    assert [i.InstanceId for i in answer.InstanceSet] == [
        i["InstanceId"] for i in listed if i["VirtualPrivateCloud"]["VpcId"] == vpc and group in i["SecurityGroupIds"]]
    assert [i.InstanceId for i in ask(InstanceIds=[listed[5]["InstanceId"]]).InstanceSet] == [listed[5]["InstanceId"]]
    with pytest.raises(TencentCloudSDKException) as wrong:
        client("wrong").DescribeInstances(models.DescribeInstancesRequest())
    assert wrong.value.code == "AuthFailure.SignatureFailure"
