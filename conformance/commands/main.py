"""``conformance``: the command line.

Sub-commands: ``run`` (the suite), ``audit`` (what the documents say beside
what an endpoint does), ``emulator`` (the reference emulator), ``diff`` (two
recordings compared), ``baseline`` (known deviations from a report).
Usage and configuration errors print one line and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import NoReturn

from conformance.commands import audit, baseline, diff, emulator, run
from conformance.errors import ExitCode, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message}")


def _version() -> str:
    try:
        return metadata.version("conformance")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="conformance", description=(__doc__ or "").splitlines()[0], epilog=run.EXIT_STATUSES,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"conformance {_version()}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    run.add_run(sub)
    audit.add_audit(sub)
    emulator.add_emulator(sub)
    diff.add_diff(sub)
    baseline.add_baseline(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return ExitCode.USAGE
        return int(args.handler(args))
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return ExitCode.USAGE
    except BrokenPipeError:  # output piped into head(1) and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
