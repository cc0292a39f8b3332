"""The JSON report of a run, kept on disk as it grows.

It is rewritten atomically after every result, so a run that dies half way
leaves a valid file with what was decided so far (``"complete": false``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.files import write_atomic
from conformance.results import Result, exit_code, summary
from conformance.wire.scrub import RUN_SECRETS


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
        self._serialized.append(RUN_SECRETS.scrub(json.dumps(result.to_dict(), ensure_ascii=False, default=str)))
        self.save()

    def header(self) -> dict[str, Any]:
        return {
            "tool": "conformance",
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) if self.complete else None,
            "complete": self.complete,
            "targets": self.targets,
            "requests": sum(r.requests for r in self.results),
            "requests_discovery": sum(r.discovery_requests for r in self.results),
            "requests_checks": sum(r.requests - r.discovery_requests for r in self.results),
            "summary": summary(self.results),
            "exit_code": exit_code(self.results) if self.complete else None,
        }

    def save(self) -> None:
        if self.path is not None:
            head = RUN_SECRETS.scrub(json.dumps(self.header(), indent=2, ensure_ascii=False, default=str))
            write_atomic(self.path, head[:-2] + ',\n  "results": [\n' + ",\n".join(self._serialized) + "\n  ]\n}\n")

    def finish(self) -> None:
        self.complete = True
        self.save()
