"""Derive the JSON Schemas in ``schemas/`` from the vendor documents.

``python -m conformance.spec.derive`` (``make derive``) rewrites each provider's
``request.schema.json``, ``response.schema.json``, ``error.schema.json`` and
``openapi.json`` with the ``DERIVATIONS`` of the provider's document parser
(``conformance.spec.parsers.*``). ``tests/test_traceability.py`` re-derives and
compares, so a hand edit of a schema that the documents do not support fails
the tests.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance import providers

SCHEMAS_ROOT = Path(__file__).resolve().parent.parent.parent / "schemas"


def derivations(vendor: str) -> dict[str, Callable[[], dict[str, Any]]]:
    """The provider's derived files, by name, and the function that builds each."""
    module = importlib.import_module(providers.get(vendor).parser)
    return dict(module.DERIVATIONS)


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def derive_all() -> dict[Path, str]:
    """Every derived file, by path, as it should stand in ``schemas/``."""
    return {
        SCHEMAS_ROOT / providers.get(vendor).schema_dir / name: render(build())
        for vendor in providers.names()
        for name, build in derivations(vendor).items()
    }


def main(argv: list[str] | None = None) -> int:
    for path, text in derive_all().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(SCHEMAS_ROOT.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
