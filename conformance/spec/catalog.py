"""What the suite reads from ``schemas/``: schemas, the requirement catalogue
and the JSONPath map of each vendor.

Everything downstream (emulator, adapters, checks, reports) asks this module,
so a vendor's facts live in one folder of data, not in code.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from jsonpath_ng.ext import parse as jsonpath

from conformance import providers
from conformance.files import load_yaml
from conformance.wire.values import wire_string

Category = Literal["schema", "pagination", "filters", "empty-arrays", "dry-run", "error-codes", "auth", "client"]
CATEGORIES: tuple[str, ...] = ("schema", "pagination", "filters", "empty-arrays", "dry-run", "error-codes", "auth",
                               "client")
SCHEMAS_ENV = "CONFORMANCE_SCHEMAS_DIR"


def schemas_root() -> Path:
    """``$CONFORMANCE_SCHEMAS_DIR``, else the copy inside an installed wheel, else the checkout's ``schemas/``."""
    override = os.environ.get(SCHEMAS_ENV)
    if override:
        return Path(override)
    bundled = Path(__file__).resolve().parents[1] / "schemas_data"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[2] / "schemas"


@dataclass(frozen=True)
class Requirement:
    """One behaviour the suite checks, traced to a sentence of a vendor document."""

    id: str
    vendor: str
    category: str
    status: Literal["documented", "observed"]
    quote: str
    summary: str
    check: str
    args: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    #: The table row (its first cell, a parameter or field name) the quote comes from, when it comes from one.
    row: str = ""
    #: The document contradicts itself here (or lists what its own operation cannot do).
    contradiction: bool = False
    #: A requirement whose source is not a sentence of the document but a vendor's official SDK:
    #: ``{package: <distribution name>, version: <the version the catalogue was written against>}``.
    #: Its ``quote`` is then empty; :attr:`citation` names the package and the version installed at run time.
    source: dict[str, str] = field(default_factory=dict)

    @property
    def documented(self) -> bool:
        return self.status == "documented"

    @property
    def package(self) -> str:
        """The SDK distribution this requirement is quoted from; "" for one quoted from the document."""
        return str(self.source.get("package", ""))

    @property
    def citation(self) -> str:
        """What the requirement is quoted from: the document's sentence, or ``package==version`` as installed now.

        The installed version, not the catalogue's: a verdict is the judgement of the SDK that ran.
        """
        if not self.package:
            return self.quote
        return f"{self.package}=={installed_version(self.package) or 'not installed'}"


def installed_version(package: str) -> str:
    """The installed version of distribution ``package``; "" if it is not installed."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


_SIMPLE_PATH = re.compile(r"\$((?:\.[A-Za-z_][\w-]*(?:\[\*\])?)+)\Z")


class SimplePath:
    """A JSONPath of plain fields and ``[*]`` (``$.A.B[*].C``), read without jsonpath_ng on plain data.

    Discovery reads every instance of a large listing through these paths; jsonpath_ng is an
    order of magnitude slower. :meth:`find` answers None where the data is not plain dicts and
    lists along the path, and the caller then asks jsonpath_ng, whose answer is authoritative.
    """

    def __init__(self, expression: str):
        match = _SIMPLE_PATH.match(expression)
        self.steps = [(part.removesuffix("[*]"), part.endswith("[*]")) for part in match.group(1)[1:].split(".")] \
            if match else None

    def find(self, document: Any) -> list[Any] | None:
        if self.steps is None:
            return None
        current = [document]
        for name, every in self.steps:
            found: list[Any] = []
            for value in current:
                if not isinstance(value, dict):
                    return None
                if name not in value:
                    continue
                inner = value[name]
                if every:
                    if not isinstance(inner, list):
                        return None
                    found.extend(inner)
                else:
                    found.append(inner)
            current = found
        return current


@dataclass(frozen=True)
class FilterSpec:
    """A request filter and where an instance carries the value it filters on."""

    name: str
    path: str
    match: Literal["exact", "json-array", "wildcard", "fuzzy"] = "exact"
    requires: dict[str, str] = field(default_factory=dict)
    #: A well-formed value no instance carries, for "a value nobody carries returns none".
    nomatch: str | None = None
    #: Parameters the document ties the filtered field to (``AdditionalAttributes.N``): an answer holds the
    #: field only when they are sent, so the discovery walk sends them (:attr:`VendorCatalog.reveal`).
    reveal: dict[str, str] = field(default_factory=dict)

    @cached_property
    def expression(self):  # jsonpath_ng expression, parsed once
        return jsonpath(self.path)

    @cached_property
    def simple(self) -> SimplePath:
        return SimplePath(self.path)

    def values(self, item: dict[str, Any]) -> list[str]:
        """The item's values for this filter, as wire strings (``true``, ``0``)."""
        found = self.simple.find(item)
        if found is None:
            found = [m.value for m in self.expression.find(item)]
        return [wire_string(v) for v in found if v not in (None, "")]


