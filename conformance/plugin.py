"""The pytest plugin of the conformance suite.

It adds the ``--conformance-*`` options, parametrizes
``conformance.suite`` with the selected requirements, starts the embedded
emulator when no endpoint is given, and gathers each test's
:class:`~conformance.results.Result` into the JSON report (on the controller
when pytest-xdist runs workers), printing progress per category.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from conformance import catalog
from conformance.results import Report, Result, summary
from conformance.session import Settings, SuiteSession, settings_from_options

SESSION_KEY = pytest.StashKey["SuiteSession"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "conformance suite")
    group.addoption("--conformance-vendor", default="all", choices=["alibaba", "tencent", "all"])
    group.addoption("--conformance-endpoint", default=None, help="URL of the endpoint (default: embedded emulator)")
    group.addoption("--conformance-region", default=None)
    group.addoption("--conformance-key-id", default=None,
                    help="key id; the secret comes from $CONFORMANCE_KEY_SECRET or the vendor's variables")
    group.addoption("--conformance-signing", default=None, help="rpc|acs3 (Alibaba), tc3|hmac256 (Tencent)")
    group.addoption("--conformance-category", action="append", default=[], choices=list(catalog.CATEGORIES))
    group.addoption("--conformance-json", default=None, help="write the JSON results here")
    group.addoption("--conformance-max-requests", type=int, default=None)
    group.addoption("--conformance-deviation", action="append", default=[],
                    help="run the embedded emulator with this deviation (repeatable)")
    group.addoption("--conformance-instances", type=int, default=150, help="instances of the embedded emulator")
    group.addoption("--conformance-target-name", default=None)
    group.addoption("--conformance-record", action="store_true", help="record one cassette per requirement")
    group.addoption("--conformance-replay", action="store_true", help="answer every request from the cassettes")
    group.addoption("--conformance-cassette-dir", default="cassettes")
    group.addoption("--conformance-baseline", default=None, help="YAML of known deviations (see conformance baseline)")


def _provided(config: pytest.Config) -> Any:
    """The runner's SettingsPlugin, when ``conformance run`` started this pytest."""
    for plugin in config.pluginmanager.get_plugins():
        if type(plugin).__name__ == "SettingsPlugin":
            return plugin
    return None


def _settings(config: pytest.Config) -> Settings:
    return settings_from_options(config.getoption, os.environ)


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conformance: a requirement of the conformance suite")
    try:
        settings = _settings(config)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    session = SuiteSession(settings)
    config.stash[SESSION_KEY] = session
    if _is_controller(config):
        report = Report(path=Path(settings.json_report) if settings.json_report else None)
        config.pluginmanager.register(Collector(config, session, report), "conformance-collector")


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        session.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "conformance_requirement" not in metafunc.fixturenames:
        return
    session: SuiteSession = metafunc.config.stash[SESSION_KEY]
    selected = session.selected_requirements()
    metafunc.parametrize("conformance_requirement", selected,
                         ids=[f"{r.vendor}:{r.id}" for r in selected])


@pytest.fixture(scope="session")
def conformance_session(request: pytest.FixtureRequest) -> SuiteSession:
    return request.config.stash[SESSION_KEY]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        result = item.stash.get(SuiteSession.RESULT_KEY, None)
        if result is not None:
            # a plain dict travels from pytest-xdist workers to the controller with the report
            report.conformance_result = result.to_dict()


_MARK = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip", "inconclusive": "????", "observed": "obs ",
         "expected": "know", "fixed": "FIXD"}
_COLUMNS = ("passed", "failed", "skipped", "inconclusive", "observed")


class Collector:
    """Gathers results on the controller: JSON report, progress lines, summary table."""

    def __init__(self, config: pytest.Config, session: SuiteSession, report: Report):
        self.config = config
        self.session = session
        self.report = report

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.report.targets = self.session.describe_targets()
        self.report.save()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "conformance_result", None)
        if data is None or report.when != "call":
            return
        result = Result.from_dict(data)
        self.report.add(result)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if self.session.settings.progress and reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(f"{_MARK[result.baseline or result.outcome]} {result.vendor:8} {result.category:13} "
                                f"{result.requirement:14} {result.message[:120]}")

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        if interrupted:
            self.report.save()
        else:
            self.report.finish()
        provided = _provided(self.config)
        if provided is not None:
            provided.results = list(self.report.results)
            provided.interrupted = interrupted

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        """The requirement matrix and every requirement's evidence, at the top of pytest-html's report."""
        from conformance import html_report

        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.report.started))
        prefix.append(html_report.render(self.report.results, self.report.targets,
                                         title="Conformance of DescribeInstances", started=started))

    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
        results = self.report.results
        if not results:
            return
        terminalreporter.section("conformance summary")
        terminalreporter.write_line(f"{'vendor':8} {'category':13} " + " ".join(f"{o:>12}" for o in _COLUMNS))
        keys = sorted({(r.vendor, r.category) for r in results},
                      key=lambda k: (k[0], catalog.CATEGORIES.index(k[1])))
        for vendor, category in keys:
            counts = summary([r for r in results if r.vendor == vendor and r.category == category])
            terminalreporter.write_line(f"{vendor:8} {category:13} " + " ".join(f"{counts[o]:>12}" for o in _COLUMNS))
        for r in results:
            if r.outcome == "failed" and r.baseline != "expected":
                terminalreporter.write_line(f"FAILED {r.vendor}:{r.requirement} — {r.message}")
            elif r.baseline:
                terminalreporter.write_line(f"{r.baseline.upper()} {r.vendor}:{r.requirement} — {r.baseline_reason}")
        terminalreporter.write_line(f"requests sent: {sum(r.requests for r in results)}")


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    """No pytest dot for a requirement: the plugin prints a progress line for it instead."""
    if getattr(report, "conformance_result", None) is not None and SESSION_KEY in config.stash \
            and config.stash[SESSION_KEY].settings.progress and report.when == "call":
        return ("xfailed" if hasattr(report, "wasxfail") else report.outcome), "", ""
    return None
