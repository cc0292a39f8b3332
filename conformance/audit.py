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
from html import escape
from pathlib import Path

from conformance import catalog, html_report
from conformance.results import Report, Result
from conformance.session import Settings, SuiteSession


def verdict(result: Result) -> str:
    """A word for the audit table: does the endpoint do what the document says?"""
    if result.outcome == "passed":
        return "as documented"
    if result.outcome == "failed":
        return "DIFFERS"
    if result.outcome == "observed":
        return "differs (open point)" if result.message.startswith("differs from the document") else "observed"
    return result.outcome


def audit_html(results: list[Result], targets: dict, vendor: str, started: str) -> str:
    cat = catalog.load(vendor)
    rows = []
    for r in results:
        status = "documented" if r.documented else "left open by the document"
        rows.append(f"<tr class='o-{'failed' if verdict(r) == 'DIFFERS' else r.outcome}'>"
                    f"<td><a href='#{html_report.anchor(r)}'>{escape(r.requirement)}</a></td><td>{r.category}</td>"
                    f"<td>“{escape(r.quote)}”<br><small>{status}</small></td>"
                    f"<td><b>{escape(verdict(r))}</b>: {escape(r.message)}</td></tr>")
    contradictions = [req for req in cat.requirements if req.contradiction]
    by_id = {r.requirement: r for r in results}
    items = "".join(
        f"<li><b>{escape(req.id)}</b>: {escape(req.summary)}<br>“{escape(req.quote)}”"
        + (f"<br>Endpoint: {escape(by_id[req.id].message)}" if req.id in by_id else "") + "</li>"
        for req in contradictions)
    table = ("<h3>The document beside the endpoint</h3><table><tr><th>requirement</th><th>category</th>"
             "<th>the document says</th><th>the endpoint did</th></tr>" + "".join(rows) + "</table>"
             f"<h3>Contradictions inside the document</h3><ul>{items}</ul>")
    details = html_report.render(results, targets, title=f"Audit of {vendor} DescribeInstances", started=started)
    return details.replace("<h3>Requirements by category and vendor</h3>",
                           table + "<h3>Requirements by category and vendor</h3>", 1)


def add_audit(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="what the document says beside what an endpoint does (exit 0 whatever it finds)",
                       description=__doc__.splitlines()[0])
    p.add_argument("--vendor", choices=list(catalog.VENDORS), required=True)
    p.add_argument("--endpoint", help="URL of the endpoint (default: the embedded emulator)")
    p.add_argument("--region")
    p.add_argument("--key-id")
    p.add_argument("--key-secret")
    p.add_argument("--signing")
    p.add_argument("--deviation", action="append", default=[], metavar="NAME",
                   help="audit the embedded emulator with a deviation")
    p.add_argument("--instances", type=int, default=150)
    p.add_argument("--max-requests", type=int)
    p.add_argument("--report-dir", default="reports")
    p.add_argument("--html", metavar="FILE", help="default REPORT_DIR/audit-VENDOR.html")
    p.add_argument("--json-report", metavar="FILE", help="default REPORT_DIR/audit-VENDOR.json")
    p.set_defaults(handler=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    from conformance.cli import UsageError
    from conformance.runner import EXIT_UNDECIDED, _probe

    report_dir = Path(args.report_dir)
    html_path = Path(args.html) if args.html else report_dir / f"audit-{args.vendor}.html"
    json_path = Path(args.json_report) if args.json_report else report_dir / f"audit-{args.vendor}.json"
    settings = Settings(vendors=[args.vendor], endpoint=args.endpoint, region=args.region, key_id=args.key_id,
                        key_secret=args.key_secret, signing=args.signing, deviations=list(args.deviation),
                        instances=args.instances, max_requests=args.max_requests, env=dict(os.environ))
    try:
        settings.validate()
    except ValueError as exc:
        raise UsageError(f"conformance audit: {exc}") from None
    if settings.endpoint and (problem := _probe(settings)):
        print(f"conformance audit: {problem}")
        return EXIT_UNDECIDED
    session = SuiteSession(settings)
    report = Report(path=json_path, targets=session.describe_targets())
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(report.started))
    for requirement in session.selected_requirements():
        result = session.evaluate(requirement)
        report.add(result)
        print(f"{verdict(result):22} {result.requirement:14} {result.message[:110]}", flush=True)
    session.close()
    report.finish()
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(html_report.page(audit_html(report.results, report.targets, args.vendor, started),
                                          f"Audit of {args.vendor}"), encoding="utf-8")
    differs = sum(verdict(r) == "DIFFERS" for r in report.results)
    undecided = sum(r.outcome in ("inconclusive", "skipped") for r in report.results)
    print(f"audit: {differs} documented requirement(s) differ, {undecided} undecided; "
          f"reports: {html_path} {json_path}")
    if report.results and all(r.outcome == "inconclusive" and "did not answer" in r.message for r in report.results):
        return EXIT_UNDECIDED
    return 0
