"""The suite against a server that shares no code or data with the emulator."""

from __future__ import annotations

from independent_server import IndependentServer, make_inventory

from conformance.run.session import SuiteSession
from conformance.run.settings import Settings
from conformance.spec import catalog

#: Any credentials: the independent servers verify no signature, and a foreign endpoint needs some given.
KEYS = {"key_id": "independent-key", "key_secret": "independent-secret"}


def test_checks_do_not_lean_on_the_emulators_data():
    with IndependentServer() as server:
        results = SuiteSession(Settings(vendors=["tencent"], endpoint=server.url, **KEYS)).run_all()
    outcomes = {r.requirement: r.outcome for r in results}
    documented = {r.id for r in catalog.load("tencent").requirements if r.documented}
    auth = {r.id for r in catalog.load("tencent").requirements if r.category == "auth"}
    # the independent server verifies no signature: the auth checks are its business, not asserted here
    assert {i: outcomes[i] for i in documented - auth if outcomes[i] != "passed"} == {}
    walked = next(r for r in results if r.requirement == "TC-PAGE-005")
    assert str(len(make_inventory())) in walked.message  # the oracle is the server's own 47 instances


def test_a_broken_independent_server_is_caught(monkeypatch):
    import independent_server

    original = independent_server.describe

    def or_filters(inventory, region, body, **options):
        filters = body.pop("Filters", None) or []
        if not filters:
            return original(inventory, region, body, **options)
        seen, out = set(), []
        for entry in filters:
            for item in original(inventory, region, {**body, "Filters": [entry], "Offset": 0, "Limit": 100},
                                 **options)["InstanceSet"]:
                if item["InstanceId"] not in seen:
                    seen.add(item["InstanceId"])
                    out.append(item)
        offset, limit = int(body.get("Offset", 0)), int(body.get("Limit", 20))
        return {"TotalCount": len(out), "InstanceSet": out[offset:offset + limit]}

    monkeypatch.setattr(independent_server, "describe", or_filters)
    with IndependentServer() as server:
        results = SuiteSession(Settings(vendors=["tencent"], endpoint=server.url, categories=["filters"], **KEYS)).run_all()
    # the entries of one filter name given twice are two filters too: OR-combined, they fail TC-FILT-011 with it
    assert {r.requirement for r in results if r.outcome == "failed"} == {"TC-FILT-001", "TC-FILT-011"}


def test_alibaba_pagination_and_filters_do_not_lean_on_the_emulators_data():
    from independent_alibaba import IndependentAlibaba
    from independent_alibaba import make_inventory as alibaba_inventory

    with IndependentAlibaba() as server:
        results = SuiteSession(Settings(vendors=["alibaba"], endpoint=server.url, **KEYS,
                                        categories=["pagination", "filters"])).run_all()
    outcomes = {r.requirement: (r.outcome, r.message) for r in results if r.documented}
    # The independent server's instances carry only some of the filtered attributes: a filter whose
    # values no instance tells apart is inconclusive, with the reason, never passed or failed.
    undecided = {k: v for k, v in outcomes.items() if v[0] != "passed"}
    assert all(v[0] == "inconclusive" and "tells instances apart" in v[1] for v in undecided.values()), undecided
    carried = {"VpcId", "VSwitchId", "ZoneId", "InstanceNetworkType", "SecurityGroupId", "InnerIpAddresses",
               "PrivateIpAddresses", "PublicIpAddresses", "InstanceChargeType", "ImageId", "Status", "IoOptimized",
               "InstanceType", "InstanceTypeFamily"}
    assert {f"ALI-FILT-{name}" for name in carried} <= {k for k, v in outcomes.items() if v[0] == "passed"}
    in_region = sum(i["RegionId"] == "cn-hangzhou" for i in alibaba_inventory())
    assert f"{in_region} instances" in outcomes["ALI-PAGE-001"][1]
