"""The number of requests a run announces is close to what it sends (it once said 653 and sent 299)."""

from __future__ import annotations

import pytest

from conformance import providers
from conformance.run.session import SuiteSession, expected_requests
from conformance.run.settings import Settings
from conformance.spec import catalog


@pytest.fixture(scope="module")
def default_run():
    """Both vendors against the embedded emulator, as ``conformance run`` runs by default.

    Each vendor has its own target (emulator, walk, client), so each vendor alone sends what its
    part of this run sends: the three default runs are measured at once.
    """
    session = SuiteSession(Settings(vendors=list(providers.names())))
    results = session.run_all()
    return session.estimates, results


@pytest.mark.parametrize("vendors", [list(providers.names()), *[[v] for v in providers.names()]],
                         ids=["all", *providers.names()])
def test_the_announced_estimate_is_within_a_quarter_of_what_is_sent(default_run, vendors):
    estimates, results = default_run
    sent = sum(r.requests for r in results if r.vendor in vendors)
    announced = sum(estimates[v] for v in vendors)
    assert abs(announced - sent) <= 0.25 * sent, (announced, sent)


def test_the_estimate_follows_the_selection():
    requirements = catalog.load("tencent").requirements
    auth = [r for r in requirements if r.category == "auth"]
    filters = [r for r in requirements if r.category == "filters"]
    assert expected_requests(auth, 2) < expected_requests(filters, 2)
    assert expected_requests([], 7) == 7
