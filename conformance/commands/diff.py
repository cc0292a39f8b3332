"""``conformance diff OLD_DIR NEW_DIR``: what changed between two recordings of the suite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.errors import UsageError
from conformance.reports.diff import diff


def add_diff(sub: Any) -> None:
    p = sub.add_parser("diff", help="compare two recordings: changed outcomes and changed answer shapes",
                       description=__doc__.splitlines()[0])
    p.add_argument("old_dir", help="the earlier recording: a folder of cassettes (CASSETTE_DIR/VENDOR/TARGET)")
    p.add_argument("new_dir", help="the later recording, compared with the earlier one")
    p.set_defaults(handler=cmd_diff)


def cmd_diff(args: Any) -> int:
    roots = [Path(args.old_dir), Path(args.new_dir)]
    for root in roots:
        if not root.is_dir():
            raise UsageError(f"conformance diff: {root} is not a directory")
        if not any(root.rglob("*.yaml")):
            raise UsageError(f"conformance diff: {root} holds no cassettes")
    lines = diff(*roots)
    for line in lines:
        print(line)
    changed = len(lines)
    print(f"{changed} change(s)" if changed else "no change")
    return 1 if changed else 0
