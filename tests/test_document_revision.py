"""``--document-revision``: a run names the revision of the document it judges against, every report states it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance import providers
from conformance.commands.main import main
from conformance.spec import catalog, statements


@pytest.fixture(autouse=True)
def _seed_again() -> Iterator[None]:
    """The revision is chosen per process: put the seed back for the tests that follow in this worker."""
    yield
    for vendor in providers.names():
        catalog.select_revision(vendor, None)


def test_the_default_is_the_seed_revision() -> None:
    assert catalog.revision_of("alibaba") == "2020-12-14"
    assert catalog.load("alibaba").directory.name == "alibaba-ecs-2014-05-26"


def test_a_revision_has_its_own_schemas_and_the_seeds_hand_written_files() -> None:
    later = catalog.load("alibaba", "2021-05-17")
    assert "NextToken" in later.request_schema["properties"]
    assert "NextToken" not in catalog.load("alibaba").request_schema["properties"]
    assert later.path("jsonpath.yaml") == catalog.load("alibaba").path("jsonpath.yaml")
    # its catalogue is the seed's with its own words and rules laid over it
    seed = {r.id: r for r in catalog.load("alibaba").requirements}
    own = {r.id: r for r in later.requirements}
    assert set(seed) <= set(own)
    assert own["ALI-FILT-001"].quote == seed["ALI-FILT-001"].quote  # the same sentence in both revisions
    assert (own["ALI-FILT-001"].revision, seed["ALI-FILT-001"].revision) == ("2021-05-17", "")  # quoted from its own
    assert own["ALI-PAGE-010"].quote == "Maximum value: 100." != seed["ALI-PAGE-010"].quote
    assert own["ALI-ERR-004"].documented and not seed["ALI-ERR-004"].documented
    assert {"ALI-PAGE-020", "ALI-FILT-020"} <= set(own) - set(seed)
    assert later.path("coverage.yaml").parent == later.directory


def test_a_run_against_the_later_revision_states_it_in_every_report(tmp_path: Path) -> None:
    status = main(["run", "--vendor", "alibaba", "--category", "pagination", "--document-revision", "2021-05-17",
                   "--instances", "30", "--report-dir", str(tmp_path)])
    assert status == 0
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert report["document_revision"] == {"alibaba": "2021-05-17"}
    assert report["targets"]["alibaba"]["document_revision"] == "2021-05-17"
    assert 'name="document_revision" value="alibaba 2021-05-17"' in (tmp_path / "junit.xml").read_text()
    assert "document revision 2021-05-17" in (tmp_path / "conformance.html").read_text()


def test_an_unknown_revision_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["run", "--vendor", "alibaba", "--document-revision", "1999-01-01",
                 "--report-dir", str(tmp_path)]) == 2
    assert "no document revision '1999-01-01' for alibaba; known: 2020-12-14, 2021-05-17" in capsys.readouterr().err


def test_a_new_revisions_skeleton_starts_from_the_older_decisions() -> None:
    coverage = statements.inherited("alibaba", "2021-05-17")
    seed = statements.load_coverage("alibaba")
    assert coverage.entries["request/RegionId"] == seed.entries["request/RegionId"]  # same words: same decision
    assert "request/NextToken" not in coverage.entries  # new: TODO
    assert "request/PageSize" not in coverage.entries  # reworded ("Maximum value: 100."): decided again
    catalog.select_revision("alibaba", "2021-05-17")
    found = statements.statements("alibaba", coverage)
    text = statements.render("alibaba", "2021-05-17.md", coverage, found)
    assert "request/NextToken: {excluded: TODO}" in text  # what a new revision's skeleton starts with
    assert "request/RegionId: {requirements:" in text
    decided, _ = statements.skeleton("alibaba")  # the committed file: every TODO decided since
    assert "TODO}" not in decided and "request/NextToken: {requirements: [ALI-PAGE-020" in decided


def test_one_discovery_walk_whichever_paging_the_checks_use() -> None:
    """The token checks read the one discovery walk (page numbers) as their reference, and cost a few requests each."""
    from conformance.run.session import SuiteSession
    from conformance.run.settings import Settings

    settings = Settings(vendors=["alibaba"], categories=["pagination"], document_revision="2021-05-17", instances=450)
    settings.select_revision()
    results = {r.requirement: r for r in SuiteSession(settings).run_all()}
    assert {r.outcome for r in results.values()} <= {"passed", "observed"}
    assert len([r for r in results.values() if r.discovery_requests]) == 1  # one walk for the whole run
    tokens = [results[rid] for rid in ("ALI-PAGE-020", "ALI-PAGE-021", "ALI-PAGE-023", "ALI-PAGE-024")]
    assert all(r.requests - r.discovery_requests <= 6 for r in tokens), [(r.requirement, r.requests) for r in tokens]


def test_a_revisions_recording_is_kept_apart_and_replays(tmp_path: Path) -> None:
    """Cassettes of a later revision sit in their own folder; the seed's replay does not read them."""
    cassettes = tmp_path / "cassettes"
    chosen = ["--requirement", "ALI-PAGE-020", "--requirement", "ALI-FILT-020", "--instances", "30"]
    common = ["run", "--vendor", "alibaba", "--cassette-dir", str(cassettes), *chosen]
    assert main([*common, "--document-revision", "2021-05-17", "--record", "--report-dir", str(tmp_path / "a")]) == 0
    folder = cassettes / "alibaba" / "emulator" / "2021-05-17"
    assert {p.name for p in folder.iterdir()} >= {"ALI-PAGE-020.yaml", "ALI-FILT-020.yaml"}
    assert main([*common, "--document-revision", "2021-05-17", "--replay", "--report-dir", str(tmp_path / "b")]) == 0
    replayed = json.loads((tmp_path / "b" / "conformance.json").read_text())
    assert {r["requirement"]: r["outcome"] for r in replayed["results"]} == {"ALI-PAGE-020": "passed",
                                                                             "ALI-FILT-020": "passed"}
    for vendor in providers.names():
        catalog.select_revision(vendor, None)
    # the seed's replay looks in the seed's folder, which holds nothing: a usage error naming it
    assert main(["run", "--vendor", "alibaba", "--cassette-dir", str(cassettes), "--replay",
                 "--requirement", "ALI-PAGE-001", "--report-dir", str(tmp_path / "c")]) == 2


