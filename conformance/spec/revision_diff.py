"""What changed between two revisions of a vendor document.

Two views, both read from the documents by the same code as everything else:
the statements (``conformance.spec.statements`` splits each revision into
keyed sentences, rows and samples) and the derived schemas (request
parameters, response fields, error codes, and the limits, defaults and enums
of each parameter). A sentence whose words changed but whose key did not is
"changed"; markup and white space alone change nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from conformance import providers
from conformance.spec import documents, statements
from conformance.spec.derive import FIELD_PATHS
from conformance.spec.documents import Document

#: Schema keywords that state a limit, and those that state a default or a set of values.
LIMIT_KEYWORDS = ("minimum", "maximum", "maxItems", "minItems", "pattern")
VALUE_KEYWORDS = {"default": "default", "enum": "values", "const": "values", "type": "type"}

#: The order the kinds of change are listed in.
KINDS = ("request-parameter", "response-field", "error-code", "limit", "default", "values", "type", "statement")


@dataclass(frozen=True)
class Change:
    """One difference: ``change`` is added, removed or changed; ``kind`` one of :data:`KINDS`."""

    change: str
    kind: str
    name: str
    old: Any = None
    new: Any = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        if self.change == "changed" and self.kind != "statement":
            return f"changed  {self.kind:<17} {self.name}: {_show(self.old)} -> {_show(self.new)}"
        head = f"{self.change:<8} {self.kind:<17} {self.name}"
        if self.kind != "statement":
            return head
        # a statement's wording is the change: the old text, then the new, as diff(1) marks them
        said = [("-", self.old), ("+", self.new)]
        return "\n".join([head, *(f"    {mark} {_plain(text)}" for mark, text in said if text is not None)])


def _plain(text: str) -> str:
    """A statement on one line: the document's markup left out, as the comparison leaves it out."""
    return " ".join(documents.plain_text(text).split())


def _show(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)


def guess_vendor(document: Document) -> str:
    """The provider whose document format this file is in: the one whose parser derives it."""
    from conformance.spec import derive

    for vendor in providers.names():
        try:
            derive.derive_document(vendor, document)
            return vendor
        except Exception:  # noqa: BLE001 - a parser that cannot read the file is not its format
            continue
    raise ValueError(f"{document.name}: no provider's parser reads this document; name one with --vendor")


def _statement_changes(vendor: str, old: Document, new: Document) -> list[Change]:
    sections = statements.load_coverage(vendor).sections
    before = {s.key: s for s in statements.split(old.text, sections)}
    after = {s.key: s for s in statements.split(new.text, sections)}
    out = [Change("removed", "statement", key, before[key].text) for key in before if key not in after]
    out += [Change("added", "statement", key, None, after[key].text) for key in after if key not in before]
    out += [Change("changed", "statement", key, before[key].text, after[key].text) for key in before
            if key in after and documents.plain_text(before[key].text) != documents.plain_text(after[key].text)]
    return out


def _parameters(request: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = dict(request.get("properties", {}))
    for schema in request.get("patternProperties", {}).values():
        out[schema.get("x-document-name", "?")] = schema
    return out


def _rules(schema: dict[str, Any]) -> dict[str, Any]:
    rules = {k: schema.get(k) for k in (*LIMIT_KEYWORDS, *VALUE_KEYWORDS) if k in schema}
    if "contentSchema" in schema:
        rules["maxItems"] = schema["contentSchema"].get("maxItems")
    return rules


def _rule_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out = []
    before, after = _rules(old), _rules(new)
    for keyword in sorted(set(before) | set(after)):
        if before.get(keyword) != after.get(keyword):
            kind = "limit" if keyword in LIMIT_KEYWORDS else VALUE_KEYWORDS[keyword]
            out.append(Change("changed", kind, f"{name} {keyword}", before.get(keyword), after.get(keyword)))
    return out


def _named(kind: str, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    out = [Change("removed", kind, name) for name in before if name not in after]
    out += [Change("added", kind, name) for name in after if name not in before]
    for name in before:
        if name in after:
            out += _rule_changes(name, before[name], after[name])
    return out


def _fields(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    paths = json.loads(files[FIELD_PATHS]) if FIELD_PATHS in files else {}
    response = json.loads(files["response.schema.json"])
    out: dict[str, dict[str, Any]] = {}
    for name in paths:
        node: Any = response
        for part in name.split("."):
            node = _step(node, part, response)
        out[name] = node if isinstance(node, dict) else {}
    return out


def _step(node: dict[str, Any], part: str, root: dict[str, Any]) -> Any:
    while True:
        if "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[1]]
        elif node.get("type") == "array":
            node = node.get("items", {})
        else:
            return node.get("properties", {}).get(part, {})


def _errors(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    table = json.loads(files["error.schema.json"]).get("x-error-table", [])
    return {row["code"]: {} for row in table}


def compare(vendor: str, old: Document, old_files: dict[str, str], new: Document,
            new_files: dict[str, str]) -> list[Change]:
    """Every change from ``old`` to ``new``, schema changes first, in :data:`KINDS` order."""
    out = _named("request-parameter", _parameters(json.loads(old_files["request.schema.json"])),
                 _parameters(json.loads(new_files["request.schema.json"])))
    out += _named("response-field", _fields(old_files), _fields(new_files))
    out += _named("error-code", _errors(old_files), _errors(new_files))
    out += _statement_changes(vendor, old, new)
    return sorted(out, key=lambda c: (KINDS.index(c.kind), c.change, c.name))


def render_text(changes: list[Change]) -> str:
    if not changes:
        return "no changes"
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.change] = counts.get(change.change, 0) + 1
    summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
    return "\n".join([*(c.line() for c in changes), f"{len(changes)} changes: {summary}"])
