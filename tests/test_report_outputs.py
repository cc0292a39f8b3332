"""The reports of a run: the project's own header first, small files for a passing run, Markdown and GitHub."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.reports import github
from conformance.results import Result

CLI = Path(sys.executable).parent / "conformance"
MB = 1024 * 1024


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run([str(CLI), "run", *args], capture_output=True, text=True, timeout=timeout,
                          env={**base, **(env or {})})


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("default")
    result = run("--report-dir", str(folder))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return folder


def test_a_passing_default_run_writes_at_most_a_megabyte_of_html_and_of_json(default_run):
    assert (default_run / "conformance.html").stat().st_size <= MB
    assert (default_run / "conformance.json").stat().st_size <= MB
    report = json.loads((default_run / "conformance.json").read_text())
    passed = [r for r in report["results"] if r["outcome"] in ("passed", "observed")]
    summarised = [e for r in passed for e in r["evidence"]]
    assert summarised and all(e.get("compact") and "body" not in e["request"] for e in summarised)
    assert all("status" in e["response"] and e["request"]["method"] for e in summarised)


def test_the_html_starts_with_the_project_s_title_and_verdict(default_run):
    page = (default_run / "conformance.html").read_text()
    assert "Report generated" not in page and "<h2>Summary</h2>" not in page
    assert re.search(r"<title[^>]*>Conformance of DescribeInstances: CONFORMS</title>", page)
    body = page.split("<body>", 1)[1]
    before = re.sub(r"<template.*?</template>", "", body.split("<section id='conformance'", 1)[0], flags=re.S)
    assert "<h1" not in before and "pytest-html" not in before
    assert "<h2>Environment</h2>" not in before or "#environment-header" in page  # hidden by the report's CSS
    section = body.split("<section id='conformance'", 1)[1]
    assert section.index("<h2>Conformance of DescribeInstances</h2>") < section.index("class='verdict o-passed'")


def test_failures_keep_their_evidence_whole_and_full_evidence_keeps_everything(tmp_path):
    failing = run("--vendor", "tencent", "--deviation", "filters-or", "--category", "filters",
                  "--report-dir", str(tmp_path / "f"))
    assert failing.returncode == 1
    report = json.loads((tmp_path / "f" / "conformance.json").read_text())
    for r in report["results"]:
        whole = r["outcome"] not in ("passed", "observed")
        assert all(bool(e.get("compact")) != whole for e in r["evidence"]), r["requirement"]
        if whole and r["evidence"]:
            assert all("body" in e["response"] and "headers" in e["request"] for e in r["evidence"])
    full = run("--vendor", "tencent", "--category", "auth", "--category", "empty-arrays", "--full-evidence",
               "--report-dir", str(tmp_path / "a"))
    assert full.returncode == 0, full.stdout[-2000:]
    report = json.loads((tmp_path / "a" / "conformance.json").read_text())
    evidence = [e for r in report["results"] for e in r["evidence"]]
    assert evidence and not any(e.get("compact") for e in evidence)


def test_under_github_actions_a_summary_is_appended_and_each_failure_annotated(tmp_path):
    step = tmp_path / "step-summary.md"
    step.write_text("earlier step\n")
    chosen = tmp_path / "out" / "summary.md"
    result = run("--vendor", "tencent", "--deviation", "filters-or", "--category", "filters", "--markdown", str(chosen),
                 "--report-dir", str(tmp_path / "r"),
                 env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step)})
    assert result.returncode == 1
    report = json.loads((tmp_path / "r" / "conformance.json").read_text())
    failed = [r for r in report["results"] if r["outcome"] == "failed"]
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == len(failed)
    for r, line in zip(failed, annotations, strict=True):
        assert line.startswith(f"::error title={r['requirement']}::tencent: ")
        assert "%0Athe document: “" in line and "%0Aexpected: " in line and "\r" not in line
    assert result.stdout.strip().splitlines()[-1] == f"FAILS: {len(failed)} requirements (exit 1)"
    text = step.read_text()
    assert text.startswith("earlier step\n## Conformance of DescribeInstances: FAILS: ")
    assert text.removeprefix("earlier step\n") == chosen.read_text()
    for r in failed:
        assert f"#### {r['requirement']} (tencent, filters)" in text
        assert f"conformance run --vendor tencent --requirement {r['requirement']} --deviation filters-or" in text
    assert "| **total** |" in text and "| expected | observed |" in text


def test_markdown_without_github_and_no_annotation(tmp_path):
    chosen = tmp_path / "summary.md"
    result = run("--vendor", "alibaba", "--category", "auth", "--markdown", str(chosen),
                 "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 0
    assert "::error" not in result.stdout
    assert chosen.read_text().startswith("## Conformance of DescribeInstances: CONFORMS\n")


def test_workflow_command_values_are_escaped():
    assert github.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    result = Result(vendor="alibaba", requirement="ALI-X:1", category="filters", outcome="failed", documented=True,
                    quote="q", summary="s", check="c", message="50% off\nsecond line", expected={"a": 1}, observed=2)
    line = github.annotation(result)
    assert "\n" not in line and line.startswith("::error title=ALI-X%3A1::alibaba: 50%25 off%0Asecond line%0A")
    assert 'expected: {"a": 1}' in line


def test_an_answer_body_is_rendered_only_where_a_report_keeps_it(tmp_path):
    """Rendering bodies was a sixth of a run: a requirement the reports summarise keeps none, every other keeps all."""
    from conformance.run.session import SuiteSession
    from conformance.run.settings import Settings
    from conformance.vendors.transport import BODY_NOT_KEPT

    def bodies(deviations: tuple[str, ...] = (), whole: bool = False, **settings) -> dict[str, set[bool]]:
        session = SuiteSession(Settings(vendors=["tencent"], requirements=["TC-PAGE-001", "TC-FILT-003"],
                                        deviations=list(deviations), **settings))
        session.whole_evidence = whole
        return {r.requirement + ":" + r.outcome: {e["response"]["body"] != BODY_NOT_KEPT for e in r.evidence}
                for r in session.run_all()}

    assert bodies() == {"TC-PAGE-001:passed": {False}, "TC-FILT-003:passed": {False}}
    assert bodies(("filter-values-and",)) == {"TC-PAGE-001:passed": {False}, "TC-FILT-003:failed": {True}}
    assert bodies(full_evidence=True) == {"TC-PAGE-001:passed": {True}, "TC-FILT-003:passed": {True}}
    assert bodies(whole=True) == {"TC-PAGE-001:passed": {True}, "TC-FILT-003:passed": {True}}  # conformance audit
    baseline = tmp_path / "baseline.yaml"  # a baselined requirement that passes says "fixed", with its evidence
    baseline.write_text("- {vendor: tencent, requirement: TC-FILT-003, reason: r}\n")
    assert bodies(baseline=str(baseline)) == {"TC-PAGE-001:passed": {False}, "TC-FILT-003:passed": {True}}
