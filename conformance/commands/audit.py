"""``conformance audit``: what the document says beside what the endpoint does.

It runs every check, the ``observed`` ones included, and writes a report that
sets, requirement by requirement, the document's sentence beside the
endpoint's behaviour, and lists the contradictions inside the documents
themselves. It is an audit, not a gate: it exits 0 whatever it found, unless
the endpoint could not be reached (3) or the arguments are wrong (2).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from conformance.errors import ExitCode, UsageError
from conformance.reports import html
from conformance.reports.audit import audit_html, audit_verdict, verdict
from conformance.reports.json_report import Report
from conformance.run import options
from conformance.run.probe import reach
from conformance.run.session import SuiteSession
from conformance.run.settings import Settings


def add_audit(sub: Any) -> None:
    p = sub.add_parser("audit", help="what the document says beside what an endpoint does (exit 0 whatever it finds)",
                       description=__doc__.splitlines()[0])
    options.add_to_parser(p, "audit")
    p.set_defaults(handler=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_options(lambda o: getattr(args, o.dest), "audit", os.environ)
        if len(settings.vendors) != 1:
            raise ValueError("--vendor must name one vendor")
    except ValueError as exc:
        raise UsageError(f"conformance audit: {exc}") from None
    vendor = settings.vendors[0]
    report_dir = Path(args.report_dir)
    html_path = Path(args.html) if args.html else report_dir / f"audit-{vendor}.html"
    json_path = Path(args.json_report) if args.json_report else report_dir / f"audit-{vendor}.json"
    if settings.endpoint and (problem := reach(settings.endpoint, settings.ca_file)):
        print(f"conformance audit: {problem.message}")
        return problem.code
    session = SuiteSession(settings)
    session.whole_evidence = True  # an audit shows what the vendor answered, requirement by requirement
    report = Report(path=json_path, targets=session.describe_targets())
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(report.started))
    for requirement in session.selected_requirements():
        result = session.evaluate(requirement)
        report.add(result)
        print(f"{verdict(result):22} {result.requirement:14} {result.message[:110]}", flush=True)
    session.close()
    unreachable = report.results and all(r.outcome == "inconclusive" and "did not answer" in r.message
                                         for r in report.results)
    code = ExitCode.UNDECIDED if unreachable else ExitCode.OK
    audited = audit_verdict(report.results, code)  # the reports carry the status the command exits with
    report.finish(audited)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(html.page(audit_html(report.results, report.targets, vendor, started, code),
                                   f"Audit of {vendor}"), encoding="utf-8")
    print(f"{audited.line.replace('AUDIT', 'audit', 1)}; reports: {html_path} {json_path}")
    return code
