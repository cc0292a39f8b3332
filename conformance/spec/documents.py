"""The two vendor documents: where they live and what their Markdown tables say.

The documents in ``documents/`` (the checkout's, or the copy inside an installed
wheel) are the contract. Everything the suite enforces quotes them, so this
module is the only place that knows how to find and read them. The tables are
hand-edited Markdown with cells that run over several lines, rows missing their
closing ``|`` and rows missing their opening one; :func:`parse_tables` copes
with all three.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from conformance import providers

#: Environment variable that overrides where the vendor documents are read from.
SPEC_DIR_ENV = "CONFORMANCE_SPEC_DIR"
#: Where the wheel carries ``documents/`` (``pyproject.toml`` force-includes it there), beside ``schemas_data``.
BUNDLED_DIR = "documents_data"


class DocumentNotFound(FileNotFoundError):
    """The vendor documents are not where the project expects them."""


def spec_dir() -> Path:
    """Directory holding the vendor documents, looked up as :func:`conformance.spec.catalog.schemas_root` is.

    ``$CONFORMANCE_SPEC_DIR`` wins; otherwise the copy inside an installed wheel
    (``conformance/documents_data``); otherwise the checkout's ``documents/``. The
    documents travel with the package: an installed suite quotes them in every report.
    """
    override = os.environ.get(SPEC_DIR_ENV)
    if override:
        return Path(override)
    bundled = Path(__file__).resolve().parents[1] / BUNDLED_DIR
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[2] / "documents"


def document_path(vendor: str) -> Path:
    name = providers.get(vendor).document
    path = spec_dir() / name
    if not path.is_file():
        raise DocumentNotFound(
            f"vendor document for {vendor!r} not found at {path}; "
            f"set {SPEC_DIR_ENV} to the folder holding {name}"
        )
    return path


@lru_cache(maxsize=None)
def document_text(vendor: str) -> str:
    return document_path(vendor).read_text(encoding="utf-8")


def normalize_space(text: str) -> str:
    """Collapse every run of white space to one blank.

    Quotes are compared after this, so that a sentence the document wraps over
    two lines of a table cell can still be quoted on one line.
    """
    return re.sub(r"\s+", " ", text).strip()


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def plain_text(text: str) -> str:
    """Markdown's markup out of a sentence: links become their text; escapes, code and bold marks go.

    Requirements quote clean sentences; a quote is found in the document when
    both read the same once the markup is gone.
    """
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)
    return normalize_space(text.replace("`", "").replace("**", ""))


def quote_in_document(vendor: str, quote: str, revision: str = "") -> bool:
    """Whether ``quote`` stands in the vendor's document (of ``revision``; "": the seed), markup aside."""
    text = revision_document(vendor, revision).text if revision else document_text(vendor)
    if normalize_space(quote) in normalize_space(text):
        return True
    return plain_text(quote) in plain_text(text)


def first_sentence(cell: str) -> str:
    """The first sentence of a table cell, as plain text (what a per-row requirement quotes)."""
    text = plain_text(cell)
    match = re.match(r"(.+?(?:\.(?=\s|$)|。))", text)
    return match.group(1) if match else text


@dataclass
class Table:
    """One Markdown table: its header cells and its rows, cells stripped."""

    heading: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def column(self, index: int) -> list[str]:
        return [row[index] for row in self.rows if len(row) > index]


_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}")


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [cell.strip() for cell in line.split("|")]


def parse_tables(text: str) -> list[Table]:
    """Every table of a Markdown document, with the heading it stands under.

    A row starts on a line with at least as many ``|`` as the header has inner
    separators; later lines belong to it while it is still open (it has not
    ended with ``|``). A blank line after a closed row ends the table.
    """
    lines = text.splitlines()
    tables: list[Table] = []
    heading = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif i + 1 < len(lines) and "|" in line and _SEPARATOR.match(lines[i + 1]):
            header = _cells(line)
            needed = len(header) - 1
            table = Table(heading=heading, header=header)
            current: list[str] | None = None
            i += 2
            while i < len(lines):
                row_line = lines[i]
                if row_line.count("|") >= needed and not row_line.startswith("#"):
                    if current is not None:
                        table.rows.append(_cells("\n".join(current)))
                    current = [row_line]
                elif current is not None and not current[-1].rstrip().endswith("|"):
                    current.append(row_line)
                elif row_line.strip() == "":
                    break
                else:
                    break
                i += 1
            if current is not None:
                table.rows.append(_cells("\n".join(current)))
            tables.append(table)
            continue
        i += 1
    return tables


