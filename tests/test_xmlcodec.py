"""Alibaba's XML read into the JSON shape its schema describes; what is worked out per schema node is kept per node."""

from __future__ import annotations

import copy

from conformance.wire import xmlcodec

SCHEMA = {
    "type": "object",
    "required": ["Instances"],
    "properties": {
        "TotalCount": {"type": "integer"},
        "Instances": {"type": "object", "required": ["Instance"],
                      "properties": {"Instance": {"type": "array", "items": {"$ref": "#/$defs/Instance"}}}},
    },
    "$defs": {"Instance": {"type": "object", "required": ["Tags"], "properties": {
        "Cpu": {"type": "integer"}, "IoOptimized": {"type": "boolean"}, "Name": {"type": "string"},
        "Tags": {"type": "array", "items": {"type": "string"}}}}},
}
BODY = (b"<R><TotalCount>2</TotalCount><Instances>"
        b"<Instance><Cpu>2</Cpu><IoOptimized>true</IoOptimized><Name>007</Name><Extra><A>1</A></Extra></Instance>"
        b"<Instance><Cpu>two</Cpu><Tags>x</Tags><Tags>y</Tags></Instance>"
        b"</Instances></R>")


def test_types_arrays_and_unknown_elements_follow_the_schema() -> None:
    assert xmlcodec.decode(BODY, SCHEMA) == {"TotalCount": 2, "Instances": {"Instance": [
        {"Cpu": 2, "IoOptimized": True, "Name": "007", "Extra": {"A": "1"}, "Tags": []},
        {"Cpu": "two", "Tags": ["x", "y"]},  # a value that does not convert stays a string for validation to see
    ]}}


def test_each_schema_object_decodes_by_its_own_types() -> None:
    """Nodes are kept by schema identity: another revision's schema of the same shape is not read by the first's."""
    other = copy.deepcopy(SCHEMA)
    other["$defs"]["Instance"]["properties"]["Cpu"] = {"type": "string"}
    other["$defs"]["Instance"]["properties"]["Name"] = {"type": "integer"}
    first = xmlcodec.decode(BODY, SCHEMA)["Instances"]["Instance"][0]
    second = xmlcodec.decode(BODY, other)["Instances"]["Instance"][0]
    assert (first["Cpu"], first["Name"]) == (2, "007") and (second["Cpu"], second["Name"]) == ("2", 7)
    assert xmlcodec.decode(BODY, SCHEMA)["Instances"]["Instance"][0] == first


def test_the_node_cache_stays_bounded() -> None:
    for _ in range(xmlcodec._MAX_NODES // 4 + 10):  # noqa: SLF001 - the bound is the point
        xmlcodec.decode(BODY, copy.deepcopy(SCHEMA))
    assert len(xmlcodec._NODES) <= xmlcodec._MAX_NODES  # noqa: SLF001
