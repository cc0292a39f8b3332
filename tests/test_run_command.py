"""``conformance run`` and the pytest entry point: exit statuses, reports, xdist."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conformance import results
from conformance.emulator import Emulator, EmulatorConfig

CLI = [sys.executable, "-m", "conformance"]


def run(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "run", *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_exit_0_json_html_junit_against_the_embedded_emulator(tmp_path):
    result = run("--vendor", "tencent", "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert report["complete"] is True and report["exit_code"] == 0 and report["requests"] > 50
    assert {r["vendor"] for r in report["results"]} == {"tencent"}
    for entry in report["results"]:
        assert {"vendor", "requirement", "category", "outcome", "documented", "quote", "evidence"} <= entry.keys()
        assert entry["outcome"] in results.OUTCOMES
    assert (tmp_path / "conformance.html").stat().st_size > 10_000
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    names = [case.get("name") for case in junit.iter("testcase")]
    assert any("TC-PAGE-001" in name for name in names)
    # progress per category while running, then the summary table
    assert "pagination" in result.stdout and "conformance summary" in result.stdout


def test_exit_1_names_the_broken_requirement(tmp_path):
    result = run("--vendor", "alibaba", "--deviation", "filters-or", "--category", "filters",
                 "--report-dir", str(tmp_path))
    assert result.returncode == 1
    assert "FAILED alibaba:ALI-FILT-001" in result.stdout
    failed = [r for r in json.loads((tmp_path / "conformance.json").read_text())["results"] if r["outcome"] == "failed"]
    assert "ALI-FILT-001" in {r["requirement"] for r in failed}
    evidence = next(r for r in failed if r["requirement"] == "ALI-FILT-001")["evidence"]
    assert evidence and all("Signature=" not in json.dumps(e) or "<redacted>" in json.dumps(e) for e in evidence)


@pytest.mark.parametrize("args, message", [
    (["--vendor", "aws"], "invalid choice"),
    (["--endpoint", "http://127.0.0.1:1"], "--endpoint needs a single --vendor"),
    (["--vendor", "alibaba", "--deviation", "nope"], "unknown deviation 'nope'"),
    (["--vendor", "alibaba", "--key-id", "x"], "--key-id and --key-secret go together"),
    (["--vendor", "tencent", "--signing", "rpc"], "not a tencent signing mode"),
    (["--vendor", "alibaba", "--max-requests", "0"], "--max-requests must be at least 1"),
    (["--category", "speed"], "invalid choice"),
])
def test_exit_2_for_usage_errors(args, message, tmp_path):
    result = run(*args, "--report-dir", str(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_exit_3_when_the_endpoint_cannot_be_reached(tmp_path):
    result = run("--vendor", "alibaba", "--endpoint", "http://127.0.0.1:9", "--report-dir", str(tmp_path), timeout=60)
    assert result.returncode == 3
    assert "cannot be reached" in result.stderr


def test_credentials_from_the_vendor_variables_and_nothing_secret_in_reports(tmp_path):
    import os

    env = {**os.environ, "TENCENTCLOUD_SECRET_ID": "my-id", "TENCENTCLOUD_SECRET_KEY": "my-very-secret-key"}
    with Emulator(EmulatorConfig("tencent", key_id="my-id", key_secret="my-very-secret-key")) as emu:
        result = run("--vendor", "tencent", "--endpoint", emu.url, "--category", "auth", "--category", "pagination",
                     "--report-dir", str(tmp_path), env=env)
    assert result.returncode == 0, result.stdout[-2000:]
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert {r["outcome"] for r in report["results"] if r["category"] == "auth"} == {"passed"}
    for path in tmp_path.iterdir():
        text = path.read_text(errors="replace")
        assert "my-very-secret-key" not in text and "my-id" not in text, path.name


def test_max_requests_caps_the_run_and_an_undecided_run_exits_3(tmp_path):
    with Emulator(EmulatorConfig("alibaba")) as emu:
        result = run("--vendor", "alibaba", "--endpoint", emu.url, "--max-requests", "30",
                     "--key-id", "conformance-test-key", "--key-secret", "conformance-test-secret",
                     "--report-dir", str(tmp_path))
    report = json.loads((tmp_path / "conformance.json").read_text())
    outcomes = {r["requirement"]: r["outcome"] for r in report["results"]}
    assert report["requests"] <= 30
    assert "inconclusive" in outcomes.values()
    assert result.returncode == 3


def test_pytest_entry_point_with_k_and_xdist_gives_the_same_verdicts(tmp_path):
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs", "conformance.suite",
            "--conformance-vendor", "alibaba", "--conformance-deviation", "status-404-as-400",
            "--conformance-category", "error-codes"]
    serial = subprocess.run([*base, f"--conformance-json={tmp_path / 's.json'}"], capture_output=True, text=True)
    parallel = subprocess.run([*base, "-n", "2", f"--conformance-json={tmp_path / 'p.json'}"],
                              capture_output=True, text=True)
    picked = subprocess.run([*base, "-k", "ALI-ERR-006", f"--conformance-json={tmp_path / 'k.json'}"],
                            capture_output=True, text=True)
    assert serial.returncode == parallel.returncode == picked.returncode == 1

    def verdicts(name):
        return {r["requirement"]: r["outcome"] for r in json.loads((tmp_path / name).read_text())["results"]}

    assert verdicts("s.json") == verdicts("p.json")
    assert verdicts("k.json") == {"ALI-ERR-006": "failed"}


def test_the_json_report_survives_a_run_that_dies_half_way(tmp_path):
    """The report is rewritten as results come: kill the run and what was decided is there."""
    import os
    import signal
    import time

    json_path = tmp_path / "partial.json"
    process = subprocess.Popen([*CLI, "run", "--vendor", "alibaba", "--json-report", str(json_path),
                                "--report-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        if json_path.exists() and json.loads(json_path.read_text())["results"]:
            break
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    report = json.loads(json_path.read_text())
    assert report["complete"] is False and report["results"]
    assert {"vendor", "requirement", "outcome"} <= report["results"][0].keys()


def test_run_with_xdist_workers_keeps_the_selection(tmp_path):
    result = run("--vendor", "tencent", "--category", "pagination", "--deviation", "default-limit-10",
                 "--report-dir", str(tmp_path), "--", "-n", "2")
    assert result.returncode == 1, result.stdout[-1500:]
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert {(r["vendor"], r["category"]) for r in report["results"]} == {("tencent", "pagination")}
    assert [r["requirement"] for r in report["results"] if r["outcome"] == "failed"] == ["TC-PAGE-002"]


@pytest.mark.parametrize("vendor, signing", [("alibaba", "acs3"), ("alibaba", "rpc"), ("tencent", "hmac256"),
                                             ("tencent", "tc3")])
def test_every_signing_mode_is_accepted_end_to_end(vendor, signing):
    """The suite signs in each selectable mode as the SDKs do, and the emulator verifies each."""
    from conformance.run.session import SuiteSession
    from conformance.run.settings import Settings

    results = SuiteSession(Settings(vendors=[vendor], signing=signing,
                                    categories=["pagination", "auth", "error-codes"])).run_all()
    assert {r.outcome for r in results if r.documented} == {"passed"}, [
        (r.requirement, r.message) for r in results if r.documented and r.outcome != "passed"]
