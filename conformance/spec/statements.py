"""A vendor document split into statements, each with a stable key, and what each is accounted for by.

Issue 13 asks that every statement of both documents be a requirement or an
exclusion with a reason. A *statement* is one of:

- ``row``: a row of a table (its name, its other cells, the text of its description
  cell outside any list), keyed ``<section>/<name>`` (``request/VpcId``,
  ``errors/InvalidTagCount``); a name a table holds twice gets ``@2``
  (``response/InternetChargeType@2``);
- ``item``: a list item inside a table cell (``- classic: ...`` or ``<li>PREPAID：...``),
  keyed ``<row key>/<value>`` (``request/InstanceNetworkType/classic``);
- ``sentence``: a sentence of a paragraph or list item outside the tables, keyed
  ``<section>/<slug of its first words>``, so that editing one sentence renumbers
  no other;
- ``sample``: a fenced or ``<pre>`` block, keyed ``<section>/json``, ``/xml`` or
  ``/request`` by what it holds.

The rules are Markdown's structure only, so one splitter reads both documents.
What differs between documents is data: a document's headings (or a table's
caption) are shortened to the section names its keys start with by the
``sections`` map of ``schemas/<vendor>/coverage.yaml``; a heading with no
entry is slugged. Headings, table headers and separators and code fences are
structure, not statements.

``coverage.yaml`` maps every key to ``requirements: [ids]`` or ``excluded:
"reason"``; :func:`problems` says what is unaccounted for, unknown or stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from conformance import providers
from conformance.files import load_yaml
from conformance.spec import catalog, documents
from conformance.spec.documents import plain_text

Kind = Literal["row", "item", "sentence", "sample"]
COVERAGE_FILE = "coverage.yaml"
#: How a statement waiting for a decision is marked by ``conformance coverage --write-skeleton``.
TODO = "TODO"


@dataclass(frozen=True)
class Statement:
    key: str
    kind: Kind
    text: str
    section: str


# ------------------------------------------------------------------ splitting

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\[])|(?<=[。！？])\s*(?=\S)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
_HTML_ITEM = re.compile(r"<li>", re.I)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}")
_NESTED_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)")


def clean(text: str) -> str:
    """Plain text of a piece of Markdown: links (nested ones too), escapes, code and bold marks and HTML tags out."""
    text = _TAG.sub("", re.sub(r"<br\s*/?>", "\n", text, flags=re.I))
    while _NESTED_LINK.search(text):
        text = _NESTED_LINK.sub(r"\1", text)
    return plain_text(text)


def sentences(text: str) -> list[str]:
    """The sentences of a plain text: split after ``.!?`` before a capital, and after ``。！？``."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def slug(text: str, words: int = 6, limit: int = 48) -> str:
    """A short, stable name for a text: its first words, lower case, joined by ``-``."""
    parts = re.findall(r"\w+", text.lower())
    joined = "-".join(parts[:words])
    return joined[:limit].rstrip("-") or "x"


def _section(name: str, sections: dict[str, str]) -> str:
    name = name.strip()
    if name in sections:
        return sections[name]
    return slug(re.sub(r"^\d+\.\s*", "", name), words=4)


def _unique(key: str, seen: dict[str, int]) -> str:
    seen[key] = seen.get(key, 0) + 1
    return key if seen[key] == 1 else f"{key}@{seen[key]}"


def _row_name(row: list[str]) -> tuple[int, str]:
    """The cell that names a row: the first that is not a bare number (an HTTP status)."""
    for index, cell in enumerate(row):
        text = clean(cell)
        if text and not text.isdigit():
            return index, text
    return 0, clean(row[0]) if row else ""


def _split_cell(cell: str) -> tuple[str, list[str]]:
    """A description cell into its prose (outside any list) and its list items."""
    if _HTML_ITEM.search(cell):
        first, *items = _HTML_ITEM.split(cell)
        return clean(first), [clean(i) for i in items if clean(i)]
    prose, items = [], []
    for line in cell.splitlines():
        if _LIST_ITEM.match(line):
            items.append(clean(_LIST_ITEM.sub("", line)))
        elif line.strip():
            prose.append(line)
    return clean("\n".join(prose)), [i for i in items if i]


