"""The ``client`` category (issue 13): the vendors' official SDKs, pointed at the target, as judges.

It passes against the faithful emulator (``test_detection`` runs it with every
other category) and fails against an endpoint that delivers errors in a form
the SDK cannot read, while every other category passes there; it is skipped,
saying why, without the SDKs or without credentials; each result cites the
SDK package and the version installed, in every report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import pytest

from conformance.emulator import Emulator, EmulatorConfig
from conformance.run.session import SuiteSession
from conformance.run.settings import Settings
from conformance.vendors import adapter
from conformance.vendors.alibaba_sdk import model_map

pytestmark = pytest.mark.sdk
PACKAGES = {"alibaba": "alibabacloud-ecs20140526", "tencent": "tencentcloud-sdk-python-cvm"}
#: What importing each SDK needs: a None entry in sys.modules makes the import fail, as if not installed.
SDK_MODULES = ("tencentcloud", "alibabacloud_ecs20140526")


def run(vendor: str, *categories: str, **settings) -> dict:
    results = SuiteSession(Settings(vendors=[vendor], categories=list(categories), instances=30, **settings)).run_all()
    return {r.requirement: r for r in results}


@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_every_signing_mode_of_every_sdk_is_judged(vendor):
    """One paging requirement per SDK and signing mode it offers; the faithful emulator passes them."""
    results = run(vendor, "client")
    pages = {(r.args["package"], r.args["mode"]) for r in adapter(vendor).catalog.requirements if r.check == "sdk_pages"}
    assert pages == {(sdk.package, mode) for sdk in adapter(vendor).sdks() for mode in sdk.modes}
    assert {r.outcome for r in results.values()} <= {"passed", "observed"}
    assert all(r.requests > 0 for r in results.values())  # the SDK's requests count against the budget


def test_errors_with_http_400_fail_only_the_client_category():
    """The motivating bug: every other error requirement passes, the SDK's users never see the code."""
    results = run("tencent", "error-codes", "auth", "client", deviations=["errors-http-400"])
    failed = sorted(rid for rid, r in results.items() if r.outcome == "failed")
    assert failed == ["TC-CLIENT-004", "TC-CLIENT-005", "TC-CLIENT-006"]
    message = results["TC-CLIENT-004"].message
    assert "TC-ERR-002: expected InvalidParameterValue" in message and "ServerNetworkError" in message
    assert results["TC-CLIENT-004"].observed["TC-ERR-002"]["code"] == "ServerNetworkError"


def test_errors_the_sdk_cannot_parse_fail_naming_the_case():
    results = run("alibaba", "client", deviations=["errors-as-xml"])
    assert results["ALI-CLIENT-003"].outcome == "failed"
    assert "ALI-ERR-006: expected InvalidStatus.NotFound, the SDK raised" in results["ALI-CLIENT-003"].message
    assert results["ALI-CLIENT-001"].outcome == "passed"


def test_without_the_sdks_the_category_is_skipped_and_says_why(monkeypatch):
    for module in [m for m in sys.modules if m.split(".")[0] in SDK_MODULES] + list(SDK_MODULES):
        monkeypatch.setitem(sys.modules, module, None)  # submodules imported earlier too: each import fails
    for vendor, package in PACKAGES.items():
        results = run(vendor, "client")
        assert {r.outcome for r in results.values()} == {"skipped"}
        for r in results.values():
            assert "the official SDK is not installed" in r.message, r.message
            assert f"{package} is not installed (pip install 'conformance[client]')" in r.message
            assert r.quote == f"{package}=={metadata.version(package)}"


def test_without_credentials_the_category_is_skipped():
    with Emulator(EmulatorConfig("tencent", instances=10)) as emulator:
        results = run("tencent", "client", endpoint=emulator.url, env={})
    assert {r.outcome for r in results.values()} == {"skipped"}
    assert all("needs credentials" in r.message for r in results.values())


def test_reports_cite_the_package_and_the_installed_version(tmp_path):
    done = subprocess.run([sys.executable, "-m", "conformance", "run", "--vendor", "tencent", "--category", "client",
                           "--report-dir", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    cited = f"tencentcloud-sdk-python-cvm=={metadata.version('tencentcloud-sdk-python-cvm')}"
    entries = [e for e in json.loads((tmp_path / "conformance.json").read_text(encoding="utf-8"))["results"]
               if e["category"] == "client"]
    assert entries and all(e["quote"] == cited and e["source"] == "tencentcloud-sdk-python-cvm" for e in entries)
    assert f"the official SDK <code>{cited}</code>" in (tmp_path / "conformance.html").read_text(encoding="utf-8")
    assert f'value="{cited}"' in (tmp_path / "junit.xml").read_text(encoding="utf-8")


def test_tags_reach_the_sdk_model_as_a_list():
    """The adapter's ``Tag.N.Key`` wire names become the ``Tag`` list the SDK's model reads (not dropped)."""
    assert model_map({"RegionId": "r", "Tag.2.Key": "k2", "Tag.1.Value": "v1", "Tag.1.Key": "k1"}) == {
        "RegionId": "r", "Tag": [{"Value": "v1", "Key": "k1"}, {"Key": "k2"}]}


def _guarded_tencent_client(url: str, max_bytes: int):
    from conformance.checks.client import _Guarded
    from conformance.vendors.base import Credentials

    sdk = adapter("tencent").sdks()[0]
    client = sdk.client(url=url, region="ap-guangzhou", credentials=Credentials("AKIDguardKey0123456789", "guard-secret"),
                        mode="TC3-HMAC-SHA256", timeout=5, on_request=lambda: None)
    return _Guarded(client, max_bytes, 5.0)


def test_the_sdk_reads_within_the_size_cap_and_its_signatures_are_scrubbed():
    """An answer over the cap is not read whole by the SDK: inconclusive, with the reason; its signature is known."""
    from hostile_servers import OversizeServer

    from conformance.vendors.base import Query
    from conformance.vendors.transport import AnswerUnreadable
    from conformance.wire.scrub import RUN_SECRETS

    with OversizeServer("tencent", size=8 * 1024 * 1024) as server:
        client = _guarded_tencent_client(server.url, max_bytes=1024 * 1024)
        with pytest.raises(AnswerUnreadable, match="over the 1 MB limit"):
            client.describe_instances(Query(limit=100))
        authorization = dict((k.lower(), v) for k, v in server.received[0].headers)["authorization"]
    assert authorization in RUN_SECRETS
    assert RUN_SECRETS.scrub(f"echo: {authorization}") == "echo: <redacted>"


def test_an_sdk_request_with_no_answer_is_unreachable_not_a_failure():
    """A dead endpoint is not an answer the SDK could not read: the check says unreachable (inconclusive)."""
    import socket

    from conformance.vendors.base import Query
    from conformance.vendors.transport import Unreachable

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = _guarded_tencent_client(f"http://127.0.0.1:{port}", max_bytes=1024 * 1024)
    with pytest.raises(Unreachable, match="got no answer"):
        client.describe_instances(Query(limit=100))
