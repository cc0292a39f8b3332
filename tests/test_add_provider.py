"""Adding a provider: a skeleton adapter that the registries accept, end to end up to the wire.

It stands for "Adding a provider" in docs/architecture.md: one row in
``conformance.providers``, an adapter declaring its capabilities, and the
provider's schemas. The skeleton reuses the Tencent schemas folder (its API
is "Tencent-shaped") so that the catalogue, the option table, the check
registry and a signed request all work without any other change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conformance import providers, vendors
from conformance.checks import CatalogueError, validate
from conformance.run import options
from conformance.run.settings import Settings
from conformance.spec import catalog
from conformance.spec.catalog import Requirement
from conformance.vendors import Adapter, Capabilities, Credentials, Query


class SkeletonAdapter(Adapter):
    """The least an adapter has to say: capabilities, parameters, a request; answers are read from data."""

    vendor = "skeleton"
    capabilities = Capabilities(
        default_region="sk-central", signing_modes=("plain",), form_mode="plain", paging="offset",
        default_limit=20, formats=("JSON",), error_delivery="always-200",
        credential_env=("SKELETON_KEY_ID", "SKELETON_SECRET"), throttling_codes=frozenset({"SlowDown"}),
    )

    def params(self, query: Query, region: str) -> dict[str, Any]:
        params: dict[str, Any] = {"Region": query.region or region}
        if query.filters:
            params["Filters"] = [{"Name": n, "Values": v} for n, v in query.filters.items()]
        if query.limit is not None:
            params["Limit"] = query.limit
        return params

    def build(self, query: Query, *, url: str, region: str, credentials: Credentials, mode: str) -> httpx.Request:
        return httpx.Request("POST", url, json=self.params(query, region), headers={"X-Key": credentials.key_id})

    def synthetic_ids(self, count: int) -> list[str]:
        return [f"sk-{n}" for n in range(count)]

    def foreign_zone(self, region: str) -> str:
        return "sk-elsewhere-1"


@pytest.fixture
def skeleton() -> Iterator[providers.Provider]:
    row = providers.register(providers.Provider(
        name="skeleton", title="A skeleton provider", document="tencent-cvm-2017-03-12-DescribeInstances.md",
        schema_dir="tencent-cvm-2017-03-12", parser="conformance.spec.parsers.tencent",
        adapter=f"{__name__}:SkeletonAdapter"))
    try:
        yield row
    finally:
        providers.PROVIDERS.pop("skeleton")
        vendors.adapter.cache_clear()
        catalog.load.cache_clear()


def test_the_registries_accept_a_skeleton_provider(skeleton: providers.Provider) -> None:
    adapter = vendors.adapter("skeleton")
    assert isinstance(adapter, SkeletonAdapter)
    assert adapter.catalog.vendor == "skeleton" and adapter.catalog.filters  # the schemas data it names
    assert "skeleton" in options.OPTIONS[0].choices()  # --vendor skeleton
    settings = Settings(vendors=["skeleton"], endpoint="http://127.0.0.1:9", env={})
    settings.validate()
    assert settings.credentials("skeleton").known is False
    env = {"SKELETON_KEY_ID": "k", "SKELETON_SECRET": "s"}
    assert Settings(vendors=["skeleton"], env=env).credentials("skeleton") == Credentials("k", "s")


def test_its_requests_and_answers_go_through_its_adapter(skeleton: providers.Provider) -> None:
    adapter = vendors.adapter("skeleton")
    request = adapter.build(Query(filters={"zone": ["z1"]}, limit=5), url="http://h/", region="sk-central",
                            credentials=Credentials("k", "s"), mode="plain")
    assert json.loads(request.content) == {"Region": "sk-central", "Filters": [{"Name": "zone", "Values": ["z1"]}],
                                           "Limit": 5}
    body = json.dumps({"Response": {"TotalCount": 1, "InstanceSet": [{"InstanceId": "sk-0", "Placement": {}}],
                                    "RequestId": "r"}}).encode()
    answer = adapter.parse(200, "application/json", body, "JSON")
    assert answer.ok and answer.total_count == 1 and [i["InstanceId"] for i in answer.items] == ["sk-0"]


def test_its_catalogue_is_validated_against_the_check_registry(skeleton: providers.Provider) -> None:
    requirements = catalog.load("skeleton").requirements
    assert validate(requirements) == requirements
    bad = Requirement(id="SK-1", vendor="skeleton", category="pagination", status="documented", quote="q",
                      summary="s", check="page_echo", args={"feild": "PageSize"})
    with pytest.raises(CatalogueError, match="skeleton requirement SK-1: check 'page_echo': missing argument 'field'"):
        validate([bad])
    unknown = Requirement(id="SK-2", vendor="skeleton", category="pagination", status="documented", quote="q",
                          summary="s", check="no_such_check")
    with pytest.raises(CatalogueError, match="SK-2: unknown check 'no_such_check'"):
        validate([unknown])
    typed = Requirement(id="SK-3", vendor="skeleton", category="pagination", status="documented", quote="q",
                        summary="s", check="max_page_size", args={"size": "100"})
    with pytest.raises(CatalogueError, match="argument 'size' should be int, got str"):
        validate([typed])
