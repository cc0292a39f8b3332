"""``conformance run --target NAME=SPEC ...``: several targets of one vendor in one run, and their parity.

Each target is run exactly as ``conformance run`` runs one alone (:mod:`conformance.run.targets` makes
its settings; the run itself is ``conformance run``'s, handed in as :class:`Steps`): its own session,
pre-flight, discovery walk, cassettes and reports under ``REPORT_DIR/<name>/``. Then the results are
set side by side (:mod:`conformance.parity.matrix`), a baseline may accept known differences, and
the run's own reports (``REPORT_DIR/conformance.json`` with a ``parity`` section, the HTML matrix,
JUnit) and verdict say where the targets behave differently.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.errors import ExitCode, UsageError
from conformance.files import write_atomic
from conformance.parity import matrix
from conformance.reports import baseline, console, github, parity_html
from conformance.reports.html import error_page
from conformance.reports.json_report import Report
from conformance.reports.junit import parity_junit
from conformance.reports.parity import Parity, combine, console_lines, markdown
from conformance.results import Result, Verdict, internal_error
from conformance.run.settings import Settings
from conformance.run.targets import TargetSpec, check_base, credential_variables, parse_targets, settings_for
from conformance.wire.scrub import RUN_SECRETS

Paths = tuple[Path, Path, Path]


@dataclass(frozen=True)
class Steps:
    """What ``conformance run`` lends a parity run: one target's run, the not-run reports, the writability check."""

    run: Callable[[argparse.Namespace, Settings, Paths, list[Any]], int]
    not_run: Callable[..., str]
    writable: Callable[[Path], str | None]


@dataclass
class Ran:
    """One target's run: its spec, exit status, verdict and results."""

    spec: TargetSpec
    paths: Paths
    code: int
    verdict: Verdict
    results: list[Result]
    targets: dict[str, dict[str, Any]]


def target_paths(report_dir: Path, name: str) -> Paths:
    folder = report_dir / name
    return folder / "conformance.json", folder / "conformance.html", folder / "junit.xml"


def plan(args: argparse.Namespace, base: Settings, steps: Steps) -> list[tuple[TargetSpec, Settings, Paths]]:
    """Every target's settings and report paths, checked before anything is sent; ValueError for a bad one."""
    check_base(base)
    specs = parse_targets(args.target, args.reference, args.fail_on_difference)
    names = {s.name for s in specs}
    for entry in baseline.load(base.baseline) if base.baseline else []:
        if entry.target is not None and entry.target not in names:
            raise ValueError(f"baseline {base.baseline}: an entry for target {entry.target!r}, which is no "
                             f"--target of this run ({', '.join(sorted(names))})")
    planned = []
    for spec in specs:
        paths = target_paths(Path(args.report_dir), spec.name)
        for path in paths:
            if unwritable := steps.writable(path):
                raise ValueError(f"cannot write reports: {unwritable}")
        try:
            settings = settings_for(dataclasses.replace(base, json_report=str(paths[0])), spec, os.environ)
        except ValueError as exc:
            raise ValueError(f"--target {spec.name}: {exc}") from None
        planned.append((spec, settings, paths))
    return planned


