"""What a person reads in the terminal: progress lines and each failure once, wrapped to the terminal.

A CI log and an 80-column terminal both have to be read by a person who did not write the check.
Lines are fitted to the terminal's width (``shutil.get_terminal_size``, so ``COLUMNS`` rules) and
only ever broken or shortened between words, never inside one. A failure is told once, in one
block: the requirement and vendor, the document's sentence, expected beside observed, the few
requests that decided it, and the command that reruns just that requirement.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from typing import Any
from urllib.parse import urlsplit

from conformance.reports.html import business
from conformance.results import Result
from conformance.spec.quotes import readable

#: Narrower than this, wrapping makes more noise than it saves.
MIN_WIDTH = 40
#: Requests shown under a failure; the rest are in the HTML and JSON reports.
KEY_REQUESTS = 3
#: The longest an expected or observed value is shown on the console, before wrapping.
VALUE_LIMIT = 600
INDENT = "    "

_MARK = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip", "inconclusive": "????", "observed": "obs ",
         "expected": "know", "fixed": "FIXD"}


def width() -> int:
    """The terminal's width in columns (``COLUMNS`` when set; 100 when there is no terminal)."""
    return max(MIN_WIDTH, shutil.get_terminal_size((100, 24)).columns)


def fit(text: str, columns: int) -> str:
    """``text`` on one line of at most ``columns``, shortened between words (never inside one) with "…"."""
    text = " ".join(text.split())
    if len(text) <= columns:
        return text
    return textwrap.shorten(text, columns, placeholder=" …") or text.split(" ", 1)[0]


def wrap(text: str, columns: int, first: str = "", rest: str = INDENT) -> list[str]:
    """``text`` wrapped to ``columns``; words longer than a line stay whole on a line of their own."""
    return textwrap.wrap(" ".join(text.split()), columns, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def progress_line(result: Result, columns: int) -> str:
    """One requirement's line while the run goes: mark, vendor, category, id, and as much message as fits."""
    head = f"{_MARK[result.baseline or result.outcome]} {result.vendor:8} {result.category:13} {result.requirement:14} "
    return head + fit(result.message, max(10, columns - len(head)))


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return fit(text, VALUE_LIMIT)


def key_requests(result: Result, limit: int = KEY_REQUESTS) -> list[dict[str, Any]]:
    """The exchanges that decided a result: the check's own requests (the discovery walk only when alone), last ones first kept."""
    own = [e for e in result.evidence if not str(e.get("note", "")).startswith("discovery")]
    return (own or list(result.evidence))[-limit:]


def describe_request(exchange: dict[str, Any], vendor: str) -> str:
    """``METHOD /path Name=value … → HTTP status (note)``: what was asked and what came back, no signature."""
    request, response = exchange.get("request", {}), exchange.get("response", {})
    path = urlsplit(str(request.get("url", ""))).path or "/"
    asked = business(vendor, request) if request else ""
    note = str(exchange.get("note", ""))
    return (f"{request.get('method', '?')} {path}{' ' + asked if asked else ''} → HTTP {response.get('status', '?')}"
            + (f" ({note})" if note else ""))


def failure_block(result: Result, rerun: str, columns: int) -> list[str]:
    """A failure, once: what failed, the sentence, expected beside observed, the key requests, how to rerun it."""
    lines = wrap(f"FAILED {result.vendor}:{result.requirement} ({result.category}) — {result.message}", columns)
    source = f"the official SDK {result.quote}" if result.source else f"the document: “{readable(result.quote)}”"
    lines += wrap(source, columns, INDENT, INDENT + "  ")
    if result.expected is not None or result.observed is not None:
        lines += wrap(f"expected: {_value(result.expected)}", columns, INDENT, INDENT + "          ")
        lines += wrap(f"observed: {_value(result.observed)}", columns, INDENT, INDENT + "          ")
    shown = key_requests(result)
    if shown:
        more = len(result.evidence) - len(shown)
        lines.append(f"{INDENT}requests{f' ({more} more in the reports)' if more > 0 else ''}:")
        for exchange in shown:
            lines += wrap(describe_request(exchange, result.vendor), columns, INDENT + "  ", INDENT + "    ")
    if result.baseline_reason:  # an expired baseline entry: the failure gates again, and says why
        lines += wrap(f"baseline: {result.baseline_reason}", columns, INDENT, INDENT + "  ")
    lines += command_lines(f"{INDENT}rerun: ", rerun, columns)
    return lines


def command_lines(label: str, command: str, columns: int) -> list[str]:
    """A shell command fitted to ``columns`` by breaking between arguments with `` \\``: still one command to paste."""
    lines = wrap(command, columns - 2, label, INDENT + "  ")
    return [line + " \\" for line in lines[:-1]] + lines[-1:]
