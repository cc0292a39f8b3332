"""The command line that reruns one requirement against the same target as this run.

A failure is fixed one requirement at a time: the person reading it wants to run just that one
again, against the same endpoint, region, signing mode and emulator deviations, without the rest
of the suite. Credentials are never part of it: they come from the same variables (or flags the
person types again), and a command line in a CI log is read by everyone.
"""

from __future__ import annotations

import shlex

from conformance.emulator import deviations as deviation_catalogue
from conformance.run import options
from conformance.run.settings import Settings

#: The embedded emulator's default size (``--instances``): only another size is repeated.
DEFAULT_INSTANCES = 150


def rerun_args(settings: Settings, vendor: str, requirement: str) -> list[str]:
    """``conformance run`` arguments selecting only ``requirement`` of ``vendor``, on this run's target.

    The flags come from the option table, where each is declared once.
    """
    flag = {option.field: option.flag for option in options.OPTIONS}
    args = ["conformance", "run", flag["vendors"], vendor, flag["requirements"], requirement]
    for field in ("endpoint", "region", "signing"):
        if getattr(settings, field):
            args += [flag[field], str(getattr(settings, field))]
    names = {d.name for d in deviation_catalogue.for_vendor(vendor)}
    for name in settings.deviations:
        if name in names:
            args += [flag["deviations"], name]
    if not settings.endpoint and settings.instances != DEFAULT_INSTANCES:
        args += [flag["instances"], str(settings.instances)]
    for field in ("examples", "ca_file"):
        if getattr(settings, field) is not None:
            args += [flag[field], str(getattr(settings, field))]
    if settings.replay:
        args += [flag["replay"], flag["cassette_dir"], settings.cassette_dir]
    if settings.target_name:
        args += [flag["target_name"], settings.target_name]
    return args


def rerun_command(settings: Settings, vendor: str, requirement: str) -> str:
    """:func:`rerun_args` as one line for a shell."""
    return shlex.join(rerun_args(settings, vendor, requirement))
