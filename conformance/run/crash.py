"""A run conformance itself broke: every report says ``INTERNAL ERROR``, and the run exits 4.

The verdict is decided, and the JSON report written, before pytest-html, the JUnit writer and the
terminal summary run. A bug in one of those hooks used to escape as a traceback, with Python's exit
status 1, while the JSON report already said ``CONFORMS`` with exit code 0 and the HTML report was
never written: a CI job reading the file and one reading the status disagreed. Here the three
reports are rewritten from the results alone, each as far as it still can be, so that none of them
claims a verdict the process does not exit with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from conformance.files import write_atomic
from conformance.reports import html
from conformance.reports.json_report import Report
from conformance.reports.junit import not_run_junit, results_junit
from conformance.results import Verdict, internal_error
from conformance.run.suite_plugin import RunHandle
from conformance.wire.scrub import RUN_SECRETS


def describe(exc: BaseException | None, verdict: Verdict | None) -> str:
    """One line: what broke, and whether the checks had finished when it did."""
    what = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}" if exc is not None else \
        "pytest reported an internal error (its INTERNALERROR lines are above)"
    finished = verdict is not None and not verdict.interrupted and not verdict.not_run
    when = "after the checks, while reporting" if finished else "before the checks finished"
    return RUN_SECRETS.scrub(f"{what} ({when})")


def conclude(handle: RunHandle, paths: tuple[Path, Path, Path], reason: str, selected: Iterable[str]) -> Verdict:
    """Rewrite the JSON, HTML and JUnit reports for a run that broke with ``reason``; the verdict they carry.

    ``selected`` (``vendor:ID``) names what was to run, for the requirements not run when the
    session never reached its verdict. Each report is written on its own: one that cannot be
    written does not keep the others from saying what happened.
    """
    json_path, html_path, junit_path = paths
    report = handle.report or Report(path=json_path)
    results = list(report.results)
    done = {f"{r.vendor}:{r.requirement}" for r in results}
    verdict = internal_error(reason, handle.verdict, not_run=[n for n in selected if n not in done])
    try:
        if report.path is None:
            report.path = json_path
        report.finish(verdict)
    except Exception:  # noqa: BLE001 - the other reports and the console still say it
        pass
    try:
        fragment = html.render(results, report.targets, title="Conformance of DescribeInstances", verdict=verdict)
        write_atomic(html_path, RUN_SECRETS.scrub(html.page(fragment, "conformance: internal error")))
    except Exception:  # noqa: BLE001 - the results cannot be rendered: say at least what happened
        _quietly(lambda: write_atomic(html_path, RUN_SECRETS.scrub(html.error_page(verdict, report.targets))))
    try:
        results_junit(junit_path, results, verdict)
    except Exception:  # noqa: BLE001
        _quietly(lambda: not_run_junit(junit_path, verdict.line, reason, int(verdict.code)))
    if handle.session is not None:  # pytest never unconfigured: the embedded emulators still run
        _quietly(handle.session.close)
    return verdict


def _quietly(action: Callable[[], object]) -> None:
    """The last resort of a report: if even this fails, the console's lines are all that is left."""
    try:
        action()
    except Exception:  # noqa: BLE001
        pass
