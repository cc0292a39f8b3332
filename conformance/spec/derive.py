"""Derive the JSON Schemas in ``schemas/`` from the vendor documents, every revision of them.

``python -m conformance.spec.derive`` (``make derive``) rewrites each provider's
``request.schema.json``, ``response.schema.json``, ``error.schema.json`` and
``openapi.json`` with the ``DERIVATIONS`` of the provider's document parser
(``conformance.spec.parsers.*``): the seed revision's into ``schemas/<dir>/``,
each later revision's into ``schemas/<dir>/revisions/<DATE>/``. The parsers read
any revision in the document's format, so a new revision needs no code.
``tests/test_traceability.py`` re-derives and compares, so a hand edit of a
schema that the documents do not support fails the tests.
``conformance spec derive`` runs the same derivation on any document file.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance import providers
from conformance.spec import documents
from conformance.spec.documents import Document

SCHEMAS_ROOT = Path(__file__).resolve().parent.parent.parent / "schemas"

#: The derived JSONPath map beside the schemas: where each field of the response table lives in an answer.
FIELD_PATHS = "fields.jsonpath.json"


def derivations(vendor: str) -> dict[str, Callable[..., dict[str, Any]]]:
    """The provider's derived files, by name, and the function that builds each (given a :class:`Document`)."""
    module = importlib.import_module(providers.get(vendor).parser)
    return dict(module.DERIVATIONS)


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def revision_dir(vendor: str, revision: str) -> Path:
    """Where a revision's schemas live: the seed's in ``schemas/<dir>/``, a later one's under ``revisions/<DATE>/``."""
    provider = providers.get(vendor)
    base = SCHEMAS_ROOT / provider.schema_dir
    return base if revision in ("", provider.seed_revision) else base / "revisions" / revision


def field_paths(response_schema: dict[str, Any]) -> dict[str, str]:
    """Every field of a derived response schema and its JSONPath in an answer (``$.Instances.Instance[*].Cpu``)."""
    out: dict[str, str] = {}
    defs = response_schema.get("$defs", {})

    def walk(schema: dict[str, Any], path: str, key: str) -> None:
        if "$ref" in schema:
            schema = defs[schema["$ref"].rsplit("/", 1)[1]]
        if schema.get("type") == "array":
            walk(schema.get("items", {}), path + "[*]", key)
            return
        for name, sub in schema.get("properties", {}).items():
            child_key = f"{key}.{name}" if key else name
            out[child_key] = f"{path}.{name}"
            walk(sub, f"{path}.{name}", child_key)

    walk(response_schema, "$", "")
    return out


def derive_document(vendor: str, document: Document) -> dict[str, str]:
    """Every derived file of one document, by file name, rendered.

    Raises :class:`conformance.spec.nesting.DocumentError` (naming the row) where the
    document is too broken to derive something.
    """
    out = {name: render(build(document)) for name, build in derivations(vendor).items()}
    if "response.schema.json" in out:
        out[FIELD_PATHS] = render(field_paths(json.loads(out["response.schema.json"])))
    return out


def derive_all() -> dict[Path, str]:
    """Every derived file of every provider's every revision, by path, as it should stand in ``schemas/``."""
    out: dict[Path, str] = {}
    for vendor in providers.names():
        for revision in providers.get(vendor).all_revisions:
            document = documents.revision_document(vendor, revision)
            built = {name: render(build(document)) for name, build in derivations(vendor).items()}
            for name, text in built.items():
                out[revision_dir(vendor, revision) / name] = text
    return out


def main(argv: list[str] | None = None) -> int:
    for path, text in derive_all().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(SCHEMAS_ROOT.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
