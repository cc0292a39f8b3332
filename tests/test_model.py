"""The document model on its own: predictions from a hand-made listing, judging, shrinking candidates, isolation.

The listing here is written in the test, not drawn from the emulator, so the
model's rules are checked against the documents' sentences and nothing else.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from conformance.checks.combined import isolate
from conformance.checks.context import Walk
from conformance.checks.model import DocumentModel, Request, case_variant
from conformance.spec import catalog
from conformance.vendors import adapter
from conformance.vendors.base import Answer


def tencent_item(n: int, zone: str, charge: str, name: str) -> dict:
    return {"InstanceId": f"ins-{n:08d}", "Placement": {"Zone": zone, "ProjectId": n % 2, "HostId": ""},
            "InstanceName": name, "InstanceChargeType": charge, "PrivateIpAddresses": [f"10.0.0.{n}"],
            "PublicIpAddresses": []}


ITEMS = [tencent_item(1, "ap-guangzhou-3", "PREPAID", "web-01"), tencent_item(2, "ap-guangzhou-3", "POSTPAID_BY_HOUR", "web-02"),
         tencent_item(3, "ap-guangzhou-4", "PREPAID", "db-01"), tencent_item(4, "ap-guangzhou-4", "PREPAID", "db-02"),
         tencent_item(5, "ap-guangzhou-3", "PREPAID", "cache-01")]


@pytest.fixture
def model() -> DocumentModel:
    walk = Walk(limit=100, ids=[i["InstanceId"] for i in ITEMS], items=ITEMS, totals=[len(ITEMS)])
    tencent = adapter("tencent")
    return DocumentModel(catalog.load("tencent"), tencent.capabilities, walk, "ap-guangzhou", "ap-beijing-1")


def answer(ids: list[str], total: int, code: str | None = None) -> tuple[Answer, list[str]]:
    return (Answer(status=200, content_type="application/json", text="", document={}, format="JSON", error_code=code,
                   error_message=None, request_id="r", items=[{"InstanceId": i} for i in ids], total_count=total), ids)


def test_filters_and_across_entries_or_within_values(model):
    both = model.predict(Request(conditions=(("zone", ("ap-guangzhou-3",)), ("instance-charge-type", ("PREPAID",)))))
    assert both.listing is not None and both.listing.order == ("ins-00000001", "ins-00000005")
    either = model.predict(Request(conditions=(("zone", ("ap-guangzhou-3", "ap-guangzhou-4")),)))
    assert either.listing is not None and either.listing.total == 5
    repeated = model.predict(Request(conditions=(("zone", ("ap-guangzhou-3",)), ("zone", ("ap-guangzhou-4",)))))
    assert repeated.listing is not None and repeated.listing.total == 0  # two entries of one name: AND


def test_ids_are_a_set_and_paging_counts_what_is_selected(model):
    twice = model.predict(Request(ids=("ins-00000003", "ins-00000003")))
    assert twice.listing is not None and (twice.listing.total, twice.listing.page) == (1, 1)
    page = model.predict(Request(conditions=(("zone", ("ap-guangzhou-3",)),), offset=2, limit=2))
    assert page.listing is not None and (page.listing.total, page.listing.page) == (3, 1)
    elsewhere = model.predict(Request(ids=("ins-00000001",), region="ap-beijing"))
    assert elsewhere.listing is not None and elsewhere.listing.total == 0


def test_documented_refusals(model):
    codes = {
        Request(ids=("ins-00000001",), conditions=(("zone", ("ap-guangzhou-3",)),)): "InvalidParameter",
        Request(conditions=(("zone", ("ap-guangzhou-3",) * 6),)): "InvalidFilterValue.LimitExceeded",
        Request(conditions=(("instance-charge-type", ("PREPAID", "prepaid")),)): "InvalidParameterValue",
        Request(conditions=(("host-id", ("host-1122",)),)): "InvalidHostId.Malformed",
        Request(conditions=(("no-such-filter", ("x",)),)): "InvalidFilter",
        Request(ids=("ins-1122",)): "InvalidInstanceId.Malformed",
        Request(conditions=(("zone", ("ap-beijing-1",)),)): "InvalidZone.MismatchRegion",
    }
    for request, code in codes.items():
        prediction = model.predict(request)
        assert prediction.refused and code in {r.code for r in prediction.refusals}, request


def test_open_outcomes_are_not_judged(model):
    # a zone nobody is in may exist in the region: an empty answer and the refusal are both right
    maybe = model.predict(Request(conditions=(("zone", ("AP-GUANGZHOU-3",)),)))
    assert maybe.listing is not None and maybe.listing.total == 0 and maybe.refusals
    assert model.judge(maybe, [answer([], 0)]) is None
    assert model.judge(maybe, [answer([], 0, code="InvalidZone.MismatchRegion")]) is None
    assert model.judge(maybe, [answer(["ins-00000001"], 1)]) is not None
    # Limit 0 has no documented lower bound: none or a refusal
    zero = model.predict(Request(limit=0))
    assert model.judge(zero, [answer([], 5)]) is None
    assert model.judge(zero, [answer(["ins-00000001"], 5)]) is not None


def test_judging_takes_any_order_but_not_a_wrong_page(model):
    prediction = model.predict(Request(conditions=(("zone", ("ap-guangzhou-3",)),), limit=2, walk=True))
    right = [answer(["ins-00000005", "ins-00000002"], 3), answer(["ins-00000001"], 3)]
    assert model.judge(prediction, right) is None
    cut = [answer(["ins-00000001"], 3), answer(["ins-00000005"], 3)]  # the page was cut before the filter
    assert "on the page" in model.judge(prediction, cut).message
    again = [answer(["ins-00000001", "ins-00000002"], 3), answer(["ins-00000001"], 3)]  # the offset ignored
    assert model.judge(prediction, again) is not None
    assert model.judge(prediction, [answer(["ins-00000001", "ins-00000002"], 5), answer(["ins-00000005"], 5)]) \
        is not None  # TotalCount of the whole listing


def test_shrinking_candidates_drop_one_dimension_and_keep_long_lists_whole():
    request = Request(conditions=(("zone", ("a", "b")), ("project-id", ("1",) * 6)), ids=None, offset=4, limit=2,
                      walk=True, format="XML", mode="hmac256")
    smaller = request.smaller(default_mode="tc3")
    assert replace(request, walk=False) in smaller
    assert replace(request, format="JSON") in smaller and replace(request, mode="tc3") in smaller
    assert replace(request, conditions=(("zone", ("b",)), ("project-id", ("1",) * 6))) in smaller
    assert not any(c.conditions[1:] and len(c.conditions[1][1]) == 5 for c in smaller)


def test_a_minimal_request_isolates_its_rule(model):
    known = frozenset(i["InstanceId"] for i in ITEMS)
    zone = ("zone", ("ap-guangzhou-3",))
    assert isolate(model, Request(conditions=(zone,), limit=2, offset=2), known) == "filtered-paging"
    assert isolate(model, Request(conditions=(zone,)), known) == ""  # one filter: its own requirement
    assert isolate(model, Request(limit=2, offset=2), known) == ""  # plain paging: the pagination requirements
    assert isolate(model, Request(ids=("ins-00000001", "ins-00000001")), known) == "ids-combined"
    assert isolate(model, Request(ids=("ins-00000001", "ins-09999999")), known) == "ids-combined"
    variant = case_variant("ap-guangzhou-3")
    assert isolate(model, Request(conditions=(("zone", (variant,)),), variants=((variant, "ap-guangzhou-3"),)), known) == "values-exact"
    assert isolate(model, Request(conditions=(zone, ("zone", ("ap-guangzhou-4",)))), known) == "repeated-names"
    assert isolate(model, Request(conditions=(("host-id", ("host-00000001", "host-1122")),)), known) == \
        "invalid-any-position"
    assert isolate(model, Request(conditions=(("host-id", ("host-1122",)),)), known) == ""  # TC-ERR-004's own
    assert isolate(model, Request(conditions=(("zone", ("ap-guangzhou-3",) * 6),)), known) == "lists-past-limit"
    assert isolate(model, Request(limit=0), known) == "page-bounds"


def test_requests_survive_a_recording():
    request = Request(conditions=(("zone", ("a", "b")),), tags=(("k", "v"),), ids=("i-1",), offset=2, limit=2,
                      region="r", format="XML", mode="acs3", walk=True, variants=(("a", "A"),))
    assert Request.from_json(request.to_json()) == request