def _item_name(item: str) -> str:
    """An item's value (``classic`` of ``classic: classic network``), else a slug of its words."""
    head = re.split(r"[:：]", item, maxsplit=1)[0].strip()
    if head and head != item and " " not in head:
        return head
    return item if " " not in item and len(item) <= 40 else slug(item)


def _table_statements(table: documents.Table, section: str, seen: dict[str, int]) -> list[Statement]:
    out: list[Statement] = []
    examples = {i for i, h in enumerate(table.header) if clean(h).lower() in ("example", "示例", "示例值")}
    for row in table.rows:
        name_at, name = _row_name(row)
        if not name:
            continue
        key = _unique(f"{section}/{name}", seen)
        last = len(row) - 1
        prose, items = _split_cell(row[last]) if last > name_at else ("", [])
        details = [clean(c) for i, c in enumerate(row) if i not in (name_at, last) and i not in examples]
        details = [d for d in details if d]
        text = name + (f" ({', '.join(details)})" if details else "") + (f": {prose}" if prose else "")
        out.append(Statement(key, "row", text, section))
        item_seen: dict[str, int] = {}
        for item in items:
            out.append(Statement(_unique(f"{key}/{_item_name(item)}", item_seen), "item", item, section))
    return out


def _sample_kind(block: str) -> str:
    body = block.strip()
    if body.startswith("{") or body.startswith("["):
        return "json"
    if body.startswith("<"):
        return "xml"
    return "request"


def split(text: str, sections: dict[str, str] | None = None) -> list[Statement]:
    """Every statement of a Markdown document, in document order. Deterministic: same text, same keys."""
    sections = sections or {}
    lines = text.splitlines()
    out: list[Statement] = []
    seen: dict[str, int] = {}
    heading = ""
    previous = ""  # the last line of prose, a candidate caption for a table right below it
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("#"):
            heading, previous = stripped.lstrip("#").strip(), ""
            i += 1
            continue
        if stripped.startswith("```") or stripped.lower().startswith("<pre"):
            end_mark = "```" if stripped.startswith("```") else "</pre>"
            j = i + 1
            while j < len(lines) and end_mark not in lines[j].lower():
                j += 1
            section = _section(heading, sections)
            inner = "\n".join(lines[i + 1 : j])
            body = [b.strip() for b in inner.splitlines() if b.strip()]
            kind = _sample_kind(inner)
            first = next((b for b in body if len(b) > 2), "")
            text = f"{kind} sample, {len(body)} lines: {first[:70]}"
            out.append(Statement(_unique(f"{section}/{kind}", seen), "sample", text, section))
            i, previous = j + 1, ""
            continue
        if _starts_table(lines, i):
            j = _table_end(lines, i)
            caption = previous if previous and not re.search(r"[.。!?！？:：]$", previous) else heading
            for table in documents.parse_tables("\n".join(lines[i:j])):
                out += _table_statements(table, _section(caption, sections), seen)
            i, previous = j, ""
            continue
        if stripped:
            # a paragraph or a list item: its lines up to a blank line, the next item or other structure
            j = i + 1
            while j < len(lines) and lines[j].strip() and not _LIST_ITEM.match(lines[j]) \
                    and not lines[j].lstrip().startswith(("#", "```", "<pre")) and not _starts_table(lines, j):
                j += 1
            paragraph = "\n".join(lines[i:j])
            section = _section(heading, sections)
            for sentence in sentences(clean(_LIST_ITEM.sub("", paragraph))):
                out.append(Statement(_unique(f"{section}/{slug(sentence)}", seen), "sentence", sentence, section))
            i, previous = j, clean(paragraph)
            continue
        i += 1
    return out


