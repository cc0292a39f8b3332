"""How one requirement is evaluated: its check run against a target, and the result it comes to.

An ``observed`` requirement never fails a run: behaviour the document leaves
open is reported, whatever it is.
"""

from __future__ import annotations

import time
from collections.abc import Collection

from conformance.checks import load_checks
from conformance.checks.context import CheckContext, Failed, Inconclusive, Observation, Skip, Target
from conformance.results import Outcome, Result
from conformance.spec.catalog import Requirement
from conformance.vendors.transport import (
    AnswerUnreadable,
    BudgetExhausted,
    NoCredentials,
    OutOfTime,
    Throttled,
    Unreachable,
)
from conformance.wire.scrub import RUN_SECRETS


def evaluate(requirement: Requirement, target: Target,
             passthrough: tuple[type[BaseException], ...] = (), summarised: Collection[str] = ()) -> Result:
    """Run the requirement's check against ``target`` and say what came of it.

    Any exception a check raises ends in a verdict, never a traceback or a missing result;
    only ``passthrough`` ones (a replay's missing answer, which the caller reports) propagate.
    A result whose outcome is in ``summarised`` keeps its exchanges without the answers' bodies:
    the caller's reports keep one line per exchange of it, so rendering the bodies would be wasted.
    """
    spec = load_checks()[requirement.check]
    ctx = CheckContext(target, requirement)
    before = target.client.requests_sent
    discovery_before = target.discovery_requests
    started = time.perf_counter()
    expected = observed = None
    outcome: Outcome
    try:
        verdict = spec.function(ctx, dict(requirement.args))
        if isinstance(verdict, Observation):
            outcome, message, observed = "observed", verdict.message, verdict.observed
        else:
            outcome, message = "passed", ctx.passed_message or requirement.summary
            if ctx.unseen:
                message += (f"; {len(ctx.unseen)} answer(s) larger than a page were checked on the page read and "
                            f"their TotalCount only, the rest not seen (e.g. {ctx.unseen[0]})")
    except Failed as failure:
        outcome, message, expected, observed = "failed", failure.message, failure.expected, failure.observed
    except Skip as skip:
        outcome, message = "skipped", skip.reason
    except NoCredentials as missing:
        outcome, message = "skipped", str(missing)
    except (Inconclusive, Unreachable, Throttled, BudgetExhausted, OutOfTime, AnswerUnreadable) as exc:
        outcome, message = "inconclusive", str(exc)
    except passthrough:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever an endpoint makes a check do, it ends in a verdict
        outcome, message = "inconclusive", f"the check could not finish: {type(exc).__name__}: {exc}"[:2000]
    if not requirement.documented and outcome in ("passed", "failed"):
        message = ("as the document suggests: " if outcome == "passed" else "differs from the document: ") + message
        outcome = "observed"
    # Scrubbed here, in the process that signed: the endpoint may echo credentials and signatures anywhere.
    message, expected, observed = RUN_SECRETS.scrub_data([message, expected, observed])
    return Result(
        vendor=requirement.vendor,
        requirement=requirement.id,
        category=requirement.category,
        outcome=outcome,
        documented=requirement.documented,
        quote=requirement.citation,
        source=requirement.package,
        summary=requirement.summary,
        check=requirement.check,
        message=message,
        expected=expected,
        observed=observed,
        evidence=[e.to_dict(body=outcome not in summarised) for e in ctx.evidence],
        note=requirement.note,
        target=target.describe(),
        requests=target.client.requests_sent - before,
        discovery_requests=target.discovery_requests - discovery_before,
        duration_s=round(time.perf_counter() - started, 3),
    )
