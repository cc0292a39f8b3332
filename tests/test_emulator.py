"""The emulator on its own: command line, inventory, authentication, robustness."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from conformance import providers
from conformance.emulator import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, Emulator, EmulatorConfig, inventory
from conformance.emulator.protocol import WireRequest
from conformance.spec import catalog
from conformance.vendors import Credentials, Query, adapter
from conformance.vendors.transport import Client
from conformance.wire import signing

CLI = [sys.executable, "-m", "conformance"]


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


# ------------------------------------------------------------------ command line

@pytest.mark.parametrize("args, message", [
    (["emulator", "--vendor", "alibaba", "--bogus"], "unrecognized arguments: --bogus"),
    (["emulator", "--vendor", "gcp"], "invalid choice: 'gcp'"),
    (["emulator", "--vendor", "alibaba", "--port", "99999"], "expected a port"),
    (["emulator", "--vendor", "alibaba", "--instances", "-3"], "expected a number >= 0"),
    (["emulator", "--vendor", "alibaba", "--deviation", "no-such"], "unknown deviation 'no-such'"),
    (["emulator", "--vendor", "alibaba", "--key-id", "only-id"], "--key-id and --key-secret go together"),
    (["emulator"], "--vendor is required"),
    (["emulator", "--vendor", "tencent", "--inventory", "/no/such/file.json"], "cannot read inventory"),
])
def test_bad_flags_give_one_line_and_exit_2(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_list_deviations_names_the_requirement_each_breaks():
    result = run_cli("emulator", "--list-deviations")
    assert result.returncode == 0
    assert "filters-or" in result.stdout and "ALI-FILT-001" in result.stdout and "TC-FILT-001" in result.stdout


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serves_until_signalled_and_stops_cleanly(stop):
    process = subprocess.Popen([*CLI, "emulator", "--vendor", "tencent", "--instances", "10", "--seed", "4"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.removeprefix("listening on ")
        a = adapter("tencent")
        client = Client(a, url, "ap-guangzhou", Credentials(DEFAULT_KEY_ID, DEFAULT_KEY_SECRET))
        answer, _ = client.send(Query(limit=100))
        assert answer.ok and answer.total_count == len(answer.items) > 0
        process.send_signal(stop)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stderr.read()
    finally:
        process.kill()


def test_custom_credentials_and_inventory_file(tmp_path):
    items = inventory.generate("alibaba", 5, seed=9)
    items[0]["InstanceName"] = "from-my-file"
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(items))
    with Emulator(EmulatorConfig("alibaba", items=inventory.load_file("alibaba", path), key_id="me",
                                 key_secret="mine")) as emu:
        client = Client(adapter("alibaba"), emu.url, items[0]["RegionId"], Credentials("me", "mine"))
        answer, _ = client.send(Query(filters={"InstanceName": ["from-*"]}))
        assert [i["InstanceName"] for i in answer.items] == ["from-my-file"]
        refused, _ = client.send(Query(), credentials=Credentials(DEFAULT_KEY_ID, DEFAULT_KEY_SECRET))
        assert refused.error_code == "InvalidAccessKeyId.NotFound"


def test_inventory_file_is_validated_against_the_response_schema(tmp_path):
    items = inventory.generate("tencent", 2)
    items[1]["CPU"] = "two"
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(items))
    with pytest.raises(inventory.InventoryError, match="instance 1 at CPU"):
        inventory.load_file("tencent", path)
    result = run_cli("emulator", "--vendor", "tencent", "--inventory", str(path))
    assert result.returncode == 2 and "instance 1 at CPU" in result.stderr


def _cli_has_issue_12_flags() -> bool:
    """Whether cli.py calls conformance.emulator.options yet (it is wired outside the emulator)."""
    return "--tls" in run_cli("emulator", "--help").stdout


@pytest.mark.skipif(not _cli_has_issue_12_flags(), reason="conformance emulator does not call options.py yet")
def test_tls_and_fault_flags_on_the_command_line(tmp_path):
    bad = run_cli("emulator", "--vendor", "alibaba", "--fault", "throttle=2")
    assert bad.returncode == 2 and "expected a probability" in bad.stderr and len(bad.stderr.splitlines()) == 1
    process = subprocess.Popen([*CLI, "emulator", "--vendor", "tencent", "--tls", "--fault", "throttle=1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip().removeprefix("listening on ")
        ca = process.stdout.readline().strip().removeprefix("CA file: ")
        assert url.startswith("https://127.0.0.1:") and os.path.isfile(ca)
        answer = httpx.post(url, json={}, headers={"X-TC-Action": "DescribeInstances"}, verify=ca)
        assert answer.json()["Response"]["Error"]["Code"] == "RequestLimitExceeded"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert not os.path.exists(ca)
    finally:
        process.kill()


# ------------------------------------------------------------------ inventory

@pytest.mark.parametrize("vendor", providers.names())
def test_generated_inventory_is_deterministic_valid_and_varied(vendor):
    import jsonschema

    first, again = inventory.generate(vendor, 150, seed=1), inventory.generate(vendor, 150, seed=1)
    assert first == again and first != inventory.generate(vendor, 150, seed=2)
    cat = catalog.load(vendor)
    validator = jsonschema.Draft202012Validator({**cat.response_schema["$defs"]["Instance"],
                                                 "$defs": cat.response_schema["$defs"]})
    assert all(not list(validator.iter_errors(item)) for item in first)
    main = [i for i in first if cat.item.get("zone", i).startswith(inventory.REGIONS[vendor][0])]
    for name, spec in cat.filters.items():
        values = [set(spec.values(i)) for i in main]
        carried = set().union(*values)
        assert carried, f"{name}: no instance carries a value"
        if spec.match not in ("json-array",) and name not in ("instance-id", "instance-name", "InstanceName"):
            assert any(sum(v in vs for vs in values) < len(main) for v in carried), f"{name} selects everything"
    assert {cat.item.get("zone", i).rsplit("-", 1)[0] for i in first} == set(inventory.REGIONS[vendor])


# ------------------------------------------------------------------ authentication

def _signed_rpc(params: dict[str, str], secret: str = DEFAULT_KEY_SECRET) -> WireRequest:
    from urllib.parse import urlencode

    params = {"Action": "DescribeInstances", "Version": "2014-05-26", "RegionId": "cn-hangzhou",
              "AccessKeyId": DEFAULT_KEY_ID, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
              "SignatureNonce": "n-1", "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **params}
    params["Signature"] = signing.alibaba_rpc_signature("GET", params, secret)
    return WireRequest("GET", "/", urlencode(params), {"host": "h"})


def test_alibaba_auth_failures_have_the_vendor_codes():
    from conformance.emulator.server import build_service

    service = build_service(EmulatorConfig("alibaba", instances=5))
    ok = service.handle(_signed_rpc({}))
    assert ok.status == 200
    replay = service.handle(_signed_rpc({}))
    assert json.loads(replay.body)["Code"] == "SignatureNonceUsed"
    cases = {
        "SignatureDoesNotMatch": _signed_rpc({"SignatureNonce": "n-2"}, secret="other"),
        "InvalidTimeStamp.Expired": _signed_rpc({"SignatureNonce": "n-3", "Timestamp": "2001-01-01T00:00:00Z"}),
        "IncompleteSignature": WireRequest("GET", "/", "Action=DescribeInstances&Version=2014-05-26&RegionId=x", {}),
        "InvalidAccessKeyId.NotFound": _signed_rpc({"SignatureNonce": "n-4", "AccessKeyId": "nobody"}),
    }
    for code, request in cases.items():
        answer = service.handle(request)
        assert json.loads(answer.body)["Code"] == code and 400 <= answer.status < 500


def test_tencent_auth_failures_have_the_vendor_codes():
    a = adapter("tencent")
    with Emulator(EmulatorConfig("tencent", instances=5)) as emu:
        client = Client(a, emu.url, "ap-guangzhou", Credentials(DEFAULT_KEY_ID, DEFAULT_KEY_SECRET), signing="tc3")
        request = client.build(Query())
        request.headers["X-TC-Timestamp"] = "1000000000"
        answer = httpx.Client().send(request)
        assert answer.status_code == 200 and answer.json()["Response"]["Error"]["Code"] == "AuthFailure.SignatureExpire"
        unsigned = httpx.post(emu.url, data={"Action": "DescribeInstances", "Version": "2017-03-12",
                                             "Region": "ap-guangzhou"})
        assert unsigned.json()["Response"]["Error"]["Code"] == "AuthFailure.InvalidAuthorization"
        for mode in ("tc3", "hmac256"):
            client = Client(a, emu.url, "ap-guangzhou", Credentials("nobody", "x"), signing=mode)
            assert client.send(Query())[0].error_code == "AuthFailure.SecretIdNotFound"


def test_garbage_never_gets_a_server_error():
    with Emulator(EmulatorConfig("alibaba", instances=5)) as ali, Emulator(EmulatorConfig("tencent", instances=5)) as tc:
        for url in (ali.url, tc.url):
            for request in [
                dict(method="GET", url=url + "/?Action=DescribeInstances&Version=x"),
                dict(method="POST", url=url + "/anything", content=b"\xff\xfe not a form"),
                dict(method="POST", url=url, headers={"Authorization": "TC3-HMAC-SHA256 nonsense",
                                                      "Content-Type": "application/json"}, content=b"{bad json"),
                dict(method="POST", url=url, headers={"Authorization": "ACS3-HMAC-SHA256 Credential=a",
                                                      "x-acs-action": "DescribeInstances"}),
                dict(method="GET", url=url + "/?" + "&".join(f"Filters.{n}.Name=zone" for n in range(50))),
            ]:
                assert httpx.request(**request).status_code < 500, request


def test_xml_answers_mirror_json(tmp_path):
    a = adapter("alibaba")
    with Emulator(EmulatorConfig("alibaba", instances=20)) as emu:
        client = Client(a, emu.url, "cn-hangzhou", Credentials(DEFAULT_KEY_ID, DEFAULT_KEY_SECRET))
        as_json, _ = client.send(Query(limit=100))
        as_xml, _ = client.send(Query(limit=100, format="XML"))
        assert as_xml.format == "XML" and as_xml.document["Instances"] == as_json.document["Instances"]
        error, _ = client.send(Query(extra={"Status": "Bogus"}, format="XML"))
        assert error.status == 404 and error.text.lstrip().startswith("<?xml") and "<Error>" in error.text
        assert error.error_code == "InvalidStatus.NotFound"


def test_schemathesis_finds_no_server_error():
    """Bad input never gives a 5xx: schemathesis from schemas/ against both emulators, small budget."""
    from conformance.checks.evaluate import evaluate
    from conformance.run.session import SuiteSession
    from conformance.run.settings import Settings

    os.environ.setdefault("CONFORMANCE_EXAMPLES", "12")
    for vendor in providers.names():
        session = SuiteSession(Settings(vendors=[vendor]))
        fuzz = next(r for r in catalog.load(vendor).requirements if r.check == "fuzz")
        try:
            result = evaluate(fuzz, session.target(vendor))
        finally:
            session.close()
        assert result.outcome == "passed", result.message
