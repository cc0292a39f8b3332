"""The registry of named checks, and how one requirement is evaluated.

A check is a function ``(ctx, args) -> None | Observation`` registered under
the name ``requirements.yaml`` gives in ``check:``. It is written once for
both vendors: it builds neutral queries, reads answers through the vendor's
JSONPath map, and signals its verdict by returning (passed), returning an
:class:`Observation`, or raising :class:`Failed`, :class:`Inconclusive` or
:class:`Skip`. :func:`evaluate` turns that into a :class:`~conformance.results.Result`,
and never lets an ``observed`` requirement fail a run.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

from conformance.catalog import Requirement
from conformance.checks.context import CheckContext, Failed, Inconclusive, Observation, Skip, Target
from conformance.client import BudgetExhausted, Throttled, Unreachable
from conformance.results import Result

CheckFunction = Callable[[CheckContext, dict[str, Any]], "Observation | None"]
CHECKS: dict[str, CheckFunction] = {}
_MODULES = ("schema", "pagination", "filters", "empty_arrays", "dry_run", "errors", "auth")


def check(name: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under ``name``."""

    def register(function: CheckFunction) -> CheckFunction:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        CHECKS[name] = function
        return function

    return register


def load_checks() -> dict[str, CheckFunction]:
    for module in _MODULES:
        importlib.import_module(f"conformance.checks.{module}")
    return CHECKS


def evaluate(requirement: Requirement, target: Target) -> Result:
    """Run the requirement's check against ``target`` and say what came of it."""
    checks = load_checks()
    ctx = CheckContext(target, requirement)
    before = target.client.requests_sent
    started = time.perf_counter()
    expected = observed = None
    try:
        verdict = checks[requirement.check](ctx, dict(requirement.args))
        if isinstance(verdict, Observation):
            outcome, message, observed = "observed", verdict.message, verdict.observed
        else:
            outcome, message = "passed", ctx.passed_message or requirement.summary
    except Failed as failure:
        outcome, message, expected, observed = "failed", failure.message, failure.expected, failure.observed
    except Skip as skip:
        outcome, message = "skipped", skip.reason
    except (Inconclusive, Unreachable, Throttled, BudgetExhausted) as exc:
        outcome, message = "inconclusive", str(exc)
    if not requirement.documented and outcome in ("passed", "failed"):
        # Behaviour the document leaves open is reported, never failed.
        message = ("as the document suggests: " if outcome == "passed" else "differs from the document: ") + message
        outcome = "observed"
    return Result(
        vendor=requirement.vendor,
        requirement=requirement.id,
        category=requirement.category,
        outcome=outcome,
        documented=requirement.documented,
        quote=requirement.quote,
        summary=requirement.summary,
        check=requirement.check,
        message=message,
        expected=expected,
        observed=observed,
        evidence=[e.to_dict() for e in ctx.evidence],
        note=requirement.note,
        target=target.describe(),
        requests=target.client.requests_sent - before,
        duration_s=round(time.perf_counter() - started, 3),
    )


__all__ = ["CHECKS", "CheckContext", "Failed", "Inconclusive", "Observation", "Skip", "Target", "check",
           "evaluate", "load_checks"]
