"""``conformance run``: the suite against an endpoint, with reports and an exit status.

Underneath it is pytest with the conformance plugin; this module turns the
command line into pytest arguments, hands the secrets to the plugin in
memory (never on a command line, never on disk), and maps the results to the
exit status scripts rely on:

0 every selected documented requirement holds · 1 one fails ·
2 usage or configuration error · 3 the endpoint cannot be reached or nothing
could be decided.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from conformance import catalog
from conformance.results import Result, exit_code
from conformance.session import SECRET_ENV, Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNDECIDED = 0, 1, 2, 3


class SettingsPlugin:
    """Brings the results of the run back out of pytest."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.results: list[Result] = []
        self.interrupted = False


def pytest_options(settings: Settings) -> list[str]:
    """The settings as ``--conformance-*`` options, so pytest-xdist workers read the same run.

    The secret is not among them: it travels in ``$CONFORMANCE_KEY_SECRET``.
    """
    options = ["--conformance-vendor", settings.vendors[0] if len(settings.vendors) == 1 else "all",
               "--conformance-instances", str(settings.instances)]
    for flag, value in (("--conformance-endpoint", settings.endpoint), ("--conformance-region", settings.region),
                        ("--conformance-key-id", settings.key_id), ("--conformance-signing", settings.signing),
                        ("--conformance-json", settings.json_report),
                        ("--conformance-max-requests", settings.max_requests),
                        ("--conformance-target-name", settings.target_name),
                        ("--conformance-baseline", settings.baseline)):
        if value is not None:
            options += [flag, str(value)]
    for category in settings.categories:
        options += ["--conformance-category", category]
    for deviation in settings.deviations:
        options += ["--conformance-deviation", deviation]
    if settings.record or settings.replay:
        options += ["--conformance-record" if settings.record else "--conformance-replay",
                    "--conformance-cassette-dir", settings.cassette_dir]
    return options


def add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the conformance suite against an endpoint or the embedded emulator",
                       description="Run the conformance suite. Arguments after -- go to pytest.")
    p.add_argument("--vendor", choices=["alibaba", "tencent", "all"], default="all")
    p.add_argument("--endpoint", help="URL of the endpoint (default: the embedded emulator)")
    p.add_argument("--region", help="region to list (default cn-hangzhou / ap-guangzhou)")
    p.add_argument("--key-id", help="AccessKey id / SecretId (default: the vendor's usual variables)")
    p.add_argument("--key-secret", help="its secret")
    p.add_argument("--category", action="append", default=[], choices=list(catalog.CATEGORIES))
    p.add_argument("--report-dir", default="reports", help="where reports go (default reports/)")
    p.add_argument("--json-report", metavar="FILE", help="JSON results (default REPORT_DIR/conformance.json)")
    p.add_argument("--html", metavar="FILE", help="HTML report (default REPORT_DIR/conformance.html)")
    p.add_argument("--junit-xml", metavar="FILE", help="JUnit XML (default REPORT_DIR/junit.xml)")
    p.add_argument("--max-requests", type=int, help="send at most N requests")
    p.add_argument("--signing", help="rpc or acs3 (Alibaba); tc3 or hmac256 (Tencent)")
    p.add_argument("--deviation", action="append", default=[], metavar="NAME",
                   help="run the embedded emulator with a deviation (see conformance emulator --list-deviations)")
    p.add_argument("--instances", type=int, default=150, help="instances of the embedded emulator (default 150)")
    p.add_argument("--target-name", help="name of the target in reports (default: endpoint host or 'emulator')")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--record", action="store_true",
                      help="record every interaction: one cassette per requirement under CASSETTE_DIR/VENDOR/TARGET/")
    mode.add_argument("--replay", action="store_true", help="run from the cassettes, with no network at all")
    p.add_argument("--cassette-dir", default="cassettes", help="where cassettes live (default cassettes/)")
    p.add_argument("--baseline", metavar="FILE",
                   help="YAML of known deviations: reported, not failing the run, until they expire")
    p.add_argument("pytest_args", nargs="*", metavar="-- PYTEST ARGS")
    p.set_defaults(handler=cmd_run)


