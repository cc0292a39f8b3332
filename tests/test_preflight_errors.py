"""Pre-flight errors a person can act on: another vendor's endpoint, an untrusted certificate, --ca-file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance import providers
from conformance.emulator.auth import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET
from conformance.vendors import adapter

CLI = Path(sys.executable).parent / "conformance"


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env.update({"ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_KEY_SECRET,
                "TENCENTCLOUD_SECRET_ID": DEFAULT_KEY_ID, "TENCENTCLOUD_SECRET_KEY": DEFAULT_KEY_SECRET})
    return subprocess.run([str(CLI), "run", *args], capture_output=True, text=True, timeout=timeout, env=env)


def serve(*args: str) -> Iterator[tuple[str, str]]:
    """``conformance emulator ARGS`` in a process: its URL and, with --tls, its CA file."""
    process = subprocess.Popen([str(CLI), "emulator", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        url = process.stdout.readline().strip().removeprefix("listening on ")
        ca = process.stdout.readline().strip().removeprefix("CA file: ") if "--tls" in args else ""
        assert url.startswith("http"), process.stderr.read() if process.poll() is not None else url
        yield url, ca
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def tencent_tls() -> Iterator[tuple[str, str]]:
    yield from serve("--vendor", "tencent", "--tls", "--instances", "30")


@pytest.fixture(scope="module")
def alibaba_plain() -> Iterator[tuple[str, str]]:
    yield from serve("--vendor", "alibaba", "--instances", "30")


def test_an_untrusted_certificate_is_one_line_naming_the_fix(tencent_tls, tmp_path):
    url, _ = tencent_tls
    result = run("--vendor", "tencent", "--endpoint", url, "--report-dir", str(tmp_path))
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "certificate problem" in lines[0] and "--ca-file" in lines[0], lines
    assert "cannot be reached" not in lines[0]
    assert "CONFORMS" not in result.stdout and "UNDECIDED" not in result.stdout
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert report["exit_code"] == 2 and "certificate" in report["not_started"]


def test_with_the_emulator_s_ca_the_run_conforms(tencent_tls, tmp_path):
    url, ca = tencent_tls
    result = run("--vendor", "tencent", "--endpoint", url, "--ca-file", ca, "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "CONFORMS (exit 0)"
    report = json.loads((tmp_path / "conformance.json").read_text())
    client = [r for r in report["results"] if r["category"] == "client"]
    assert client and all(r["outcome"] == "passed" for r in client if r["documented"])  # the SDKs trust it too


def test_a_ca_file_that_is_no_certificate_is_a_usage_error(tmp_path):
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    result = run("--vendor", "tencent", "--endpoint", "https://127.0.0.1:9/", "--ca-file", str(bogus),
                 "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 2 and "--ca-file" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_another_vendor_s_endpoint_is_named_at_pre_flight(tencent_tls, alibaba_plain, tmp_path):
    url, ca = tencent_tls
    result = run("--vendor", "alibaba", "--endpoint", url, "--ca-file", ca, "--report-dir", str(tmp_path / "a"))
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        "conformance run: alibaba: the endpoint answers like Tencent Cloud API 3.0 (a `Response` object), not "
        "Alibaba ECS RPC (a top-level `RequestId`); check --vendor and --endpoint"]
    url, _ = alibaba_plain
    result = run("--vendor", "tencent", "--endpoint", url, "--report-dir", str(tmp_path / "t"))
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    line, = result.stderr.strip().splitlines()
    assert "answers like Alibaba ECS RPC" in line and "not Tencent Cloud API 3.0" in line


@pytest.mark.parametrize("vendor", providers.names())
def test_each_adapter_knows_its_own_shape_only(vendor):
    answers = {"alibaba": {"RequestId": "r", "TotalCount": 0, "Instances": {"Instance": []}},
               "tencent": {"Response": {"RequestId": "r", "TotalCount": 0, "InstanceSet": []}}}
    for name, document in answers.items():
        assert adapter(vendor).has_shape(document) == (name == vendor)
    assert not adapter(vendor).has_shape(["not", "an", "object"])
    assert adapter(vendor).capabilities.answer_shape
