"""``conformance run``: the suite against an endpoint, with reports and an exit status.

Underneath it is pytest with the conformance plugin. This handler reads the
options, hands the settings to the plugin in memory (the secret never on a
command line, never on disk), and maps the results to the exit status
scripts rely on (:class:`conformance.errors.ExitCode`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import tempfile
import textwrap
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import pytest

from conformance.errors import EXIT_STATUSES, ExitCode, UsageError
from conformance.files import write_atomic
from conformance.reports import console, html
from conformance.reports.json_report import Report
from conformance.reports.junit import mark_junit, name_junit_cases, not_run_junit
from conformance.results import INTERRUPTED, UNDECIDED, Verdict
from conformance.run import crash, options
from conformance.run.probe import Problem, preflight, reach
from conformance.run.session import SuiteSession
from conformance.run.settings import SECRET_ENV, Settings
from conformance.run.suite_plugin import RunHandle
from conformance.vendors import adapter
from conformance.wire.scrub import ScrubbingStream


def add_run(sub: Any) -> None:
    p = sub.add_parser("run", help="run the conformance suite against an endpoint or the embedded emulator",
                       description=textwrap.fill(
                           "Run the conformance suite. Arguments after -- go to pytest. Before the suite starts, "
                           "one signed listing request per target checks the credentials and the region. The run "
                           "ends with one verdict line: CONFORMS, FAILS: n requirements, UNDECIDED: n requirements "
                           "or INTERRUPTED.", 79),
                       epilog=EXIT_STATUSES, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_to_parser(p, "run")
    p.add_argument("pytest_args", nargs="*", metavar="-- PYTEST ARGS",
                   help="arguments for pytest, after --: -k EXPR, -x, -n N (pytest-xdist), ...")
    p.set_defaults(handler=cmd_run)


def _writable(path: Path) -> str | None:
    """Why ``path`` cannot take a report, or None: checked before the first request is sent."""
    if path.is_dir():
        return f"{path} is a directory"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe_file = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        os.unlink(probe_file)
    except OSError as exc:
        return f"{path}: {exc.strerror or exc}"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path}: not writable"
    return None


def _not_run(paths: tuple[Path, Path, Path], settings: Settings | None, session: SuiteSession | None,
             reason: str, code: int, interrupted: bool = False) -> str:
    """Reports saying why the run did not start, in place of whatever an earlier run left there."""
    selected = [f"{r.vendor}:{r.id}" for r in session.selected_requirements()] if session is not None else []
    line = INTERRUPTED if interrupted else f"{UNDECIDED}: {len(selected)} requirements"
    json_path, html_path, junit_path = paths
    targets = session.describe_targets() if session is not None else {}
    try:
        report = Report(path=json_path, targets=targets, not_started=reason)
        report.finish(Verdict(ExitCode(code), line, not_run=tuple(selected), interrupted=interrupted))
        write_atomic(html_path, html.not_run_page(line, reason, code, targets))
        not_run_junit(junit_path, line, reason, code)
    except OSError:
        pass  # the one line on stderr says why; an unwritable report folder has its own message
    return line


def _replay_gaps(settings: Settings, session: SuiteSession) -> str | None:
    for vendor in settings.vendors:
        folder = session.discovery_cassette_path(vendor).parent
        if not any(folder.glob("*.yaml")):
            revisions = sorted(p.parent.name for p in folder.glob("*/_discovery.yaml"))  # a later revision's own
            hint = f" (recorded for --document-revision {', '.join(revisions)})" if revisions else ""
            return (f"--replay: no cassettes for {vendor} target {session.target_name(vendor)!r} in {folder}{hint}; "
                    f"record them first with --record (or give --cassette-dir / --target-name)")
    return None


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM (what CI cancellation sends) stops the run as SIGINT does: reports written, marked."""
    raise KeyboardInterrupt(f"signal {signum}")


