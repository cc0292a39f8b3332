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


def test_running_instance_ids_walks_every_page(alibaba_cloud):
    alibaba_cloud.replace_instances([
        alibaba_cloud.instance(InstanceId=f"i-test{n:04d}", Status="Running" if n % 3 else "Stopped")
        for n in range(120)])
    client = Client(open_api.Config(
        access_key_id=alibaba_cloud.key_id, access_key_secret=alibaba_cloud.key_secret,
        endpoint=alibaba_cloud.endpoint, protocol=alibaba_cloud.protocol, region_id=alibaba_cloud.region))
    assert running_instance_ids(client, alibaba_cloud.region) == [f"i-test{n:04d}" for n in range(120) if n % 3]
