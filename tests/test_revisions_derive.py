"""Every revision of a vendor document derives with the same code, and its samples validate.

The parsers read nesting, types, enums, limits and defaults from the document's
own structure (``conformance.spec.nesting``, ``conformance.spec.reading``); what
the document leaves ambiguous is data with a reason (``parsers/alibaba.yaml``).
So both Alibaba revisions derive through ``conformance spec derive``, each
one's JSON and XML samples validate against its own response schema, and the
real recorded answers validate against the response schema of both.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conformance import providers
from conformance.commands.main import main
from conformance.files import load_yaml
from conformance.spec import derive, documents
from conformance.spec.documents import Document
from conformance.spec.parsers import alibaba
from conformance.wire import xmlcodec

ROOT = Path(__file__).resolve().parents[1]
REVISIONS = ROOT / "documents" / "revisions" / "alibaba-ecs-2014-05-26"
REAL = ROOT / "tests" / "data" / "real_answers" / "alibaba"
DATES = ["2020-12-14", "2021-05-17"]


def _derive(tmp_path: Path, date: str) -> Path:
    out = tmp_path / date
    assert main(["spec", "derive", "--vendor", "alibaba", "--document", str(REVISIONS / f"{date}.md"),
                 "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("date", DATES)
def test_each_revision_derives_and_its_samples_validate(tmp_path: Path, date: str) -> None:
    out = _derive(tmp_path, date)
    assert {p.name for p in out.iterdir()} == {"request.schema.json", "response.schema.json", "error.schema.json",
                                               "openapi.json", derive.FIELD_PATHS}
    response = json.loads((out / "response.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(response)
    document = Document.from_path(REVISIONS / f"{date}.md")
    assert list(validator.iter_errors(document.sample_json_response())) == []
    decoded = xmlcodec.decode(document.sample_xml_response(), response)
    assert list(validator.iter_errors(decoded)) == []
    for name in ("request.schema.json", "error.schema.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads((out / name).read_text()))


@pytest.mark.parametrize("date", DATES)
@pytest.mark.parametrize("answer", sorted(p.name for p in REAL.iterdir()))
def test_real_answers_validate_against_each_revision(date: str, answer: str) -> None:
    response = alibaba.alibaba_response_schema(Document.from_path(REVISIONS / f"{date}.md"))
    body = (REAL / answer).read_bytes()
    document = xmlcodec.decode(body, response) if answer.endswith(".xml") else json.loads(body)
    assert [e.message for e in jsonschema.Draft202012Validator(response).iter_errors(document)] == []


def test_the_seed_revision_derives_what_schemas_holds() -> None:
    """The committed seed schemas are the derivation of the seed document (the same file as its revision copy)."""
    seed = Document.from_path(REVISIONS / "2020-12-14.md")
    folder = ROOT / "schemas" / providers.get("alibaba").schema_dir
    for name, text in derive.derive_document("alibaba", seed).items():
        if name != derive.FIELD_PATHS:
            assert (folder / name).read_text(encoding="utf-8") == text, name


def test_the_new_revision_reads_its_new_rules() -> None:
    document = documents.revision_document("alibaba", "2021-05-17")
    request = alibaba.alibaba_request_schema(document)["properties"]
    assert request["MaxResults"]["maximum"] == 100 and request["MaxResults"]["default"] == 10
    assert request["NextToken"]["type"] == "string"
    assert request["Filter.1.Key"]["const"] == "CreationStartTime"
    assert request["Filter.4.Value"]["pattern"] == r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$"
    response = alibaba.alibaba_response_schema(document)
    assert "NextToken" in response["properties"]
    nic = response["$defs"]["Instance"]["properties"]["NetworkInterfaces"]["properties"]["NetworkInterface"]
    assert {"PrivateIpSets", "Ipv6Sets", "Type"} <= set(nic["items"]["properties"])
    pattern = next(iter(alibaba.alibaba_request_schema(document)["patternProperties"].values()))
    assert pattern["x-document-name"].endswith(".N") or ".N." in pattern["x-document-name"]


def test_every_ambiguity_has_a_reason() -> None:
    data = load_yaml(alibaba.DATA_FILE.read_text(encoding="utf-8"))
    entries = [data["response_required"], data["closed_response_enums"],
               *data["item_required"].values(), *data["list_elements"].values(),
               *data["request_values_from_response"].values(), *data["parents"].values()]
    assert all(len(str(entry.get("reason", ""))) > 40 for entry in entries)


@pytest.mark.parametrize("mutation, row", [
    (("|CpuOptions|Struct|", "|CpuOptions|Strukt|"), "CpuOptions"),
    (("|NetworkInterface|\u00a0|\u00a0|\u00a0|\n", ""), "Ipv6Sets"),  # an array's element row gone
    (("|Configured|Boolean|", "|Configured||"), "Configured"),  # a type cell emptied
])
def test_a_broken_document_names_the_row_and_exits_2(tmp_path: Path, capsys, mutation, row) -> None:
    text = (REVISIONS / "2021-05-17.md").read_text(encoding="utf-8")
    assert mutation[0] in text
    broken = tmp_path / "broken.md"
    broken.write_text(text.replace(mutation[0], mutation[1], 1), encoding="utf-8")
    status = main(["spec", "derive", "--vendor", "alibaba", "--document", str(broken), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1 and f"row {row!r}" in err and "Traceback" not in err
