"""How one requirement is evaluated: its check run against a target, and the result it comes to.

An ``observed`` requirement never fails a run: behaviour the document leaves
open is reported, whatever it is.
"""

from __future__ import annotations

import time

from conformance.checks import load_checks
from conformance.checks.context import CheckContext, Failed, Inconclusive, Observation, Skip, Target
from conformance.results import Outcome, Result
from conformance.spec.catalog import Requirement
from conformance.vendors.transport import BudgetExhausted, NoCredentials, Throttled, Unreachable


def evaluate(requirement: Requirement, target: Target) -> Result:
    """Run the requirement's check against ``target`` and say what came of it."""
    spec = load_checks()[requirement.check]
    ctx = CheckContext(target, requirement)
    before = target.client.requests_sent
    started = time.perf_counter()
    expected = observed = None
    outcome: Outcome
    try:
        verdict = spec.function(ctx, dict(requirement.args))
        if isinstance(verdict, Observation):
            outcome, message, observed = "observed", verdict.message, verdict.observed
        else:
            outcome, message = "passed", ctx.passed_message or requirement.summary
    except Failed as failure:
        outcome, message, expected, observed = "failed", failure.message, failure.expected, failure.observed
    except Skip as skip:
        outcome, message = "skipped", skip.reason
    except NoCredentials as missing:
        outcome, message = "skipped", str(missing)
    except (Inconclusive, Unreachable, Throttled, BudgetExhausted) as exc:
        outcome, message = "inconclusive", str(exc)
    if not requirement.documented and outcome in ("passed", "failed"):
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
