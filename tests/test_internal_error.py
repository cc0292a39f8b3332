"""No path leaves the exit status and the reports disagreeing: conformance's own failure is ``INTERNAL ERROR``, exit 4.

Each test breaks one hook of a real ``conformance run`` process (monkeypatched by a small driver
before ``main`` runs) and reads what the process exited with beside what the JSON, HTML and JUnit
reports and the console say. Before, a failing report hook escaped as a traceback with Python's
status 1 while the JSON report said ``CONFORMS`` with exit code 0, and the HTML was never written.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conformance.errors import ExitCode

DRIVER = """
import importlib, sys

def broken(*args, **kwargs):
    raise RuntimeError("injected failure in " + sys.argv[1])

module, _, attribute = sys.argv[1].partition(":")
owner = importlib.import_module(module)
*path, name = attribute.split(".")
for part in path:
    owner = getattr(owner, part)
setattr(owner, name, broken)
from conformance.commands.main import main
sys.exit(main(sys.argv[2:]))
"""


def run_broken(hook: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", DRIVER, hook, "run", *args], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("hook, when", [
    ("conformance.run.suite_plugin:Collector.pytest_html_results_summary", "after the checks"),  # pytest-html's hook
    ("conformance.run.suite_plugin:Collector.pytest_terminal_summary", "after the checks"),  # the console summary
    ("conformance.commands.run:mark_junit", "after the checks"),  # after pytest returned
    ("conformance.run.suite_plugin:Collector.pytest_runtest_logreport", "before the checks finished"),  # mid-run
    ("conformance.commands.run:preflight", "before the checks finished"),  # before pytest started
], ids=["html-hook", "terminal-summary", "junit-marking", "result-hook", "pre-flight"])
def test_a_broken_hook_is_an_internal_error_everywhere(hook, when, tmp_path):
    for name in ("conformance.json", "conformance.html", "junit.xml"):
        (tmp_path / name).write_text("STALE GREEN REPORT")
    result = run_broken(hook, "--vendor", "tencent", "--category", "auth", "--report-dir", str(tmp_path))
    assert result.returncode == ExitCode.INTERNAL, result.stdout[-2000:] + result.stderr[-3000:]
    assert result.returncode not in (0, 1)
    last = result.stdout.strip().splitlines()[-1]
    assert last == f"INTERNAL ERROR (exit {int(ExitCode.INTERNAL)})" and "CONFORMS" not in last
    assert f"internal error: RuntimeError: injected failure in {hook} ({when}" in result.stderr
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert report["exit_code"] == result.returncode
    assert report["verdict"] == "INTERNAL ERROR" and report["complete"] is False
    assert "injected failure" in report["internal_error"]
    page = (tmp_path / "conformance.html").read_text()
    assert "INTERNAL ERROR" in page and "injected failure" in page and "CONFORMS" not in page and "STALE" not in page
    assert f"exit status {int(ExitCode.INTERNAL)}" in page
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    suite = junit if junit.tag == "testsuite" else junit.find("testsuite")
    assert suite is not None
    props = {p.get("name"): p.get("value") for p in suite.find("properties") or []}
    assert props["verdict"] == "INTERNAL ERROR" and props["exit_code"] == str(result.returncode)
    verdict_case = next(c for c in suite.iter("testcase") if c.get("name") == "verdict")
    error = verdict_case.find("error")
    assert error is not None and "INTERNAL ERROR" in (error.get("message") or "")


def test_results_decided_before_the_break_stay_in_the_reports(tmp_path):
    """A failure found before a report hook broke is still named; the verdict is still not FAILS but exit 4."""
    result = run_broken("conformance.run.suite_plugin:Collector.pytest_html_results_summary", "--vendor", "alibaba",
                        "--deviation", "filters-or", "--category", "filters", "--report-dir", str(tmp_path))
    assert result.returncode == ExitCode.INTERNAL
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert report["exit_code"] == ExitCode.INTERNAL and "alibaba:ALI-FILT-001" in report["failed"]
    assert "FAILED alibaba:ALI-FILT-001" in result.stdout
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    case = next(c for c in junit.iter("testcase") if c.get("name") == "ALI-FILT-001")
    assert case.find("failure") is not None
    assert "req-alibaba-ALI-FILT-001" in (tmp_path / "conformance.html").read_text()
