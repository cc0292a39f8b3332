"""Results of a run: one :class:`Result` per requirement and vendor, and what they add up to.

Checks produce results; reports only read them. The exit status of a run is
decided here from the results alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from conformance.errors import ExitCode

Outcome = Literal["passed", "failed", "skipped", "inconclusive", "observed"]
OUTCOMES: tuple[str, ...] = ("passed", "failed", "skipped", "inconclusive", "observed")


@dataclass
class Result:
    vendor: str
    requirement: str
    category: str
    outcome: Outcome
    documented: bool
    quote: str
    summary: str
    check: str
    message: str = ""
    expected: Any = None
    observed: Any = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    target: str = ""
    requests: int = 0
    #: Of ``requests``, those sent by the discovery walk (the first check that needed the listing pays for it).
    discovery_requests: int = 0
    duration_s: float = 0.0
    #: A replay met a request its cassette holds no answer for.
    replay_miss: bool = False
    #: ``expected`` (a known deviation of the baseline), ``fixed`` (the baseline's deviation is gone), or None.
    baseline: str | None = None
    baseline_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Result":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def exit_code(results: list[Result]) -> ExitCode:
    """0 every documented requirement holds; 1 one fails; 3 nothing could be decided."""
    documented = [r for r in results if r.documented]
    if any(r.outcome == "failed" and r.baseline != "expected" for r in documented):
        return ExitCode.FAILED
    if not documented or not any(r.outcome == "passed" for r in documented):
        return ExitCode.UNDECIDED
    return ExitCode.OK


def summary(results: list[Result]) -> dict[str, int]:
    counts = {outcome: 0 for outcome in OUTCOMES}
    for r in results:
        counts[r.outcome] += 1
    counts["known_deviations"] = sum(r.baseline == "expected" for r in results)
    counts["fixed"] = sum(r.baseline == "fixed" for r in results)
    return counts
