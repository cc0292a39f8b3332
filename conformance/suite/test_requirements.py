"""One test per (vendor, requirement); parametrized by the conformance plugin."""

from __future__ import annotations

import pytest

from conformance.catalog import Requirement


def test_requirement(conformance_requirement: Requirement, conformance_session, record_property, request) -> None:
    """Check one requirement of ``schemas/<vendor>/requirements.yaml`` against the vendor's target."""
    result = conformance_session.evaluate(conformance_requirement)
    request.node.stash[conformance_session.RESULT_KEY] = result
    for name in ("requirement", "vendor", "category", "quote"):
        record_property(name, getattr(result, name))
    record_property("outcome", result.outcome)
    if result.replay_miss:
        pytest.fail(result.message, pytrace=False)
    if result.baseline == "expected":
        pytest.xfail(f"{result.requirement}: {result.baseline_reason}")
    if result.outcome == "failed":
        pytest.fail(f"{result.requirement}: {result.message}", pytrace=False)
    if result.outcome in ("skipped", "inconclusive"):
        pytest.skip(f"{result.outcome}: {result.message}")