class Paths:
    """Compiled JSONPath expressions of one vendor's map, read with :meth:`get`/:meth:`all`."""

    def __init__(self, mapping: dict[str, str]):
        self._source = dict(mapping)
        self._compiled = {name: jsonpath(expr) for name, expr in mapping.items()}
        self._simple = {name: SimplePath(expr) for name, expr in mapping.items()}

    def __contains__(self, name: str) -> bool:
        return name in self._compiled

    def expr(self, name: str) -> str:
        return self._source[name]

    def all(self, name: str, document: Any) -> list[Any]:
        found = self._simple[name].find(document)
        return found if found is not None else [m.value for m in self._compiled[name].find(document)]

    def get(self, name: str, document: Any, default: Any = None) -> Any:
        if name not in self._compiled:
            return default
        found = self.all(name, document)
        return found[0] if found else default


@dataclass(frozen=True)
class VendorCatalog:
    """Everything ``schemas/<vendor>/`` holds, loaded once."""

    vendor: str
    directory: Path

    def _json(self, name: str) -> dict[str, Any]:
        return json.loads((self.directory / name).read_text(encoding="utf-8"))

    def _yaml(self, name: str) -> dict[str, Any]:
        return load_yaml((self.directory / name).read_text(encoding="utf-8"))

    @cached_property
    def request_schema(self) -> dict[str, Any]:
        return self._json("request.schema.json")

    @cached_property
    def response_schema(self) -> dict[str, Any]:
        return self._json("response.schema.json")

    @cached_property
    def error_schema(self) -> dict[str, Any]:
        return self._json("error.schema.json")

    @property
    def openapi_path(self) -> Path:
        return self.directory / "openapi.json"

    @cached_property
    def jsonpath_map(self) -> dict[str, Any]:
        return self._yaml("jsonpath.yaml")

    @cached_property
    def answer(self) -> Paths:
        return Paths(self.jsonpath_map["answer"])

    @cached_property
    def item(self) -> Paths:
        return Paths(self.jsonpath_map["item"])

    @cached_property
    def lists(self) -> list[str]:
        return list(self.jsonpath_map.get("lists", []))

    @cached_property
    def filters(self) -> dict[str, FilterSpec]:
        return {name: FilterSpec(name=name, **spec) for name, spec in self.jsonpath_map["filters"].items()}

    @cached_property
    def reveal(self) -> dict[str, str]:
        """The parameters that make an answer hold every filtered field (see :attr:`FilterSpec.reveal`)."""
        out: dict[str, str] = {}
        for spec in self.filters.values():
            out.update(spec.reveal)
        return out

    @cached_property
    def model_rules(self) -> dict[str, Any]:
        """What the document answers to a request that breaks a rule (``model.yaml``; empty without one)."""
        path = self.directory / "model.yaml"
        return self._yaml("model.yaml") if path.is_file() else {}

    @cached_property
    def requirements(self) -> list[Requirement]:
        data = self._yaml("requirements.yaml")
        return [Requirement(vendor=self.vendor, **{"quote": "", **entry}) for entry in data["requirements"]]


@lru_cache(maxsize=None)
def load(vendor: str) -> VendorCatalog:
    return VendorCatalog(vendor=vendor, directory=schemas_root() / providers.get(vendor).schema_dir)
