"""Bugs where paths meet, in servers nobody on the suite's side wrote: caught, shrunk, attributed, nothing else.

Each bug of the independent servers (``independent_server.py``, ``independent_alibaba.py``) has the
name of an emulator deviation and the same behaviour, written apart from the emulator. Run against
a server with one bug, the suite must fail every requirement the deviation ``breaks``, show the
minimal request for a generated one, and fail nothing outside ``breaks`` and ``also``. The faithful
servers, with answers the documents allow (filtered answers in another order, ``MetadataOptions``
only on request, nulls in optional scalars), fail nothing.
"""

from __future__ import annotations

import pytest
from independent_alibaba import IndependentAlibaba
from independent_server import IndependentServer

from conformance.emulator import deviations
from conformance.run.session import SuiteSession
from conformance.run.settings import Settings
from conformance.spec import catalog

KEYS = {"key_id": "independent-key", "key_secret": "independent-secret"}
SERVERS = {"alibaba": IndependentAlibaba, "tencent": IndependentServer}
#: the bugs of the independent servers: every deviation of issue 18's kinds, by vendor
BUGS = {
    "alibaba": ["filtered-page-cut-before-filter", "filtered-offset-ignored", "ids-override-filters",
                "ids-override-region", "duplicate-ids-counted", "exact-filter-prefix", "exact-filter-case-insensitive",
                "enum-case-insensitive", "repeated-tag-key-last-wins", "xml-paged-differently", "xml-errors-status-400",
                "page-size-0-accepted", "address-limit-unchecked", "acs3-signature-unverified", "times-not-utc",
                "acs3-skips-validation"],
    "tencent": ["filtered-page-cut-before-filter", "filtered-offset-ignored", "ids-override-region",
                "duplicate-ids-counted", "exact-filter-prefix", "exact-filter-case-insensitive", "enum-case-insensitive",
                "repeated-filter-last-wins", "limit-0-as-default", "values-limit-only-zone",
                "hmac256-signature-unverified", "request-id-constant", "validate-first-value-only",
                "form-skips-validation"],
}


def _run(vendor: str, categories: list[str], **server_options) -> dict[str, tuple[str, str]]:
    with SERVERS[vendor](verify_signatures=True, **server_options) as server:
        results = SuiteSession(Settings(vendors=[vendor], endpoint=server.url, categories=categories,
                                        **KEYS)).run_all()
    return {r.requirement: (r.outcome, r.message) for r in results}


def _categories(vendor: str, ids: set[str]) -> list[str]:
    return sorted({r.category for r in catalog.load(vendor).requirements if r.id in ids})


@pytest.mark.parametrize(("vendor", "bug"), [(v, b) for v, names in BUGS.items() for b in names],
                         ids=lambda value: str(value))
def test_an_independent_server_with_the_bug_fails_the_same_requirement(vendor, bug):
    deviation = next(d for d in deviations.for_vendor(vendor) if d.name == bug)
    outcomes = _run(vendor, _categories(vendor, set(deviation.breaks)), bugs={bug})
    failed = {rid for rid, (outcome, _) in outcomes.items() if outcome == "failed"}
    assert set(deviation.breaks) <= failed, {rid: outcomes.get(rid) for rid in deviation.breaks}
    assert not failed - set(deviation.breaks) - set(deviation.also), \
        {rid: outcomes[rid][1][:300] for rid in failed - set(deviation.breaks) - set(deviation.also)}
    generated = {r.id for r in catalog.load(vendor).requirements if r.check == "model_agrees"}
    for rid in set(deviation.breaks) & generated:
        assert "minimal request:" in outcomes[rid][1], outcomes[rid][1]


@pytest.mark.parametrize("vendor", sorted(SERVERS))
@pytest.mark.parametrize("options", [{}, {"filtered_order": "reversed", "null_scalars": True}],
                         ids=["plain", "reordered-with-nulls"])
def test_the_faithful_independent_servers_fail_nothing(vendor, options):
    categories = ["pagination", "filters", "error-codes", "schema", "auth"]
    outcomes = _run(vendor, categories, **options)
    failed = {rid: message[:300] for rid, (outcome, message) in outcomes.items() if outcome == "failed"}
    assert failed == {}
    generated = [r.id for r in catalog.load(vendor).requirements if r.check == "model_agrees"]
    assert {rid: outcomes[rid][0] for rid in generated} == {rid: "passed" for rid in generated}
