"""An honest gate: the exit status and every report say what was checked, and what was not.

Each test drives real ``conformance run`` processes, as CI would: signals sent to a running run,
a wrong secret and an unknown region against a separately started endpoint, a stale report
folder, an unwritable path, a bad baseline, an empty cassette folder, a request cap. Each asserts
the exit status, the verdict line, and what the three reports say.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from conformance.emulator.auth import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET
from conformance.errors import ExitCode
from conformance.results import Result, decide
from conformance.spec import catalog
from conformance.spec.quotes import readable

CLI = [sys.executable, "-m", "conformance"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
VERDICT = re.compile(r"^(CONFORMS|FAILS: \d+ requirements|UNDECIDED: \d+ requirements|INTERRUPTED)( \(exit \d\b.*)?$")
TEST_KEYS = ("--key-id", DEFAULT_KEY_ID, "--key-secret", DEFAULT_KEY_SECRET)


#: every requirement of both catalogues
ALL = sum(len(catalog.load(v).requirements) for v in ("alibaba", "tencent"))


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "run", *args], capture_output=True, text=True, timeout=timeout)


def verdict_line(stdout: str) -> str:
    """The run's last line, which must be its verdict."""
    last = stdout.strip().splitlines()[-1]
    assert VERDICT.match(last), f"the last line is no verdict: {last!r}"
    return last


def reports(directory: Path) -> tuple[dict, str, ET.Element]:
    return (json.loads((directory / "conformance.json").read_text()), (directory / "conformance.html").read_text(),
            ET.parse(directory / "junit.xml").getroot())


def junit_properties(root: ET.Element) -> dict[str, str]:
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None
    props = suite.find("properties")
    return {p.get("name", ""): p.get("value", "") for p in (props if props is not None else [])}


