"""The independent servers' bugs, one by one: each seen in a direct request, beside the bug-free answer.

The bugs bear the names of the emulator's deviations (tests/test_new_deviations.py
shows those); here they are the independent servers' own code. Requests go
through the suite's adapters, signed with the independent servers' key pair.
"""

from __future__ import annotations

import threading

import pytest
from independent_alibaba import BUGS as ALIBABA_BUGS
from independent_alibaba import IndependentAlibaba
from independent_server import BUGS as TENCENT_BUGS
from independent_server import IndependentServer

from conformance.emulator import deviations
from conformance.vendors import Answer, Credentials, Query, adapter
from conformance.vendors.transport import Client

RIGHT = Credentials("independent-key", "independent-secret")
WRONG = Credentials("independent-key", "not-the-secret")
SERVERS = {"alibaba": (IndependentAlibaba, "cn-hangzhou"), "tencent": (IndependentServer, "ap-guangzhou")}


#: Servers already started, by (vendor, bugs, options): a server's shutdown waits out its poll interval.
_RUNNING: dict[tuple, object] = {}


@pytest.fixture(scope="module", autouse=True)
def stop_servers():
    yield
    stopping = [threading.Thread(target=server.__exit__, args=(None, None, None)) for server in _RUNNING.values()]
    for thread in stopping:  # together: each waits out its server's poll interval
        thread.start()
    for thread in stopping:
        thread.join()
    _RUNNING.clear()


def server_url(vendor: str, bugs: tuple[str, ...], **options) -> str:
    key = (vendor, bugs, tuple(sorted(options.items())))
    if key not in _RUNNING:
        _RUNNING[key] = SERVERS[vendor][0](bugs=bugs, **options).__enter__()
    return _RUNNING[key].url


def send(vendor: str, query: Query, bugs: tuple[str, ...] = (), mode: str | None = None,
         credentials: Credentials = RIGHT, **options) -> Answer:
    client = Client(adapter(vendor), server_url(vendor, bugs, **options), SERVERS[vendor][1], RIGHT, signing=mode)
    try:
        return client.send(query, credentials=credentials)[0]
    finally:
        client.close()


def both(vendor: str, query: Query, bug: str, mode: str | None = None, credentials: Credentials = RIGHT,
         **options) -> tuple[Answer, Answer]:
    """(bug-free answer, answer with ``bug``) to the same request."""
    return (send(vendor, query, (), mode, credentials, **options),
            send(vendor, query, (bug,), mode, credentials, **options))


def ids(answer: Answer) -> list[str]:
    return [item["InstanceId"] for item in answer.items]


def listing(vendor: str) -> list[dict]:
    answer = send(vendor, Query(limit=100))
    assert answer.ok and answer.total_count == len(answer.items)
    return answer.items


@pytest.mark.parametrize("vendor, known", [("alibaba", ALIBABA_BUGS), ("tencent", TENCENT_BUGS)])
def test_bug_names_are_the_emulators_deviation_names(vendor, known):
    names = {d.name for d in deviations.for_vendor(vendor)}
    assert known <= names
    with pytest.raises(ValueError, match="unknown bug 'no-such-bug'"):
        SERVERS[vendor][0](bugs=["no-such-bug"])


# ------------------------------------------------------------------ Alibaba


def running(items: list[dict]) -> list[str]:
    return [i["InstanceId"] for i in items if i["Status"] == "Running"]


def test_alibaba_filtered_page_cut_before_filter():
    good, bad = both("alibaba", Query(filters={"Status": ["Running"]}, limit=5), "filtered-page-cut-before-filter")
    whole = listing("alibaba")
    assert ids(good) == running(whole)[:5] and good.total_count == bad.total_count == len(running(whole))
    assert ids(bad) == running(whole[:5]) != ids(good)


def test_alibaba_filtered_offset_ignored():
    good, bad = both("alibaba", Query(filters={"Status": ["Running"]}, limit=3, offset=3), "filtered-offset-ignored")
    assert ids(good) == running(listing("alibaba"))[3:6] and ids(bad) == running(listing("alibaba"))[:3]
    assert good.document["PageNumber"] == bad.document["PageNumber"] == 2


def test_alibaba_ids_override_filters():
    first = running(listing("alibaba"))[0]
    good, bad = both("alibaba", Query(ids=[first], filters={"Status": ["Stopped"]}), "ids-override-filters")
    assert ids(good) == [] and ids(bad) == [first]