def _settings(args: argparse.Namespace, json_path: Path) -> Settings:
    settings = Settings(
        vendors=list(catalog.VENDORS) if args.vendor == "all" else [args.vendor],
        endpoint=args.endpoint, region=args.region, key_id=args.key_id, key_secret=args.key_secret,
        signing=args.signing, categories=list(args.category), json_report=str(json_path),
        max_requests=args.max_requests, deviations=list(args.deviation), instances=args.instances,
        target_name=args.target_name, record=args.record, replay=args.replay, cassette_dir=args.cassette_dir,
        baseline=args.baseline, env=dict(os.environ),
    )
    settings.validate()
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    import pytest

    from conformance.cli import UsageError

    report_dir = Path(args.report_dir)
    json_path = Path(args.json_report) if args.json_report else report_dir / "conformance.json"
    html_path = Path(args.html) if args.html else report_dir / "conformance.html"
    junit_path = Path(args.junit_xml) if args.junit_xml else report_dir / "junit.xml"
    try:
        settings = _settings(args, json_path)
        for path in (json_path, html_path, junit_path):
            path.parent.mkdir(parents=True, exist_ok=True)
    except ValueError as exc:
        raise UsageError(f"conformance run: {exc}") from None
    except OSError as exc:
        raise UsageError(f"conformance run: cannot write reports: {exc}") from None
    if settings.endpoint and not settings.replay:
        problem = _probe(settings)
        if problem:
            print(f"conformance run: {problem}", file=sys.stderr)
            return EXIT_UNDECIDED
    plugin = SettingsPlugin(settings)
    if settings.key_secret:
        os.environ[SECRET_ENV] = settings.key_secret  # for this process and its xdist workers only
    pytest_args: list[Any] = [
        *pytest_options(settings),
        "--pyargs", "conformance.suite", "-q", "-p", "no:cacheprovider",
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        f"--junitxml={junit_path}", "-o", "junit_family=xunit1",
        f"--html={html_path}", "--self-contained-html",
        *args.pytest_args,
    ]
    code = pytest.main(pytest_args, plugins=[plugin])
    if code in (pytest.ExitCode.USAGE_ERROR,):
        return EXIT_USAGE
    if code == pytest.ExitCode.INTERNAL_ERROR:
        return EXIT_UNDECIDED
    if junit_path.is_file():
        name_junit_cases(junit_path)
    print(f"reports: {json_path}  {html_path}  {junit_path}")
    if plugin.interrupted:
        return EXIT_UNDECIDED
    misses = [r for r in plugin.results if r.replay_miss]
    for miss in misses:
        print(miss.message, file=sys.stderr)
    if misses:
        print(f"conformance run: {len(misses)} requirement(s) could not be replayed; record again", file=sys.stderr)
        return EXIT_UNDECIDED
    return exit_code(plugin.results)


def name_junit_cases(path: Path) -> None:
    """Name every JUnit test case after its requirement id, the class after vendor and category.

    CI systems show these names; pytest's own (``test_requirement[alibaba:ALI-PAGE-001]``) would
    bury the id. The category and the quote are already properties of each case.
    """
    from xml.etree import ElementTree

    from conformance.results import write_atomic

    tree = ElementTree.parse(path)
    for case in tree.getroot().iter("testcase"):
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        if "requirement" in properties:
            case.set("name", properties["requirement"])
            case.set("classname", f"conformance.{properties.get('vendor')}.{properties.get('category')}")
    write_atomic(path, ElementTree.tostring(tree.getroot(), encoding="unicode", xml_declaration=True))


def _probe(settings: Settings) -> str | None:
    """One unauthenticated request: is anything listening at the endpoint?"""
    import httpx

    try:
        httpx.get(settings.endpoint, timeout=10)
    except httpx.InvalidURL as exc:
        return f"invalid endpoint {settings.endpoint!r}: {exc}"
    except httpx.TransportError as exc:
        return f"endpoint {settings.endpoint} cannot be reached: {type(exc).__name__}: {exc}"
    return None


if __name__ == "__main__":  # pragma: no cover
    from conformance.cli import main

    sys.exit(main(["run", *sys.argv[1:]]))
