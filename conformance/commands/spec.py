"""``conformance spec``: the vendor documents themselves: derive schemas from one, compare two revisions.

``spec derive --vendor V --document FILE --out DIR`` writes the schemas, the
JSONPath map of the response fields and the OpenAPI document derived from any
revision of a vendor's document. ``spec diff OLD NEW`` lists what changed
between two revisions. A document too broken to derive prints one line naming
the row and what could not be read, and exits 2: never a traceback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from conformance import providers
from conformance.errors import ExitCode, UsageError
from conformance.files import write_atomic


def add_spec(sub: Any) -> None:
    p = sub.add_parser("spec", help="derive schemas from a vendor document, or compare two revisions",
                       description=(__doc__ or "").splitlines()[0])
    # the sub-parsers are of the command line's own class: a usage error is one line, exit 2
    actions = p.add_subparsers(dest="spec_command", metavar="ACTION", parser_class=type(p),
                               help="derive or diff")
    d = actions.add_parser("derive", help="the schemas, JSONPath map and OpenAPI document of one document file")
    d.add_argument("--vendor", required=True, help=f"whose document format: {', '.join(providers.names())}")
    d.add_argument("--document", required=True, type=Path, help="the Markdown document (any revision)")
    d.add_argument("--out", required=True, type=Path, help="folder to write the derived files into")
    d.set_defaults(handler=cmd_derive)
    c = actions.add_parser("diff", help="what changed between two revisions of a document")
    c.add_argument("old", type=Path, help="the older revision: a Markdown file, or the date of a revision the "
                                          "project holds (2020-12-14)")
    c.add_argument("new", type=Path, help="the newer revision: a Markdown file, or a revision's date (2021-05-17)")
    c.add_argument("--vendor", default="", help="whose document format (default: guessed from the files' tables)")
    c.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    c.set_defaults(handler=cmd_diff)
    p.set_defaults(handler=lambda args: _no_action(p))


def _no_action(parser: Any) -> int:
    parser.print_help()
    return ExitCode.USAGE


def _vendor(value: str) -> str:
    if value not in providers.names():
        raise UsageError(f"conformance spec: unknown vendor {value!r}; known: {', '.join(providers.names())}")
    return value


def _read(path: Path) -> Any:
    from conformance.spec.documents import Document

    if not path.is_file():
        raise UsageError(f"conformance spec: no document at {path}")
    try:
        return Document.from_path(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"conformance spec: cannot read {path}: {exc}") from None


def derived(vendor: str, path: Path) -> dict[str, str]:
    """The derived files of one document file; a broken document is a :class:`UsageError` naming the row."""
    from conformance.spec import derive
    from conformance.spec.nesting import DocumentError

    document = _read(path)
    try:
        return derive.derive_document(vendor, document)
    except DocumentError as exc:
        raise UsageError(f"conformance spec: {path}: cannot derive: {exc}") from None
    except (LookupError, ValueError, TypeError, AttributeError) as exc:
        # A document whose tables or samples are not where the format puts them: say what was missing.
        raise UsageError(f"conformance spec: {path}: cannot derive: {type(exc).__name__}: {exc}") from None


def cmd_derive(args: Any) -> int:
    vendor = _vendor(args.vendor)
    files = derived(vendor, args.document)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        write_atomic(args.out / name, text)
        print(f"wrote {args.out / name}")
    return ExitCode.OK


def _held(path: Path, vendor: str) -> Path:
    """``path`` itself, or, for a revision's date, the file of that revision the project holds (in a wheel too)."""
    from conformance.spec import documents

    if path.is_file() or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(path)):
        return path
    holders = [v for v in ([_vendor(vendor)] if vendor else providers.names())
               if str(path) in providers.get(v).all_revisions]
    if not holders:
        raise UsageError(f"conformance spec: no document revision {str(path)!r} is held"
                         f"{' for ' + vendor if vendor else ''}; give a file, or one of: "
                         + ", ".join(f"{v} {r}" for v in providers.names() for r in providers.get(v).all_revisions if r))
    try:
        return documents.revision_path(holders[0], str(path))
    except documents.DocumentNotFound as exc:
        raise UsageError(f"conformance spec: {exc}") from None


def cmd_diff(args: Any) -> int:
    from conformance.spec import revision_diff

    args.old, args.new = (_held(path, args.vendor) for path in (args.old, args.new))
    vendor = _vendor(args.vendor) if args.vendor else revision_diff.guess_vendor(_read(args.old))
    changes = revision_diff.compare(vendor, _read(args.old), derived(vendor, args.old),
                                    _read(args.new), derived(vendor, args.new))
    if args.format == "json":
        print(json.dumps({"vendor": vendor, "old": str(args.old), "new": str(args.new),
                          "changes": [c.as_dict() for c in changes]}, indent=2, ensure_ascii=False))
    else:
        print(revision_diff.render_text(changes))
    return ExitCode.OK