def test_alibaba_ids_override_region():
    other = send("alibaba", Query(region="cn-shanghai")).items[0]["InstanceId"]
    good, bad = both("alibaba", Query(ids=[other]), "ids-override-region")
    assert good.ok and ids(good) == [] and ids(bad) == [other]


def test_alibaba_duplicate_ids_counted():
    first = listing("alibaba")[0]["InstanceId"]
    good, bad = both("alibaba", Query(ids=[first, first]), "duplicate-ids-counted")
    assert (ids(good), good.total_count) == ([first], 1) and (ids(bad), bad.total_count) == ([first, first], 2)


def test_alibaba_exact_filter_prefix():
    good, bad = both("alibaba", Query(filters={"ZoneId": ["cn-hangzhou-"]}, limit=100), "exact-filter-prefix")
    assert good.ok and good.total_count == 0 and bad.total_count == len(listing("alibaba"))


def test_alibaba_exact_filter_case_insensitive():
    good, bad = both("alibaba", Query(filters={"ImageId": ["M-IND-UBUNTU"]}, limit=100),
                     "exact-filter-case-insensitive")
    assert good.ok and good.total_count == 0 and bad.items and {i["ImageId"] for i in bad.items} == {"m-ind-ubuntu"}


def test_alibaba_enum_case_insensitive():
    good, bad = both("alibaba", Query(filters={"Status": ["running"]}, limit=100), "enum-case-insensitive")
    assert (good.status, good.error_code) == (404, "InvalidStatus.NotFound")
    assert ids(bad) == running(listing("alibaba"))


def test_alibaba_repeated_tag_key_last_wins():
    good, bad = both("alibaba", Query(tags=[("owner", "ana"), ("owner", "bo")], limit=100),
                     "repeated-tag-key-last-wins")
    bo = [i["InstanceId"] for i in listing("alibaba") if {"TagKey": "owner", "TagValue": "bo"} in i["Tags"]["Tag"]]
    assert good.ok and good.total_count == 0 and bo and ids(bad) == bo


def test_alibaba_xml_paged_differently():
    whole = [i["InstanceId"] for i in listing("alibaba")]
    as_json = send("alibaba", Query(limit=5, offset=5), ("xml-paged-differently",))
    good, bad = both("alibaba", Query(limit=5, offset=5, format="XML"), "xml-paged-differently")
    assert ids(as_json) == ids(good) == whole[5:10] and ids(bad) == whole[6:11]
    assert good.format == "XML" and good.document["Instances"] == as_json.document["Instances"]


def test_alibaba_xml_errors_status_400():
    for fmt, wrong in (("XML", 400), ("JSON", 404)):
        good, bad = both("alibaba", Query(extra={"Status": "Bogus"}, format=fmt), "xml-errors-status-400")
        assert good.error_code == bad.error_code == "InvalidStatus.NotFound"
        assert (good.status, bad.status) == (404, wrong)


def test_alibaba_page_size_0_accepted():
    good, bad = both("alibaba", Query(extra={"PageSize": "0"}), "page-size-0-accepted")
    assert good.status == 400 and bad.ok and len(bad.items) == 10


def test_alibaba_address_limit_unchecked():
    addresses = [f"192.168.7.{n}" for n in range(101)]
    good, bad = both("alibaba", Query(filters={"PrivateIpAddresses": addresses}), "address-limit-unchecked")
    assert good.status == 400 and bad.ok and bad.total_count > 0
    assert send("alibaba", Query(ids=[f"i-x{n}" for n in range(101)]), ("address-limit-unchecked",)).status == 400


def test_alibaba_signatures_and_acs3_signature_unverified():
    for mode in ("rpc", "acs3"):
        assert send("alibaba", Query(), mode=mode, verify_signatures=True).ok
        refused = send("alibaba", Query(), mode=mode, credentials=WRONG, verify_signatures=True)
        assert refused.error_code == "SignatureDoesNotMatch"
        unknown = send("alibaba", Query(), mode=mode, credentials=Credentials("nobody", "x"), verify_signatures=True)
        assert unknown.error_code == "InvalidAccessKeyId.NotFound"
    bad = send("alibaba", Query(), ("acs3-signature-unverified",), "acs3", WRONG, verify_signatures=True)
    assert bad.ok
    rpc = send("alibaba", Query(), ("acs3-signature-unverified",), "rpc", WRONG, verify_signatures=True)
    assert rpc.error_code == "SignatureDoesNotMatch"


def test_alibaba_times_not_utc():
    good, bad = both("alibaba", Query(limit=5), "times-not-utc")
    assert all(i["ExpiredTime"].endswith("Z") for i in good.items)
    assert all(i["ExpiredTime"].endswith("+08:00") and i["CreationTime"].endswith("+08:00") for i in bad.items)
    assert "2099-12-31T23:59+08:00" in {i["ExpiredTime"] for i in bad.items}


