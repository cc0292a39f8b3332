"""Real recorded answers of both clouds pass the schema gate; what matters still fails.

The answers under ``tests/data/real_answers/`` were recorded from the real
APIs by other projects (provenance in ``PROVENANCE.md``). They go through the
same path as a live answer: the adapter reads the bytes, the schema check's
``schema_errors`` applies the null policy.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conformance.checks.null_policy import apply_null_policy
from conformance.checks.schema import schema_errors
from conformance.vendors import adapter

DATA = Path(__file__).resolve().parent / "data" / "real_answers"
FILES = sorted(p for v in ("alibaba", "tencent") for p in (DATA / v).iterdir() if p.suffix in (".json", ".xml"))


def read(path: Path) -> tuple[str, bytes]:
    vendor = path.parent.name
    body = path.read_bytes()
    if vendor == "tencent" and path.suffix == ".json":
        document = json.loads(body)
        if "Response" not in document:  # the PHP SDK's toJsonString() drops the envelope
            body = json.dumps({"Response": document}).encode()
    return vendor, body


def gate(vendor: str, document_or_body: Any, nulls: Counter[str] | None = None) -> list[str]:
    body = document_or_body if isinstance(document_or_body, bytes) else json.dumps(document_or_body).encode()
    a = adapter(vendor)
    answer = a.parse(200, "application/xml" if body.lstrip().startswith(b"<") else "application/json", body, "JSON")
    return schema_errors(SimpleNamespace(catalog=a.catalog), answer, "response", nulls)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_a_real_answer_passes_the_schema_gate(path: Path) -> None:
    vendor, body = read(path)
    assert gate(vendor, body) == []


def test_the_real_tencent_nulls_are_observed_not_failed() -> None:
    _, body = read(DATA / "tencent" / "c7n_cvm_stop_after_ins-00lycyy6.json")
    a = adapter("tencent")
    document = json.loads(body)
    strict = apply_null_policy(document, a.catalog.response_schema, "$.Response.InstanceSet[*]")
    assert len(strict.waived) == 4  # the strict schema rejects these four
    nulls: Counter[str] = Counter()
    assert gate("tencent", body, nulls) == []
    assert {"ExpiredTime", "RenewFlag", "Placement.HostId", "InternetAccessible.InternetChargeType"} <= set(nulls)


def _tencent() -> dict[str, Any]:
    return json.loads(read(DATA / "tencent" / "c7n_cvm_stop_after_ins-00lycyy6.json")[1])


def _alibaba() -> dict[str, Any]:
    return json.loads((DATA / "alibaba" / "troubleshooter_cn-beijing.json").read_bytes())


@pytest.mark.parametrize("vendor, make, where, value", [
    ("tencent", _tencent, ("Response", "InstanceSet", 0, "CPU"), "2"),  # a number as a string
    ("tencent", _tencent, ("Response", "InstanceSet", 0, "Placement", "HostId"), 123),
    ("tencent", _tencent, ("Response", "InstanceSet"), None),  # documented as a list: null is no empty list
    ("tencent", _tencent, ("Response", "InstanceSet", 0, "InternetAccessible"), None),
    ("tencent", _tencent, ("Response", "InstanceSet", 0, "InstanceId"), None),
    ("tencent", _tencent, ("Response", "InstanceSet", 0, "PrivateIpAddresses"), [None]),
    ("tencent", _tencent, ("Response", "TotalCount"), None),
    ("alibaba", _alibaba, ("Instances", "Instance"), None),
    ("alibaba", _alibaba, ("Instances", "Instance", 0, "Cpu"), "2"),
])
def test_what_matters_still_fails(vendor: str, make: Any, where: tuple[Any, ...], value: Any) -> None:
    document = make()
    assert gate(vendor, copy.deepcopy(document)) == []
    node = document
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    problems = gate(vendor, document)
    prefix = "/".join(map(str, where))
    assert any(p.startswith((prefix + ":", prefix + "/")) for p in problems), problems


def test_alibaba_nulls_in_scalars_and_inner_lists_are_observed() -> None:
    document = _alibaba()
    instance = document["Instances"]["Instance"][0]
    instance["HostName"] = None
    instance["EipAddress"]["IpAddress"] = None
    instance["SecurityGroupIds"]["SecurityGroupId"] = None
    nulls: Counter[str] = Counter()
    assert gate("alibaba", document, nulls) == []
    assert set(nulls) == {"HostName", "EipAddress.IpAddress", "SecurityGroupIds.SecurityGroupId"}
