"""``conformance requirements``: the catalogue, for choosing ``--requirement`` ids and reading what is enforced."""

from __future__ import annotations

import argparse
from typing import Any

from conformance import providers
from conformance.errors import ExitCode, UsageError
from conformance.reports.catalogue import as_json, as_text
from conformance.spec import catalog
from conformance.spec.catalog import CATEGORIES


def add_requirements(sub: Any) -> None:
    p = sub.add_parser("requirements", help="list the requirements: id, vendor, category, status and quote",
                       description=(__doc__ or "").splitlines()[0])
    p.add_argument("--vendor", default="all", choices=[*providers.names(), "all"],
                   help="one vendor, or all (default)")
    p.add_argument("--category", action="append", default=[], choices=list(CATEGORIES),
                   help="only this category (repeatable; default all)")
    p.add_argument("--format", default="text", choices=["text", "json"],
                   help="text (one block per requirement, default) or json (a list of objects)")
    p.add_argument("--document-revision", metavar="DATE", default=None,
                   help="the catalogue of this revision of the document (default: the seed revision)")
    p.set_defaults(handler=cmd_requirements)


def cmd_requirements(args: argparse.Namespace) -> int:
    vendors = list(providers.names()) if args.vendor == "all" else [args.vendor]
    revision = args.document_revision
    try:
        for vendor in vendors if revision else ():
            catalog.check_revision(vendor, revision)
    except ValueError as exc:
        raise UsageError(f"conformance requirements: {exc}") from None
    chosen = [r for vendor in vendors for r in catalog.load(vendor, revision).requirements
              if not args.category or r.category in args.category]
    print(as_json(chosen) if args.format == "json" else as_text(chosen))
    return ExitCode.OK
