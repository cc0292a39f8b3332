"""The suite detects every deviation of the emulator's catalogue, and nothing else.

For each named deviation the whole suite runs against the emulator with that
deviation: every requirement the deviation ``breaks`` must fail, and nothing
may fail outside ``breaks`` and ``also``. Against the faithful emulator every
documented requirement passes.
"""

from __future__ import annotations

import pytest

from conformance import providers
from conformance.emulator import deviations
from conformance.run.session import SuiteSession
from conformance.run.settings import Settings
from conformance.spec import catalog

#: (vendor, revision) of every document the project holds ("" for the seed).
REVISIONS = [(v, r) for v in providers.names() for r in ("", *providers.get(v).revisions)]


@pytest.fixture(autouse=True)
def _seed_again():
    """The revision is chosen per process: put the seed back for the tests that follow in this worker."""
    yield
    for vendor in providers.names():
        catalog.select_revision(vendor, None)


def run(vendor: str, *names: str, revision: str = "") -> dict[str, str]:
    settings = Settings(vendors=[vendor], deviations=list(names), document_revision=revision or None)
    settings.select_revision()
    results = SuiteSession(settings).run_all()
    return {r.requirement: r.outcome for r in results}


@pytest.mark.parametrize(("vendor", "revision"), REVISIONS, ids=lambda v: v or "seed")
def test_faithful_emulator_passes_every_documented_requirement(vendor, revision):
    outcomes = run(vendor, revision=revision)
    requirements = catalog.load(vendor, revision or None).requirements
    documented = {r.id for r in requirements if r.documented}
    assert documented <= set(outcomes)
    assert {rid: o for rid, o in outcomes.items() if rid in documented and o != "passed"} == {}
    observed = {r.id for r in requirements if not r.documented}
    assert {outcomes[rid] for rid in observed} <= {"observed", "skipped"}


@pytest.mark.parametrize("deviation", deviations.CATALOGUE,
                         ids=lambda d: f"{d.vendor}:{d.name}" + (f"@{d.revision}" if d.revision else ""))
def test_suite_detects_deviation(deviation):
    outcomes = run(deviation.vendor, deviation.name, revision=deviation.revision)
    failed = {rid for rid, outcome in outcomes.items() if outcome == "failed"}
    assert set(deviation.breaks) <= failed, f"not detected: {sorted(set(deviation.breaks) - failed)}"
    unrelated = failed - set(deviation.breaks) - set(deviation.also)
    assert not unrelated, f"unrelated failures: {sorted(unrelated)}"


@pytest.mark.parametrize("vendor", providers.names())
def test_every_documented_requirement_is_broken_by_some_deviation(vendor):
    broken = {rid for d in deviations.for_vendor(vendor) for rid in d.breaks}
    documented = {r.id for r in catalog.load(vendor).requirements if r.documented}
    assert documented - broken == set()


def test_each_rule_a_revision_adds_is_broken_by_a_deviation_of_that_revision():
    """The rules the seed holds too are broken by the seed's deviations; each new or changed one by its own."""
    for vendor, revision in REVISIONS:
        if not revision:
            continue
        seed = {r.id: r for r in catalog.load(vendor, providers.get(vendor).seed_revision or None).requirements}
        added = {r.id for r in catalog.load(vendor, revision).requirements
                 if r.documented and (r.id not in seed or r.check != seed[r.id].check or not seed[r.id].documented)}
        assert added, revision
        broken = {rid for d in deviations.for_vendor(vendor) if d.revision == revision for rid in d.breaks}
        assert added - broken == set(), revision


def test_deviations_name_real_requirements():
    for d in deviations.CATALOGUE:
        judged = catalog.load(d.vendor, d.revision or providers.get(d.vendor).seed_revision or None)
        ids = {r.id for r in judged.requirements}
        assert set(d.breaks) | set(d.also) <= ids, d.name
        documented = {r.id for r in judged.requirements if r.documented}
        assert set(d.breaks) <= documented, f"{d.name} breaks an observed requirement"