def cmd_run(args: argparse.Namespace) -> int:
    report_dir = Path(args.report_dir)
    json_path = Path(args.json_report) if args.json_report else report_dir / "conformance.json"
    html_path = Path(args.html) if args.html else report_dir / "conformance.html"
    junit_path = Path(args.junit_xml) if args.junit_xml else report_dir / "junit.xml"
    paths = (json_path, html_path, junit_path)
    args.json_report = str(json_path)
    for path in (*paths, *([Path(args.markdown)] if args.markdown else [])):
        if unwritable := _writable(path):
            raise UsageError(f"conformance run: cannot write reports: {unwritable}")
    try:
        if (args.reference or args.fail_on_difference) and not args.target:
            raise ValueError("--reference and --fail-on-difference compare the targets of a parity run: give "
                             "them with --target NAME=SPEC")
        settings = Settings.from_options(lambda o: getattr(args, o.dest), "run", os.environ)
    except ValueError as exc:
        _not_run(paths, None, None, str(exc), ExitCode.USAGE)
        raise UsageError(f"conformance run: {exc}") from None
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    try:
        if args.target:
            from conformance.commands.parity_run import Steps, run_parity

            return run_parity(args, settings, paths, Steps(run=_run, not_run=_not_run, writable=_writable))
        return _run(args, settings, paths)
    except (UsageError, BrokenPipeError):
        raise
    except Exception as exc:  # noqa: BLE001 - outside pytest (set-up, pre-flight): the reports must still agree
        return _internal_error(RunHandle(settings), paths, SuiteSession(settings), exc)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, settings: Settings, paths: tuple[Path, Path, Path],
         handles: list[RunHandle] | None = None) -> int:
    """One target's run, as ``conformance run`` makes it; ``handles`` receives its :class:`RunHandle` once made."""
    json_path, html_path, junit_path = paths
    session = SuiteSession(settings)
    if not session.selected_requirements():
        _nothing_selected(args, settings, paths, session)
    if settings.replay and (gap := _replay_gaps(settings, session)):
        _not_run(paths, settings, session, gap, ExitCode.USAGE)  # exit 2: reports say why, the console no verdict
        raise UsageError(f"conformance run: {gap}")
    if not settings.replay:
        settings.start_clock()  # --timeout counts the pre-flight too: "stop sending after SECONDS in all"
        try:
            stop = _preflight(settings, session)
        except KeyboardInterrupt:
            line = _not_run(paths, settings, session, "interrupted before the suite started", ExitCode.UNDECIDED,
                            interrupted=True)
            print(f"{line} (exit {int(ExitCode.UNDECIDED)}): the run did not start")
            return ExitCode.UNDECIDED
        if stop is not None:
            print(f"conformance run: {stop.message}", file=sys.stderr)
            line = _not_run(paths, settings, session, stop.message, stop.code)
            if stop.code != ExitCode.USAGE:  # a usage or configuration error prints no verdict line
                print(f"{line} (exit {int(stop.code)}): the run did not start")
            return stop.code
    for vendor in settings.vendors:
        if not settings.credentials(vendor).known:
            id_var, secret_var = adapter(vendor).capabilities.credential_env
            print(f"conformance run: no credentials for {vendor} at {settings.endpoint} (--key-id/--key-secret or "
                  f"{id_var}/{secret_var}): only the checks that need none run; the others are skipped")
    for stale in (html_path, junit_path):  # a run that dies half way leaves no earlier run's verdict behind
        stale.unlink(missing_ok=True)
    handle = RunHandle(settings)
    if handles is not None:
        handles.append(handle)
    if settings.key_secret:
        os.environ[SECRET_ENV] = settings.key_secret  # for this process and its xdist workers only
    pytest_args: list[Any] = [
        "--pyargs", "conformance.suite", "-q", "-p", "no:cacheprovider",
        "--assert=plain",  # the suite asserts nothing; rewriting imports costs seconds at every start
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        # each failure is told once, by the plugin's summary (conformance.reports.console): not again in
        # pytest's FAILURES section and short summary; an error outside a requirement still has its line
        "--tb=no", "-rE",
        f"--junitxml={junit_path}", "-o", "junit_family=xunit1",
        f"--html={html_path}", "--self-contained-html",
        *args.pytest_args,
    ]
    # CI logs keep the console: an endpoint's echo of a credential is scrubbed there too
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = ScrubbingStream(stdout), ScrubbingStream(stderr)
    broke: Exception | None = None
    try:
        code = pytest.main(pytest_args, plugins=[handle])
    except Exception as exc:  # noqa: BLE001 - a hook pytest does not guard (a report's): see conformance.run.crash
        code, broke = pytest.ExitCode.INTERNAL_ERROR, exc
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = stdout, stderr
    if code == pytest.ExitCode.USAGE_ERROR:  # pytest said why on stderr; no earlier report may stay behind
        _not_run(paths, settings, session, f"pytest refused the arguments after --: {' '.join(args.pytest_args)}",
                 ExitCode.USAGE)
        return ExitCode.USAGE
    if broke is not None or code == pytest.ExitCode.INTERNAL_ERROR:
        return _internal_error(handle, paths, session, broke or handle.crash)
    verdict = handle.verdict
    if verdict is None:  # pytest stopped before the session finished (an internal or collection error)
        print(f"{INTERRUPTED} (exit {int(ExitCode.UNDECIDED)}): pytest ended with status {int(code)} "
              f"before any verdict")
        return ExitCode.UNDECIDED
    if handle.selected == [] and not handle.results and verdict.complete:
        _nothing_selected(args, settings, paths, session)
    try:
        return _conclude(handle, verdict, settings, paths)
    except BrokenPipeError:
        raise
    except Exception as exc:  # noqa: BLE001 - what the reports and the console say must still agree
        return _internal_error(handle, paths, session, exc)