def test_the_catalogue_of_a_revision_is_listed_with_its_own_document(capsys) -> None:
    assert main(["requirements", "--vendor", "alibaba", "--document-revision", "2021-05-17", "--format", "json"]) == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed["ALI-PAGE-020"]["source"] == {"document": "revisions/alibaba-ecs-2014-05-26/2021-05-17.md"}
    assert main(["requirements", "--vendor", "alibaba", "--format", "json"]) == 0
    assert "ALI-PAGE-020" not in {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert main(["requirements", "--vendor", "tencent", "--document-revision", "2021-05-17"]) == 2
    assert "no document revision '2021-05-17' for tencent" in capsys.readouterr().err


def test_a_deviation_of_a_revision_needs_that_revision(tmp_path: Path, capsys) -> None:
    """Without the revision the emulator would not serve the rule it breaks: the run would prove nothing."""
    assert main(["run", "--vendor", "alibaba", "--deviation", "token-walk-skips-one",
                 "--report-dir", str(tmp_path)]) == 2
    assert "add --document-revision 2021-05-17" in capsys.readouterr().err
    assert main(["emulator", "--vendor", "alibaba", "--deviation", "token-walk-skips-one"]) == 2
    assert "serve it with --document-revision 2021-05-17" in capsys.readouterr().err
    assert main(["coverage", "--document-revision", "2021-05-17"]) == 2  # both vendors: Tencent has no such revision
    assert "is a revision of the alibaba document: choose --vendor" in capsys.readouterr().err


def test_spec_diff_takes_the_dates_of_revisions_the_project_holds(capsys) -> None:
    assert main(["spec", "diff", "2020-12-14", "2021-05-17", "--format", "json"]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    assert {"kind": "request-parameter", "name": "NextToken"}.items() <= next(
        c for c in changes if c.get("name") == "NextToken").items()
    assert main(["spec", "diff", "2020-12-14", "1999-01-01"]) == 2
    assert "no document revision '1999-01-01' is held" in capsys.readouterr().err
