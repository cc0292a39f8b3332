"""Exit statuses and the errors that map to them: the bottom of the import graph.

Every layer may raise these; only ``conformance.commands`` turns them into an
exit status. Scripts rely on the numbers, so they are defined here once.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What ``conformance run`` (and the other commands) exit with."""

    #: every selected documented requirement holds
    OK = 0
    #: a documented requirement fails
    FAILED = 1
    #: a usage or configuration error: one line on stderr, no traceback
    USAGE = 2
    #: the endpoint cannot be reached, the run was interrupted, or nothing could be decided
    UNDECIDED = 3
    #: conformance itself failed (a bug, e.g. in a report hook): no verdict on the endpoint can be trusted
    INTERNAL = 4


class UsageError(Exception):
    """A bad flag, value or configuration: one line on stderr, exit 2."""


#: The exit statuses as ``--help`` states them.
EXIT_STATUSES = """exit statuses:
  0  CONFORMS: every selected documented requirement passed, or is a known deviation of --baseline
  1  FAILS: a documented requirement fails (whatever else happened, unless the run was interrupted)
  2  a usage or configuration error, before anything is checked: bad flags, URLs, baselines or report
     paths, an unknown --requirement, a selection of nothing, --replay without cassettes, credentials the
     endpoint refuses, a region it does not know, an endpoint answering in another vendor's shape, a
     TLS certificate not trusted (--ca-file) (no verdict line)
  3  UNDECIDED: a documented requirement is inconclusive or skipped (request cap, throttling, an
     inventory too small, no credentials; --allow-inconclusive N tolerates N), INTERRUPTED (SIGINT,
     SIGTERM, -x, --maxfail), or the endpoint cannot be reached
  4  INTERNAL ERROR: conformance itself failed (a bug); every report says so, the traceback is on stderr"""
