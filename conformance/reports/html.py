"""The people's view of a run: a requirement matrix, then every requirement with its evidence.

One self-contained fragment of HTML (inline CSS and a few lines of script, no
external resource), so it opens offline. ``conformance run`` puts it at the
top of pytest-html's report; ``conformance audit`` wraps it in a page of its
own. A newcomer reads, for each requirement, the sentence of the document it
enforces, what was expected, what came back, and the requests that showed it,
folded until clicked.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html import escape
from typing import Any

from conformance.results import CONFORMS, INTERRUPTED, OUTCOMES, Result, Verdict, decide
from conformance.spec.catalog import CATEGORIES
from conformance.spec.quotes import readable
from conformance.vendors import adapter
from conformance.wire.scrub import RUN_SECRETS

LABELS = {"passed": "passed", "failed": "FAILED", "skipped": "skipped", "inconclusive": "inconclusive",
          "observed": "observed", "expected": "known deviation", "fixed": "fixed"}
EXIT_MEANING = {0: "every selected documented requirement passed or is a known deviation",
                1: "a documented requirement fails", 2: "a usage or configuration error",
                3: "the run did not finish, or not everything was decided",
                4: "conformance itself failed (an internal error): no verdict on the endpoint"}
#: Signing and protocol parameters: the label of an exchange names only what it asked.
NOT_BUSINESS = frozenset({"Signature", "SignatureNonce", "SignatureMethod", "SignatureVersion", "Timestamp",
                          "AccessKeyId", "Nonce", "SecretId", "Action", "Version", "Format", "Token",
                          "RequestClient", "Language"})

CSS = """
#conformance{font-family:system-ui,sans-serif;font-size:14px;color:#222;margin:1em 0}
#conformance h2{font-size:20px;margin:.2em 0}
#conformance table{border-collapse:collapse;margin:.6em 0}
#conformance th,#conformance td{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
#conformance .chip{display:inline-block;margin:1px;padding:1px 5px;border-radius:3px;font-size:12px;
  text-decoration:none;color:#111}
