"""The audit report: each requirement's document sentence set beside what the endpoint did.

The command (``conformance/commands/audit.py``) runs the checks; this module only
renders their results: one verdict word per result, the sentence beside the
observed behaviour, and the contradictions the catalogue records inside the
documents themselves, so that a reader audits the vendor rather than gates it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from conformance.reports import html
from conformance.results import Result
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


def audit_html(results: list[Result], targets: dict[str, Any], vendor: str, started: str) -> str:
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
    details = html.render(results, targets, title=f"Audit of {vendor} DescribeInstances", started=started)
    return details.replace("<h3>Requirements by category and vendor</h3>",
                           table + "<h3>Requirements by category and vendor</h3>", 1)
