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


class UsageError(Exception):
    """A bad flag, value or configuration: one line on stderr, exit 2."""