def _nothing_selected(args: argparse.Namespace, settings: Settings, paths: tuple[Path, Path, Path],
                      session: SuiteSession) -> None:
    """A selection of no requirement is a mistake in the command line, not an undecided run: exit 2."""
    chosen = [f"--vendor {' '.join(settings.vendors)}"]
    chosen += [f"--category {c}" for c in settings.categories] + [f"--requirement {r}" for r in settings.requirements]
    if args.pytest_args:
        chosen.append(f"pytest arguments {' '.join(args.pytest_args)}")
    reason = f"nothing selected: no requirement matches {', '.join(chosen)}"
    _not_run(paths, settings, session, reason, ExitCode.USAGE)
    raise UsageError(f"conformance run: {reason}; see conformance requirements")


def _internal_error(handle: RunHandle, paths: tuple[Path, Path, Path], session: SuiteSession,
                    exc: BaseException | None) -> int:
    """conformance broke (a bug): the traceback, then reports and a verdict line that say so, exit 4."""
    if exc is not None and exc is not handle.crash:  # pytest printed what it caught itself
        traceback.print_exception(exc, file=ScrubbingStream(sys.stderr))
    reason = crash.describe(exc, handle.verdict)
    try:
        selected = [f"{r.vendor}:{r.id}" for r in session.selected_requirements()]
    except Exception:  # noqa: BLE001 - the catalogue may be what broke
        selected = []
    verdict = crash.conclude(handle, paths, reason, selected)
    print(f"conformance run: internal error: {reason}. This is a bug in conformance; every report says so",
          file=sys.stderr)
    print()  # pytest's progress line may have been cut before its newline
    for line in verdict.explain():
        print(line)
    print(f"{verdict.line} (exit {int(verdict.code)})")
    return verdict.code


def _conclude(handle: RunHandle, verdict: Verdict, settings: Settings, paths: tuple[Path, Path, Path]) -> int:
    """After pytest: JUnit made to agree, the reports named, replay misses, the verdict's lines, the verdict."""
    json_path, html_path, junit_path = paths
    if junit_path.is_file():
        name_junit_cases(junit_path)
        mark_junit(junit_path, verdict, handle.results)
    if html_path.is_file():
        write_atomic(html_path, html.tidy_pytest_page(html_path.read_text(encoding="utf-8"),
                                                      f"Conformance of DescribeInstances: {verdict.line}"))
    print(f"reports: {json_path}  {html_path}  {junit_path}")
    misses = [r for r in handle.results if r.replay_miss]
    for miss in misses:
        print(miss.message, file=sys.stderr)
    if misses:
        print(f"conformance run: {len(misses)} requirement(s) could not be replayed; record again", file=sys.stderr)
    columns = console.width()
    for line in verdict.explain():
        print("\n".join(console.wrap(line, columns)))
    allowed = (f"; {len(verdict.undecided)} undecided allowed by --allow-inconclusive {settings.allow_inconclusive}"
               if verdict.code == ExitCode.OK and verdict.undecided else "")
    print(f"{verdict.line} (exit {int(verdict.code)}{allowed})")
    return verdict.code


#: The size of the embedded emulator the pre-flight starts (the run starts its own, of ``--instances``).
PREFLIGHT_INSTANCES = 20


def _preflight(settings: Settings, session: SuiteSession) -> Problem | None:
    """Reachability, then one signed listing request per target, before the suite starts.

    The embedded emulator of the pre-flight is a small one: what it checks (credentials, the
    region, the deviations) does not depend on the inventory's size, and building 10,000
    instances twice cost seconds.
    """
    if settings.endpoint:
        left = None if settings.deadline_at is None else max(0.5, settings.deadline_at - time.time())
        problem = reach(settings.endpoint, settings.ca_file, left)
        if problem:
            return problem
    else:
        session.close()
        session = SuiteSession(dataclasses.replace(settings, instances=min(settings.instances, PREFLIGHT_INSTANCES)))
    try:
        for vendor in settings.vendors:
            found = preflight(session.target(vendor))
            if found is not None:
                return found
    finally:
        session.close()
    return None
