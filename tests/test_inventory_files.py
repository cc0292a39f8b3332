"""Saved answers as inventories: either vendor, JSON or Alibaba XML, nulls and undocumented fields kept.

The Tencent file in ``tests/data`` has the shape today's CVM answers with
(undocumented fields, null in ``RenewFlag``, ``ExpiredTime`` and friends);
the Alibaba answers are the vendor's own sample from the document, in JSON
and in XML. Each loads, is served back as it was, and what cannot be used is
refused with the path and the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.emulator.fixtures import fake_cloud
from conformance.emulator.inventory import InventoryError, load_file
from conformance.spec import documents

DATA = Path(__file__).parent / "data"
TENCENT_ANSWER = DATA / "tencent-describe-instances-answer.json"


def tencent_call(cloud, **params):
    from tencentcloud.common import credential
    from tencentcloud.common.common_client import CommonClient
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    client = CommonClient("cvm", "2017-03-12", credential.Credential(cloud.key_id, cloud.key_secret), cloud.region,
                          ClientProfile(httpProfile=HttpProfile(endpoint=cloud.endpoint, protocol="http")))
    return client.call_json("DescribeInstances", params)["Response"]


def test_a_saved_tencent_answer_loads_and_is_served_with_its_nulls():
    items = load_file("tencent", TENCENT_ANSWER)
    saved = json.loads(TENCENT_ANSWER.read_text())["Response"]["InstanceSet"]
    assert items == saved
    with fake_cloud("tencent", items) as cloud:
        answer = tencent_call(cloud, Limit=100)
        assert answer["InstanceSet"] == saved  # every field, null and undocumented ones included, as saved
        assert answer["InstanceSet"][0]["RenewFlag"] is None and answer["InstanceSet"][0]["ExpiredTime"] is None
        running = tencent_call(cloud, Filters=[{"Name": "instance-state", "Values": ["RUNNING"]},
                                               {"Name": "tag:env", "Values": ["prod"]}])
        assert [i["InstanceId"] for i in running["InstanceSet"]] == ["ins-0lwvq7yv"]


def test_tccli_output_without_the_response_wrapper_loads(tmp_path):
    unwrapped = json.loads(TENCENT_ANSWER.read_text())["Response"]
    path = tmp_path / "tccli.json"
    path.write_text(json.dumps(unwrapped))
    assert [i["InstanceId"] for i in load_file("tencent", path)] == ["ins-0lwvq7yv", "ins-9p1ld3cg"]


@pytest.mark.parametrize("form", ["json", "xml"])
def test_the_alibaba_documents_sample_answer_loads_in_json_and_xml(tmp_path, form):
    path = tmp_path / f"answer.{form}"
    if form == "json":
        path.write_text(json.dumps(documents.sample_json_response("alibaba")), encoding="utf-8")
    else:
        path.write_text(documents.sample_xml_response("alibaba"), encoding="utf-8")
    items = load_file("alibaba", path)
    assert [i["InstanceId"] for i in items] == ["i-bp1j4i2jdf3owlhe****"]
    assert items[0]["Tags"]["Tag"][0]["TagKey"] == "acs:autoscaling:scalingGroupId"
    with fake_cloud("alibaba", items) as cloud:
        served = cloud.listed()
    assert served[0]["OSNameEn"] == items[0]["OSNameEn"] and list(served[0])[:3] == ["ImageId", "VlanId", "EipAddress"]


def test_a_plain_list_keeps_undocumented_fields_and_nulls(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("- InstanceId: ins-00000001\n  Placement: {Zone: ap-guangzhou-1, ProjectId: 0}\n"
                    "  RenewFlag: null\n  MyOwnField: kept\n")
    assert load_file("tencent", path) == [{"InstanceId": "ins-00000001", "Placement": {"Zone": "ap-guangzhou-1",
                                                                                         "ProjectId": 0},
                                           "RenewFlag": None, "MyOwnField": "kept"}]


@pytest.mark.parametrize("vendor, content, reason", [
    ("tencent", '{"Response": {"Error": {"Code": "AuthFailure"}, "RequestId": "x"}}', "an error answer (AuthFailure)"),
    ("tencent", '{"Response": {"TotalCount": 0}}', "no InstanceSet"),
    ("tencent", "<DescribeInstancesResponse/>", "XML answers are Alibaba's"),
    ("alibaba", '{"Code": "Forbidden.RAM", "Message": "no"}', "an error answer (Forbidden.RAM)"),
    ("alibaba", "<Error><Code>InvalidRegionId.NotFound</Code></Error>", "an error answer (InvalidRegionId.NotFound)"),
    ("alibaba", "<DescribeInstancesResponse><Instances>", "is not valid XML"),
    ("alibaba", '{"Response": {"InstanceSet": []}}', "no Instances"),
    ("tencent", '[{"InstanceId": "ins-00000001", "Placement": {"Zone": "ap-guangzhou-1"}, "CPU": "two"}]',
     "instance 0 at CPU: 'two' is not of type 'integer'"),
    ("tencent", "{not json", "is not valid JSON/YAML"),
    ("tencent", "[1, 2]", "every instance must be an object"),
])
def test_what_is_refused_is_refused_with_the_path_and_the_reason(tmp_path, vendor, content, reason):
    path = tmp_path / "inventory.json"
    path.write_text(content)
    with pytest.raises(InventoryError) as refused:
        load_file(vendor, path)
    assert str(path) in str(refused.value) and reason in str(refused.value)
