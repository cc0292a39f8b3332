"""``conformance run``: the suite against an endpoint, with reports and an exit status.

Underneath it is pytest with the conformance plugin. This handler reads the
options, hands the settings to the plugin in memory (the secret never on a
command line, never on disk), and maps the results to the exit status
scripts rely on (:class:`conformance.errors.ExitCode`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.errors import ExitCode, UsageError
from conformance.reports.junit import name_junit_cases
from conformance.results import exit_code
from conformance.run import options
from conformance.run.plugin import RunHandle
from conformance.run.probe import probe
from conformance.run.settings import SECRET_ENV, Settings
from conformance.wire.scrub import ScrubbingStream


def add_run(sub: Any) -> None:
    p = sub.add_parser("run", help="run the conformance suite against an endpoint or the embedded emulator",
                       description="Run the conformance suite. Arguments after -- go to pytest.")
    options.add_to_parser(p, "run")
    p.add_argument("pytest_args", nargs="*", metavar="-- PYTEST ARGS")
    p.set_defaults(handler=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    report_dir = Path(args.report_dir)
    json_path = Path(args.json_report) if args.json_report else report_dir / "conformance.json"
    html_path = Path(args.html) if args.html else report_dir / "conformance.html"
    junit_path = Path(args.junit_xml) if args.junit_xml else report_dir / "junit.xml"
    args.json_report = str(json_path)
    try:
        settings = Settings.from_options(lambda o: getattr(args, o.dest), "run", os.environ)
        for path in (json_path, html_path, junit_path):
            path.parent.mkdir(parents=True, exist_ok=True)
    except ValueError as exc:
        raise UsageError(f"conformance run: {exc}") from None
    except OSError as exc:
        raise UsageError(f"conformance run: cannot write reports: {exc}") from None
    if settings.endpoint and not settings.replay:
        problem = probe(settings.endpoint)
        if problem:
            print(f"conformance run: {problem}", file=sys.stderr)
            return ExitCode.UNDECIDED
    handle = RunHandle(settings)
    if settings.key_secret:
        os.environ[SECRET_ENV] = settings.key_secret  # for this process and its xdist workers only
    pytest_args: list[Any] = [
        "--pyargs", "conformance.suite", "-q", "-p", "no:cacheprovider",
        "--assert=plain",  # the suite asserts nothing; rewriting imports costs seconds at every start
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        f"--junitxml={junit_path}", "-o", "junit_family=xunit1",
        f"--html={html_path}", "--self-contained-html",
        *args.pytest_args,
    ]
    # CI logs keep the console: an endpoint's echo of a credential is scrubbed there too
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = ScrubbingStream(stdout), ScrubbingStream(stderr)
    try:
        code = pytest.main(pytest_args, plugins=[handle])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = stdout, stderr
    if code == pytest.ExitCode.USAGE_ERROR:
        return ExitCode.USAGE
    if code == pytest.ExitCode.INTERNAL_ERROR:
        return ExitCode.UNDECIDED
    if junit_path.is_file():
        name_junit_cases(junit_path)
    print(f"reports: {json_path}  {html_path}  {junit_path}")
    if handle.interrupted:
        return ExitCode.UNDECIDED
    misses = [r for r in handle.results if r.replay_miss]
    for miss in misses:
        print(miss.message, file=sys.stderr)
    if misses:
        print(f"conformance run: {len(misses)} requirement(s) could not be replayed; record again", file=sys.stderr)
        return ExitCode.UNDECIDED
    return exit_code(handle.results)
