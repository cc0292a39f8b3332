"""Running hypothesis-generated examples inside a check.

Examples are derandomized: the same inventory gives the same requests, run
after run. A recording goes further and stores the examples themselves (an
:class:`ExampleLog` in the cassette): hypothesis also draws constants from
whatever project modules are loaded, so a replay, which loads no emulator,
would otherwise draw other examples. Shrinking is off: every example costs
requests against somebody's endpoint, and the first counterexample, with its
evidence, is what the report shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

T = TypeVar("T")

#: Drawn examples per generated check; ``CONFORMANCE_EXAMPLES`` overrides it. Each costs requests
#: against somebody's account, and the checks' explicit cases already try every filter, end and
#: limit once: the draws add variety on top, eight of them in a run's budget.
DEFAULT_EXAMPLES = 8


_chosen: int | None = None


def set_examples(count: int | None) -> None:
    """Draws per generated check for this process (``--examples``); None for the default."""
    global _chosen
    _chosen = count if count is None else max(1, count)


def examples_budget() -> int:
    if _chosen is not None:
        return _chosen
    try:
        return max(1, int(os.environ.get("CONFORMANCE_EXAMPLES", DEFAULT_EXAMPLES)))
    except ValueError:
        return DEFAULT_EXAMPLES


class ExampleLog:
    """The examples one check ran: written into a recording, read back on replay."""

    def __init__(self, stored: list[Any] | None = None):
        self.replaying = stored is not None
        self.stored = [_tuples(value) for value in stored or []]
        self.drawn: list[Any] = []


def _tuples(value: Any) -> Any:
    """JSON lists back into the tuples the strategies drew (dicts stay dicts)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def run_examples(strategy: st.SearchStrategy[T] | None, example: Callable[[T], None], ctx: Any,
                 max_examples: int | None = None, explicit: Sequence[T] = ()) -> int:
    """Run ``example`` on ``explicit`` values, then on values drawn from ``strategy``; return how many ran.

    ``explicit`` guarantees coverage (with no ``strategy``, only they run) (say, every filter once) that random
    draws would only make likely. The first exception an example raises
    (``Failed``, ``Inconclusive``…) is re-raised as it is. When replaying a
    recording, the recorded examples run instead, in their order.
    """
    log: ExampleLog | None = getattr(ctx.target, "examples", None)
    if log is not None and log.replaying:
        for value in log.stored:
            example(value)
        return len(log.stored)

    def logged(value: T) -> None:
        if log is not None:
            log.drawn.append(value)
        example(value)

    ran = 0
    for value in explicit:
        ran += 1
        logged(value)
    if strategy is None:
        return ran

    @settings(max_examples=max_examples or examples_budget(), derandomize=True, database=None, deadline=None,
              phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck),
              report_multiple_bugs=False, print_blob=False)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal ran
        value = data.draw(strategy)
        ran += 1
        logged(value)

    run()
    return ran