def test_alibaba_acs3_skips_validation():
    good, bad = both("alibaba", Query(extra={"Status": "Bogus"}), "acs3-skips-validation", mode="acs3")
    assert good.status == 404 and bad.ok and bad.total_count == 0
    rpc = send("alibaba", Query(extra={"Status": "Bogus"}), ("acs3-skips-validation",), "rpc")
    assert rpc.error_code == "InvalidStatus.NotFound"


@pytest.mark.parametrize("fmt", ["JSON", "XML"])
def test_alibaba_metadata_options_on_request(fmt):
    asked = Query(limit=5, format=fmt, extra={"AdditionalAttributes.1": "META_OPTIONS"})
    assert all("MetadataOptions" not in i for i in send("alibaba", Query(limit=5, format=fmt)).items)
    assert all("HttpEndpoint" in i["MetadataOptions"] for i in send("alibaba", asked).items)
    always = send("alibaba", Query(limit=5, format=fmt), metadata_on_request=False)
    assert all("HttpTokens" in i["MetadataOptions"] for i in always.items)
    disabled = send("alibaba", Query(filters={"HttpEndpoint": ["disabled"]}, limit=100, format=fmt))
    assert disabled.items and all(i["InstanceId"] in ids(send("alibaba", Query(limit=100))) for i in disabled.items)


def test_alibaba_liberties_reversed_order_and_null_scalars():
    query = Query(filters={"Status": ["Running"]}, limit=100)
    assert ids(send("alibaba", query, filtered_order="reversed")) == running(listing("alibaba"))[::-1]
    assert ids(send("alibaba", Query(limit=100), filtered_order="reversed")) == ids(send("alibaba", Query(limit=100)))
    nulls = send("alibaba", Query(limit=5), null_scalars=True).items
    assert all(i["AutoReleaseTime"] is None and i["DeploymentSetId"] is None for i in nulls)


# ------------------------------------------------------------------ Tencent


def postpaid(items: list[dict]) -> list[str]:
    return [i["InstanceId"] for i in items if i["InstanceChargeType"] == "POSTPAID_BY_HOUR"]


POSTPAID = {"instance-charge-type": ["POSTPAID_BY_HOUR"]}


def test_tencent_filtered_page_cut_before_filter():
    good, bad = both("tencent", Query(filters=POSTPAID, limit=5), "filtered-page-cut-before-filter")
    whole = listing("tencent")
    assert ids(good) == postpaid(whole)[:5] and good.total_count == bad.total_count
    assert ids(bad) == postpaid(whole[:5]) != ids(good)


def test_tencent_filtered_offset_ignored():
    good, bad = both("tencent", Query(filters=POSTPAID, offset=3, limit=3), "filtered-offset-ignored")
    assert ids(good) == postpaid(listing("tencent"))[3:6] and ids(bad) == postpaid(listing("tencent"))[:3]


def test_tencent_ids_override_region():
    other = send("tencent", Query(region="ap-shanghai")).items[0]["InstanceId"]
    good, bad = both("tencent", Query(ids=[other]), "ids-override-region")
    assert good.ok and ids(good) == [] and ids(bad) == [other]


def test_tencent_duplicate_ids_counted():
    first = listing("tencent")[0]["InstanceId"]
    good, bad = both("tencent", Query(ids=[first, first]), "duplicate-ids-counted")
    assert (ids(good), good.total_count) == ([first], 1) and (ids(bad), bad.total_count) == ([first, first], 2)


def test_tencent_exact_filter_prefix():
    good, bad = both("tencent", Query(filters={"zone": ["ap-guangzhou"]}, limit=100), "exact-filter-prefix")
    assert good.error_code == "InvalidZone.MismatchRegion" and bad.total_count == len(listing("tencent"))


def test_tencent_exact_filter_case_insensitive():
    good, bad = both("tencent", Query(filters={"zone": ["AP-GUANGZHOU-3"]}, limit=100),
                     "exact-filter-case-insensitive")
    expected = [i["InstanceId"] for i in listing("tencent") if i["Placement"]["Zone"] == "ap-guangzhou-3"]
    assert good.error_code == "InvalidZone.MismatchRegion" and expected and ids(bad) == expected


