"""The README's fixture example, run as a test; the README shows this file from its marker line on."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = "# --- the README example ---\n"


def test_the_readme_shows_this_file():
    source = Path(__file__).read_text(encoding="utf-8").split(MARKER, 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert source in blocks, "README's example differs from tests/test_readme_example.py"


# --- the README example ---
import pytest  # noqa: E402
from alibabacloud_ecs20140526 import models  # noqa: E402
from alibabacloud_ecs20140526.client import Client  # noqa: E402
from alibabacloud_tea_openapi import models as open_api  # noqa: E402


def running_instance_ids(client: Client, region: str) -> list[str]:
    """Your code: every running instance of a region, page by page."""
    ids, page = [], 1
    while True:
        body = client.describe_instances(models.DescribeInstancesRequest(
            region_id=region, status="Running", page_number=page, page_size=50)).body
        ids += [i.instance_id for i in body.instances.instance]
        if page * 50 >= body.total_count:
            return ids
        page += 1


def client_for(cloud) -> Client:
    return Client(open_api.Config(access_key_id=cloud.key_id, access_key_secret=cloud.key_secret,
                                  endpoint=cloud.endpoint, protocol=cloud.protocol, region_id=cloud.region))


def test_running_instance_ids_walks_every_page(alibaba_cloud):
    alibaba_cloud.replace_instances([
        alibaba_cloud.instance(InstanceId=f"i-test{n:04d}", Status="Running" if n % 3 else "Stopped")
        for n in range(120)])
    ids = running_instance_ids(client_for(alibaba_cloud), alibaba_cloud.region)
    assert ids == [f"i-test{n:04d}" for n in range(120) if n % 3]
    # the request log: what your code sent, in which signing mode, and what it was answered
    assert [r.params["PageNumber"] for r in alibaba_cloud.requests] == ["1", "2"]
    assert {(r.signing, r.status, r.code) for r in alibaba_cloud.requests} == {("ACS3-HMAC-SHA256", 200, None)}


@pytest.mark.fake_cloud(instances=300, seed=7)
def test_a_marker_configures_the_fixture(alibaba_cloud):
    running = [i["InstanceId"] for i in alibaba_cloud.listed() if i["Status"] == "Running"]
    assert running_instance_ids(client_for(alibaba_cloud), alibaba_cloud.region) == running
    assert len(alibaba_cloud.requests) == (len(running) + 49) // 50


def test_a_factory_for_other_shapes(make_fake_cloud):
    # a cloud whose TotalCount counts the page, not the listing: this code then stops after one page
    broken = make_fake_cloud("alibaba", 300, deviations=["total-count-of-page"])
    assert len(running_instance_ids(client_for(broken), broken.region)) == 50


def test_a_session_cloud_reset_for_each_test(alibaba_cloud_session):
    assert len(alibaba_cloud_session.requests) == 0  # started once per session, reset before every test
    alibaba_cloud_session.replace_instances([alibaba_cloud_session.instance(Status="Running")])
    assert len(running_instance_ids(client_for(alibaba_cloud_session), alibaba_cloud_session.region)) == 1
