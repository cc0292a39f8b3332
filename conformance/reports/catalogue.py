"""The requirement catalogue for people and scripts: what ``conformance requirements`` prints.

A user choosing ``--requirement`` ids, or a reviewer reading what the suite enforces, should not
have to open ``schemas/*/requirements.yaml``: each requirement is shown with its vendor, category,
status, the check that decides it and the sentence it quotes (or the SDK it is judged by).
"""

from __future__ import annotations

import json
from typing import Any

from conformance import providers
from conformance.spec.catalog import Requirement
from conformance.spec.quotes import readable


def source(requirement: Requirement) -> dict[str, str]:
    """Where the requirement comes from: the document (and its table row), or the SDK package and version."""
    if requirement.package:
        return {key: str(value) for key, value in requirement.source.items()}
    provider = providers.get(requirement.vendor)
    found = {"document": f"revisions/{provider.schema_dir}/{requirement.revision}.md" if requirement.revision
             else provider.document}
    if requirement.row:
        found["row"] = requirement.row
    return found


def as_dict(requirement: Requirement) -> dict[str, Any]:
    return {"id": requirement.id, "vendor": requirement.vendor, "category": requirement.category,
            "status": requirement.status, "check": requirement.check, "quote": requirement.quote,
            "summary": requirement.summary, "source": source(requirement)}


def as_json(requirements: list[Requirement]) -> str:
    return json.dumps([as_dict(r) for r in requirements], indent=2, ensure_ascii=False)


def as_text(requirements: list[Requirement]) -> str:
    """One block per requirement, a blank line between, then a count."""
    blocks = []
    for r in requirements:
        origin = source(r)
        if r.package:
            said = f"  judged by: the official SDK {r.package} (written against {origin.get('version', '?')})"
        else:
            row = f", row {origin['row']}" if "row" in origin else ""
            said = f"  quote:     “{readable(r.quote)}”\n  source:    {origin['document']}{row}"
        blocks.append(f"{r.id}  {r.vendor} · {r.category} · {r.status}\n  summary:   {r.summary}\n"
                      f"  check:     {r.check}\n{said}")
    documented = sum(r.documented for r in requirements)
    blocks.append(f"{len(requirements)} requirement(s): {documented} documented, "
                  f"{len(requirements) - documented} observed")
    return "\n\n".join(blocks)