@dataclass(frozen=True)
class Document:
    """One vendor document's text and what is read from it: tables, literal blocks, samples.

    Parsers take a :class:`Document`, not a vendor name, so that any revision of a
    document (or any file given to ``conformance spec derive``) derives the same way.
    """

    text: str
    name: str = ""

    @classmethod
    def from_path(cls, path: Path) -> Document:
        return cls(text=path.read_text(encoding="utf-8"), name=str(path))

    @property
    def tables(self) -> tuple[Table, ...]:
        return _parsed_tables(self.text)

    def table_under(self, heading_part: str, first_header: str | None = None) -> Table:
        """The first table whose heading contains ``heading_part``."""
        for table in self.tables:
            if heading_part in table.heading and (first_header is None or table.header[0] == first_header):
                return table
        raise LookupError(f"no table under a heading containing {heading_part!r} in {self.name or 'the document'}")

    def code_blocks(self) -> list[str]:
        """The literal blocks: fenced ``` blocks and ``<pre>`` blocks, in order."""
        fenced = re.findall(r"```[^\n]*\n(.*?)```", self.text, flags=re.S)
        pre = re.findall(r"<pre>\s*(.*?)</pre>", self.text, flags=re.S)
        return fenced + pre

    def sample_json_response(self) -> dict:
        """The document's own sample success answer, parsed."""
        import json

        for block in self.code_blocks():
            stripped = block.strip()
            if stripped.startswith("{"):
                return json.loads(stripped)
        raise LookupError(f"no JSON sample response in {self.name or 'the document'}")

    def sample_xml_response(self) -> str:
        for block in self.code_blocks():
            if block.strip().startswith("<DescribeInstancesResponse>"):
                return block.strip()
        raise LookupError(f"no XML sample response in {self.name or 'the document'}")


@lru_cache(maxsize=8)
def _parsed_tables(text: str) -> tuple[Table, ...]:
    return tuple(parse_tables(text))


@lru_cache(maxsize=None)
def document(vendor: str) -> Document:
    """The vendor's document as the project reads it (see :func:`document_path`)."""
    return Document(text=document_text(vendor), name=providers.get(vendor).document)


#: Where a provider's later document revisions live, under the spec folder: ``revisions/<schema_dir>/<DATE>.md``.
REVISIONS_DIR = "revisions"


def revision_path(vendor: str, revision: str) -> Path:
    """The file of one revision of the vendor's document (the seed revision is :func:`document_path`)."""
    provider = providers.get(vendor)
    if revision in ("", provider.seed_revision):
        return document_path(vendor)
    if revision not in provider.revisions:
        known = ", ".join(r for r in provider.all_revisions if r) or "none recorded"
        raise DocumentNotFound(f"no revision {revision!r} of the {vendor} document; known: {known}")
    path = spec_dir() / REVISIONS_DIR / provider.schema_dir / f"{revision}.md"
    if not path.is_file():
        raise DocumentNotFound(f"revision {revision} of the {vendor} document not found at {path}")
    return path


@lru_cache(maxsize=None)
def revision_document(vendor: str, revision: str) -> Document:
    """One revision of the vendor's document (the seed's is :func:`document`)."""
    if revision in ("", providers.get(vendor).seed_revision):
        return document(vendor)
    path = revision_path(vendor, revision)
    return Document(text=path.read_text(encoding="utf-8"), name=f"{providers.get(vendor).document} ({revision})")


def tables(vendor: str, revision: str = "") -> tuple[Table, ...]:
    return revision_document(vendor, revision).tables


def table_under(vendor: str, heading_part: str, first_header: str | None = None, revision: str = "") -> Table:
    """The first table whose heading contains ``heading_part`` (in ``revision``'s document; "": the seed's)."""
    try:
        return revision_document(vendor, revision).table_under(heading_part, first_header)
    except LookupError:
        raise LookupError(
            f"no table under a heading containing {heading_part!r} in the {vendor} document") from None


def clean_name(cell: str) -> str:
    """A parameter or field name as written in a table cell, Markdown escapes removed."""
    return cell.replace("\\", "").strip()


def code_blocks(vendor: str) -> list[str]:
    """The literal blocks of a document: fenced ``` blocks and ``<pre>`` blocks, in order."""
    return document(vendor).code_blocks()


def sample_json_response(vendor: str) -> dict:
    """The document's own sample success answer, parsed."""
    return document(vendor).sample_json_response()


def sample_xml_response(vendor: str) -> str:
    return document(vendor).sample_xml_response()