def _not_started(report: Path) -> str:
    """Why a target's run did not start, as its own JSON report says (": …"), or "" when it says nothing."""
    try:
        reason = json.loads(report.read_text(encoding="utf-8")).get("not_started", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return f": {reason}" if isinstance(reason, str) and reason else ""


def run_parity(args: argparse.Namespace, base: Settings, paths: Paths, steps: Steps) -> int:
    """Run every target, then the matrix, the reports and the verdict; exit as a single run would, plus the gate."""
    try:
        planned = plan(args, base, steps)
    except (ValueError, baseline.BaselineError) as exc:
        steps.not_run(paths, None, None, str(exc), ExitCode.USAGE)
        raise UsageError(f"conformance run: {exc}") from None
    for stale in paths[1:]:
        stale.unlink(missing_ok=True)
    started = time.time()
    ran: dict[str, Ran] = {}
    for spec, settings, target_paths_ in planned:
        print(f"== target {spec.name}: {spec.describe()} ==", flush=True)
        handles: list[Any] = []
        try:
            code = steps.run(args, settings, target_paths_, handles)
        except UsageError as exc:
            steps.not_run(paths, None, None, f"target {spec.name}: {exc}", ExitCode.USAGE)
            raise UsageError(str(exc).replace("conformance run: ", f"conformance run: target {spec.name}: ", 1)) \
                from None
        handle = handles[0] if handles else None
        if code == ExitCode.INTERNAL:  # whatever its verdict said before it broke: no parity claim stands on it
            return broke(paths, f"conformance itself failed in the run of target {spec.name} (see {target_paths_[0]})")
        if handle is None or handle.verdict is None:  # it did not start (pre-flight) or pytest broke early
            why = _not_started(target_paths_[0])
            if "credentials" in why:
                why += " (a target's own credentials: {} and {})".format(*credential_variables(spec.name))
            steps.not_run(paths, None, None, f"target {spec.name} did not run (exit {code}){why}", code)
            print(f"conformance run: target {spec.name} did not run (exit {code}){why}; the parity run stops",
                  file=sys.stderr)
            return code
        targets = handle.report.targets if handle.report is not None else {}
        ran[spec.name] = Ran(spec, target_paths_, code, handle.verdict, list(handle.results), targets)
        if not handle.verdict.complete:
            break
    return conclude(args, base, paths, ran, started)


def broke(paths: Paths, reason: str) -> int:
    """The parity run's own reports when a target's run broke before its verdict: ``INTERNAL ERROR``, exit 4."""
    verdict = internal_error(reason)
    report = Report(path=paths[0])
    report.finish(verdict)
    write_atomic(paths[1], error_page(verdict, {}))
    parity_junit(paths[2], {}, verdict, [])
    print(f"{verdict.line} (exit {int(verdict.code)})")
    return verdict.code


def conclude(args: argparse.Namespace, base: Settings, paths: Paths, ran: dict[str, Ran], started: float) -> int:
    """The matrix, the accepted differences, the verdict; the reports written, the console's section printed."""
    reference = args.reference
    results = {name: r.results for name, r in ran.items()}
    rows = matrix.build(results, reference if reference in ran else None)
    if base.baseline:
        baseline.accept_differences(rows, baseline.load(base.baseline))
    described = {name: {"spec": r.spec.text(), "description": r.spec.describe(), "kind": r.spec.kind, "vendor": base.vendors[0],
                        "exit_code": r.code, "verdict": r.verdict.line,
                        "json": os.path.relpath(r.paths[0], paths[0].parent), "html": os.path.relpath(r.paths[1], paths[1].parent),
                        **next(iter(r.targets.values()), {})} for name, r in ran.items()}
    parity = Parity(described, reference, rows, bool(args.fail_on_difference))
    gated = parity.differences() if args.fail_on_difference else []
    verdict = combine({name: r.verdict for name, r in ran.items()}, gated)
    json_path, html_path, junit_path = paths
    report = Report(path=json_path, targets=described, started=started, sections={"parity": parity.section()})
    for name, r in ran.items():
        for result in r.results:
            report.add(result, {"parity_target": name})
    report.finish(verdict)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started))
    # the targets' credentials stay registered (pinned) after their sessions: an endpoint's echo is scrubbed here too
    write_atomic(html_path, RUN_SECRETS.scrub(parity_html.render(parity, verdict, stamp)))
    parity_junit(junit_path, results, verdict, gated)
    text = RUN_SECRETS.scrub(markdown(parity, verdict))
    if base.markdown:
        write_atomic(Path(base.markdown), text)
    if github.active(base.env) and base.env.get("GITHUB_STEP_SUMMARY"):
        github.append_step_summary(base.env, text)
    columns = console.width()
    print()
    for line in console_lines(parity):
        print(RUN_SECRETS.scrub("\n".join(console.wrap(line, columns))))
    print(f"reports: {json_path}  {html_path}  {junit_path}")
    for line in verdict.explain():
        print("\n".join(console.wrap(line, columns)))
    print(f"{verdict.line} (exit {int(verdict.code)})")
    return verdict.code
