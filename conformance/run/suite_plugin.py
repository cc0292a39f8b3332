"""The pytest plugin of the conformance suite (loaded through :mod:`conformance.run.plugin` when asked for).

It adds the ``--conformance-*`` options, parametrizes
``conformance.suite`` with the selected requirements, starts the embedded
emulator when no endpoint is given, and gathers each test's
:class:`~conformance.results.Result` into the JSON report (on the controller
when pytest-xdist runs workers), printing progress per category.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.files import write_atomic
from conformance.reports import console, evidence, github, html, markdown
from conformance.reports.coverage import coverage_html
from conformance.reports.json_report import Report
from conformance.results import Result, Verdict, decide, summary
from conformance.run import options
from conformance.run.rerun import rerun_command
from conformance.run.session import SuiteSession
from conformance.run.settings import SECRET_ENV, Settings
from conformance.spec.catalog import CATEGORIES, Requirement
from conformance.wire.scrub import RUN_SECRETS

SESSION_KEY = pytest.StashKey[SuiteSession]()
#: Where a requirement's test leaves its result for the report hook.
RESULT_KEY = pytest.StashKey[Result]()
#: The key of the settings in pytest-xdist's ``workerinput``.
WORKER_SETTINGS = "conformance_settings"


class RunHandle:
    """What ``conformance run`` hands pytest: the settings in, the results and interruption out."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.results: list[Result] = []
        self.interrupted = False
        #: what the run came to (set when the session finishes)
        self.verdict: Verdict | None = None
        #: the run's JSON report and session, for :mod:`conformance.run.crash` when a hook breaks after the checks
        self.report: Report | None = None
        self.session: SuiteSession | None = None
        #: ``vendor:ID`` of every requirement pytest selected (after ``-k`` and the like), once collected
        self.selected: list[str] | None = None
        #: what broke inside pytest's run, when pytest caught it as an INTERNALERROR
        self.crash: BaseException | None = None

    def pytest_internalerror(self, excrepr: Any, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Keep what broke: pytest prints it and exits 3, ``conformance run`` says ``INTERNAL ERROR`` (exit 4)."""
        self.crash = excinfo.value


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_to_pytest(parser.getgroup("conformance", "conformance suite"))


def _handle(config: pytest.Config) -> RunHandle | None:
    """The :class:`RunHandle`, when ``conformance run`` started this pytest."""
    return next((p for p in config.pluginmanager.get_plugins() if isinstance(p, RunHandle)), None)


def _settings(config: pytest.Config) -> Settings:
    """The run's settings: handed over by ``conformance run``, by the xdist controller, or from options."""
    handle = _handle(config)
    if handle is not None:
        return handle.settings
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and WORKER_SETTINGS in workerinput:
        return Settings.from_portable(workerinput[WORKER_SETTINGS], os.environ)
    settings = Settings(**options.values(
        lambda o: config.getoption(o.conformance_dest) if o.pytest else None, options.for_command("run")),
        env=dict(os.environ))
    if settings.key_id:
        settings.key_secret = os.environ.get(SECRET_ENV)
    settings.validate()
    return settings


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conformance: a requirement of the conformance suite")
    try:
        settings = _settings(config)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    settings.start_clock()
    for vendor in settings.vendors:  # every process knows the credentials, whoever signs
        credentials = settings.credentials(vendor)
        RUN_SECRETS.add(credentials.key_id, pinned=True)
        RUN_SECRETS.add(credentials.secret, pinned=True)
    session = SuiteSession(settings)
    session.say = _uncaptured(config)
    config.stash[SESSION_KEY] = session
    if _is_controller(config):
        report = Report(path=Path(settings.json_report) if settings.json_report else None)
        config.pluginmanager.register(Collector(config, session, report), "conformance-collector")
        handle = _handle(config)
        if handle is not None:
            handle.report, handle.session = report, session


def _uncaptured(config: pytest.Config) -> Callable[[str], None]:
    """A progress line straight to the terminal's stderr, past pytest's output capture."""

    def say(line: str) -> None:
        capture = config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
            print(line, file=sys.stderr, flush=True)

    return say


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker gets the controller's settings as plain data."""
    node.workerinput[WORKER_SETTINGS] = node.config.stash[SESSION_KEY].settings.portable()


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None:
        session.close()


@pytest.hookimpl(tryfirst=True)
def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    """Keep an interruption an interruption (exit 3), never an internal error.

    A signal that lands between two bytecodes of a line can leave a traceback
    entry without a line number (CPython 3.11); pytest's terminal reporter then
    fails rendering the interrupt (``TypeError`` in ``TracebackEntry.lineno``),
    and the run would end as a bug in conformance. Such entries carry nothing
    to show, so they are left out of what pytest renders.
    """
    excinfo.traceback = excinfo.traceback.filter(lambda entry: entry._rawentry.tb_lineno is not None)


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


def run_requirement(requirement: Requirement, request: pytest.FixtureRequest) -> Result:
    """Evaluate one requirement as a pytest test: its result stashed, its JUnit properties recorded."""
    session: SuiteSession = request.config.stash[SESSION_KEY]
    result = session.evaluate(requirement)
    request.node.stash[RESULT_KEY] = result
    for name in ("requirement", "vendor", "category", "quote", "outcome"):
        request.node.user_properties.append((name, getattr(result, name)))
    return result


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        result = item.stash.get(RESULT_KEY, None)
        if result is not None:
            # a plain dict travels from pytest-xdist workers to the controller with the report
            report.conformance_result = result.to_dict()


def requirement_id(nodeid: str) -> str | None:
    """``vendor:ID`` of a suite test's node id (``...test_requirement[alibaba:ALI-PAGE-001]``)."""
    if "test_requirement[" not in nodeid or not nodeid.endswith("]"):
        return None
    return nodeid.rsplit("[", 1)[1][:-1]


_COLUMNS = ("passed", "failed", "skipped", "inconclusive", "observed", "known_deviations")


class Collector:
    """Gathers results on the controller: JSON report, progress lines, summary table."""

    def __init__(self, config: pytest.Config, session: SuiteSession, report: Report):
        self.config = config
        self.session = session
        self.report = report
        #: ``vendor:ID`` of every requirement collected for this run (after ``-k`` and the like)
        self.expected: list[str] | None = None
        #: the verdict, for plain pytest runs (``conformance run`` prints it itself)
        self.verdict_for_terminal: Verdict | None = None

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.report.targets = self.session.describe_targets()
        self.report.save()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.expected is None and not self.config.pluginmanager.hasplugin("dsession"):
            self.expected = [i for i in (requirement_id(item.nodeid) for item in session.items) if i]

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """pytest-xdist: the controller learns the selection from the first worker that collected."""
        if not self.expected:
            self.expected = [i for i in (requirement_id(nodeid) for nodeid in ids) if i]

    def not_run(self) -> list[str]:
        done = {f"{r.vendor}:{r.requirement}" for r in self.report.results}
        return [name for name in self.expected or [] if name not in done]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "conformance_result", None)
        if data is None or report.when != "call":
            return
        result = evidence.trim(Result.from_dict(data), self.session.settings.full_evidence)
        self.report.add(result)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(console.progress_line(result, console.width()))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """The verdict, before pytest-html and JUnit write: an interrupted run says so everywhere."""
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED or bool(session.shouldstop or session.shouldfail)
        not_run = self.not_run()
        verdict = decide(self.report.results, not_run=not_run, interrupted=interrupted or bool(not_run),
                         allow_inconclusive=self.session.settings.allow_inconclusive or 0)
        self.report.finish(verdict)
        handle = _handle(self.config)
        if handle is not None:
            handle.results = list(self.report.results)
            handle.interrupted = not verdict.complete
            handle.verdict = verdict
            handle.selected = None if self.expected is None else list(self.expected)
        else:
            self.verdict_for_terminal = verdict
        try:  # pytest-html's environment block says nothing about the endpoint: leave it empty
            from pytest_metadata.plugin import metadata_key

            self.config.stash[metadata_key].clear()
        except (ImportError, KeyError):
            pass

    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        """No pytest-html row per test: its pass/fail columns cannot say observed or inconclusive."""
        cells.clear()

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        """The requirement matrix and every requirement's evidence, at the top of pytest-html's report."""
        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.report.started))
        prefix.append(html.render(self.report.results, self.report.targets,
                                  title="Conformance of DescribeInstances", started=started,
                                  verdict=self.report.verdict))
        prefix.append(coverage_html(list(self.session.settings.vendors)))

    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
        results = self.report.results
        if not results:
            return
        terminalreporter.section("conformance summary")
        # columns as narrow as their labels: the table fits an 80-column terminal
        labels = [o.replace("_deviations", " dev.") for o in _COLUMNS]
        widths = [max(6, len(label)) for label in labels]
        terminalreporter.write_line(f"{'vendor':8} {'category':13} "
                                    + " ".join(f"{label:>{w}}" for label, w in zip(labels, widths, strict=True)))
        keys = sorted({(r.vendor, r.category) for r in results},
                      key=lambda k: (k[0], CATEGORIES.index(k[1])))
        for vendor, category in keys:
            counts = summary([r for r in results if r.vendor == vendor and r.category == category])
            terminalreporter.write_line(f"{vendor:8} {category:13} "
                                        + " ".join(f"{counts[o]:>{w}}" for o, w in zip(_COLUMNS, widths, strict=True)))
        total = summary(results)
        terminalreporter.write_line(f"{'total':8} {'':13} "
                                    + " ".join(f"{total[o]:>{w}}" for o, w in zip(_COLUMNS, widths, strict=True)))
        columns = console.width()
        for r in results:
            if r.outcome == "failed" and r.baseline != "expected":  # each failure once, here (see run_args)
                rerun = rerun_command(self.session.settings, r.vendor, r.requirement)
                for line in console.failure_block(r, rerun, columns):
                    terminalreporter.write_line(line)
            elif r.baseline:
                terminalreporter.write_line(f"{r.baseline.upper()} {r.vendor}:{r.requirement} — {r.baseline_reason}")
            elif r.baseline_reason:
                terminalreporter.write_line(f"BASELINE {r.vendor}:{r.requirement} — {r.baseline_reason}")
        self._ci_summaries(terminalreporter)
        terminalreporter.write_line(f"requests sent: {sum(r.requests for r in results)}")
        verdict = self.verdict_for_terminal
        if verdict is not None:  # plain pytest: the verdict here; ``conformance run`` prints it last
            for line in verdict.explain():
                terminalreporter.write_line(line)
            terminalreporter.write_line(f"{verdict.line} (exit {int(verdict.code)})")


    def _ci_summaries(self, terminalreporter: Any) -> None:
        """Under GitHub Actions, one annotation per failure and the step summary; ``--markdown`` anywhere.

        Written here, while the run's secrets are still registered: an endpoint's echo of one is
        scrubbed from both (the console's stream scrubs the annotations).
        """
        settings, verdict = self.session.settings, self.report.verdict
        if verdict is None:
            return
        results = self.report.results
        env = settings.env
        if github.active(env):
            for r in results:
                if r.outcome == "failed" and r.baseline != "expected" and r.documented:
                    terminalreporter.write_line(github.annotation(r))
        if not (settings.markdown or (github.active(env) and env.get("GITHUB_STEP_SUMMARY"))):
            return
        text = RUN_SECRETS.scrub(markdown.render(verdict, results, self.report.targets,
                                                 lambda r: rerun_command(settings, r.vendor, r.requirement)))
        if settings.markdown:
            write_atomic(Path(settings.markdown), text)
        if github.active(env):
            github.append_step_summary(env, text)


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    """No pytest dot for a requirement: the plugin prints a progress line for it instead."""
    data = getattr(report, "conformance_result", None)
    if data is not None and SESSION_KEY in config.stash and report.when == "call":
        # pytest's closing line (and -v, and its short summary) count and say what the summary table
        # says: observed is not "passed"; no dot, the plugin prints a progress line instead
        category = "known deviation" if hasattr(report, "wasxfail") else str(data.get("outcome", report.outcome))
        return category, "", category.upper()
    return None
