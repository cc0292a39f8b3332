"""``conformance``: the command line.

Sub-commands: ``run`` (the suite), ``audit`` (what the documents say beside
what an endpoint does), ``emulator`` (the reference emulator), ``diff`` (two
recordings compared), ``baseline`` (known deviations from a report),
``coverage`` (how much of the documents the catalogue accounts for),
``requirements`` (the catalogue, for people and scripts), ``spec`` (derive
schemas from a vendor document, compare two revisions of it).
Usage and configuration errors print one line and exit 2, never a traceback.
Only the chosen sub-command's module is imported (``run`` needs pytest, ``emulator``
needs uvicorn, neither needs the other): start-up is part of every replay's time.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any, NoReturn

from conformance.errors import EXIT_STATUSES, ExitCode, UsageError

#: Each sub-command and the module that adds its parser (``add_<name>``), imported only when needed.
COMMANDS = ("run", "audit", "emulator", "diff", "baseline", "coverage", "requirements", "spec")

#: The garbage collector's thresholds for the command line. A run allocates millions of small
#: containers (an inventory of 10,000 instances, pages of answers, their indexes) that live until
#: it ends, and CPython's default first generation of 700 made the collector walk them again and
#: again: a fifth of a 10,000-instance run's time. Higher still saves little more and lets cyclic
#: garbage pile up: at 50,000 a recorded run against a server answering 2 MB of XML each time
#: peaked at 440 MB (700 MB before ``send_bounded`` cut httpx's response cycle); at 10,000, 160 MB.
GC_THRESHOLDS = (10_000, 10, 10)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message}")


def _adder(command: str) -> Callable[[Any], None]:
    """The function that adds ``command``'s sub-parser, its module imported only now."""
    module = importlib.import_module(f"conformance.commands.{command}")
    adder: Callable[[Any], None] = getattr(module, f"add_{command}")
    return adder


def _version() -> str:
    try:
        return metadata.version("conformance")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``only``, just that sub-command's parser is built (and its module imported)."""
    parser = _Parser(prog="conformance", description=(__doc__ or "").splitlines()[0], epilog=EXIT_STATUSES,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"conformance {_version()}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        if only is None or command == only:
            _adder(command)(sub)
    return parser


def _chosen(argv: Sequence[str]) -> str | None:
    """The sub-command named on the command line, if it is the first argument and a known one."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    gc.set_threshold(*GC_THRESHOLDS)
    parser = build_parser(_chosen(argv))
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
