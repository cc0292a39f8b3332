"""One test per (vendor, requirement); parametrized by the conformance plugin."""

from __future__ import annotations

import pytest

from conformance.run.suite_plugin import run_requirement
from conformance.spec.catalog import Requirement


def test_requirement(conformance_requirement: Requirement, request: pytest.FixtureRequest) -> None:
    """Check one requirement of ``schemas/<vendor>/requirements.yaml`` against the vendor's target."""
    result = run_requirement(conformance_requirement, request)
    if result.replay_miss:
        pytest.fail(result.message, pytrace=False)
    if result.baseline == "expected":
        pytest.xfail(f"{result.requirement}: {result.baseline_reason}")
    if result.outcome == "failed":
        pytest.fail("\n".join(result.explain()), pytrace=False)
    if result.outcome in ("skipped", "inconclusive", "observed"):
        # JUnit and pytest-html show a skip, never a pass, for what was not decided or only observed
        pytest.skip(f"{result.outcome}: {result.message}")
