"""Running hypothesis-generated examples inside a check.

Examples are derandomized: the same inventory gives the same requests, run
after run, which is what lets a recorded run replay from cassettes. Shrinking
is off: every example costs requests against somebody's endpoint, and the
first counterexample, with its evidence, is what the report shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

T = TypeVar("T")

#: Examples per generated check; ``CONFORMANCE_EXAMPLES`` overrides it.
DEFAULT_EXAMPLES = 12


def examples_budget() -> int:
    try:
        return max(1, int(os.environ.get("CONFORMANCE_EXAMPLES", DEFAULT_EXAMPLES)))
    except ValueError:
        return DEFAULT_EXAMPLES


def run_examples(strategy: st.SearchStrategy[T], example: Callable[[T], None], ctx: Any,
                 max_examples: int | None = None, explicit: Sequence[T] = ()) -> int:
    """Run ``example`` on ``explicit`` values, then on values drawn from ``strategy``; return how many ran.

    ``explicit`` guarantees coverage (say, every filter once) that random
    draws would only make likely. The first exception an example raises
    (``Failed``, ``Inconclusive``…) is re-raised as it is.
    """
    ran = 0
    for value in explicit:
        ran += 1
        example(value)

    @settings(max_examples=max_examples or examples_budget(), derandomize=True, database=None, deadline=None,
              phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck),
              report_multiple_bugs=False, print_blob=False)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal ran
        value = data.draw(strategy)
        ran += 1
        example(value)

    run()
    return ran
