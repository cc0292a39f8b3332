"""Results of a run: one :class:`Result` per requirement and vendor, and what they add up to.

Checks produce results; reports only read them. The exit status of a run is
decided here from the results alone.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from conformance.errors import ExitCode
from conformance.spec.quotes import readable

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
    #: The SDK distribution the requirement is quoted from ("" for the document); ``quote`` is then
    #: ``package==version`` as installed when the verdict was reached.
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def explain(self) -> list[str]:
        """A failure that explains itself: the id and message, the document's sentence, expected beside observed."""
        lines = [f"{self.requirement} ({self.vendor}, {self.category}): {self.message}",
                 f"the official SDK {self.quote}" if self.source else f"the document: “{readable(self.quote)}”"]
        if self.expected is not None or self.observed is not None:
            lines.append(f"expected: {_short(self.expected)}")
            lines.append(f"observed: {_short(self.observed)}")
        return lines

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Result":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def _short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + " …"


def exit_code(results: list[Result], allow_inconclusive: int = 0) -> ExitCode:
    """0 every documented requirement passed (or is a known deviation); 1 one fails; 3 one is undecided."""
    return decide(results, allow_inconclusive=allow_inconclusive).code


#: The verdict lines a run ends with (scripts may read them; ``FAILS``/``UNDECIDED`` take a count).
CONFORMS, FAILS, UNDECIDED, INTERRUPTED = "CONFORMS", "FAILS", "UNDECIDED", "INTERRUPTED"
#: The verdict line of a run that conformance itself broke (exit 4).
INTERNAL_ERROR = "INTERNAL ERROR"


def undecided_reason(result: Result) -> str:
    """Why a documented requirement was not decided, in a few words, then the result's own message."""
    text = result.message
    lowered = text.lower()
    if result.replay_miss:
        kind = "no recorded answer"
    elif "--max-requests" in text:
        kind = "request cap"
    elif "throttl" in lowered:
        kind = "throttling"
    elif "did not answer" in lowered or "cannot be reached" in lowered:
        kind = "endpoint unreachable"
    elif "credentials" in lowered:
        kind = "no credentials"
    elif any(word in lowered for word in ("inventory", "too small", "no instance", "needs", "listing")):
        kind = "inventory too small"
    else:
        kind = result.outcome
    return f"{kind}: {text}" if text else kind


@dataclass(frozen=True)
class Verdict:
    """What a run comes to: the exit status, the verdict line, and the requirements behind it."""

    code: ExitCode
    #: ``CONFORMS``, ``FAILS: n requirements``, ``UNDECIDED: n requirements`` or ``INTERRUPTED``
    line: str
    #: ``vendor:ID`` of every documented requirement that failed (known deviations excluded)
    failed: tuple[str, ...] = ()
    #: ``(vendor:ID, reason)`` of every documented requirement that was skipped or inconclusive
    undecided: tuple[tuple[str, str], ...] = ()
    #: ``vendor:ID`` of every selected requirement that never ran
    not_run: tuple[str, ...] = ()
    interrupted: bool = False
    #: what broke inside conformance itself (``INTERNAL ERROR``, exit 4); "" when nothing did
    internal_error: str = ""

    @property
    def complete(self) -> bool:
        return not self.interrupted and not self.not_run and not self.internal_error

    def explain(self) -> list[str]:
        """Lines naming what is behind the verdict: what broke, what was not run, what failed, what was undecided."""
        out = []
        if self.internal_error:
            out.append(f"INTERNAL ERROR: conformance itself failed, so no verdict on the endpoint: {self.internal_error}")
        if self.interrupted or self.not_run:
            out.append(f"the run did not finish: {len(self.not_run)} requirement(s) not run"
                       + (f": {', '.join(self.not_run[:40])}" + (" …" if len(self.not_run) > 40 else "")
                          if self.not_run else ""))
        out.extend(f"FAILED {name}" for name in self.failed)
        by_reason: dict[str, list[str]] = {}
        for name, reason in self.undecided:
            # shortened between words: a reason cut inside a word reads as a different word
            by_reason.setdefault(textwrap.shorten(reason, 200, placeholder=" …"), []).append(name)
        for reason, names in by_reason.items():
            out.append(f"UNDECIDED {', '.join(names)} — {reason}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.line, "exit_code": int(self.code), "failed": list(self.failed),
                "undecided": [{"requirement": n, "reason": r} for n, r in self.undecided],
                "not_run": list(self.not_run), "interrupted": self.interrupted,
                **({"internal_error": self.internal_error} if self.internal_error else {})}


def decide(results: list[Result], *, not_run: Iterable[str] = (), interrupted: bool = False,
           allow_inconclusive: int = 0) -> Verdict:
    """The verdict of a run.

    A run that did not finish is ``INTERRUPTED`` (exit 3), whatever it decided so far. Otherwise
    a documented failure gives ``FAILS`` (exit 1), whatever else happened; more than
    ``allow_inconclusive`` documented requirements skipped or inconclusive give ``UNDECIDED``
    (exit 3); a run with no documented requirement decided is ``UNDECIDED`` too. Only then
    ``CONFORMS`` (exit 0): every documented requirement passed or is a known deviation.
    """
    documented = [r for r in results if r.documented]
    failed = tuple(f"{r.vendor}:{r.requirement}" for r in documented
                   if r.outcome == "failed" and r.baseline != "expected")
    undecided = tuple((f"{r.vendor}:{r.requirement}", undecided_reason(r)) for r in documented
                      if r.outcome in ("inconclusive", "skipped") or r.replay_miss)
    missing = tuple(not_run)
    facts: dict[str, Any] = {"failed": failed, "undecided": undecided, "not_run": missing,
                             "interrupted": interrupted}
    if interrupted or missing:
        return Verdict(ExitCode.UNDECIDED, INTERRUPTED, **facts)
    if failed:
        return Verdict(ExitCode.FAILED, f"{FAILS}: {len(failed)} requirements", **facts)
    if len(undecided) > allow_inconclusive or not documented:
        return Verdict(ExitCode.UNDECIDED, f"{UNDECIDED}: {len(undecided)} requirements", **facts)
    return Verdict(ExitCode.OK, CONFORMS, **facts)


def internal_error(reason: str, verdict: Verdict | None = None, *, not_run: Iterable[str] = ()) -> Verdict:
    """The verdict of a run conformance itself broke: ``INTERNAL ERROR``, exit 4, whatever was decided before.

    What the checks found (failures, undecided requirements) stays listed, but neither ``CONFORMS``
    nor ``FAILS`` is claimed: a report hook that crashed may have left any report saying anything.
    """
    base = verdict or Verdict(ExitCode.INTERNAL, INTERNAL_ERROR, not_run=tuple(not_run))
    return dataclasses.replace(base, code=ExitCode.INTERNAL, line=INTERNAL_ERROR, internal_error=reason or "unknown")


def counted_as(result: Result) -> str:
    """The column a result counts in, everywhere: its outcome, but a known deviation in its own column."""
    return "known_deviations" if result.baseline == "expected" else result.outcome


def summary(results: list[Result]) -> dict[str, int]:
    """Counts by outcome; a known deviation counts in ``known_deviations``, not in ``failed``."""
    counts = {outcome: 0 for outcome in OUTCOMES}
    for r in results:
        if r.baseline != "expected":
            counts[r.outcome] += 1
    counts["known_deviations"] = sum(r.baseline == "expected" for r in results)
    counts["fixed"] = sum(r.baseline == "fixed" for r in results)
    return counts
