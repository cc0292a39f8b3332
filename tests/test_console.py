"""The console of ``conformance run``: fitted to the terminal, each failure once, and how to rerun it."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.reports import console
from conformance.results import Result

CLI = Path(sys.executable).parent / "conformance"


def run(*args: str, columns: int | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([str(CLI), "run", *args], capture_output=True, text=True, timeout=timeout, env=env)


def failure_blocks(stdout: str) -> dict[str, list[str]]:
    """``vendor:ID`` -> the lines of its failure block in the summary."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in stdout.splitlines():
        if m := re.match(r"FAILED (\S+) \(", line):
            current = blocks.setdefault(m.group(1), [])
        elif current is not None and not line.startswith(" "):
            current = None
        if current is not None:
            current.append(line)
    return blocks


def rerun_of(block: list[str]) -> list[str]:
    start = next(n for n, line in enumerate(block) if line.lstrip().startswith("rerun: "))
    text = " ".join(line.strip().removesuffix("\\") for line in block[start:])
    return shlex.split(text.split("rerun: ", 1)[1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for columns in (80, 132):
        folder = tmp_path_factory.mktemp(f"cols{columns}")
        result = run("--vendor", "alibaba", "--deviation", "filters-or", "--category", "filters",
                     "--report-dir", str(folder), columns=columns)
        assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
        out[columns] = (result, json.loads((folder / "conformance.json").read_text()))
    return out


@pytest.mark.parametrize("columns", [80, 132])
def test_failures_are_wrapped_to_the_terminal_and_told_once(runs, columns):
    result, report = runs[columns]
    stdout = result.stdout
    failed = [r for r in report["results"] if r["outcome"] == "failed"]
    assert failed
    # pytest's own FAILURES section and short summary repeat nothing
    assert "= FAILURES =" not in stdout and "short test summary" not in stdout
    blocks = failure_blocks(stdout)
    assert sorted(blocks) == sorted(f"{r['vendor']}:{r['requirement']}" for r in failed)
    for r in failed:
        name = f"{r['vendor']}:{r['requirement']}"
        assert stdout.count(f"FAILED {name} (") == 1
        assert stdout.count(r["message"].split(" ")[0] + " ") >= 1
        block = blocks[name]
        joined = " ".join(line.strip() for line in block)
        assert " ".join(r["message"].split()) in joined  # the whole message, not cut
        assert "the document: “" in joined and "expected: " in joined and "observed: " in joined
        requests = [line for line in block if re.match(r"      (GET|POST) /", line)]
        assert 1 <= len(requests) <= 3 and joined.count("→ HTTP ") == len(requests)
        assert "Signature=" not in joined and "AccessKeyId=" not in joined
        assert "--deviation filters-or" in joined
        for line in block:  # within the width, or one word longer than any line
            assert len(line) <= columns or " " not in line.strip(), line
    progress = [line for line in stdout.splitlines() if re.match(r"(ok  |FAIL|obs |\?\?\?\?|skip) alibaba ", line)]
    assert progress and all(len(line) <= columns for line in progress)
    if columns == 132:  # no longer cut at 120 characters whatever the terminal
        assert any(len(line) > 121 for line in progress)
    table = stdout.split("conformance summary", 1)[1].split("\nFAILED ", 1)[0].splitlines()[1:]
    assert all(len(line) <= 80 for line in table)


def test_the_rerun_command_runs_that_one_requirement(runs, tmp_path):
    result, report = runs[80]
    name, block = next(iter(failure_blocks(result.stdout).items()))
    argv = rerun_of(block)
    assert argv[:2] == ["conformance", "run"] and name.split(":")[1] in argv
    again = run(*argv[2:], "--report-dir", str(tmp_path))
    assert again.returncode == 1, again.stdout[-3000:]
    rerun_report = json.loads((tmp_path / "conformance.json").read_text())
    assert [f"{r['vendor']}:{r['requirement']}" for r in rerun_report["results"]] == [name]
    assert rerun_report["failed"] == [name]


def test_fit_and_wrap_never_cut_a_word():
    text = "alpha beta gamma " * 20 + "supercalifragilistic"
    short = console.fit(text, 40)
    assert len(short) <= 40 and short.endswith(" …")
    assert all(word in {"alpha", "beta", "gamma", "…"} for word in short.split())
    lines = console.wrap(text, 30, "x ", "  ")
    assert all(len(line) <= 30 for line in lines)
    assert " ".join(" ".join(lines)[2:].split()) == " ".join(text.split())
    command = console.command_lines("rerun: ", "conformance run --vendor tencent --requirement TC-FILT-011 "
                                    "--endpoint https://example.invalid/ --region ap-guangzhou", 40)
    assert all(len(line) <= 40 for line in command) and all(line.endswith(" \\") for line in command[:-1])


def test_a_failure_block_names_the_requests_that_decided_it():
    evidence = [{"note": "discovery", "request": {"method": "GET", "url": "http://h/?Action=DescribeInstances"},
                 "response": {"status": 200}}]
    evidence += [{"note": f"step {n}", "request": {"method": "GET", "url": f"http://h/?PageNumber={n}&Signature=x",
                                                  "headers": {}, "body": ""},
                  "response": {"status": 200}} for n in range(5)]
    result = Result(vendor="alibaba", requirement="ALI-PAGE-001", category="pagination", outcome="failed",
                    documented=True, quote="q", summary="s", check="c", message="m", expected=1, observed=2,
                    evidence=evidence)
    lines = console.failure_block(result, "conformance run --vendor alibaba --requirement ALI-PAGE-001", 100)
    shown = [line for line in lines if "→ HTTP" in line]
    assert len(shown) == 3 and "PageNumber=4" in shown[-1] and "Signature" not in "".join(lines)
    assert "(3 more in the reports)" in "\n".join(lines)
