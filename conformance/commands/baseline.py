"""``conformance baseline``: a baseline of known deviations from a run's JSON report."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from conformance.errors import UsageError
from conformance.files import write_atomic
from conformance.reports.baseline import differences_from_report, from_report


def add_baseline(sub: Any) -> None:
    p = sub.add_parser("baseline", help="write a baseline of known deviations from a run's JSON report",
                       description="Write a baseline (YAML) from the failed requirements of a JSON report; from "
                                   "a parity run's report, also one entry per difference from its reference.")
    p.add_argument("--from", dest="report", required=True, metavar="REPORT.json",
                   help="the JSON report of a run (conformance.json)")
    p.add_argument("--output", "-o", default="baseline.yaml", help="where to write it (default baseline.yaml)")
    p.add_argument("--expires", help="YYYY-MM-DD after which the entries gate again")
    p.add_argument("--reason", default="known deviation", help="reason written into every entry")
    p.set_defaults(handler=cmd_baseline)


def cmd_baseline(args: Any) -> int:
    try:
        expires = dt.date.fromisoformat(args.expires) if args.expires else None
    except ValueError as exc:
        raise UsageError(f"conformance baseline: --expires {args.expires!r}: {exc} (expected YYYY-MM-DD)") from None
    try:
        report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"conformance baseline: cannot read {args.report}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"conformance baseline: {exc}") from None
    if expires is not None and expires < dt.date.today():
        print(f"conformance baseline: warning: --expires {expires} is past; the entries gate at once",
              file=sys.stderr)
    if not isinstance(report, dict) or "results" not in report:
        raise UsageError(f"conformance baseline: {args.report} is not a conformance JSON report")
    entries = from_report(report, args.reason, expires)
    if "parity" in report:  # one file for the whole gate: the targets' own failures once each, then their differences
        entries = list({(e["vendor"], e["requirement"]): e for e in reversed(entries)}.values())[::-1]
        entries += differences_from_report(report, args.reason, expires)
    header = f"# Baseline written by conformance from {args.report} on {dt.date.today()}.\n"
    write_atomic(Path(args.output), header + yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=110))
    print(f"wrote {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} to {args.output}")
    return 0
