"""Issues 14 and 19, "Done when": the real ``conformance run`` against each hostile server.

Each run must end in bounded time and memory, with a verdict for every requirement, no
traceback, and no credential or signature in any byte written (reports, cassettes and their
metadata, console). The servers are in ``hostile_servers.py``; the scan in ``secret_scan.py``.
Against a redirecting endpoint (issue 19), a second server on 127.0.0.2 counts every request
it receives, and the count must be 0, for every redirect status and every SDK signing mode.

They hold because ``conformance/wire/bounded.py`` and ``conformance/wire/scrub.py`` are
plugged into the client, the parsers, the writers and the command line (``--timeout``,
``--max-answer-bytes``), and ``conformance/vendors/sdk_guard.py`` below each SDK.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile_servers import (
    REDIRECT_STATUSES,
    DeepJSONServer,
    DeepXMLServer,
    DripServer,
    EchoServer,
    HostileServer,
    LoginPageServer,
    LyingGzipServer,
    OtherHostServer,
    OversizeServer,
    RedirectServer,
    StallServer,
    signature_values,
)
from secret_scan import scan

from conformance.spec import catalog
from conformance.vendors import adapter

pytestmark = [pytest.mark.slow]

KEY_ID = "AKIDhostileKey0123456789"
SECRET = "hostileSecret/0123456789+abcdef"
RUN_TIMEOUT_S = 30  # --timeout given to the run
#: A server that never finishes an answer meets the run's deadline: a shorter one proves the same, sooner.
DRIP_TIMEOUT_S = 12
PEAK_RSS_MB = 512
CONFORMANCE = str(Path(sys.executable).parent / "conformance")
# The run, in a wrapper that reports its peak RSS (RUSAGE_CHILDREN of the wrapper is the run's).
WRAPPER = ("import resource, subprocess, sys\n"
           "code = subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL).returncode\n"
           "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
           "sys.exit(code)\n")


@dataclass
class Run:
    timeout: int
    exit: int
    seconds: float
    rss_mb: float
    console: str
    work: Path
    received: list[Any]


def conformance_run(server: HostileServer, vendor: str, signing: str | None, work: Path,
                    categories: tuple[str, ...] = (), timeout: int = RUN_TIMEOUT_S) -> Run:
    command = [CONFORMANCE, "run", "--vendor", vendor, "--endpoint", server.url, "--key-id", KEY_ID,
               "--key-secret", SECRET, "--report-dir", str(work / "reports"), "--record",
               "--cassette-dir", str(work / "cassettes"), "--timeout", str(timeout)]
    if signing:
        command += ["--signing", signing]
    for category in categories:
        command += ["--category", category]
    rss_file = work / "rss.txt"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", WRAPPER, str(rss_file), *command], capture_output=True, text=True,
                          errors="replace", timeout=timeout + 90)
    seconds = time.monotonic() - started
    rss_mb = int(rss_file.read_text()) / 1024
    rss_file.unlink()
    return Run(timeout, done.returncode, seconds, rss_mb, done.stdout + done.stderr, work, list(server.received))


def assert_bounded_and_judged(run: Run, vendor: str, categories: tuple[str, ...] = ()) -> None:
    assert "Traceback" not in run.console, run.console[-3000:]
    assert "RecursionError" not in run.console and "DecodingError" not in run.console
    assert run.exit in (0, 1, 3), (run.exit, run.console[-2000:])
    assert run.seconds < run.timeout + 30, run.seconds
    assert run.rss_mb < PEAK_RSS_MB, f"peak RSS {run.rss_mb:.0f} MB"
    report = json.loads((run.work / "reports" / "conformance.json").read_text())
    judged = {r["requirement"] for r in report["results"]}
    if report.get("not_started"):
        # The pre-flight could not read one answer: every requirement is undecided, for the one reason given.
        assert run.exit == 3 and report["verdict"].startswith("UNDECIDED"), (run.exit, report["verdict"])
        assert not report["results"]
        judged = {name.split(":", 1)[1] for name in report["not_run"]}
    expected = {r.id for r in catalog.load(vendor).requirements if not categories or r.category in categories}
    assert judged == expected, f"no verdict for {sorted(expected - judged)[:10]}"
    assert all(r["message"] for r in report["results"])


def reasons(run: Run) -> str:
    """What the reports give as the reasons of the verdicts."""
    report = json.loads((run.work / "reports" / "conformance.json").read_text())
    return " ".join([report.get("not_started", ""), *(r["message"] for r in report["results"])])


def assert_nothing_secret_written(run: Run) -> None:
    secrets = [KEY_ID, SECRET, *signature_values(run.received)]
    findings = scan([run.work], [run.console], secrets)
    assert findings == [], f"{len(findings)} findings, first: {findings[:10]}"


@pytest.mark.parametrize("vendor,signing", [("alibaba", "rpc"), ("alibaba", "acs3"), ("tencent", "tc3"),
                                            ("tencent", "hmac256")])
def test_echo_writes_no_credential_or_signature(vendor: str, signing: str, tmp_path: Path) -> None:
    with EchoServer(vendor, key_id=KEY_ID) as server:
        run = conformance_run(server, vendor, signing, tmp_path)
    assert len(signature_values(run.received)) > 10  # the run did sign and send
    assert_bounded_and_judged(run, vendor)
    assert_nothing_secret_written(run)


HOSTILE = {
    "deep-json": lambda vendor: DeepJSONServer(vendor),
    "deep-xml": lambda vendor: DeepXMLServer(vendor),
    "oversize": lambda vendor: OversizeServer(vendor),
    "lying-gzip": lambda vendor: LyingGzipServer(vendor),
    "login-page": lambda vendor: LoginPageServer(vendor),
    "stall-one": lambda vendor: StallServer(vendor, only=5),
    "stall-all": lambda vendor: StallServer(vendor),
    "drip": lambda vendor: DripServer(vendor, interval_s=2.0),
}
CASES = [(name, vendor) for name in HOSTILE for vendor in ("alibaba", "tencent")
         if not (name == "deep-xml" and vendor == "tencent")]


@pytest.mark.parametrize("name,vendor", CASES)
def test_hostile_server_gives_verdicts_in_bounded_time_and_memory(name: str, vendor: str, tmp_path: Path) -> None:
    with HOSTILE[name](vendor) as server:
        run = conformance_run(server, vendor, None, tmp_path, timeout=DRIP_TIMEOUT_S if name == "drip" else RUN_TIMEOUT_S)
    assert_bounded_and_judged(run, vendor)
    assert_nothing_secret_written(run)
    if name == "drip":  # --timeout is the whole run's, the pre-flight's requests included
        assert run.seconds < DRIP_TIMEOUT_S + 10, run.seconds
    if name in ("deep-json", "deep-xml", "oversize", "lying-gzip"):
        why = reasons(run)
        assert any(word in why for word in ("deeper than", "limit", "Content-Encoding")), why[:2000]


@pytest.mark.sdk
@pytest.mark.parametrize("status", REDIRECT_STATUSES)
@pytest.mark.parametrize("vendor", ["alibaba", "tencent"])
def test_a_redirect_is_never_followed(vendor: str, status: int, tmp_path: Path) -> None:
    """Issue 19: the endpoint answers ``status`` pointing at another host; no request reaches it.

    The discovery walk is answered (the SDKs are pointed at a target only once it is read); the
    pre-flight and every request of every SDK, in each of its signing modes, are redirected. Each
    redirect is judged as the answer, its ``Location`` in the evidence.
    """
    with OtherHostServer(vendor) as other, RedirectServer(vendor, status=status, location=other.url) as server:
        run = conformance_run(server, vendor, None, tmp_path, categories=("client",))
        redirected = list(server.redirected)
    assert other.requests == 0, [(r.method, r.target[:80], r.signing_mode) for r in other.received]
    assert_bounded_and_judged(run, vendor, categories=("client",))
    assert_nothing_secret_written(run)
    modes = {mode for sdk in adapter(vendor).sdks() for mode in sdk.modes}
    assert {r.signing_mode for r in redirected if not r.from_suite} == modes  # every SDK mode met the redirect
    assert any(r.from_suite for r in redirected)  # and the suite's own pre-flight did
    report = json.loads((run.work / "reports" / "conformance.json").read_text())
    documented = [r for r in report["results"] if r["documented"]]
    assert documented and all(r["outcome"] == "failed" for r in documented), [
        (r["requirement"], r["outcome"], r["message"][:200]) for r in documented]
    where = other.url.rstrip("/")
    for result in report["results"]:
        answers = [e["response"] for e in result["evidence"]]
        assert any(a["status"] == status and a["headers"]["location"].startswith(where) for a in answers), result