def test_tencent_enum_case_insensitive():
    good, bad = both("tencent", Query(filters={"instance-charge-type": ["prepaid"]}, limit=100),
                     "enum-case-insensitive")
    prepaid = [i["InstanceId"] for i in listing("tencent") if i["InstanceChargeType"] == "PREPAID"]
    assert good.error_code == "InvalidParameterValue" and prepaid and ids(bad) == prepaid


@pytest.mark.parametrize("mode", ["tc3", "hmac256"])
def test_tencent_repeated_filter_last_wins(mode):
    query = Query(repeated_filters=[("zone", ["ap-guangzhou-3"]), ("zone", ["ap-guangzhou-4"])], limit=100)
    good, bad = both("tencent", query, "repeated-filter-last-wins", mode=mode)
    expected = [i["InstanceId"] for i in listing("tencent") if i["Placement"]["Zone"] == "ap-guangzhou-4"]
    assert good.ok and good.total_count == 0 and expected and ids(bad) == expected


def test_tencent_limit_0_as_default():
    good, bad = both("tencent", Query(limit=0), "limit-0-as-default")
    assert good.error_code == "InvalidParameterValue" and bad.ok and len(bad.items) == 20


def test_tencent_values_limit_only_zone():
    addresses = [f"10.8.0.{n}" for n in range(2, 8)]
    good, bad = both("tencent", Query(filters={"private-ip-address": addresses}), "values-limit-only-zone")
    assert good.error_code == "InvalidFilterValue.LimitExceeded" and bad.ok and bad.total_count == 6
    zones = [f"ap-guangzhou-{n}" for n in range(1, 7)]
    assert send("tencent", Query(filters={"zone": zones}), ("values-limit-only-zone",)).error_code \
        == "InvalidFilterValue.LimitExceeded"


def test_tencent_signatures_and_hmac256_signature_unverified():
    for mode in ("tc3", "hmac256"):
        assert send("tencent", Query(), mode=mode, verify_signatures=True).ok
        refused = send("tencent", Query(), mode=mode, credentials=WRONG, verify_signatures=True)
        assert refused.error_code == "AuthFailure.SignatureFailure"
        unknown = send("tencent", Query(), mode=mode, credentials=Credentials("nobody", "x"), verify_signatures=True)
        assert unknown.error_code == "AuthFailure.SecretIdNotFound"
    assert send("tencent", Query(), ("hmac256-signature-unverified",), "hmac256", WRONG, verify_signatures=True).ok
    tc3 = send("tencent", Query(), ("hmac256-signature-unverified",), "tc3", WRONG, verify_signatures=True)
    assert tc3.error_code == "AuthFailure.SignatureFailure"


def test_tencent_request_id_constant():
    rids = {name: {send("tencent", q, bugs).request_id for q in (Query(), Query(limit=1), Query(limit=0))}
            for name, bugs in (("bad", ("request-id-constant",)), ("good", ()))}
    assert len(rids["bad"]) == 1 and len(rids["good"]) == 3


@pytest.mark.parametrize("query", [
    Query(filters={"instance-charge-type": ["PREPAID", "BOGUS"]}),
    Query(filters={"host-id": ["host-abcdefgh", "not-a-host"]}),
    Query(filters={"zone": ["ap-guangzhou-3", "ap-beijing-1"]}),
    Query(ids=["ins-00000013", "bad-id"]),
])
def test_tencent_validate_first_value_only(query):
    good, bad = both("tencent", query, "validate-first-value-only")
    assert good.error_code is not None and bad.ok


@pytest.mark.parametrize("query, code", [
    (Query(filters={"instance-charge-type": ["BOGUS"]}), "InvalidParameterValue"),
    (Query(ids=["bad-id"]), "InvalidInstanceId.Malformed"),
    (Query(filters={"host-id": ["not-a-host"]}), "InvalidHostId.Malformed"),
    (Query(filters={"zone": ["ap-beijing-1"]}), "InvalidZone.MismatchRegion"),
])
def test_tencent_form_skips_validation(query, code):
    good, bad = both("tencent", query, "form-skips-validation", mode="hmac256")
    assert good.error_code == code and bad.ok and bad.total_count == 0
    assert send("tencent", query, ("form-skips-validation",), "tc3").error_code == code


def test_tencent_liberties_reversed_order_and_null_scalars():
    query = Query(filters=POSTPAID, limit=100)
    assert ids(send("tencent", query, filtered_order="reversed")) == postpaid(listing("tencent"))[::-1]
    nulls = send("tencent", Query(limit=10), null_scalars=True).items
    assert all(i["RenewFlag"] is None and i["ExpiredTime"] is None for i in nulls)
    assert any(i["Placement"]["HostId"] is None for i in nulls)
