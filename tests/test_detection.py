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


def run(vendor: str, *names: str) -> dict[str, str]:
    results = SuiteSession(Settings(vendors=[vendor], deviations=list(names))).run_all()
    return {r.requirement: r.outcome for r in results}


@pytest.mark.parametrize("vendor", providers.names())
def test_faithful_emulator_passes_every_documented_requirement(vendor):
    outcomes = run(vendor)
    documented = {r.id for r in catalog.load(vendor).requirements if r.documented}
    assert {rid: o for rid, o in outcomes.items() if rid in documented and o != "passed"} == {}
    observed = {r.id for r in catalog.load(vendor).requirements if not r.documented}
    assert {outcomes[rid] for rid in observed} <= {"observed", "skipped"}


@pytest.mark.parametrize("deviation", deviations.CATALOGUE, ids=lambda d: f"{d.vendor}:{d.name}")
def test_suite_detects_deviation(deviation):
    outcomes = run(deviation.vendor, deviation.name)
    failed = {rid for rid, outcome in outcomes.items() if outcome == "failed"}
    assert set(deviation.breaks) <= failed, f"not detected: {sorted(set(deviation.breaks) - failed)}"
    unrelated = failed - set(deviation.breaks) - set(deviation.also)
    assert not unrelated, f"unrelated failures: {sorted(unrelated)}"


@pytest.mark.parametrize("vendor", providers.names())
def test_every_documented_requirement_is_broken_by_some_deviation(vendor):
    broken = {rid for d in deviations.for_vendor(vendor) for rid in d.breaks}
    documented = {r.id for r in catalog.load(vendor).requirements if r.documented}
    assert documented - broken == set()


def test_deviations_name_real_requirements():
    for d in deviations.CATALOGUE:
        ids = {r.id for r in catalog.load(d.vendor).requirements}
        assert set(d.breaks) | set(d.also) <= ids, d.name
        documented = {r.id for r in catalog.load(d.vendor).requirements if r.documented}
        assert set(d.breaks) <= documented, f"{d.name} breaks an observed requirement"