def _starts_table(lines: list[str], i: int) -> bool:
    return "|" in lines[i] and i + 1 < len(lines) and bool(_TABLE_SEPARATOR.match(lines[i + 1]))


def _table_end(lines: list[str], start: int) -> int:
    """The line after the table whose header is ``lines[start]`` (the rule of ``documents.parse_tables``)."""
    needed = len(lines[start].strip().strip("|").split("|")) - 1
    i, open_row = start + 2, False
    while i < len(lines):
        line = lines[i]
        if line.count("|") >= needed and not line.startswith("#"):
            open_row = not line.rstrip().endswith("|")
        elif open_row:
            open_row = not line.rstrip().endswith("|")
        else:
            break
        i += 1
    return i


# ------------------------------------------------------------------ the coverage file

@dataclass
class Coverage:
    """One vendor's ``coverage.yaml``: section names and one entry per statement key."""

    vendor: str
    sections: dict[str, str] = field(default_factory=dict)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)


def coverage_path(vendor: str) -> Path:
    return catalog.load(vendor).directory / COVERAGE_FILE


def load_coverage(vendor: str, path: Path | None = None) -> Coverage:
    path = path or coverage_path(vendor)
    data = load_yaml(path.read_text(encoding="utf-8")) if path.is_file() else {}
    data = data or {}
    return Coverage(vendor=vendor, sections=dict(data.get("sections") or {}),
                    entries={str(k): dict(v or {}) for k, v in (data.get("statements") or {}).items()})


def statements(vendor: str, coverage: Coverage | None = None) -> list[Statement]:
    """The statements of a vendor's document, keyed with the section names of its coverage file."""
    coverage = coverage or load_coverage(vendor)
    return split(_revision_text(vendor, catalog.revision_of(vendor)), coverage.sections)


def _revision_text(vendor: str, revision: str) -> str:
    return documents.revision_document(vendor, revision).text


def reason(entry: dict[str, Any]) -> str:
    value = entry.get("excluded")
    return str(value).strip() if isinstance(value, str) and value.strip() != TODO else ""


def covered_by(entry: dict[str, Any]) -> list[str]:
    value = entry.get("requirements")
    return [str(v) for v in value] if isinstance(value, list) else []


def entry_problem(entry: dict[str, Any] | None, requirement_ids: set[str]) -> str:
    """What is wrong with one statement's entry, or ``""`` when it accounts for the statement."""
    if entry is None:
        return "no entry"
    ids, why = covered_by(entry), reason(entry)
    if ids and why:
        return "both covered and excluded"
    if not ids and not why:
        return "neither requirements nor an excluded reason"
    unknown = [rid for rid in ids if rid not in requirement_ids]
    return f"unknown requirement {', '.join(unknown)}" if unknown else ""


def problems(found: list[Statement], coverage: Coverage, requirement_ids: set[str]) -> list[str]:
    """Everything that keeps the coverage from being whole, one line each (empty when all is accounted for).

    A statement with no entry, or an entry that is neither covered nor excluded with a reason, or names a
    requirement the catalogue does not have; an entry for a statement the document no longer has; and a
    requirement of the catalogue that no statement cites (its sentence is not traced to the document).
    """
    out = [f"{s.key}: {problem} ({s.text[:70]})" for s in found
           if (problem := entry_problem(coverage.entries.get(s.key), requirement_ids))]
    keys = {s.key for s in found}
    out += [f"{key}: stale entry, the document has no such statement" for key in coverage.entries if key not in keys]
    cited = {rid for key, entry in coverage.entries.items() if key in keys for rid in covered_by(entry)}
    return out + [f"{rid}: a requirement no statement cites" for rid in sorted(requirement_ids - cited)]


