"""The audit report: each requirement's document sentence set beside what the endpoint did.

The command (``conformance/commands/audit.py``) runs the checks; this module only
renders their results: one verdict word per result, the sentence beside the
observed behaviour, and the contradictions the catalogue records inside the
documents themselves, so that a reader audits the vendor rather than gates it.
"""

from __future__ import annotations

import dataclasses
from html import escape
from typing import Any

from conformance.errors import ExitCode
from conformance.reports import html
from conformance.results import Result, Verdict, decide
from conformance.spec import catalog


def verdict(result: Result) -> str:
    """A word for the audit table: does the endpoint do what the document says?"""
    if result.outcome == "passed":
        return "as documented"
    if result.outcome == "failed":
        return "DIFFERS"
    if result.outcome == "observed":
        return "differs (open point)" if result.message.startswith("differs from the document") else "observed"
    return result.outcome


def audit_verdict(results: list[Result], code: int) -> Verdict:
    """What an audit comes to: its own line, the status the command exits with, and what a gate would say.

    An audit is not a gate: it exits 0 whatever it found. Its reports carry that status, not the
    one ``conformance run`` would exit with, so that a script reading either reads the same number.
    """
    differs = sum(verdict(r) == "DIFFERS" for r in results)
    undecided = sum(r.outcome in ("inconclusive", "skipped") for r in results)
    return dataclasses.replace(decide(results), code=ExitCode(code),
                               line=f"AUDIT: {differs} documented requirement(s) differ, {undecided} undecided")


def exit_meaning(results: list[Result], code: int) -> str:
    """What the audit's exit status means, and what ``conformance run`` would have exited with."""
    gate = decide(results)
    meaning = "the endpoint could not be reached" if code == ExitCode.UNDECIDED else "an audit exits 0 whatever it found"
    return f"{meaning}; as a gate, conformance run would say {gate.line}, exit {int(gate.code)}"


def audit_html(results: list[Result], targets: dict[str, Any], vendor: str, started: str,
               code: int = ExitCode.OK) -> str:
    cat = catalog.load(vendor)
    rows = []
    for r in results:
        status = "documented" if r.documented else "left open by the document"
        rows.append(f"<tr class='o-{'failed' if verdict(r) == 'DIFFERS' else r.outcome}'>"
                    f"<td><a href='#{html.anchor(r)}'>{escape(r.requirement)}</a></td><td>{r.category}</td>"
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
    details = html.render(results, targets, title=f"Audit of {vendor} DescribeInstances", started=started,
                          verdict=audit_verdict(results, code), exit_meaning=exit_meaning(results, code))
    return details.replace("<h3>Requirements by category and vendor</h3>",
                           table + "<h3>Requirements by category and vendor</h3>", 1)
