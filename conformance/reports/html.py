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
from collections import Counter
from html import escape
from typing import Any

from conformance.results import OUTCOMES, Result, exit_code
from conformance.spec.catalog import CATEGORIES

LABELS = {"passed": "passed", "failed": "FAILED", "skipped": "skipped", "inconclusive": "inconclusive",
          "observed": "observed", "expected": "known deviation", "fixed": "fixed"}
EXIT_MEANING = {0: "every documented requirement holds", 1: "a documented requirement fails",
                3: "nothing could be decided"}

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


def _exchange(number: int, exchange: dict[str, Any]) -> str:
    request, response = exchange["request"], exchange["response"]
    headers = "\n".join(f"{k}: {v}" for k, v in request.get("headers", {}).items())
    sent = headers + ("\n\n" + request["body"] if request.get("body") else "")
    title = f"{number}. {request['method']} {request['url']} → HTTP {response['status']}"
    if exchange.get("note"):
        title += f" — {exchange['note']}"
    return (f"<details class='exchange'><summary>{escape(title)}</summary>"
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
        f"<blockquote>“{escape(result.quote)}”<br><small>{kind} · check <code>{escape(result.check)}</code>"
        f"</small></blockquote>",
    ]
    if result.note:
        parts.append(f"<p><i>{escape(result.note)}</i></p>")
    parts.append(f"<p>{escape(result.message)}</p>")
    if result.baseline:
        parts.append(f"<p><b>Baseline:</b> {escape(result.baseline_reason or result.baseline)}</p>")
    if result.outcome == "failed" or result.expected is not None or result.observed is not None:
        parts.append("<table><tr><th>Expected</th><th>Observed</th></tr>"
                     f"<tr><td>{_pre(result.expected)}</td><td>{_pre(result.observed)}</td></tr></table>")
    if result.evidence:
        exchanges = "".join(_exchange(n, e) for n, e in enumerate(result.evidence, start=1))
        parts.append(f"<details class='evidence'><summary>Evidence: the {len(result.evidence)} request(s) and "
                     f"answer(s) that decided it</summary>{exchanges}</details>")
    parts.append(f"<p><small>{result.requests} request(s) sent for this requirement, "
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
    columns = [*OUTCOMES, "expected", "fixed"]
    used = [c for c in columns if any(shown_outcome(r) == c for r in results)]
    rows = []
    for vendor in dict.fromkeys(r.vendor for r in results):
        for category in CATEGORIES:
            chosen = [r for r in results if r.vendor == vendor and r.category == category]
            if chosen:
                counts = Counter(shown_outcome(r) for r in chosen)
                rows.append(f"<tr><td>{vendor}</td><td>{category}</td>"
                            + "".join(f"<td class='o-{c}'>{counts[c] or ''}</td>" for c in used) + "</tr>")
    head = "".join(f"<th>{LABELS[c]}</th>" for c in used)
    return f"<table class='counts'><tr><th>vendor</th><th>category</th>{head}</tr>{''.join(rows)}</table>"


def filters_html(results: list[Result]) -> str:
    outcomes = list(dict.fromkeys(shown_outcome(r) for r in results))
    categories = [c for c in CATEGORIES if any(r.category == c for r in results)]
    boxes = "".join(f"<label><input type='checkbox' name='outcome' value='{o}' checked> {LABELS[o]}</label>"
                    for o in outcomes)
    boxes += " | " + "".join(f"<label><input type='checkbox' name='category' value='{c}' checked> {c}</label>"
                             for c in categories)
    return f"<div class='filters'>Show: {boxes}</div>"


def render(results: list[Result], targets: dict[str, dict[str, Any]], *, title: str, started: str = "",
           requests: int | None = None) -> str:
    """The whole fragment: header, matrix, counts, filters, then every requirement, failures first."""
    code = exit_code(results)
    sent = requests if requests is not None else sum(r.requests for r in results)
    endpoints = "; ".join(f"{escape(v)}: {escape(str(t.get('endpoint')))} ({escape(str(t.get('region')))}, "
                          f"signing {escape(str(t.get('signing')))}"
                          + (f", deviations {escape(', '.join(t['deviations']))}" if t.get("deviations") else "")
                          + ")" for v, t in targets.items())
    failed = [r for r in results if shown_outcome(r) == "failed"]
    headline = (f"<p class='o-failed' style='padding:4px'>{len(failed)} documented requirement(s) fail: "
                + ", ".join(f"<a href='#{anchor(r)}'>{escape(r.vendor)}:{escape(r.requirement)}</a>" for r in failed)
                + "</p>") if failed else "<p class='o-passed' style='padding:4px'>No documented requirement fails.</p>"
    order = {"failed": 0, "expected": 1, "fixed": 2, "inconclusive": 3, "skipped": 4, "observed": 5, "passed": 6}
    ordered = sorted(results, key=lambda r: (order.get(shown_outcome(r), 9), r.vendor,
                                            CATEGORIES.index(r.category), r.requirement))
    return (
        f"<section id='conformance'><style>{CSS}</style>"
        f"<h2>{escape(title)}</h2>"
        f"<p>Targets: {endpoints}<br>Started {escape(started)} · {sent} request(s) sent · "
        f"exit status {code} ({EXIT_MEANING.get(code, '')})</p>"
        f"{headline}<h3>Requirements by category and vendor</h3>{matrix_html(results, targets)}"
        f"<h3>Counts</h3>{counts_html(results)}"
        f"<h3>Every requirement</h3>{filters_html(results)}"
        + "".join(requirement_html(r) for r in ordered)
        + f"<script>{SCRIPT}</script></section>"
    )


def page(fragment: str, title: str) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
            f"<body>{fragment}</body></html>")