.o-passed{background:#c8efc8}.o-failed{background:#f7b3b3;font-weight:bold}.o-skipped{background:#e4e4e4}
.o-inconclusive{background:#fbe3a6}.o-observed{background:#cfe0fb}.o-expected{background:#f3d2f7}
.o-fixed{background:#b9f0e6}
#conformance .req{border:1px solid #ddd;border-radius:4px;margin:6px 0;padding:4px 8px}
#conformance .req>details>summary{cursor:pointer}
#conformance blockquote{margin:.4em 0;padding:.3em .8em;border-left:4px solid #999;background:#f6f6f6}
#conformance pre{background:#f8f8f8;border:1px solid #e2e2e2;padding:6px;max-height:28em;overflow:auto;
  white-space:pre-wrap;word-break:break-all;margin:.3em 0}
#conformance .filters label{margin-right:10px}
#conformance .hidden{display:none}
#conformance table.eo{width:100%;table-layout:fixed}
#conformance table.eo td{width:50%}
#conformance .verdict{padding:6px 8px;font-size:16px}
#conformance .o-interrupted{background:#f7b3b3;font-weight:bold}
#conformance .params{font-family:monospace;color:#333}
#environment-header,#environment,#results-table,.summary .run-count,.summary .filter,.summary .controls,
.summary__reload{display:none}
"""

SCRIPT = """
(function(){
  var root=document.getElementById('conformance');
  function apply(){
    var on={};
    root.querySelectorAll('.filters input').forEach(function(b){on[b.name+':'+b.value]=b.checked;});
    root.querySelectorAll('.req').forEach(function(r){
      var show=on['outcome:'+r.dataset.outcome]!==false&&on['category:'+r.dataset.category]!==false;
      r.classList.toggle('hidden',!show);
    });
  }
  root.querySelectorAll('.filters input').forEach(function(b){b.addEventListener('change',apply);});
  root.querySelectorAll('a.chip').forEach(function(a){a.addEventListener('click',function(){
    var target=document.getElementById(a.getAttribute('href').slice(1));
    if(target){target.classList.remove('hidden');target.querySelector('details').open=true;}
  });});
})();
"""


def shown_outcome(result: Result) -> str:
    """The outcome as a reader should see it: baseline annotations take precedence."""
    return result.baseline or result.outcome


def anchor(result: Result) -> str:
    return f"req-{result.vendor}-{result.requirement}"


def _pre(value: Any) -> str:
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return f"<pre>{escape(text)}</pre>"


def business(vendor: str, request: dict[str, Any]) -> str:
    """What a request asked, as ``Name=value`` pairs without signing parameters."""
    try:
        headers = {str(k).lower(): str(v) for k, v in request.get("headers", {}).items()}
        params = adapter(vendor).business_params(request["method"], request["url"], headers,
                                                 str(request.get("body") or "").encode())
    except Exception:  # noqa: BLE001 - a label is a convenience: the request itself is shown below
        return ""
    # decoding the request can turn a twice-encoded secret back into a written form: scrubbed again
    return RUN_SECRETS.scrub(" ".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in NOT_BUSINESS))


def _exchange(number: int, exchange: dict[str, Any], vendor: str = "") -> str:
    request, response = exchange["request"], exchange["response"]
    if exchange.get("compact"):  # a summary (conformance.reports.evidence): what was asked, and the status
        title = f"{number}. " + (f"{exchange['note']} — " if exchange.get("note") else "")
        return (f"<div class='exchange'>{escape(title)}<span class='params'>"
                f"{escape(request.get('asked') or '(no business parameter)')}</span> → HTTP "
                f"{escape(str(response.get('status')))} <small>{escape(request.get('method', ''))} "
                f"{escape(request.get('url', ''))}"
                + "".join(f" · {escape(k)}: {escape(str(v))}" for k, v in response.get("headers", {}).items()
                          if k.lower() == "location")
                + "</small></div>")
    headers = "\n".join(f"{k}: {v}" for k, v in request.get("headers", {}).items())
    sent = headers + ("\n\n" + request["body"] if request.get("body") else "")
    asked = business(vendor, request) if vendor else ""
    title = f"{number}. " + (f"{exchange['note']} — " if exchange.get("note") else "")
    label = (f"<span class='params'>{escape(asked or '(no business parameter)')}</span> → HTTP "
             f"{escape(str(response['status']))}<br><small>{escape(request['method'])} {escape(request['url'])}</small>")
    return (f"<details class='exchange'><summary>{escape(title)}{label}</summary>"
            f"<b>Request</b>{_pre(sent)}"
            f"<b>Answer</b>{_pre(response.get('body', ''))}</details>")


def requirement_html(result: Result) -> str:
    outcome = shown_outcome(result)
    kind = "documented" if result.documented else "observed (the document leaves this open)"
    parts = [
        f"<div class='req' id='{anchor(result)}' data-outcome='{outcome}' data-category='{result.category}'>",
        f"<details{' open' if outcome == 'failed' else ''}><summary>"
        f"<span class='chip o-{outcome}'>{LABELS[outcome]}</span> <b>{escape(result.requirement)}</b> · "
        f"{escape(result.vendor)} · {escape(result.category)} — {escape(result.summary)}</summary>",
        (f"<blockquote title='{escape(result.quote)}'>the official SDK <code>{escape(result.quote)}</code>"
         if result.source else f"<blockquote title='{escape(result.quote)}'>“{escape(readable(result.quote))}”")
        + f"<br><small>{kind} · check <code>{escape(result.check)}</code></small></blockquote>",
    ]
    if result.note:
        parts.append(f"<p><i>{escape(result.note)}</i></p>")
    parts.append(f"<p>{escape(result.message)}</p>")
    if result.baseline or result.baseline_reason:  # an expired entry has a reason and no annotation: it gates again
        parts.append(f"<p><b>Baseline:</b> {escape(result.baseline_reason or str(result.baseline))}</p>")
    if result.outcome == "failed" or result.expected is not None or result.observed is not None:
        parts.append("<table class='eo'><tr><th>Expected</th><th>Observed</th></tr>"
                     f"<tr><td>{_pre(result.expected)}</td><td>{_pre(result.observed)}</td></tr></table>")
    if result.evidence:
        exchanges = "".join(_exchange(n, e, result.vendor) for n, e in enumerate(result.evidence, start=1))
        summarised = (" (summarised: answers are kept for failed and undecided requirements, or all with "
                      "--full-evidence)" if any(e.get("compact") for e in result.evidence) else "")
        parts.append(f"<details class='evidence'><summary>Evidence: the {len(result.evidence)} request(s) and "
                     f"answer(s) that decided it{summarised}</summary>{exchanges}</details>")
    parts.append(f"<p><small>Evidence: {len(result.evidence)} request(s) shown · {result.requests} sent in all "
                 f"for this requirement (the rest walk the listing the evidence is compared with) · "
                 f"{result.duration_s:.2f} s</small></p>")
    parts.append("</details></div>")
    return "".join(parts)


def matrix_html(results: list[Result], targets: dict[str, dict[str, Any]]) -> str:
    vendors = list(dict.fromkeys(r.vendor for r in results))
    head = "".join(f"<th>{escape(v)} · {escape(str(targets.get(v, {}).get('name', '')))}</th>" for v in vendors)
    rows = []
    for category in CATEGORIES:
        cells = []
        for vendor in vendors:
            chosen = [r for r in results if r.vendor == vendor and r.category == category]
            chips = "".join(f"<a class='chip o-{shown_outcome(r)}' href='#{anchor(r)}' "
                            f"title='{escape(LABELS[shown_outcome(r)])}: {escape(r.summary)}'>"
                            f"{escape(r.requirement)}</a>" for r in chosen)
            cells.append(f"<td>{chips or '—'}</td>")
        if any(r.category == category for r in results):
            rows.append(f"<tr><th>{category}</th>{''.join(cells)}</tr>")
    return f"<table class='matrix'><tr><th>category</th>{head}</tr>{''.join(rows)}</table>"


def counts_html(results: list[Result]) -> str:
    """Counts by outcome, as the console, JSON and JUnit count them; known deviations in their own column.

    A known deviation is a failure the baseline expects: it counts in its own column, not in ``failed``.
    Only a count above zero takes its outcome's colour.
    """
    columns = [*OUTCOMES, "expected"]

    def row(label: str, chosen: list[Result]) -> str:
        counts = Counter("expected" if r.baseline == "expected" else r.outcome for r in chosen)
        return (f"<tr>{label}" + "".join(f"<td class='n-{c}{f' o-{c}' if counts[c] else ''}'>{counts[c]}</td>"
                                          for c in columns) + "</tr>")

    rows = []
    for vendor in dict.fromkeys(r.vendor for r in results):
        for category in CATEGORIES:
            chosen = [r for r in results if r.vendor == vendor and r.category == category]
            if chosen:
                rows.append(row(f"<td>{escape(vendor)}</td><td>{category}</td>", chosen))
    rows.append(row("<th>total</th><th></th>", results))
    head = "".join(f"<th>{LABELS[c]}</th>" for c in columns)
    return f"<table class='counts'><tr><th>vendor</th><th>category</th>{head}</tr>{''.join(rows)}</table>"


def verdict_html(verdict: Verdict, results: list[Result]) -> str:
    """The first thing a person reads: the verdict line, and what is behind it."""
    def links(names: Any) -> str:
        return ", ".join(f"<a href='#req-{escape(n.replace(':', '-'))}'>{escape(n)}</a>" for n in names)

    if verdict.internal_error:
        body = (f"<b>{escape(verdict.line)}</b> — conformance itself failed, so nothing here is a verdict on the "
                f"endpoint: {escape(verdict.internal_error)}")
        if verdict.failed:
            body += f"<br>Failed before it broke: {links(verdict.failed)}"
        return f"<p class='verdict o-interrupted'>{body}</p>"
    if verdict.line == INTERRUPTED:
        done = len(results)
        body = (f"<b>INTERRUPTED</b> — the run did not finish: {done} requirement(s) decided, "
                f"{len(verdict.not_run)} not run. Nothing here says the endpoint conforms.")
        if verdict.failed:
            body += f"<br>Failed before it stopped: {links(verdict.failed)}"
        if verdict.not_run:
            body += f"<br>Not run: {escape(', '.join(verdict.not_run))}"
        return f"<p class='verdict o-interrupted'>{body}</p>"
    if verdict.failed:
        return f"<p class='verdict o-failed'><b>{escape(verdict.line)}</b> — {links(verdict.failed)}</p>"
    reasons = "".join(f"<li>{links([n])}: {escape(reason[:200])}</li>" for n, reason in verdict.undecided)
    if verdict.code != 0:
        return (f"<div class='verdict o-inconclusive'><b>{escape(verdict.line)}</b> — these documented requirements "
                f"were not decided, so the run does not pass:<ul>{reasons}</ul></div>")
    if verdict.line != CONFORMS:  # an audit's line: it exits 0 whatever it found
        undecided = f" — these documented requirements were not decided:<ul>{reasons}</ul>" if reasons else ""
        return f"<div class='verdict o-observed'><b>{escape(verdict.line)}</b>{undecided}</div>"
    return (f"<p class='verdict o-passed'><b>{escape(verdict.line)}</b> — every selected documented requirement "
            f"passed or is a known deviation.</p>")


def filters_html(results: list[Result]) -> str:
    outcomes = list(dict.fromkeys(shown_outcome(r) for r in results))
    categories = [c for c in CATEGORIES if any(r.category == c for r in results)]
    boxes = "".join(f"<label><input type='checkbox' name='outcome' value='{o}' checked> {LABELS[o]}</label>"
                    for o in outcomes)
    boxes += " | " + "".join(f"<label><input type='checkbox' name='category' value='{c}' checked> {c}</label>"
                             for c in categories)
    return f"<div class='filters'>Show: {boxes}</div>"


def render(results: list[Result], targets: dict[str, dict[str, Any]], *, title: str, started: str = "",
           requests: int | None = None, verdict: Verdict | None = None, exit_meaning: str | None = None) -> str:
    """The whole fragment: verdict, header, matrix, counts, filters, then every requirement, failures first.

    The exit status shown is ``verdict``'s, which the command exits with; ``exit_meaning`` says what
    it means for a command whose statuses are not ``conformance run``'s (an audit exits 0 whatever it found).
    """
    verdict = verdict or decide(results)
    code = int(verdict.code)
    sent = requests if requests is not None else sum(r.requests for r in results)
    endpoints = "; ".join(f"{escape(v)}: {escape(str(t.get('endpoint')))} ({escape(str(t.get('region')))}, "
                          f"signing {escape(str(t.get('signing')))}, "
                          f"document revision {escape(str(t.get('document_revision') or 'seed'))}"
                          + (f", deviations {escape(', '.join(t['deviations']))}" if t.get("deviations") else "")
                          + ")" for v, t in targets.items())
    headline = verdict_html(verdict, results)
    order = {"failed": 0, "expected": 1, "fixed": 2, "inconclusive": 3, "skipped": 4, "observed": 5, "passed": 6}
    ordered = sorted(results, key=lambda r: (order.get(shown_outcome(r), 9), r.vendor,
                                            CATEGORIES.index(r.category), r.requirement))
    return (
        f"<section id='conformance'><style>{CSS}</style>"
        f"<h2>{escape(title)}</h2>{headline}"
        f"<p>Targets: {endpoints}<br>Started {escape(started)} · {sent} request(s) sent · "
        f"exit status {code} ({escape(exit_meaning or EXIT_MEANING.get(code, ''))})</p>"
        f"<h3>Requirements by category and vendor</h3>{matrix_html(results, targets)}"
        f"<h3>Counts</h3>{counts_html(results)}"
        f"<h3>Every requirement</h3>{filters_html(results)}"
        + "".join(requirement_html(r) for r in ordered)
        + f"<script>{SCRIPT}</script></section>"
    )


_PYTEST_HTML_HEADER = re.compile(r'<h1 id="title">.*?</h1>\s*<p>Report generated on .*?</p>', re.S)
_PYTEST_HTML_SUMMARY = re.compile(r"<h2>Summary</h2>")
_PYTEST_HTML_TITLE = re.compile(r'<title id="head-title">.*?</title>', re.S)


def tidy_pytest_page(text: str, title: str) -> str:
    """pytest-html's page with the project's title and verdict first: its generic header and "Summary" removed.

    pytest-html offers no hook to drop "Report generated … by pytest-html" or its empty "Summary"
    heading, and a reader took them for the report's own. Only these known pieces are removed; a
    page they are not found in is returned with its title changed only.
    """
    text = _PYTEST_HTML_TITLE.sub(lambda _: f'<title id="head-title">{escape(title)}</title>', text, count=1)
    text = _PYTEST_HTML_HEADER.sub("", text, count=1)
    return _PYTEST_HTML_SUMMARY.sub("", text, count=1)


def page(fragment: str, title: str) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
            f"<body>{fragment}</body></html>")


def not_run_page(line: str, reason: str, code: int, targets: dict[str, dict[str, Any]]) -> str:
    """The HTML report of a run that did not start: why, and nothing that looks like a verdict on the endpoint."""
    endpoints = "; ".join(f"{escape(v)}: {escape(str(t.get('endpoint')))} ({escape(str(t.get('region')))})"
                          for v, t in targets.items())
    fragment = (f"<section id='conformance'><style>{CSS}</style><h2>Conformance of DescribeInstances</h2>"
                f"<p class='verdict o-interrupted'><b>NOT RUN</b> — {escape(line)}: the run did not start. "
                f"{escape(reason)}</p><p>Targets: {endpoints}<br>No requirement was checked · exit status {code} "
                f"({escape(EXIT_MEANING.get(code, 'a usage or configuration error'))})</p></section>")
    return page(fragment, "conformance: not run")


def error_page(verdict: Verdict, targets: dict[str, dict[str, Any]]) -> str:
    """The HTML report of a run conformance itself broke, when even :func:`render` cannot be trusted to write one."""
    endpoints = "; ".join(f"{escape(v)}: {escape(str(t.get('endpoint')))} ({escape(str(t.get('region')))})"
                          for v, t in targets.items())
    code = int(verdict.code)
    fragment = (f"<section id='conformance'><style>{CSS}</style><h2>Conformance of DescribeInstances</h2>"
                f"{verdict_html(verdict, [])}<p>Targets: {endpoints}<br>exit status {code} "
                f"({escape(EXIT_MEANING.get(code, ''))})</p></section>")
    return page(fragment, "conformance: internal error")
