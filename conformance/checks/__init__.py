"""The registry of named checks, and its validation of a catalogue.

A check is a function ``(ctx, args) -> None | Observation`` registered under
the name ``requirements.yaml`` gives in ``check:``, with the arguments it
takes. It is written once for all vendors: it builds neutral queries, reads
answers through the vendor's JSONPath map and the adapter's capabilities, and
signals its verdict by returning (passed), returning an :class:`Observation`,
or raising :class:`Failed`, :class:`Inconclusive` or :class:`Skip`.
:func:`validate` checks a catalogue against the registry before anything is
sent, so a misspelt check or argument is an error naming its requirement.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.checks.context import CheckContext, Failed, Inconclusive, Observation, Skip, Target
from conformance.spec.catalog import Requirement

CheckFunction = Callable[[CheckContext, dict[str, Any]], "Observation | None"]
#: The modules that register checks, in the order the categories run.
MODULES = ("schema", "pagination", "filters", "limits", "empty_arrays", "dry_run", "errors", "auth", "client",
           "combined", "answers", "tokens", "time_ranges")


@dataclass(frozen=True)
class CheckSpec:
    """A registered check and the arguments it accepts (name → type)."""

    name: str
    function: CheckFunction
    required: Mapping[str, type] = field(default_factory=dict)
    optional: Mapping[str, type] = field(default_factory=dict)

    def problems(self, args: Mapping[str, Any]) -> list[str]:
        out = [f"missing argument {name!r}" for name in self.required if name not in args]
        accepted = {**self.required, **self.optional}
        for name, value in args.items():
            if name not in accepted:
                out.append(f"unknown argument {name!r} (accepted: {', '.join(sorted(accepted)) or 'none'})")
            elif not isinstance(value, accepted[name]) or (accepted[name] is int and isinstance(value, bool)):
                out.append(f"argument {name!r} should be {accepted[name].__name__}, got {type(value).__name__}")
        return out


CHECKS: dict[str, CheckSpec] = {}


def check(name: str, required: Mapping[str, type] | None = None,
          optional: Mapping[str, type] | None = None) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under ``name``, with the arguments ``requirements.yaml`` may give it."""

    def register(function: CheckFunction) -> CheckFunction:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        CHECKS[name] = CheckSpec(name, function, dict(required or {}), dict(optional or {}))
        return function

    return register


def load_checks() -> dict[str, CheckSpec]:
    """Every registered check (importing the modules that register them)."""
    for module in MODULES:
        importlib.import_module(f"conformance.checks.{module}")
    return CHECKS


class CatalogueError(ValueError):
    """A requirement names a check that does not exist, or gives it arguments it does not take."""


def validate(requirements: Iterable[Requirement]) -> list[Requirement]:
    """``requirements`` as they are, once each names a registered check with arguments it accepts."""
    checks = load_checks()
    chosen = list(requirements)
    for requirement in chosen:
        where = f"{requirement.vendor} requirement {requirement.id}"
        spec = checks.get(requirement.check)
        if spec is None:
            raise CatalogueError(f"{where}: unknown check {requirement.check!r}")
        problems = spec.problems(requirement.args)
        if problems:
            raise CatalogueError(f"{where}: check {requirement.check!r}: {'; '.join(problems)}")
    return chosen


__all__ = ["CHECKS", "CatalogueError", "CheckContext", "CheckSpec", "Failed", "Inconclusive", "Observation", "Skip",
           "Target", "check", "load_checks", "validate"]
