"""Record and replay: cassettes, matching, secrets, replay without network, diff."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conformance.emulator import Emulator, EmulatorConfig
from conformance.run import recording as cassettes
from conformance.run.session import SuiteSession
from conformance.run.settings import Settings
from conformance.vendors import adapter

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "cassettes"
CLI = [sys.executable, "-m", "conformance"]


def verdicts(results):
    return {(r.vendor, r.requirement): (r.outcome, r.message) for r in results}


def recorded_verdicts(root: Path, vendor: str) -> dict:
    out = {}
    for path in sorted((root / vendor).rglob("*.yaml")):
        if path.stem == "_discovery":  # the shared walk: no verdict of its own
            continue
        meta = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["metadata"]["conformance"]
        out[(meta["vendor"], meta["requirement"])] = (meta["outcome"], meta["message"])
    return out


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a socket was opened during replay: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_committed_cassettes_replay_with_no_socket_and_the_recorded_verdicts(vendor, no_network):
    results = SuiteSession(Settings(vendors=[vendor], replay=True, cassette_dir=str(COMMITTED))).run_all()
    assert not [r.message for r in results if r.replay_miss]
    assert verdicts(results) == recorded_verdicts(COMMITTED, vendor)
    assert {r.outcome for r in results} <= {"passed", "observed"}


def test_record_then_replay_gives_identical_results(tmp_path):
    recorded = SuiteSession(Settings(vendors=["alibaba", "tencent"], record=True, cassette_dir=str(tmp_path),
                                     instances=40)).run_all()
    replayed = SuiteSession(Settings(vendors=["alibaba", "tencent"], replay=True, cassette_dir=str(tmp_path))).run_all()
    assert verdicts(replayed) == verdicts(recorded)
    assert len([p for p in tmp_path.rglob("*.yaml") if p.stem != "_discovery"]) == len(recorded)
    assert len(list(tmp_path.rglob("_discovery.yaml"))) == 2  # one shared walk per target
    assert {p.parent.name for p in tmp_path.rglob("*.yaml")} == {"emulator"}


def test_nothing_secret_reaches_a_cassette(tmp_path):
    key_id, secret = "SENTINEL-KEY-ID-5c1f", "SENTINEL-SECRET-9a7b"
    with Emulator(EmulatorConfig("alibaba", instances=30, key_id=key_id, key_secret=secret)) as emulator:
        SuiteSession(Settings(vendors=["alibaba"], endpoint=emulator.url, key_id=key_id, key_secret=secret,
                              record=True, cassette_dir=str(tmp_path), target_name="sentinel")).run_all()
    with Emulator(EmulatorConfig("tencent", instances=30, key_id=key_id, key_secret=secret)) as emulator:
        for signing in ("tc3", "hmac256"):
            SuiteSession(Settings(vendors=["tencent"], endpoint=emulator.url, key_id=key_id, key_secret=secret,
                                  signing=signing, record=True, cassette_dir=str(tmp_path / signing),
                                  categories=["auth", "filters"])).run_all()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) > 20
    import re

    live_signature = re.compile(rb"(Signature=[A-Za-z0-9%+/]{12,}|Signature=[0-9a-f]{40,}|(ACS3|TC3)-HMAC-SHA256 )")
    for path in files:
        data = path.read_bytes()
        assert key_id.encode() not in data and secret.encode() not in data, path
        assert not live_signature.search(data), (path, live_signature.search(data))


def test_a_request_with_no_recorded_answer_fails_loudly(tmp_path):
    shutil.copytree(COMMITTED / "tencent", tmp_path / "tencent")
    cassette = tmp_path / "tencent" / "emulator" / "TC-PAGE-002.yaml"
    data = yaml.load(cassette.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["interactions"] = data["interactions"][:1]
    cassette.write_text(yaml.dump(data, allow_unicode=True), encoding="utf-8")
    result = subprocess.run([*CLI, "run", "--replay", "--vendor", "tencent", "--category", "pagination",
                             "--cassette-dir", str(tmp_path), "--report-dir", str(tmp_path / "reports")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    assert "replay: tencent:TC-PAGE-002 sent a request with no recorded answer" in result.stderr
    assert '"Action": "DescribeInstances"' in result.stderr and "TC-PAGE-002.yaml" in result.stderr


def test_diff_reports_a_changed_recording(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(COMMITTED / "tencent", old / "tencent")
    shutil.copytree(COMMITTED / "tencent", new / "tencent")
    same = subprocess.run([*CLI, "diff", str(old), str(new)], capture_output=True, text=True)
    assert same.returncode == 0 and "no change" in same.stdout
    cassette = new / "tencent" / "emulator" / "TC-SCHEMA-001.yaml"
    data = yaml.load(cassette.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    for interaction in data["interactions"]:
        body = interaction["response"]["body"]
        body["string"] = body["string"].replace('"CPU":2', '"CPU":"2"')
    data["metadata"]["conformance"]["outcome"] = "failed"
    cassette.write_text(yaml.dump(data, allow_unicode=True), encoding="utf-8")
    changed = subprocess.run([*CLI, "diff", str(old), str(new)], capture_output=True, text=True)
    assert changed.returncode == 1
    assert "outcome  tencent TC-SCHEMA-001: passed → failed" in changed.stdout
    assert "$.Response.InstanceSet[].CPU: integer → integer/string" in changed.stdout
    bad = subprocess.run([*CLI, "diff", str(old), str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert bad.returncode == 2 and "is not a directory" in bad.stderr


class FakeRequest:
    def __init__(self, uri, body=b"", headers=None, method="POST"):
        self.uri, self.body, self.headers, self.method = uri, body, headers or {}, method


def test_matching_ignores_signing_and_numbering_and_encoding():
    form = FakeRequest("http://a:1/", b"Filters.1.Name=zone&Filters.1.Values.1=z1&Filters.1.Values.2=z2&Limit=5"
                       b"&Nonce=1&Timestamp=2&SecretId=k&Signature=s&Action=DescribeInstances&Region=r",
                       {"Content-Type": "application/x-www-form-urlencoded"})
    body = FakeRequest("http://b:2/", b'{"Filters": [{"Name": "zone", "Values": ["z1", "z2"]}], "Limit": 5}',
                       {"Content-Type": "application/json", "X-TC-Action": "DescribeInstances", "X-TC-Region": "r",
                        "X-TC-Timestamp": "9", "Authorization": "TC3-HMAC-SHA256 ..."})
    tencent = cassettes.BusinessMatcher(adapter("tencent"))
    assert tencent.params(form) == tencent.params(body)
    other = FakeRequest(body.uri, body.body.replace(b"z2", b"z3"), body.headers)
    with pytest.raises(AssertionError, match="Filters.0.Values.1"):
        tencent(body, other)
    rpc = FakeRequest("http://h/?RegionId=x&PageSize=3&Format=json&Signature=a&SignatureNonce=b&Timestamp=c"
                      "&AccessKeyId=d&Action=DescribeInstances", method="GET")
    acs3 = FakeRequest("http://h/?PageSize=3&RegionId=x&Format=JSON", headers={"x-acs-action": "DescribeInstances"})
    alibaba = cassettes.BusinessMatcher(adapter("alibaba"))
    assert alibaba.params(rpc) == alibaba.params(acs3)


def test_a_live_request_matches_the_form_a_recording_stores_it_in():
    """A replay runs no vcrpy filters: the matcher reads the live query as the recording stored it.

    vcrpy's query filters sort the query and drop blank values before a recording is written.
    """
    alibaba = cassettes.BusinessMatcher(adapter("alibaba"))
    live = FakeRequest("http://h/?Version=&Action=%20x&RegionId=r&PageNumber=2&Signature=abc", method="GET")
    stored = FakeRequest("http://h/?Action=+x&PageNumber=2&RegionId=r&Signature=REDACTED", method="GET")
    alibaba(live, stored)  # raises when they differ
    assert alibaba.params(live) is alibaba.params(live)  # memoized per request object
    with pytest.raises(AssertionError, match="PageNumber"):
        alibaba(live, FakeRequest("http://h/?Action=+x&PageNumber=3&RegionId=r", method="GET"))


def test_cassette_writes_are_atomic(tmp_path, monkeypatch):
    from vcr.serializers import yamlserializer

    path = tmp_path / "c.yaml"
    cassettes.AtomicPersister.save_cassette(path, {"requests": [], "responses": []}, yamlserializer)
    before = path.read_text()

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("conformance.files.os.replace", crash)
    with pytest.raises(KeyboardInterrupt):
        cassettes.AtomicPersister.save_cassette(path, {"requests": [], "responses": []}, yamlserializer)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


def test_a_shrunk_disagreement_replays_to_the_same_verdict(tmp_path):
    """The generated part with a disagreement: its draws, the shrinking and the minimal request replay as recorded."""
    settings = {"vendors": ["tencent"], "categories": ["filters", "pagination"], "cassette_dir": str(tmp_path)}
    recorded = SuiteSession(Settings(record=True, deviations=["repeated-filter-last-wins", "filtered-offset-ignored"],
                                     instances=40, **settings)).run_all()
    shrunk = {r.requirement: r.message for r in recorded if r.outcome == "failed"}
    assert {"TC-FILT-011", "TC-PAGE-010"} <= set(shrunk) and all("minimal request:" in shrunk[r]
                                                                 for r in ("TC-FILT-011", "TC-PAGE-010"))
    replayed = SuiteSession(Settings(replay=True, **settings)).run_all()
    assert verdicts(replayed) == verdicts(recorded)
