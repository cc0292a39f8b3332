"""``conformance spec diff OLD NEW``: what changed between two revisions of a document."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.commands.main import main

REVISIONS = Path(__file__).resolve().parents[1] / "documents" / "revisions" / "alibaba-ecs-2014-05-26"
OLD, NEW = str(REVISIONS / "2020-12-14.md"), str(REVISIONS / "2021-05-17.md")


def _json(capsys, *args: str) -> dict:
    assert main(["spec", "diff", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_two_revisions_differ_by_paging_time_filters_and_fields(capsys) -> None:
    changes = _json(capsys, OLD, NEW)["changes"]
    added = {(c["kind"], c["name"]) for c in changes if c["change"] == "added"}
    assert {("request-parameter", "NextToken"), ("request-parameter", "MaxResults"),
            ("request-parameter", "Filter.1.Key"), ("request-parameter", "Filter.4.Value"),
            ("response-field", "NextToken"),
            ("response-field", "Instances.Instance.NetworkInterfaces.NetworkInterface.PrivateIpSets")} <= added
    assert ("statement", "description/if-nexttoken-is-set-the-pagesize") in added
    changed = {(c["kind"], c["name"]): (c["old"], c["new"]) for c in changes if c["change"] == "changed"}
    assert changed[("limit", "PageSize minimum")] == (1, None)
    assert changed[("values", "AdditionalAttributes.N enum")][1][-1] == "NETWORK_PRIMARY_ENI_IP"
    assert ("statement", "request/PageSize") in changed  # "Valid values: 1 to 100" became "Maximum value: 100."
    # markup and white space alone are no change: the revision indents every list item by one blank
    assert ("statement", "request/InstanceNetworkType/classic") not in changed


def test_text_output_names_the_additions(capsys) -> None:
    assert main(["spec", "diff", OLD, NEW]) == 0
    out = capsys.readouterr().out
    assert "added    request-parameter NextToken" in out and "added    request-parameter MaxResults" in out
    assert out.rstrip().splitlines()[-1].endswith("removed")
    # a changed statement shows its old and its new wording
    lines = out.splitlines()
    at = lines.index("changed  statement         request/PageSize")
    assert lines[at + 1].startswith("    - ") and lines[at + 2].startswith("    + ")
    assert "Valid values: 1 to 100" in lines[at + 1] and "Maximum value: 100" in lines[at + 2]


def test_a_revision_against_itself_is_no_change(capsys) -> None:
    assert _json(capsys, OLD, OLD)["changes"] == []
    assert main(["spec", "diff", NEW, NEW]) == 0
    assert capsys.readouterr().out.strip() == "no changes"


def test_a_missing_file_is_a_usage_error(capsys, tmp_path: Path) -> None:
    assert main(["spec", "diff", OLD, str(tmp_path / "nothing.md")]) == 2
    assert "no document at" in capsys.readouterr().err
