"""The 2021-05-17 revision judged against a server written from that revision's document, apart from the emulator.

``IndependentAlibaba(revision="2021-05-17")`` pages by its own tokens and filters by its own reading
of the four time keys. Faithful, it passes every documented requirement of the revision; with one
of the bugs named like the emulator's 2021-05-17 deviations, it fails exactly what that deviation
breaks, and nothing outside ``breaks`` and ``also``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from independent_alibaba import LATER, LATER_BUGS, IndependentAlibaba, describe, make_inventory

from conformance.emulator import deviations
from conformance.run.session import SuiteSession
from conformance.run.settings import Settings
from conformance.spec import catalog

KEYS = {"key_id": "independent-key", "key_secret": "independent-secret"}
#: Filters whose values none of the independent server's instances carry: inconclusive, with the reason.
UNCARRIED = {"ALI-FILT-EipAddresses", "ALI-FILT-InternetChargeType", "ALI-FILT-LockReason",
             "ALI-FILT-ResourceGroupId", "ALI-FILT-HpcClusterId", "ALI-FILT-RdmaIpAddresses"}
LATER_DEVIATIONS = sorted((d for d in deviations.CATALOGUE if d.vendor == "alibaba" and d.revision == LATER),
                          key=lambda d: d.name)


@pytest.fixture(autouse=True)
def _seed_again() -> Iterator[None]:
    """The judged revision is chosen per process: put the seed back for the tests that follow in this worker."""
    yield
    catalog.select_revision("alibaba", None)


def _run(count: int, requirements: list[str] | None = None, **server_options) -> dict[str, tuple[str, str]]:
    with IndependentAlibaba(count=count, verify_signatures=True, revision=LATER, **server_options) as server:
        settings = Settings(vendors=["alibaba"], endpoint=server.url, document_revision=LATER,
                            requirements=requirements or [], **KEYS)
        settings.select_revision()
        results = SuiteSession(settings).run_all()
    return {r.requirement: (r.outcome, r.message) for r in results}


def test_the_faithful_later_server_passes_every_documented_requirement():
    outcomes = _run(24)
    later = catalog.load("alibaba", LATER).requirements
    assert catalog.revision_of("alibaba") == LATER
    assert set(outcomes) == {r.id for r in later}
    documented = {r.id for r in later if r.documented}
    unpassed = {rid: outcomes[rid] for rid in documented - UNCARRIED if outcomes[rid][0] != "passed"}
    assert unpassed == {}
    for rid in UNCARRIED:  # no instance carries a value of these filters: never passed nor failed
        assert outcomes[rid][0] == "inconclusive" and "tells instances apart" in outcomes[rid][1], outcomes[rid]
    failed = {rid: message[:300] for rid, (outcome, message) in outcomes.items() if outcome == "failed"}
    assert failed == {}
    new = {"ALI-PAGE-020", "ALI-PAGE-021", "ALI-PAGE-022", "ALI-PAGE-023", "ALI-PAGE-024", "ALI-FILT-020",
           "ALI-FILT-021", "ALI-FILT-022", "ALI-FILT-023", "ALI-ERR-004", "ALI-ERR-020", "ALI-SCHEMA-001",
           "ALI-SCHEMA-002"}
    assert {rid: outcomes[rid][0] for rid in new} == dict.fromkeys(new, "passed")


def test_every_later_deviation_has_its_bug_here():
    assert {d.name for d in LATER_DEVIATIONS} <= LATER_BUGS
    with pytest.raises(ValueError, match="unknown bug 'token-walk-skips-one' for revision 2020-12-14"):
        IndependentAlibaba(bugs={"token-walk-skips-one"})
    with pytest.raises(ValueError, match="revision is"):
        IndependentAlibaba(revision="1999-01-01")


@pytest.mark.parametrize("deviation", LATER_DEVIATIONS, ids=lambda d: d.name)
def test_a_later_server_with_the_bug_fails_what_the_deviation_breaks(deviation):
    # MaxResults=100 capped at 50 shows only on a listing of more than 50 instances
    count = 64 if deviation.name == "max-results-capped-50" else 24
    outcomes = _run(count, requirements=[*deviation.breaks, *deviation.also], bugs={deviation.name})
    failed = {rid for rid, (outcome, _) in outcomes.items() if outcome == "failed"}
    assert set(deviation.breaks) <= failed, {rid: outcomes.get(rid) for rid in deviation.breaks}
    assert not failed - set(deviation.breaks) - set(deviation.also), \
        {rid: outcomes[rid][1][:300] for rid in failed - set(deviation.breaks) - set(deviation.also)}


def test_the_seed_server_is_unchanged_and_the_later_one_pages_by_token():
    inventory = make_inventory(24)
    status, seed = describe(inventory, {"RegionId": "cn-hangzhou", "MaxResults": "101",
                                        "Filter.1.Key": "NoSuchTimeKey"})
    assert status == 200 and "NextToken" not in seed and len(seed["Instances"]["Instance"]) == 10
    ask = {"RegionId": "cn-hangzhou"}
    status, first = describe(inventory, {**ask, "MaxResults": "7"}, revision=LATER)
    assert status == 200 and len(first["Instances"]["Instance"]) == 7 and first["NextToken"]
    seen, token = [i["InstanceId"] for i in first["Instances"]["Instance"]], first["NextToken"]
    while token:
        status, page = describe(inventory, {**ask, "MaxResults": "7", "NextToken": token,
                                            "PageSize": "2", "PageNumber": "9"}, revision=LATER)
        assert status == 200
        seen += [i["InstanceId"] for i in page["Instances"]["Instance"]]
        token = page["NextToken"]
    assert seen == [i["InstanceId"] for i in inventory if i["RegionId"] == "cn-hangzhou"]
    for refused in ({"Filter.1.Key": "NoSuchTimeKey", "Filter.1.Value": "2025-02-01T00:00Z"},
                    {"Filter.1.Key": "CreationStartTime", "Filter.1.Value": "2025-02-01T00:00:00Z"},
                    {"Filter.2.Key": "CreationEndTime", "Filter.2.Value": "2025-02-30T00:00Z"}):
        status, body = describe(inventory, {**ask, **refused}, revision=LATER)
        assert (status, body["Code"]) == (404, "InvalidFilterKey.NotFound"), refused
    status, body = describe(inventory, {**ask, "MaxResults": "101"}, revision=LATER)
    assert status == 400