@dataclass(frozen=True)
class Figure:
    vendor: str
    total: int
    covered: int
    excluded: int
    problems: tuple[str, ...]
    #: reason -> keys excluded for it, in document order
    exclusions: dict[str, list[str]]

    @property
    def accounted(self) -> int:
        return self.covered + self.excluded

    @property
    def percent(self) -> float:
        return 100.0 * self.accounted / self.total if self.total else 100.0

    @property
    def complete(self) -> bool:
        return not self.problems

    def line(self) -> str:
        return (f"{self.total} statements: {self.covered} covered by requirements, {self.excluded} excluded "
                f"({self.percent:.1f}% accounted for)")


def figure(vendor: str) -> Figure:
    """The coverage of one vendor's document by its catalogue and its coverage file."""
    coverage = load_coverage(vendor)
    found = statements(vendor, coverage)
    ids = {r.id for r in catalog.load(vendor).requirements if not r.package}  # SDK-sourced ones cite no sentence
    covered = excluded = 0
    exclusions: dict[str, list[str]] = {}
    for s in found:
        entry = coverage.entries.get(s.key)
        if entry is None or entry_problem(entry, ids):
            continue
        if covered_by(entry):
            covered += 1
        else:
            excluded += 1
            exclusions.setdefault(reason(entry), []).append(s.key)
    return Figure(vendor, len(found), covered, excluded, tuple(problems(found, coverage, ids)), exclusions)


HEADER = """\
# Spec coverage of the {vendor} document: every statement of it, as conformance.spec.statements
# splits it, is covered by requirements of requirements.yaml or excluded with a reason.
# `sections` shortens the document's headings (or a table's caption) to the section names keys start with.
# Each entry: {{requirements: [ids]}} or {{excluded: reason}}, optionally with a note (what a
# requirement leaves unchecked). The comment above an entry is the statement's text, for the reader.
# `conformance coverage --write-skeleton` rewrites this file: entries kept, a TODO for each new statement.
"""


def render(vendor: str, document: str, coverage: Coverage, found: list[Statement]) -> str:
    """The text of a coverage file: the header, the sections, then one entry per statement in document order."""
    lines = [HEADER.format(vendor=vendor).rstrip("\n"), f"vendor: {vendor}", f"document: {document}", "sections:"]
    lines += [f"  {_scalar(k)}: {_scalar(v)}" for k, v in coverage.sections.items()]
    lines.append("statements:")
    for s in found:
        lines.append(f"  #  {s.text[:110]}")
        lines.append(f"  {_scalar(s.key)}: {_scalar(coverage.entries.get(s.key) or {'excluded': TODO})}")
    return "\n".join(lines) + "\n"


def skeleton(vendor: str) -> tuple[str, list[str]]:
    """``coverage.yaml`` written anew: entries kept, a ``TODO`` for each new statement, stale entries dropped.

    Returns the text and the keys of the entries dropped.
    """
    coverage = load_coverage(vendor)
    revision = catalog.revision_of(vendor)
    if not coverage_path(vendor).is_file() and revision != providers.get(vendor).seed_revision:
        coverage = inherited(vendor, revision)
    found = statements(vendor, coverage)
    keys = {s.key for s in found}
    text = render(vendor, documents.revision_path(vendor, revision).name, coverage, found)
    return text, [k for k in coverage.entries if k not in keys]


def inherited(vendor: str, revision: str) -> Coverage:
    """A new revision's coverage, started from the seed revision's decisions.

    A statement the seed revision has with the same words keeps its decision; a new or
    reworded one gets none (so the skeleton writes ``TODO`` for it): only what changed is
    decided again.
    """
    seed = providers.get(vendor).seed_revision
    older = load_coverage(vendor, catalog.revision_directory(vendor, seed) / COVERAGE_FILE)
    before = {s.key: s.text for s in split(_revision_text(vendor, seed), older.sections)}
    after = split(_revision_text(vendor, revision), older.sections)
    kept = {s.key: older.entries[s.key] for s in after
            if s.key in older.entries and s.key in before
            and documents.plain_text(before[s.key]) == documents.plain_text(s.text)}
    return Coverage(vendor=vendor, sections=dict(older.sections), entries=kept)


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False)
    return text.strip().removesuffix("...").strip()
