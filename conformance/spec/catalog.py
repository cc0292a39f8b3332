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
    #: The later revision of the document the quote comes from ("": the seed's document).
    revision: str = ""

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
    """Everything ``schemas/<vendor>/`` holds for one revision of the vendor's document, loaded once.

    A later revision's folder (``schemas/<dir>/revisions/<DATE>/``) holds its derived schemas and its
    coverage; a hand-written file it does not hold (the catalogue, the JSONPath map, the model) is the
    seed's (``fallback``): the rules the revision did not change are judged the same way.
    """

    vendor: str
    directory: Path
    #: the document revision (a date) these files were derived from
    revision: str = ""
    #: the seed revision's folder, read for a hand-written file this revision's folder does not hold
    fallback: Path | None = None

    def path(self, name: str) -> Path:
        """Where this revision's ``name`` lives: its own folder, else the seed's."""
        own = self.directory / name
        return own if own.is_file() or self.fallback is None else self.fallback / name

    def _json(self, name: str) -> dict[str, Any]:
        return json.loads(self.path(name).read_text(encoding="utf-8"))

    def _yaml(self, name: str) -> dict[str, Any]:
        return load_yaml(self.path(name).read_text(encoding="utf-8"))

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
        path = self.path("model.yaml")
        return self._yaml("model.yaml") if path.is_file() else {}

    @cached_property
    def requirements(self) -> list[Requirement]:
        later = self.revision if self.fallback is not None else ""
        return [Requirement(vendor=self.vendor, revision=later, **{"quote": "", **entry})
                for entry in self._requirement_entries()]

    def _requirement_entries(self) -> list[dict[str, Any]]:
        """The catalogue's entries: a revision's own file is laid over the seed's (``base: seed``).

        An entry with a seed id changes those fields of it, a new id adds a rule, ``removed`` drops
        the rules the revision no longer states; the rest hold as the seed words them.
        """
        data = self._yaml("requirements.yaml")
        if data.get("base") != "seed" or self.fallback is None:
            return list(data["requirements"])
        seed = load_yaml((self.fallback / "requirements.yaml").read_text(encoding="utf-8"))["requirements"]
        removed = {entry["id"] for entry in data.get("removed") or []}
        changes = {entry["id"]: entry for entry in data.get("requirements") or []}
        merged = [{**entry, **changes.pop(entry["id"], {})} for entry in seed if entry["id"] not in removed]
        return merged + list(changes.values())


#: The document revision each vendor is judged against in this process (``--document-revision``); absent: the seed.
_ACTIVE: dict[str, str] = {}
#: The folder under a provider's schemas that holds its later revisions.
REVISIONS_DIR = "revisions"


def revision_of(vendor: str) -> str:
    """The revision ``vendor`` is judged against in this process: the one selected, else the seed."""
    return _ACTIVE.get(vendor) or providers.get(vendor).seed_revision


def check_revision(vendor: str, revision: str) -> None:
    """Raise ValueError, naming the known ones, for a revision the provider does not hold."""
    provider = providers.get(vendor)
    if revision not in provider.all_revisions:
        known = ", ".join(r for r in provider.all_revisions if r) or "none recorded"
        holders = [v for v in providers.names() if v != vendor and revision in providers.get(v).all_revisions]
        hint = f" ({revision} is a revision of the {', '.join(holders)} document: choose --vendor)" if holders else ""
        raise ValueError(f"no document revision {revision!r} for {vendor}; known: {known}{hint}")


def select_revision(vendor: str, revision: str | None) -> None:
    """Judge ``vendor`` against ``revision`` from now on in this process (None or "": the seed).

    A run selects it once, from its settings, before anything loads a catalogue; the
    embedded emulator, the adapters and the checks then all read the same revision.
    """
    revision = revision or providers.get(vendor).seed_revision
    check_revision(vendor, revision)
    _ACTIVE[vendor] = revision


def revision_directory(vendor: str, revision: str) -> Path:
    provider = providers.get(vendor)
    base = schemas_root() / provider.schema_dir
    return base if revision in ("", provider.seed_revision) else base / REVISIONS_DIR / revision


def load(vendor: str, revision: str | None = None) -> VendorCatalog:
    """The catalogue of ``vendor`` for ``revision`` (default: the revision selected for this process)."""
    return _load(vendor, revision or revision_of(vendor))


@lru_cache(maxsize=None)
def _load(vendor: str, revision: str) -> VendorCatalog:
    check_revision(vendor, revision)
    seed = revision_directory(vendor, "")
    directory = revision_directory(vendor, revision)
    return VendorCatalog(vendor=vendor, directory=directory, revision=revision,
                         fallback=None if directory == seed else seed)


load.cache_clear = _load.cache_clear  # type: ignore[attr-defined]
