"""Faults on purpose: throttling, server errors, latency, dropped connections, churn.

Users test their retries against these, and the suite proves with them that
throttling and churn make results inconclusive, never failed. Every decision
is a pure function of the plan's seed and the request's sequence number
(the n-th request the emulator received), so a run that sends the same
requests in the same order meets the same faults, exactly.

One uniform draw per request picks at most one of throttle, error and reset,
in that order of the unit interval; latency applies to every request; churn
draws separately, so adding churn does not move the other faults.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["throttle", "error", "reset"]

#: Each vendor's answer to a fault: (code, message, HTTP status). Tencent answers everything with 200.
FAULT_ERRORS: dict[str, dict[str, tuple[str, str, int]]] = {
    "alibaba": {
        "throttle": ("Throttling.User", "Request was denied due to user flow control.", 400),
        "error": ("InternalError", "The request processing has failed due to some unknown error.", 500),
    },
    "tencent": {
        "throttle": ("RequestLimitExceeded", "请求的次数超过了频率限制。", 200),
        "error": ("InternalError", "内部错误。", 200),
    },
}

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$")


class FaultError(ValueError):
    """A --fault or --churn value that cannot be used: the message names it and says why."""


@dataclass(frozen=True)
class FaultPlan:
    """Probabilities (0..1) of each fault per request, a fixed latency, and the seed."""

    throttle: float = 0.0
    error: float = 0.0
    reset: float = 0.0
    latency_ms: float = 0.0
    churn: float = 0.0  # chance per request that one instance is deleted and another created
    seed: int = 0

    def __post_init__(self) -> None:
        if self.throttle + self.error + self.reset > 1:
            raise FaultError("fault probabilities add up to more than 1")

    @property
    def active(self) -> bool:
        return bool(self.throttle or self.error or self.reset or self.latency_ms or self.churn)


def _probability(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultError(f"--fault {name}={text}: expected a probability from 0 to 1") from None
    if not 0 <= value <= 1:
        raise FaultError(f"--fault {name}={text}: expected a probability from 0 to 1")
    return value


def parse(specs: list[str], churn: float = 0.0, seed: int = 0) -> FaultPlan:
    """``throttle=0.2``, ``error=0.01``, ``latency=50ms``, ``reset=0.01`` (repeatable) into a plan."""
    values: dict[str, float] = {}
    for spec in specs:
        name, sep, text = spec.partition("=")
        if not sep:
            raise FaultError(f"--fault {spec}: expected NAME=VALUE (throttle, error, reset, latency)")
        if name in ("throttle", "error", "reset"):
            values[name] = _probability(name, text)
        elif name == "latency":
            match = _DURATION.match(text)
            if not match:
                raise FaultError(f"--fault latency={text}: expected a duration such as 50ms or 0.2s")
            values["latency_ms"] = float(match.group(1)) * (1000 if match.group(2) == "s" else 1)
        else:
            raise FaultError(f"--fault {name}: unknown fault; known: throttle, error, reset, latency")
    if not 0 <= churn <= 1:
        raise FaultError(f"--churn {churn}: expected a probability from 0 to 1")
    return FaultPlan(churn=churn, seed=seed, **values)


def draw(seed: int, sequence: int, stream: str = "fault") -> float:
    """A uniform number in [0, 1) fixed by (seed, sequence, stream)."""
    digest = hashlib.blake2b(f"{seed}:{stream}:{sequence}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def decide(plan: FaultPlan, sequence: int) -> Kind | None:
    """Which fault, if any, the ``sequence``-th request meets."""
    if not (plan.throttle or plan.error or plan.reset):
        return None
    u = draw(plan.seed, sequence)
    if u < plan.throttle:
        return "throttle"
    if u < plan.throttle + plan.error:
        return "error"
    if u < plan.throttle + plan.error + plan.reset:
        return "reset"
    return None


def churns(plan: FaultPlan, sequence: int) -> bool:
    """Whether the ``sequence``-th request first deletes one instance and creates another."""
    return bool(plan.churn) and draw(plan.seed, sequence, "churn") < plan.churn


__all__ = ["FAULT_ERRORS", "FaultError", "FaultPlan", "churns", "decide", "draw", "parse"]
