"""Results of a run and the JSON report that holds them.

A :class:`Result` is one requirement checked against one vendor's target. The
report is rewritten atomically after every result, so a run that dies half
way leaves a valid file with what was decided so far (``"complete": false``).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

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


def exit_code(results: list[Result]) -> int:
    """0 every documented requirement holds; 1 one fails; 3 nothing could be decided."""
    documented = [r for r in results if r.documented]
    if any(r.outcome == "failed" and r.baseline != "expected" for r in documented):
        return 1
    if not documented or not any(r.outcome == "passed" for r in documented):
        return 3
    return 0


def summary(results: list[Result]) -> dict[str, int]:
    counts = {outcome: 0 for outcome in OUTCOMES}
    for r in results:
        counts[r.outcome] += 1
    counts["known_deviations"] = sum(r.baseline == "expected" for r in results)
    counts["fixed"] = sum(r.baseline == "fixed" for r in results)
    return counts


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class Report:
    """The JSON report of one run, kept on disk as it grows."""

    path: Path | None
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    complete: bool = False
    _serialized: list[str] = field(default_factory=list, repr=False)

    def add(self, result: Result) -> None:
        self.results.append(result)
        # each result is serialized once; every save then only joins strings
        self._serialized.append(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
        self.save()

    def header(self) -> dict[str, Any]:
        return {
            "tool": "conformance",
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) if self.complete else None,
            "complete": self.complete,
            "targets": self.targets,
            "requests": sum(r.requests for r in self.results),
            "summary": summary(self.results),
            "exit_code": exit_code(self.results) if self.complete else None,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.header(), "results": [r.to_dict() for r in self.results]}

    def save(self) -> None:
        if self.path is not None:
            head = json.dumps(self.header(), indent=2, ensure_ascii=False, default=str)
            write_atomic(self.path, head[:-2] + ',\n  "results": [\n' + ",\n".join(self._serialized) + "\n  ]\n}\n")

    def finish(self) -> None:
        self.complete = True
        self.save()


def load(path: str | Path) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    data["results"] = [Result.from_dict(r) for r in data.get("results", [])]
    return data
