"""``conformance diff OLD_DIR NEW_DIR``: what changed between two recordings of the suite.

Two recordings of the same suite (say, the vendor last month and today) are
compared cassette by cassette: which requirements changed outcome (each
cassette carries the verdict it was recorded with), and which answers changed
shape (HTTP status, error code, the JSON paths and their types, or XML element
paths). Values are not compared: request ids and timestamps always differ.
Exit 1 when something changed, 0 when nothing did.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml

from conformance import providers
from conformance.vendors import adapter

try:  # libyaml when PyYAML has it: recordings are large
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass
class Recording:
    path: str
    outcome: dict[str, Any] | None
    answers: list[dict[str, Any]] = field(default_factory=list)


def load(root: Path) -> dict[str, Recording]:
    out = {}
    for file in sorted(root.rglob("*.yaml")):
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_Loader) or {}
        if "interactions" not in data:
            continue
        metadata = data.get("metadata") or {}
        answers = []
        for interaction in data["interactions"]:
            response = interaction.get("response", {})
            answers.append({"status": (response.get("status") or {}).get("code"),
                            "body": (response.get("body") or {}).get("string", "")})
        out[str(file.relative_to(root))] = Recording(str(file), metadata.get("conformance"), answers)
    return out


def shape(text: str | bytes) -> dict[str, set[str]]:
    """Paths of an answer with the types found there (JSON), or element paths (XML)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    paths: dict[str, set[str]] = {}
    stripped = text.lstrip()
    if stripped.startswith("<"):
        try:
            root = ElementTree.fromstring(stripped.encode())
        except ElementTree.ParseError:
            return {"$": {"unparseable XML"}}

        def walk_xml(element: ElementTree.Element, path: str) -> None:
            kind = "element" if len(element) else "text"
            paths.setdefault(path, set()).add(kind)
            for child in element:
                walk_xml(child, f"{path}/{child.tag}")

        walk_xml(root, f"/{root.tag}")
        return paths
    try:
        document = json.loads(text)
    except ValueError:
        return {"$": {"not JSON"}}

    def walk(value: Any, path: str) -> None:
        kind = {dict: "object", list: "array", bool: "boolean", int: "integer", float: "number", str: "string",
                type(None): "null"}.get(type(value), type(value).__name__)
        paths.setdefault(path, set()).add(kind)
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for item in value:
                walk(item, f"{path}[]")

    walk(document, "$")
    return paths


def error_code(vendor: str | None, answer: dict[str, Any]) -> str | None:
    """The error code of a recorded answer, read by the vendor's adapter (None when it is not an error)."""
    if vendor not in providers.names():
        return None
    body = answer["body"]
    parsed = adapter(str(vendor)).parse(int(answer["status"] or 0), "", body.encode() if isinstance(body, str)
                                        else body, "JSON")
    return parsed.error_code


def compare_answers(name: str, old: list[dict[str, Any]], new: list[dict[str, Any]], limit: int = 8,
                    vendor: str | None = None) -> list[str]:
    """One line per kind of change in a cassette, with how many of its answers show it."""
    changes: Counter[str] = Counter()
    if len(old) != len(new):
        changes[f"{len(old)} answers → {len(new)}"] += 1
    for a, b in zip(old, new, strict=False):
        if a["status"] != b["status"]:
            changes[f"HTTP {a['status']} → {b['status']}"] += 1
        code_a, code_b = error_code(vendor, a), error_code(vendor, b)
        if code_a != code_b:
            changes[f"error code {code_a} → {code_b}"] += 1
        sa, sb = shape(a["body"]), shape(b["body"])
        for path in sorted(set(sa) - set(sb)):
            changes[f"{path}: removed"] += 1
        for path in sorted(set(sb) - set(sa)):
            changes[f"{path}: added ({', '.join(sorted(sb[path]))})"] += 1
        for path in sorted(set(sa) & set(sb)):
            if sa[path] != sb[path]:
                changes[f"{path}: {'/'.join(sorted(sa[path]))} → {'/'.join(sorted(sb[path]))}"] += 1
    total = min(len(old), len(new)) or 1
    lines = [f"shape    {name}: {change} (in {count} of {total} answers)" for change, count in changes.most_common(limit)]
    if len(changes) > limit:
        lines.append(f"shape    {name}: … {len(changes) - limit} more kinds of change")
    return lines


def diff(old_root: Path, new_root: Path) -> list[str]:
    old, new = load(old_root), load(new_root)
    outcomes, shapes = [], []
    for name in sorted(set(old) & set(new)):
        a, b = old[name], new[name]
        if (a.outcome or {}).get("outcome") != (b.outcome or {}).get("outcome"):
            who = (a.outcome or b.outcome or {})
            outcomes.append(f"outcome  {who.get('vendor', '?')} {who.get('requirement', name)}: "
                            f"{(a.outcome or {}).get('outcome', '?')} → {(b.outcome or {}).get('outcome', '?')}"
                            f" ({(b.outcome or {}).get('message', '')[:150]})")
        vendor = (a.outcome or b.outcome or {}).get("vendor")
        shapes += compare_answers(name, a.answers, b.answers, vendor=vendor)
    only = [f"only-old {name}" for name in sorted(set(old) - set(new))]
    only += [f"only-new {name}" for name in sorted(set(new) - set(old))]
    return outcomes + only + shapes
