"""Verdict-line rules: exit 2 prints none, selecting nothing is a usage error, an expired baseline entry says
so where people look, and an audit's report states the status the audit exits with.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conformance.reports import html
from conformance.results import Result

CLI = [sys.executable, "-m", "conformance"]
#: a verdict line, with or without its exit status
VERDICT = re.compile(r"^(CONFORMS|FAILS: \d+ requirements|UNDECIDED: \d+ requirements|INTERRUPTED|INTERNAL ERROR)\b")


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def verdict_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if VERDICT.match(line)]


@pytest.mark.parametrize("args, message", [
    (["--replay", "--vendor", "tencent", "--cassette-dir", "{tmp}/none"], "no cassettes for tencent"),
    (["--vendor", "tencent", "--requirement", "TC-NOPE-001"], "unknown requirement 'TC-NOPE-001'"),
    (["--vendor", "tencent", "--", "-k", "TC-NOPE"], "nothing selected"),
    (["--vendor", "tencent", "--category", "auth", "--requirement", "TC-PAGE-001"], "nothing selected"),
], ids=["replay-without-cassettes", "unknown-requirement", "k-selects-nothing", "category-and-id-exclude"])
def test_exit_2_prints_no_verdict_line(args, message, tmp_path):
    (tmp_path / "none").mkdir()
    result = run("run", "--report-dir", str(tmp_path / "r"), *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert verdict_lines(result.stdout) == [], result.stdout[-2000:]
    assert "Traceback" not in result.stderr


def test_selecting_nothing_is_a_usage_error_not_an_undecided_run(tmp_path):
    for name in ("conformance.json", "conformance.html", "junit.xml"):
        (tmp_path / name).write_text("STALE GREEN REPORT")
    result = run("run", "--vendor", "alibaba", "--report-dir", str(tmp_path), "--", "-k", "ALI-NOPE")
    assert result.returncode == 2
    assert result.stderr.strip() == ("conformance run: nothing selected: no requirement matches --vendor alibaba, "
                                     "pytest arguments -k ALI-NOPE; see conformance requirements")
    assert "UNDECIDED" not in result.stdout
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert report["exit_code"] == 2 and "nothing selected" in report["not_started"] and report["results"] == []
    assert "STALE" not in (tmp_path / "conformance.html").read_text()


def test_arguments_pytest_refuses_replace_an_earlier_report(tmp_path):
    (tmp_path / "conformance.json").write_text('{"exit_code": 0, "verdict": "CONFORMS", "results": []}')
    result = run("run", "--vendor", "tencent", "--report-dir", str(tmp_path), "--", "--no-such-pytest-flag")
    assert result.returncode == 2 and "--no-such-pytest-flag" in result.stderr
    assert verdict_lines(result.stdout) == []
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert report["exit_code"] == 2 and "pytest refused the arguments" in report["not_started"]


def test_an_expired_baseline_entry_says_so_on_the_console_and_in_the_html(tmp_path):
    baseline = tmp_path / "expired.yaml"
    baseline.write_text(json.dumps([{"requirement": "ALI-ERR-001", "vendor": "alibaba", "reason": "ticket 42",
                                     "expires": "2020-01-01"}]))
    result = run("run", "--vendor", "alibaba", "--deviation", "status-404-as-400", "--category", "error-codes",
                 "--baseline", str(baseline), "--report-dir", str(tmp_path))
    assert result.returncode == 1
    block = result.stdout.split("FAILED alibaba:ALI-ERR-001", 1)[1].split("\nFAILED ", 1)[0]
    assert "baseline: the baseline entry expired on 2020-01-01" in block and "ticket 42" in block
    page = (tmp_path / "conformance.html").read_text()
    requirement = page.split("id='req-alibaba-ALI-ERR-001'", 1)[1].split("<div class='req'", 1)[0]
    assert "<b>Baseline:</b> the baseline entry expired on 2020-01-01" in requirement


def test_the_html_of_a_result_shows_an_expired_entry():
    result = Result(vendor="alibaba", requirement="ALI-ERR-001", category="error-codes", outcome="failed",
                    documented=True, quote="q", summary="s", check="c",
                    baseline_reason="the baseline entry expired on 2020-01-01; the deviation gates again")
    assert "expired on 2020-01-01" in html.requirement_html(result)


def test_an_audit_s_reports_state_the_status_it_exits_with(tmp_path):
    audit = run("audit", "--vendor", "tencent", "--deviation", "filter-values-and", "--report-dir", str(tmp_path))
    assert audit.returncode == 0
    report = json.loads((tmp_path / "audit-tencent.json").read_text())
    assert report["exit_code"] == audit.returncode and report["failed"]  # it found a difference, and exits 0
    assert report["verdict"].startswith("AUDIT: ")
    page = (tmp_path / "audit-tencent.html").read_text()
    assert "exit status 0 (an audit exits 0 whatever it found; as a gate, conformance run would say FAILS: " in page
    assert "exit status 1" not in page
