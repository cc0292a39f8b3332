"""The deviations of issue 18, one by one: each bug seen in a real request, and the faithful answer beside it.

One emulator per vendor serves the whole module; each test swaps in a service
built with the deviation under test (``EmulatorApp.service``), sends the same
signed request to it and to a faithful service, and compares what comes back.
The suite-level proof (the suite catches each deviation) is tests/test_detection.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.emulator import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, Emulator, EmulatorConfig
from conformance.emulator.server import build_service
from conformance.vendors import Answer, Credentials, Query, adapter
from conformance.vendors.transport import Client

REGION = {"alibaba": "cn-hangzhou", "tencent": "ap-guangzhou"}
RIGHT = Credentials(DEFAULT_KEY_ID, DEFAULT_KEY_SECRET)
WRONG = Credentials(DEFAULT_KEY_ID, "not-the-secret")


class Served:
    """An emulator whose service can be rebuilt with other deviations between requests."""

    def __init__(self, emulator: Emulator, vendor: str):
        self.emulator, self.vendor = emulator, vendor

    def send(self, query: Query, *deviations: str, mode: str | None = None,
             credentials: Credentials = RIGHT) -> Answer:
        """``query`` answered by a fresh service with ``deviations`` (none: the faithful emulator)."""
        self.emulator.app.service = build_service(EmulatorConfig(self.vendor, deviations=deviations))
        client = Client(adapter(self.vendor), self.emulator.url, REGION[self.vendor], RIGHT, signing=mode)
        try:
            return client.send(query, credentials=credentials)[0]
        finally:
            client.close()

    def both(self, query: Query, deviation: str, mode: str | None = None,
             credentials: Credentials = RIGHT) -> tuple[Answer, Answer]:
        """(faithful answer, deviant answer) to the same request."""
        return (self.send(query, mode=mode, credentials=credentials),
                self.send(query, deviation, mode=mode, credentials=credentials))


@pytest.fixture(scope="module")
def alibaba() -> Iterator[Served]:
    with Emulator(EmulatorConfig("alibaba")) as emulator:
        yield Served(emulator, "alibaba")


@pytest.fixture(scope="module")
def tencent() -> Iterator[Served]:
    with Emulator(EmulatorConfig("tencent")) as emulator:
        yield Served(emulator, "tencent")


def ids(answer: Answer) -> list[str]:
    return [item["InstanceId"] for item in answer.items]


def listing(served: Served, query: Query | None = None) -> list[dict]:
    """Every instance of the default region (that ``query`` selects), from the faithful emulator."""
    answer = served.send(query or Query(limit=100))
    assert answer.ok and answer.total_count == len(answer.items)
    return answer.items


def foreign_id(vendor: str) -> str:
    """The id of an instance outside the default region."""
    from conformance.emulator import inventory
    from conformance.spec import catalog

    cat = catalog.load(vendor)
    return next(i["InstanceId"] for i in inventory.generate(vendor)
                if not cat.item.get("zone", i).startswith(REGION[vendor] + "-"))


# ------------------------------------------------------------------ Alibaba


def test_alibaba_filtered_page_cut_before_filter(alibaba):
    query = Query(filters={"Status": ["Running"]}, limit=5)
    good, bad = alibaba.both(query, "filtered-page-cut-before-filter")
    running = [i["InstanceId"] for i in listing(alibaba) if i["Status"] == "Running"]
    assert ids(good) == running[:5] and good.total_count == len(running)
    region_page = [i["InstanceId"] for i in listing(alibaba)[:5]]
    assert ids(bad) == [i for i in region_page if i in running] != ids(good)
    assert bad.total_count == good.total_count


def test_alibaba_filtered_offset_ignored(alibaba):
    query = Query(filters={"Status": ["Running"]}, limit=3, offset=3)
    good, bad = alibaba.both(query, "filtered-offset-ignored")
    running = [i["InstanceId"] for i in listing(alibaba) if i["Status"] == "Running"]
    assert ids(good) == running[3:6] and ids(bad) == running[:3]
    assert good.document["PageNumber"] == bad.document["PageNumber"] == 2
    unfiltered = alibaba.send(Query(limit=3, offset=3), "filtered-offset-ignored")
    assert ids(unfiltered) == [i["InstanceId"] for i in listing(alibaba)[3:6]]


def test_alibaba_ids_override_filters(alibaba):
    running = next(i["InstanceId"] for i in listing(alibaba) if i["Status"] == "Running")
    good, bad = alibaba.both(Query(ids=[running], filters={"Status": ["Stopped"]}), "ids-override-filters")
    assert ids(good) == [] and ids(bad) == [running]
    good, bad = alibaba.both(Query(ids=[running], tags=[("no-such-key", None)]), "ids-override-filters")
    assert ids(good) == [] and ids(bad) == [running]


def test_alibaba_ids_override_region(alibaba):
    other = foreign_id("alibaba")
    good, bad = alibaba.both(Query(ids=[other]), "ids-override-region")
    assert good.ok and ids(good) == [] and ids(bad) == [other] and bad.total_count == 1


def test_alibaba_duplicate_ids_counted(alibaba):
    first = listing(alibaba)[0]["InstanceId"]
    good, bad = alibaba.both(Query(ids=[first, first]), "duplicate-ids-counted")
    assert ids(good) == [first] and good.total_count == 1
    assert ids(bad) == [first, first] and bad.total_count == 2


def test_alibaba_exact_filter_prefix(alibaba):
    good, bad = alibaba.both(Query(filters={"ZoneId": ["cn-hangzhou-"]}, limit=100), "exact-filter-prefix")
    assert good.ok and good.total_count == 0
    assert bad.total_count == len(listing(alibaba))
    good, bad = alibaba.both(Query(filters={"InstanceType": ["ecs.g6"]}, limit=100), "exact-filter-prefix")
    assert good.total_count == 0 and bad.items and all(i["InstanceType"].startswith("ecs.g6.") for i in bad.items)


def test_alibaba_exact_filter_case_insensitive(alibaba):
    query = Query(filters={"ImageId": ["M-CENTOS7X64"]}, limit=100)
    good, bad = alibaba.both(query, "exact-filter-case-insensitive")
    assert good.ok and good.total_count == 0
    assert bad.items and {i["ImageId"] for i in bad.items} == {"m-centos7x64"}


def test_alibaba_enum_case_insensitive(alibaba):
    good, bad = alibaba.both(Query(filters={"Status": ["running"]}, limit=100), "enum-case-insensitive")
    assert good.status == 404 and good.error_code == "InvalidStatus.NotFound"
    assert bad.ok and bad.items and {i["Status"] for i in bad.items} == {"Running"}


def test_alibaba_repeated_tag_key_last_wins(alibaba):
    query = Query(tags=[("env", "prod"), ("env", "dev")], limit=100)
    good, bad = alibaba.both(query, "repeated-tag-key-last-wins")
    assert good.ok and good.total_count == 0  # no instance carries two env tags
    dev = [i["InstanceId"] for i in listing(alibaba) if {"TagKey": "env", "TagValue": "dev"} in i["Tags"]["Tag"]]
    assert dev and ids(bad) == dev


def test_alibaba_xml_paged_differently(alibaba):
    json_page, xml_page = (alibaba.send(Query(limit=5, offset=5, format=f), "xml-paged-differently")
                           for f in ("JSON", "XML"))
    whole = [i["InstanceId"] for i in listing(alibaba)]
    assert ids(json_page) == whole[5:10] and ids(xml_page) == whole[6:11]
    assert ids(alibaba.send(Query(limit=5, offset=5, format="XML"))) == whole[5:10]


def test_alibaba_xml_errors_status_400(alibaba):
    for fmt, right, wrong in (("XML", 404, 400), ("JSON", 404, 404)):
        good, bad = alibaba.both(Query(extra={"Status": "Bogus"}, format=fmt), "xml-errors-status-400")
        assert good.error_code == bad.error_code == "InvalidStatus.NotFound"
        assert (good.status, bad.status) == (right, wrong)


def test_alibaba_page_size_0_accepted(alibaba):
    good, bad = alibaba.both(Query(extra={"PageSize": "0"}), "page-size-0-accepted")
    assert good.status == 400 and good.error_code == "InvalidParameter"
    assert bad.ok and len(bad.items) == 10 and bad.document["PageSize"] == 10


def test_alibaba_address_limit_unchecked(alibaba):
    addresses = [f"172.16.9.{n}" for n in range(101)]
    good, bad = alibaba.both(Query(filters={"PrivateIpAddresses": addresses}), "address-limit-unchecked")
    assert good.status == 400 and good.error_code == "InvalidParameter"
    assert bad.ok
    too_many_ids = alibaba.send(Query(ids=[f"i-x{n}" for n in range(101)]), "address-limit-unchecked")
    assert too_many_ids.status == 400


def test_alibaba_acs3_signature_unverified(alibaba):
    good, bad = alibaba.both(Query(), "acs3-signature-unverified", mode="acs3", credentials=WRONG)
    assert good.error_code == "SignatureDoesNotMatch" and bad.ok
    rpc = alibaba.send(Query(), "acs3-signature-unverified", mode="rpc", credentials=WRONG)
    assert rpc.error_code == "SignatureDoesNotMatch"


def test_alibaba_times_not_utc(alibaba):
    good, bad = alibaba.both(Query(limit=3), "times-not-utc")
    assert all(i["ExpiredTime"].endswith("Z") and i["CreationTime"].endswith("Z") for i in good.items)
    assert all(i["ExpiredTime"].endswith("+08:00") and i["CreationTime"].endswith("+08:00") for i in bad.items)
    postpaid = [i["ExpiredTime"] for i in bad.items if i["InstanceChargeType"] == "PostPaid"]
    assert postpaid and set(postpaid) == {"2099-12-31T23:59+08:00"}


def test_alibaba_acs3_skips_validation(alibaba):
    query = Query(extra={"Status": "Bogus"})
    good, bad = alibaba.both(query, "acs3-skips-validation", mode="acs3")
    assert good.status == 404 and bad.ok and bad.total_count == 0
    rpc = alibaba.send(query, "acs3-skips-validation", mode="rpc")
    assert rpc.status == 404 and rpc.error_code == "InvalidStatus.NotFound"


@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_alibaba_metadata_options_only_when_asked(alibaba, fmt):
    """The document ties MetadataOptions to AdditionalAttributes.N=META_OPTIONS: the real API shows it only then."""
    plain = alibaba.send(Query(limit=5, format=fmt))
    asked = alibaba.send(Query(limit=5, format=fmt, extra={"AdditionalAttributes.1": "META_OPTIONS"}))
    assert plain.items and all("MetadataOptions" not in i for i in plain.items)
    assert asked.items and all(set(i["MetadataOptions"]) >= {"HttpEndpoint", "HttpTokens"} for i in asked.items)
    # the HttpEndpoint/HttpTokens filters filter whether MetadataOptions is shown or not
    whole = alibaba.send(Query(limit=100, extra={"AdditionalAttributes.1": "META_OPTIONS"}))
    disabled = [i["InstanceId"] for i in whole.items if i["MetadataOptions"]["HttpEndpoint"] == "disabled"]
    filtered = alibaba.send(Query(filters={"HttpEndpoint": ["disabled"]}, limit=100, format=fmt))
    assert disabled and ids(filtered) == disabled


# ------------------------------------------------------------------ Tencent


def charge(served: Served, kind: str) -> list[str]:
    return [i["InstanceId"] for i in listing(served) if i["InstanceChargeType"] == kind]


def test_tencent_filtered_page_cut_before_filter(tencent):
    query = Query(filters={"instance-charge-type": ["POSTPAID_BY_HOUR"]}, limit=5)
    good, bad = tencent.both(query, "filtered-page-cut-before-filter")
    postpaid = charge(tencent, "POSTPAID_BY_HOUR")
    assert ids(good) == postpaid[:5] and good.total_count == bad.total_count == len(postpaid)
    region_window = [i["InstanceId"] for i in listing(tencent)[:5]]
    assert ids(bad) == [i for i in region_window if i in postpaid] != ids(good)


def test_tencent_filtered_offset_ignored(tencent):
    query = Query(filters={"instance-charge-type": ["POSTPAID_BY_HOUR"]}, offset=3, limit=3)
    good, bad = tencent.both(query, "filtered-offset-ignored")
    postpaid = charge(tencent, "POSTPAID_BY_HOUR")
    assert ids(good) == postpaid[3:6] and ids(bad) == postpaid[:3]


def test_tencent_ids_override_region(tencent):
    other = foreign_id("tencent")
    good, bad = tencent.both(Query(ids=[other]), "ids-override-region")
    assert good.ok and ids(good) == [] and ids(bad) == [other]


def test_tencent_duplicate_ids_counted(tencent):
    first = listing(tencent)[0]["InstanceId"]
    good, bad = tencent.both(Query(ids=[first, first]), "duplicate-ids-counted")
    assert ids(good) == [first] and good.total_count == 1
    assert ids(bad) == [first, first] and bad.total_count == 2


def test_tencent_exact_filter_prefix(tencent):
    good, bad = tencent.both(Query(filters={"zone": ["ap-guangzhou"]}, limit=100), "exact-filter-prefix")
    assert good.error_code == "InvalidZone.MismatchRegion"
    assert bad.ok and bad.total_count == len(listing(tencent))
    good, bad = tencent.both(Query(filters={"instance-charge-type": ["POSTPAID_BY_HOUR"]}), "exact-filter-prefix")
    assert good.total_count == bad.total_count  # whole values still match


def test_tencent_exact_filter_case_insensitive(tencent):
    query = Query(filters={"zone": ["AP-GUANGZHOU-3"]}, limit=100)
    good, bad = tencent.both(query, "exact-filter-case-insensitive")
    assert good.error_code == "InvalidZone.MismatchRegion"
    expected = [i["InstanceId"] for i in listing(tencent) if i["Placement"]["Zone"] == "ap-guangzhou-3"]
    assert expected and ids(bad) == expected


def test_tencent_enum_case_insensitive(tencent):
    good, bad = tencent.both(Query(filters={"instance-charge-type": ["prepaid"]}, limit=100), "enum-case-insensitive")
    assert good.error_code == "InvalidParameterValue"
    assert bad.ok and ids(bad) == charge(tencent, "PREPAID")


def test_tencent_repeated_filter_last_wins(tencent):
    query = Query(repeated_filters=[("zone", ["ap-guangzhou-1"]), ("zone", ["ap-guangzhou-2"])], limit=100)
    for mode in ("tc3", "hmac256"):
        good, bad = tencent.both(query, "repeated-filter-last-wins", mode=mode)
        assert good.ok and good.total_count == 0
        expected = [i["InstanceId"] for i in listing(tencent) if i["Placement"]["Zone"] == "ap-guangzhou-2"]
        assert expected and ids(bad) == expected


def test_tencent_limit_0_as_default(tencent):
    good, bad = tencent.both(Query(limit=0), "limit-0-as-default")
    assert good.error_code == "InvalidParameterValue"
    assert bad.ok and len(bad.items) == 20


def test_tencent_values_limit_only_zone(tencent):
    addresses = [f"172.16.0.{n}" for n in range(1, 7)]
    good, bad = tencent.both(Query(filters={"private-ip-address": addresses}), "values-limit-only-zone")
    assert good.error_code == "InvalidFilterValue.LimitExceeded" and bad.ok and bad.total_count > 0
    zones = [f"ap-guangzhou-{n}" for n in range(1, 7)]
    assert tencent.send(Query(filters={"zone": zones}), "values-limit-only-zone").error_code \
        == "InvalidFilterValue.LimitExceeded"


def test_tencent_hmac256_signature_unverified(tencent):
    good, bad = tencent.both(Query(), "hmac256-signature-unverified", mode="hmac256", credentials=WRONG)
    assert good.error_code == "AuthFailure.SignatureFailure" and bad.ok
    tc3 = tencent.send(Query(), "hmac256-signature-unverified", mode="tc3", credentials=WRONG)
    assert tc3.error_code == "AuthFailure.SignatureFailure"


def test_tencent_request_id_constant(tencent):
    tencent.emulator.app.service = build_service(EmulatorConfig("tencent", deviations=["request-id-constant"]))
    client = Client(adapter("tencent"), tencent.emulator.url, "ap-guangzhou", RIGHT)
    try:
        answers = [client.send(q)[0] for q in (Query(), Query(limit=1), Query(extra={"Limit": "x"}))]
    finally:
        client.close()
    assert len({a.request_id for a in answers}) == 1 and answers[0].request_id
    faithful = [tencent.send(Query()).request_id for _ in range(2)]
    assert faithful[0] != faithful[1]


def test_tencent_validate_first_value_only(tencent):
    for query in (Query(filters={"instance-charge-type": ["PREPAID", "BOGUS"]}),
                  Query(filters={"host-id": ["host-abcdefgh", "not-a-host"]}),
                  Query(filters={"zone": ["ap-guangzhou-1", "ap-beijing-1"]}),
                  Query(ids=[listing(tencent)[0]["InstanceId"], "bad-id"])):
        good, bad = tencent.both(query, "validate-first-value-only")
        assert good.error_code is not None and bad.ok, query
    first_bad = tencent.send(Query(filters={"instance-charge-type": ["BOGUS", "PREPAID"]}), "validate-first-value-only")
    assert first_bad.error_code == "InvalidParameterValue"


@pytest.mark.parametrize("query, code", [
    (Query(filters={"instance-charge-type": ["BOGUS"]}), "InvalidParameterValue"),
    (Query(ids=["bad-id"]), "InvalidInstanceId.Malformed"),
    (Query(filters={"host-id": ["not-a-host"]}), "InvalidHostId.Malformed"),
    (Query(filters={"zone": ["ap-beijing-1"]}), "InvalidZone.MismatchRegion"),
])
def test_tencent_form_skips_validation(tencent, query, code):
    good, bad = tencent.both(query, "form-skips-validation", mode="hmac256")
    assert good.error_code == code
    assert bad.ok and bad.total_count == 0
    assert tencent.send(query, "form-skips-validation", mode="tc3").error_code == code