@pytest.fixture(scope="module")
def endpoint():
    """A separately started endpoint: ``conformance emulator`` in its own process, with its own credentials."""
    process = subprocess.Popen([*CLI, "emulator", "--vendor", "alibaba", "--port", "0", "--key-id", "gate-key",
                                "--key-secret", "gate-secret"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("listening on "), line
    yield line.split()[-1]
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)


# ----------------------------------------------------------------- verdicts (unit)


def _result(outcome: str, documented: bool = True, baseline: str | None = None, message: str = "") -> Result:
    return Result(vendor="alibaba", requirement=f"ALI-X-{outcome}", category="pagination", outcome=outcome,  # type: ignore[arg-type]
                  documented=documented, quote="q", summary="s", check="c", message=message, baseline=baseline)


def test_nothing_undecided_passes():
    assert decide([_result("passed")]).line == "CONFORMS"
    assert decide([_result("passed"), _result("observed", documented=False)]).code == ExitCode.OK
    undecided = decide([_result("passed"), _result("inconclusive", message="--max-requests 30 spent")])
    assert (undecided.code, undecided.line) == (ExitCode.UNDECIDED, "UNDECIDED: 1 requirements")
    assert "request cap" in undecided.undecided[0][1]
    assert decide([_result("passed"), _result("inconclusive")], allow_inconclusive=1).code == ExitCode.OK
    assert decide([_result("failed"), _result("inconclusive")]).line == "FAILS: 1 requirements"
    assert decide([_result("failed", baseline="expected")]).code == ExitCode.OK
    stopped = decide([_result("passed")], not_run=["alibaba:ALI-PAGE-002"])
    assert (stopped.code, stopped.line, stopped.complete) == (ExitCode.UNDECIDED, "INTERRUPTED", False)


def test_quotes_read_as_sentences():
    assert readable("|RegionId|String|Yes|cn-hangzhou|The region ID of the instance.") == \
        "RegionId (String, required, e.g. cn-hangzhou): The region ID of the instance."
    assert readable("|404|InvalidStatus.NotFound|The specified Status is not found|") == \
        "HTTP 404 InvalidStatus.NotFound: The specified Status is not found."
    assert readable("Specified parameters have logical AND relations.") == \
        "Specified parameters have logical AND relations."


# ----------------------------------------------------------------- interrupted runs


@pytest.mark.parametrize("sig, extra", [(signal.SIGINT, []), (signal.SIGTERM, []),
                                        (signal.SIGTERM, ["--", "-n", "2"])], ids=["SIGINT", "SIGTERM", "SIGTERM-xdist"])
def test_a_signal_ends_the_run_interrupted_with_all_three_reports(sig, extra, tmp_path):
    process = subprocess.Popen([*CLI, "run", "--report-dir", str(tmp_path), *extra], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("ok "):
            break
    process.send_signal(sig)
    rest, _ = process.communicate(timeout=120)
    stdout = "".join(lines) + rest
    assert process.returncode == 3, stdout[-3000:]
    assert verdict_line(stdout).startswith("INTERRUPTED")
    report, html, junit = reports(tmp_path)
    assert report["complete"] is False and report["verdict"] == "INTERRUPTED" and report["exit_code"] == 3
    assert report["not_run"] and len(report["not_run"]) + len(report["results"]) == ALL
    assert "INTERRUPTED" in html and "CONFORMS" not in html and "requirement holds" not in html
    assert "No documented requirement fails" not in html
    props = junit_properties(junit)
    assert props["verdict"] == "INTERRUPTED" and props["complete"] == "false"
    not_run = [c for c in junit.iter("testcase") if (s := c.find("skipped")) is not None and s.get("type") == "not-run"]
    assert len(not_run) == len(report["not_run"])
    assert any(c.get("name") == "verdict" and c.find("error") is not None for c in junit.iter("testcase"))


def test_an_interrupt_whose_traceback_lacks_a_line_number_is_still_an_interruption():
    """CI once saw SIGINT end a run as INTERNAL ERROR: CPython 3.11 left a traceback entry without a
    line number and pytest's terminal reporter broke rendering it. Such an entry is built here."""
    from _pytest._code.code import Traceback, TracebackEntry

    from conformance.run.suite_plugin import pytest_keyboard_interrupt

    def interrupted() -> None:
        raise KeyboardInterrupt("signal 2")

    def excinfo_with_a_lineless_entry() -> pytest.ExceptionInfo[BaseException]:
        with pytest.raises(KeyboardInterrupt) as info:
            interrupted()
        real = list(info.traceback)
        lineless = types.SimpleNamespace(tb_frame=real[-1]._rawentry.tb_frame, tb_lineno=None, tb_next=None)
        info.traceback = Traceback([real[0], TracebackEntry(lineless), *real[1:]])  # type: ignore[arg-type]
        return info

    with pytest.raises(TypeError):  # what pytest does with it on its own
        excinfo_with_a_lineless_entry().getrepr(funcargs=True)
    info = excinfo_with_a_lineless_entry()
    pytest_keyboard_interrupt(info)
    rendered = info.getrepr(funcargs=True)
    assert rendered.reprcrash is not None and "KeyboardInterrupt" in str(rendered)


def test_pytest_x_leaves_an_incomplete_run(tmp_path):
    result = run("--vendor", "alibaba", "--deviation", "filters-or", "--report-dir", str(tmp_path), "--", "-x")
    assert result.returncode == 3, result.stdout[-3000:]
    assert verdict_line(result.stdout).startswith("INTERRUPTED")
    assert "FAILED alibaba:ALI-FILT-001" in result.stdout
    report, html, junit = reports(tmp_path)
    assert report["complete"] is False and report["not_run"] and report["failed"] == ["alibaba:ALI-FILT-001"]
    assert junit_properties(junit)["verdict"] == "INTERRUPTED"
    assert "INTERRUPTED" in html


# ----------------------------------------------------------------- pre-flight


def test_a_wrong_secret_is_one_line_and_exit_2_and_no_failure(endpoint, tmp_path):
    result = run("--vendor", "alibaba", "--endpoint", endpoint, "--key-id", "gate-key", "--key-secret", "wrong",
                 "--report-dir", str(tmp_path), timeout=60)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "SignatureDoesNotMatch" in result.stderr and "check the key id and secret" in result.stderr
    assert "FAIL" not in result.stdout
    assert not any(VERDICT.match(line) for line in result.stdout.splitlines())  # exit 2: no verdict line
    report, html, junit = reports(tmp_path)
    assert report["results"] == [] and report["complete"] is False and report["exit_code"] == 2
    assert "SignatureDoesNotMatch" in report["not_started"] and "NOT RUN" in html
    assert junit_properties(junit)["exit_code"] == "2"
    assert "gate-key" not in json.dumps(report)


def test_tencent_refused_credentials_name_its_code(tmp_path):
    process = subprocess.Popen([*CLI, "emulator", "--vendor", "tencent", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        result = run("--vendor", "tencent", "--endpoint", url, "--key-id", "someone-else", "--key-secret", "x",
                     "--report-dir", str(tmp_path), timeout=60)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert result.returncode == 2 and "AuthFailure.SecretIdNotFound" in result.stderr
    assert "TENCENTCLOUD_SECRET_ID" in result.stderr and reports(tmp_path)[0]["results"] == []


def test_a_signal_before_the_suite_starts_still_replaces_the_reports(tmp_path):
    import socket

    for name in ("conformance.json", "conformance.html", "junit.xml"):
        (tmp_path / name).write_text("STALE GREEN REPORT")
    with socket.socket() as silent:  # accepts connections, never answers: the pre-flight waits
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        process = subprocess.Popen([*CLI, "run", "--vendor", "tencent", "--endpoint",
                                    f"http://127.0.0.1:{silent.getsockname()[1]}", *TEST_KEYS,
                                    "--report-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        time.sleep(2.5)
        process.send_signal(signal.SIGTERM)
        stdout, _ = process.communicate(timeout=60)
    assert process.returncode == 3 and verdict_line(stdout).startswith("INTERRUPTED")
    report, html, junit = reports(tmp_path)
    assert report["verdict"] == "INTERRUPTED" and report["complete"] is False and len(report["not_run"]) == len(catalog.load("tencent").requirements)
    assert "STALE" not in html and junit_properties(junit)["verdict"] == "INTERRUPTED"


def test_an_unknown_region_is_exit_2(endpoint, tmp_path):
    result = run("--vendor", "alibaba", "--endpoint", endpoint, "--key-id", "gate-key", "--key-secret", "gate-secret",
                 "--region", "xx-nowhere-1", "--report-dir", str(tmp_path), timeout=60)
    assert result.returncode == 2
    assert "does not know region 'xx-nowhere-1'" in result.stderr and "InvalidRegionId.NotFound" in result.stderr
    assert reports(tmp_path)[0]["results"] == []


def test_a_dead_endpoint_replaces_a_stale_report_folder(tmp_path):
    for name in ("conformance.json", "conformance.html", "junit.xml"):
        (tmp_path / name).write_text("STALE GREEN REPORT")
    result = run("--vendor", "tencent", "--endpoint", "http://127.0.0.1:9", "--report-dir", str(tmp_path), timeout=60)
    assert result.returncode == 3 and "cannot be reached" in result.stderr
    report, html, junit = reports(tmp_path)
    assert "STALE" not in html and report["exit_code"] == 3 and "cannot be reached" in report["not_started"]
    assert junit_properties(junit)["complete"] == "false"
    assert verdict_line(result.stdout).startswith("UNDECIDED")


def test_no_credentials_for_a_foreign_endpoint_runs_what_needs_none(endpoint, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "TENCENTCLOUD_"))}
    result = subprocess.run([*CLI, "run", "--vendor", "alibaba", "--endpoint", endpoint, "--category", "auth",
                             "--category", "pagination", "--report-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 3
    assert "no credentials for alibaba" in result.stdout and "skipped" in result.stdout
    assert verdict_line(result.stdout).startswith("UNDECIDED")
    report = reports(tmp_path)[0]
    outcomes = {r["requirement"]: r for r in report["results"]}
    assert outcomes["ALI-AUTH-002"]["outcome"] == "passed"  # an unissued key id needs no credentials
    assert outcomes["ALI-PAGE-001"]["outcome"] == "skipped" and "credentials" in outcomes["ALI-PAGE-001"]["message"]
    assert report["targets"]["alibaba"]["credentials"] == "none given"
    assert DEFAULT_KEY_ID not in json.dumps(report)  # the emulator's test credentials were never sent


# ----------------------------------------------------------------- up-front validation


@pytest.mark.parametrize("args, message", [
    (["--vendor", "alibaba", "--endpoint", "not-a-url"], "is not an http:// or https:// URL"),
    (["--max-requests", "-1"], "expected a number >= 0"),
    (["--instances", "-5"], "expected a number >= 0"),
    (["--allow-inconclusive", "-1"], "expected a number >= 0"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message, tmp_path):
    result = run(*args, "--report-dir", str(tmp_path), timeout=60)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("entry, message", [
    ({"requirement": "ALI-NOPE-001", "vendor": "alibaba", "reason": "x"}, "no alibaba requirement is called"),
    ({"requirement": "TC-PAGE-001", "vendor": "alibaba", "reason": "x"}, "is a tencent requirement, not alibaba"),
    ("requirement: ALI-PAGE-001\n  vendor: alibaba\n  reason: x\n  expires: 2027-13-45", "a bad date"),
])
def test_a_bad_baseline_is_refused_before_the_run(entry, message, tmp_path):
    path = tmp_path / "baseline.yaml"
    path.write_text(f"- {entry}\n" if isinstance(entry, str) else json.dumps([entry]))
    started = time.monotonic()
    result = run("--vendor", "alibaba", "--baseline", str(path), "--report-dir", str(tmp_path / "r"), timeout=60)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and time.monotonic() - started < 30


def test_an_unwritable_report_path_is_refused_before_the_first_request(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run("--vendor", "tencent", "--html", str(blocker / "report.html"), "--report-dir", str(tmp_path), timeout=60)
    assert result.returncode == 2 and "cannot write reports" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "conformance.json").exists()  # nothing ran


def test_replay_without_cassettes_is_one_line(tmp_path):
    (tmp_path / "cassettes").mkdir()
    result = run("--replay", "--vendor", "tencent", "--cassette-dir", str(tmp_path / "cassettes"),
                 "--report-dir", str(tmp_path), timeout=60)
    assert result.returncode == 2 and "no cassettes for tencent" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and len(result.stdout.splitlines()) <= 2


# ----------------------------------------------------------------- undecided runs and one set of numbers


def test_a_request_cap_is_undecided_and_names_the_reason(tmp_path):
    result = run("--vendor", "alibaba", "--max-requests", "30", "--report-dir", str(tmp_path))
    assert result.returncode == 3
    line = verdict_line(result.stdout)
    assert line.startswith("UNDECIDED: ") and "request cap" in result.stdout
    report, html, junit = reports(tmp_path)
    assert report["complete"] is True and report["verdict"] == line.split(" (")[0]
    assert all("request cap" in u["reason"] for u in report["undecided"] if "--max-requests" in u["reason"])
    assert line.split(" (")[0] in html and junit_properties(junit)["verdict"] == line.split(" (")[0]
    allowed = run("--vendor", "alibaba", "--max-requests", "30", "--allow-inconclusive", "100",
                  "--report-dir", str(tmp_path / "allowed"))
    assert allowed.returncode == 0 and verdict_line(allowed.stdout).startswith("CONFORMS (exit 0; ")


def test_console_json_html_and_junit_agree_and_failures_explain_themselves(tmp_path):
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(json.dumps([{"requirement": "ALI-FILT-002", "vendor": "alibaba", "reason": "ticket 7"}]))
    result = run("--vendor", "alibaba", "--deviation", "filters-or", "--category", "filters", "--category",
                 "empty-arrays", "--baseline", str(baseline), "--report-dir", str(tmp_path))
    assert result.returncode == 1
    report, html, junit = reports(tmp_path)
    counts = report["summary"]
    failed = counts["failed"]
    assert verdict_line(result.stdout) == f"FAILS: {failed} requirements (exit 1)"
    assert counts["known_deviations"] == 1 and counts["observed"] >= 1
    # console: the total row of the summary table and pytest's closing line
    total = next(line for line in result.stdout.splitlines() if line.startswith("total "))
    assert total.split()[1:] == [str(counts[k]) for k in ("passed", "failed", "skipped", "inconclusive", "observed",
                                                          "known_deviations")]
    assert re.search(rf"{counts['passed']} passed.*{counts['observed']} observed", result.stdout)
    # JUnit: the same counts, observed as skips of type "observed", never a bare pass
    props = junit_properties(junit)
    assert {k: int(props[f"count.{k}"]) for k in counts} == counts
    observed = {r["requirement"] for r in report["results"] if r["outcome"] == "observed"}
    for case in junit.iter("testcase"):
        if case.get("name") in observed:
            skipped = case.find("skipped")
            assert skipped is not None and skipped.get("type") == "observed"
    # HTML: the total row, and pytest-html's own table gone
    row = re.search(r"<tr><th>total</th><th></th>(.*?)</tr>", html)
    assert row is not None
    cells = [int(n) for n in re.findall(r">(\d+)</td>", row.group(1))]
    assert cells == [counts[k] for k in ("passed", "failed", "skipped", "inconclusive", "observed",
                                         "known_deviations")]
    assert "class='n-failed'>0<" in html or failed  # a zero is not red
    # failures explain themselves: id, the document's sentence, expected beside observed
    assert "FAILED alibaba:ALI-FILT-001" in result.stdout
    block = result.stdout.split("FAILED alibaba:ALI-FILT-001", 1)[1][:3000]
    assert "the document: “" in block and "expected: " in block and "observed: " in block
    failure = next(c for c in junit.iter("testcase") if c.get("name") == "ALI-FILT-001").find("failure")
    assert failure is not None
    text = (failure.get("message") or "") + (failure.text or "")
    assert "ALI-FILT-001" in text and "the document:" in text and "expected:" in text and "observed:" in text


# ----------------------------------------------------------------- help


def test_help_stands_alone():
    version = subprocess.run([*CLI, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and re.match(r"conformance \S+", version.stdout)
    for command in ([], ["run"]):
        shown = subprocess.run([*CLI, *command, "--help"], capture_output=True, text=True)
        assert shown.returncode == 0, shown.stderr
        assert "exit statuses" in shown.stdout and "CONFORMS" in shown.stdout and "INTERRUPTED" in shown.stdout
    for command in ("run", "audit", "emulator", "diff", "baseline"):
        shown = subprocess.run([*CLI, command, "--help"], capture_output=True, text=True)
        assert shown.returncode == 0, (command, shown.stderr)
    emulator_help = subprocess.run([*CLI, "emulator", "--help"], capture_output=True, text=True).stdout
    assert DEFAULT_KEY_ID in emulator_help and DEFAULT_KEY_SECRET in " ".join(emulator_help.split()).replace("- ", "-")


def test_every_option_has_help():
    import argparse

    from conformance.commands.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [(name, a.dest) for name, p in sub.choices.items() for a in p._actions if not a.help]
    assert missing == []


@pytest.mark.parametrize("vendor, code", [("alibaba", "IncompleteSignature"),
                                          ("tencent", "AuthFailure.InvalidAuthorization")])
def test_an_unsigned_request_to_the_emulator_is_an_authentication_error(vendor, code):
    from conformance.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(vendor)) as emulator:
        assert code in httpx.get(emulator.url + "/").text
        assert code in httpx.get(emulator.url + "/?Action=Nope").text


# ----------------------------------------------------------------- what a person sees first


def test_the_html_of_an_interrupted_and_a_failing_run_in_a_browser(tmp_path):
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make test` installs Debian's chromium before the tests")
        pytest.skip("chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    failing = tmp_path / "failing"
    assert run("--vendor", "alibaba", "--deviation", "filters-or", "--category", "filters",
               "--report-dir", str(failing)).returncode == 1
    stopped = tmp_path / "stopped"
    assert run("--vendor", "alibaba", "--deviation", "filters-or", "--report-dir", str(stopped),
               "--", "-x").returncode == 3
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        for directory, first in ((failing, "FAILS: "), (stopped, "INTERRUPTED")):
            page.goto((directory / "conformance.html").as_uri())
            verdict = page.locator("#conformance .verdict")
            assert verdict.is_visible() and verdict.inner_text().startswith(first)
            box = verdict.bounding_box()
            assert box is not None and box["y"] < 400  # above the fold
            text = page.locator("body").inner_text()
            assert "Environment" not in text and "Passed" not in text and "requirement holds" not in text
            assert not page.locator("#results-table").is_visible()
            # a zero count is not coloured
            zero = page.locator("table.counts td.n-failed", has_text="0").first
            if zero.count():
                assert "o-failed" not in (zero.get_attribute("class") or "")
            page.screenshot(path=str(tmp_path / f"{directory.name}.png"))
        # the failure: a clean sentence, expected and observed across the page, labelled evidence
        page.goto((failing / "conformance.html").as_uri())
        requirement = page.locator("#req-alibaba-ALI-FILT-001")
        quote = requirement.locator("blockquote").inner_text()
        assert "|" not in quote
        table = requirement.locator("table.eo")
        box = table.bounding_box()
        assert box is not None and box["width"] > 900
        requirement.locator("details.evidence > summary").click()
        label = requirement.locator("details.exchange > summary").first.inner_text()
        assert "RegionId=" in label and label.index("RegionId=") < label.index("http")
        browser.close()
