"""``conformance coverage``: how much of each vendor document is a requirement or an exclusion with a reason.

Every statement of a document (table rows, list items in cells, sentences,
samples; see ``conformance.spec.statements``) must have an entry in
``schemas/<vendor>/coverage.yaml``. Prints the figure per vendor and the
exclusions grouped by reason; exits 0 when every statement is accounted for,
1 otherwise, 2 for bad arguments. ``--write-skeleton`` rewrites the coverage
files with a ``TODO`` entry for each new statement (which still fails until decided).
"""

from __future__ import annotations

import os
from typing import Any

from conformance import providers
from conformance.errors import ExitCode, UsageError
from conformance.spec import catalog, statements
from conformance.spec.documents import DocumentNotFound


def add_coverage(sub: Any) -> None:
    p = sub.add_parser("coverage", help="how much of each vendor document the requirements cover or exclude",
                       description=__doc__.splitlines()[0])
    p.add_argument("--vendor", default="all", help="one vendor, or all (default)")
    p.add_argument("--document-revision", metavar="DATE", default=None,
                   help="the revision of the document (default: the seed); a new revision's skeleton starts from "
                        "the seed revision's decisions, so only new or reworded statements are TODO")
    p.add_argument("--write-skeleton", action="store_true",
                   help="rewrite coverage.yaml: entries kept, a TODO for each new statement, stale entries dropped")
    p.set_defaults(handler=cmd_coverage)


def vendors_of(value: str) -> list[str]:
    if value == "all":
        return list(providers.names())
    if value not in providers.names():
        raise UsageError(f"conformance coverage: unknown vendor {value!r}; known: {', '.join(providers.names())}, all")
    return [value]


def cmd_coverage(args: Any) -> int:
    vendors = vendors_of(args.vendor)
    try:
        for vendor in vendors:
            catalog.select_revision(vendor, args.document_revision)
    except ValueError as exc:
        raise UsageError(f"conformance coverage: {exc}") from None
    if args.write_skeleton and catalog.schemas_root().name == "schemas_data" and not os.environ.get(catalog.SCHEMAS_ENV):
        raise UsageError(f"conformance coverage: --write-skeleton would rewrite the installed package's files under "
                         f"{catalog.schemas_root()}; copy that folder and point {catalog.SCHEMAS_ENV} at the copy")
    try:
        if args.write_skeleton:
            for vendor in vendors:
                text, dropped = statements.skeleton(vendor)
                statements.coverage_path(vendor).parent.mkdir(parents=True, exist_ok=True)
                statements.coverage_path(vendor).write_text(text, encoding="utf-8")
                print(f"{vendor}: wrote {statements.coverage_path(vendor)}"
                      + (f"; dropped stale entries: {', '.join(dropped)}" if dropped else ""))
        figures = [statements.figure(vendor) for vendor in vendors]
    except DocumentNotFound as exc:
        raise UsageError(f"conformance coverage: {exc}") from None
    for fig in figures:
        print(f"{fig.vendor}: {fig.line()}")
        texts = {s.key: s.text for s in statements.statements(fig.vendor)}
        for reason, keys in sorted(fig.exclusions.items(), key=lambda item: (-len(item[1]), item[0])):
            print(f"  excluded ({len(keys)}): {reason}")
            for key in keys:
                print(f"    {key}  {texts[key][:80]}")
        for problem in fig.problems:
            print(f"  UNACCOUNTED {problem}")
    return ExitCode.OK if all(fig.complete for fig in figures) else ExitCode.FAILED
