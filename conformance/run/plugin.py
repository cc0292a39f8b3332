"""The ``conformance`` pytest11 entry point: loads the suite's plugin only when the suite is asked for.

Installing the package for its fake-cloud fixtures must not add the suite's
``--conformance-*`` options to every ``pytest --help`` of the user's
project. So the entry point is this small module, and it registers
:mod:`conformance.run.suite_plugin` (options, parametrization, reports) only when:

- ``conformance run`` started pytest (it hands its settings over in memory);
- the arguments name the suite (``pytest --pyargs conformance.suite``, or a
  path into ``conformance/suite``), as pytest-xdist's workers' do too;
- ``CONFORMANCE_SUITE=1`` is set, or ``-p conformance.run.suite_plugin``
  loads it directly (pytest's own way; this module then does nothing).

pytest calls ``pytest_addoption`` for a plugin registered this late too (the
hook is historic), so the options are there before the command line is parsed.
"""

from __future__ import annotations

import importlib
import os
import sys

import pytest

PLUGIN = "conformance.run.suite_plugin"
#: Arguments that name the suite.
SUITE_ARGS = ("conformance.suite", "conformance/suite")


def suite_wanted(config: pytest.Config, args: list[str]) -> bool:
    """Whether this pytest runs the conformance suite (see the module's docstring)."""
    if os.environ.get("CONFORMANCE_SUITE", "").lower() in ("1", "true", "yes"):
        return True
    if any(s in str(arg) for arg in args for s in SUITE_ARGS):
        return True
    plugin = sys.modules.get(PLUGIN)  # ``conformance run`` imported it and registered its RunHandle
    handle = getattr(plugin, "RunHandle", None)
    return handle is not None and any(isinstance(p, handle) for p in config.pluginmanager.get_plugins())


def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    manager = early_config.pluginmanager
    if not suite_wanted(early_config, args):
        return
    module = importlib.import_module(PLUGIN)
    if not manager.is_registered(module):
        manager.register(module, PLUGIN)


def __getattr__(name: str) -> object:
    """The suite plugin's public names, as this module offered them before it became the gate."""
    if name in ("RunHandle", "run_requirement"):
        return getattr(importlib.import_module(PLUGIN), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["suite_wanted"]
