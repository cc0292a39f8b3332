"""The JSON report of a run, kept on disk as it grows.

It is rewritten atomically as results come, so a run that dies half way
leaves a valid file with what was decided so far (``"complete": false``).
Rewriting the whole file after each of a run's hundred-odd results cost more
than a second of every run, so it is rewritten at most every
:data:`SAVE_EVERY_S`: a run interrupted by SIGINT or SIGTERM writes
everything, one killed outright loses at most that last fraction of a second.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.files import write_atomic
from conformance.results import Result, Verdict, decide, summary
from conformance.wire.scrub import RUN_SECRETS

#: The longest a decided result waits before the file on disk holds it.
SAVE_EVERY_S = 0.5


@dataclass
class Report:
    """The JSON report of one run, kept on disk as it grows."""

    path: Path | None
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    complete: bool = False
    #: set when the run ends (finished or interrupted): the verdict, the exit status and what was not run
    verdict: Verdict | None = None
    #: why the run did not start, for a report written instead of a run
    not_started: str = ""
    #: more top-level sections (a parity run's ``parity``), after the header's own fields
    sections: dict[str, Any] = field(default_factory=dict)
    _serialized: list[str] = field(default_factory=list, repr=False)
    _saved_at: float = field(default=0.0, repr=False)

    def add(self, result: Result, tags: dict[str, Any] | None = None) -> None:
        """Keep ``result`` (with ``tags``, more fields of its entry: a parity run's ``parity_target``)."""
        self.results.append(result)
        # each result is serialized once; every save then only joins strings
        data = {**result.to_dict(), **(tags or {})}
        self._serialized.append(RUN_SECRETS.scrub(json.dumps(data, ensure_ascii=False, default=str)))
        if time.monotonic() - self._saved_at >= SAVE_EVERY_S:
            self.save()

    def header(self) -> dict[str, Any]:
        return {
            "tool": "conformance",
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) if self.complete else None,
            "complete": self.complete,
            "targets": self.targets,
            # the revision of each vendor's document the run judged against (--document-revision)
            "document_revision": {v: t.get("document_revision", "") for v, t in self.targets.items()},
            "requests": sum(r.requests for r in self.results),
            "requests_discovery": sum(r.discovery_requests for r in self.results),
            "requests_checks": sum(r.requests - r.discovery_requests for r in self.results),
            "summary": summary(self.results),
            "exit_code": int(self.verdict.code) if self.verdict else None,
            "verdict": self.verdict.line if self.verdict else None,
            "interrupted": self.verdict.interrupted if self.verdict else False,
            "not_run": list(self.verdict.not_run) if self.verdict else [],
            "failed": list(self.verdict.failed) if self.verdict else [],
            "undecided": self.verdict.to_dict()["undecided"] if self.verdict else [],
            **({"not_started": self.not_started} if self.not_started else {}),
            **({"internal_error": self.verdict.internal_error} if self.verdict and self.verdict.internal_error else {}),
            **self.sections,
        }

    def save(self) -> None:
        self._saved_at = time.monotonic()
        if self.path is not None:
            head = RUN_SECRETS.scrub(json.dumps(self.header(), indent=2, ensure_ascii=False, default=str))
            write_atomic(self.path, head[:-2] + ',\n  "results": [\n' + ",\n".join(self._serialized) + "\n  ]\n}\n")

    def finish(self, verdict: Verdict | None = None) -> None:
        """The run ended: with ``verdict`` (complete only when nothing was left out), or as finished."""
        self.verdict = verdict or decide(self.results)
        self.complete = self.verdict.complete and not self.not_started
        self.save()
