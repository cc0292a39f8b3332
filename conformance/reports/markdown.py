"""The verdict and the failures as Markdown: for a CI job's summary page, or any file (``--markdown``).

A CI run is read on its summary page far more often than in its log. Under GitHub Actions the same
text is appended to ``$GITHUB_STEP_SUMMARY``; anywhere else ``--markdown FILE`` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from conformance.results import Result, Verdict, summary
from conformance.spec.catalog import CATEGORIES
from conformance.spec.quotes import readable

_COLUMNS = ("passed", "failed", "skipped", "inconclusive", "observed", "known_deviations")
#: The longest an expected or observed value is shown; the JSON and HTML reports hold the rest.
VALUE_LIMIT = 500


def _cell(text: str) -> str:
    """Text safe inside a table cell: no pipe, no line break."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = text if len(text) <= VALUE_LIMIT else text[:VALUE_LIMIT] + " …"
    ticks = max((len(part) for part in _backtick_runs(text)), default=0)
    fence = "`" * (ticks + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{' '.join(text.split())}{pad}{fence}"


def _backtick_runs(text: str) -> list[str]:
    runs, current = [], ""
    for char in text:
        if char == "`":
            current += char
        elif current:
            runs.append(current)
            current = ""
    return runs + ([current] if current else [])


def render(verdict: Verdict, results: list[Result], targets: dict[str, dict[str, Any]],
           rerun: Callable[[Result], str] | None = None) -> str:
    """The summary: verdict line, targets, counts by vendor and category, then each failure and what was undecided."""
    lines = [f"## Conformance of DescribeInstances: {verdict.line}", ""]
    for vendor, target in targets.items():
        lines.append(f"- **{vendor}**: {target.get('endpoint')} ({target.get('region')}, signing "
                     f"{target.get('signing')}{', deviations ' + ', '.join(target['deviations']) if target.get('deviations') else ''})")
    lines += ["", f"Exit status {int(verdict.code)} · {sum(r.requests for r in results)} request(s) sent", ""]
    lines.append("| vendor | category | " + " | ".join(c.replace("_deviations", " dev.") for c in _COLUMNS) + " |")
    lines.append("| --- | --- | " + " | ".join("---:" for _ in _COLUMNS) + " |")
    for vendor in dict.fromkeys(r.vendor for r in results):
        for category in CATEGORIES:
            chosen = [r for r in results if r.vendor == vendor and r.category == category]
            if chosen:
                counts = summary(chosen)
                lines.append(f"| {vendor} | {category} | " + " | ".join(str(counts[c]) for c in _COLUMNS) + " |")
    total = summary(results)
    lines.append("| **total** | | " + " | ".join(f"**{total[c]}**" for c in _COLUMNS) + " |")
    failed = [r for r in results if r.outcome == "failed" and r.baseline != "expected" and r.documented]
    if failed:
        lines += ["", "### Failures", ""]
        for r in failed:
            lines.append(f"#### {r.requirement} ({r.vendor}, {r.category})")
            lines += ["", _cell(r.message), ""]
            source = f"the official SDK {r.quote}" if r.source else f"“{readable(r.quote)}”"
            lines += [f"> {_cell(source)}", ""]
            if r.expected is not None or r.observed is not None:
                lines += ["| expected | observed |", "| --- | --- |",
                          f"| {_cell(_code(r.expected))} | {_cell(_code(r.observed))} |", ""]
            if rerun is not None:
                lines += ["```sh", rerun(r), "```", ""]
    if verdict.undecided or verdict.not_run:
        lines += ["", "### Not decided", ""]
        lines += [f"- {name}: {_cell(reason)}" for name, reason in verdict.undecided]
        if verdict.not_run:
            lines.append(f"- not run: {', '.join(verdict.not_run)}")
    return "\n".join(lines).rstrip() + "\n"
