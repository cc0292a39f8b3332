"""GitHub Actions: one ``::error`` annotation per failure, and the Markdown summary on the job's page.

A failure annotated on the run's page is seen without opening the log. The workflow-command format
is a line of its own on stdout; a value that carries ``%``, a carriage return or a line feed would
end or corrupt the command, so each is escaped as the runner expects (and ``:``/``,`` in a property).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from conformance.results import Result
from conformance.spec.quotes import readable


def active(env: Mapping[str, str]) -> bool:
    """Whether this run is a GitHub Actions step (``GITHUB_ACTIONS=true``)."""
    return env.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, ``\\r`` and ``\\n`` escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``title=``): the message's escapes, and ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(result: Result) -> str:
    """``::error title=ID::message``: the failure, the document's sentence, expected and observed."""
    lines = [f"{result.vendor}: {result.message}",
             f"the official SDK {result.quote}" if result.source else f"the document: “{readable(result.quote)}”"]
    if result.expected is not None or result.observed is not None:
        lines += [f"expected: {_json(result.expected)}", f"observed: {_json(result.observed)}"]
    return f"::error title={escape_property(result.requirement)}::{escape_data(chr(10).join(lines))}"


def _json(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def append_step_summary(env: Mapping[str, str], markdown: str) -> Path | None:
    """Append ``markdown`` to ``$GITHUB_STEP_SUMMARY`` when it is set; the file written, or None."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as out:
        out.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return path
