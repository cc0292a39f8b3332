"""Everything in ``schemas/`` traces back to the vendor documents.

These tests parse the Markdown tables of ``documents/`` at test time, so
a parameter, field, error code or quote that goes missing from the schemas or
the catalogue fails here (``test_mutations_are_caught`` shows each one does).
"""

from __future__ import annotations

import copy
import json
import re

import jsonschema
import pytest

from conformance import providers
from conformance.spec import catalog, derive, documents
from conformance.spec.documents import clean_name
from conformance.wire import xmlcodec

VENDORS = providers.names()


# --------------------------------------------------------------- the checks, as functions

def missing_request_parameters(vendor: str, request_schema: dict) -> list[str]:
    """Request-table names with no property (or pattern) in the request schema."""
    if vendor == "alibaba":
        names = [clean_name(r[0]) for r in documents.table_under("alibaba", "Request parameters").rows]
        props = request_schema["properties"]
        patterns = [p.get("x-document-name") for p in request_schema.get("patternProperties", {}).values()]
        return [n for n in names if n not in props and n not in patterns]
    params = [clean_name(r[0]).removesuffix(".N") for r in documents.table_under("tencent", "输入参数").rows]
    filter_table = next(t for t in documents.tables("tencent") if clean_name(t.rows[0][0]) == "zone")
    filters = [clean_name(r[0]) for r in filter_table.rows]
    missing = [n for n in params if n not in request_schema["properties"]]
    missing += [f for f in filters if f not in request_schema["$defs"]["filters"]]
    return missing


def _all_property_names(schema: dict, root: dict | None = None, seen: set | None = None) -> set[str]:
    root = root or schema
    seen = set() if seen is None else seen
    names: set[str] = set()
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            return names
        seen.add(ref)
        node = root
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return _all_property_names(node, root, seen)
    for name, sub in schema.get("properties", {}).items():
        names.add(name)
        names |= _all_property_names(sub, root, seen)
    if isinstance(schema.get("items"), dict):
        names |= _all_property_names(schema["items"], root, seen)
    return names


def missing_response_fields(vendor: str, response_schema: dict) -> list[str]:
    """Response-table names (and, for Tencent, the example's keys) absent from the schema."""
    present = _all_property_names(response_schema)
    if vendor == "alibaba":
        names = [clean_name(r[0]) for r in documents.table_under("alibaba", "Response parameters").rows]
    else:
        names = [clean_name(r[0]) for r in documents.table_under("tencent", "输出参数").rows]
        names += sorted(_keys(documents.sample_json_response("tencent")))
    return sorted({n for n in names if n not in present})


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def error_codes(vendor: str, revision: str = "") -> list[str]:
    if vendor == "alibaba":
        return [clean_name(r[1]) for r in documents.table_under("alibaba", "Error codes", revision=revision).rows]
    return [clean_name(r[0]) for r in documents.table_under("tencent", "错误码", revision=revision).rows]


def codes_without_requirement(vendor: str, requirements: list[catalog.Requirement], revision: str = "") -> list[str]:
    text = " ".join(r.quote + " " + json.dumps(r.args) for r in requirements)
    return [code for code in error_codes(vendor, revision) if not re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text)]


def quotes_not_in_document(vendor: str, requirements: list[catalog.Requirement], revision: str = "") -> list[str]:
    """Requirements quoted from the document whose quote it does not hold (SDK-sourced ones cite a package)."""
    return [r.id for r in requirements if not r.package and not documents.quote_in_document(vendor, r.quote, revision)]


def sources_not_named(vendor: str, requirements: list[catalog.Requirement]) -> list[str]:
    """Requirements that cite neither a document sentence nor an SDK package and version the adapter offers."""
    from conformance.vendors import adapter

    offered = {sdk.package for sdk in adapter(vendor).sdks()}
    out = []
    for r in requirements:
        if not r.package and r.quote.strip():
            continue
        if not r.package or r.package not in offered or not str(r.source.get("version", "")).strip() or r.quote:
            out.append(r.id)
    return out


def quotes_not_in_their_row(vendor: str, requirements: list[catalog.Requirement], revision: str = "") -> list[str]:
    """Requirements that name a table row whose cells do not hold their quote (or a row no table has)."""
    rows: dict[str, list[str]] = {}
    for table in documents.tables(vendor, revision):
        for row in table.rows:
            rows.setdefault(clean_name(row[0]), []).append(documents.plain_text(" ".join(row)))
    return [r.id for r in requirements if r.row and not any(documents.plain_text(r.quote) in cells
                                                            for cells in rows.get(r.row, []))]


# --------------------------------------------------------------- the tests

@pytest.mark.parametrize("vendor", VENDORS)
def test_documents_have_their_tables(vendor):
    assert len(documents.tables(vendor)) >= 3


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_request_parameter_is_in_the_request_schema(vendor):
    assert missing_request_parameters(vendor, catalog.load(vendor).request_schema) == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_response_field_is_in_the_response_schema(vendor):
    assert missing_response_fields(vendor, catalog.load(vendor).response_schema) == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_quote_occurs_verbatim(vendor):
    requirements = catalog.load(vendor).requirements
    assert requirements
    assert quotes_not_in_document(vendor, requirements) == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_sdk_sourced_requirement_names_its_package_and_version(vendor):
    requirements = catalog.load(vendor).requirements
    assert any(r.package for r in requirements)
    assert sources_not_named(vendor, requirements) == []
    sourced = next(r for r in requirements if r.package)
    assert sourced.citation.startswith(f"{sourced.package}==") and sourced.citation != f"{sourced.package}=="
    # each failure is caught: no source at all, an unknown package, no version, a quote beside the package
    for change in ({"source": {}}, {"source": {"package": "no-such-sdk", "version": "1"}},
                   {"source": {"package": sourced.package}}, {"quote": "also a quote"}):
        edited = catalog.Requirement(**{**sourced.__dict__, **change})
        assert sources_not_named(vendor, [edited]) == [sourced.id], change


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_row_quote_comes_from_its_row(vendor):
    requirements = catalog.load(vendor).requirements
    assert any(r.row for r in requirements)
    assert quotes_not_in_their_row(vendor, requirements) == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_filter_has_a_requirement_of_its_own(vendor):
    """One requirement per filter parameter (or name), each with its own verdict and cassette."""
    cat = catalog.load(vendor)
    own = {r.args.get("filter") for r in cat.requirements if r.check in ("filter_single", "name_pattern")}
    ids = {r.args.get("filter") for r in cat.requirements if r.check == "ids_lookup"}
    assert set(cat.filters) - own - ({"InstanceIds"} if ids else set()) == set()


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_error_code_has_a_requirement(vendor):
    assert codes_without_requirement(vendor, catalog.load(vendor).requirements) == []


LATER_REVISIONS = [(v, r) for v in VENDORS for r in providers.get(v).revisions]


@pytest.mark.parametrize(("vendor", "revision"), LATER_REVISIONS)
def test_a_later_revisions_catalogue_traces_to_its_own_text(vendor, revision):
    """Quotes, rows and error codes of a later revision's catalogue are that revision's words, not the seed's."""
    requirements = catalog.load(vendor, revision).requirements
    assert len({r.id for r in requirements}) == len(requirements)
    assert quotes_not_in_document(vendor, requirements, revision) == []
    assert quotes_not_in_their_row(vendor, requirements, revision) == []
    assert codes_without_requirement(vendor, requirements, revision) == []
    rows = {clean_name(r[1]): int(r[0]) for r in documents.table_under(vendor, "Error codes", revision=revision).rows}
    provoked = [r for r in requirements if r.check == "error_provoked" and r.args.get("code") in rows]
    assert provoked and all(r.args["status"] == rows[r.args["code"]] for r in provoked)
    # each check can fail: a seed quote this revision reworded is not found in it
    seed_only = next(r for r in catalog.load(vendor, providers.get(vendor).seed_revision).requirements
                     if r.id == "ALI-PAGE-010")
    assert quotes_not_in_document(vendor, [seed_only], revision) == ["ALI-PAGE-010"]


def test_alibaba_error_requirements_carry_the_documented_status():
    rows = {clean_name(r[1]): int(r[0]) for r in documents.table_under("alibaba", "Error codes").rows}
    for requirement in catalog.load("alibaba").requirements:
        code = requirement.args.get("code")
        if requirement.check == "error_provoked" and code in rows:
            assert requirement.args["status"] == rows[code], requirement.id


@pytest.mark.parametrize("vendor", VENDORS)
def test_catalogue_is_well_formed(vendor):
    cat = catalog.load(vendor)
    ids = [r.id for r in cat.requirements]
    assert len(ids) == len(set(ids))
    for r in cat.requirements:
        assert r.category in catalog.CATEGORIES, r.id
        assert r.status in ("documented", "observed"), r.id
    # every category the suite offers is covered by at least one documented requirement
    documented = {r.category for r in cat.requirements if r.documented}
    expected = set(catalog.CATEGORIES) - ({"dry-run"} if vendor == "tencent" else set())
    assert expected <= documented


@pytest.mark.parametrize("vendor", VENDORS)
def test_document_samples_validate(vendor):
    cat = catalog.load(vendor)
    jsonschema.Draft202012Validator(cat.response_schema).validate(documents.sample_json_response(vendor))


def test_alibaba_xml_sample_validates_as_xml():
    cat = catalog.load("alibaba")
    decoded = xmlcodec.decode(documents.sample_xml_response("alibaba"), cat.response_schema)
    jsonschema.Draft202012Validator(cat.response_schema).validate(decoded)
    assert decoded["Instances"]["Instance"][0]["OperationLocks"] == {"LockReason": []}
    assert decoded["Instances"]["Instance"][0]["Cpu"] == 2


@pytest.mark.parametrize("vendor", VENDORS)
def test_schemas_are_valid_json_schema(vendor):
    cat = catalog.load(vendor)
    for schema in (cat.request_schema, cat.response_schema, cat.error_schema):
        jsonschema.Draft202012Validator.check_schema(schema)


def test_committed_schemas_equal_their_derivation():
    """A hand edit of ``schemas/*.json`` that ``conformance.spec.derive`` would not produce fails here."""
    for path, text in derive.derive_all().items():
        assert path.read_text(encoding="utf-8") == text, f"{path} differs: run python -m conformance.spec.derive"


@pytest.mark.parametrize("vendor", VENDORS)
def test_openapi_documents_load_in_schemathesis(vendor):
    import schemathesis

    schema = schemathesis.openapi.from_path(str(catalog.load(vendor).openapi_path))
    operations = [op.ok() for op in schema.get_all_operations()]
    assert [op.label for op in operations] == ["GET /"]


@pytest.mark.parametrize("vendor", VENDORS)
def test_jsonpath_map_reads_the_document_sample(vendor):
    cat = catalog.load(vendor)
    sample = documents.sample_json_response(vendor)
    items = cat.answer.all("items", sample)
    assert len(items) == 1
    assert cat.answer.get("total_count", sample) in (58, 2)
    assert cat.item.get("id", items[0]).startswith(("i-", "ins-"))
    for spec in cat.filters.values():
        assert spec.expression is not None  # every filter path parses


# --------------------------------------------------------------- proof the checks can fail

def _drop_property(schema: dict, name: str) -> dict:
    mutated = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            node.get("properties", {}).pop(name, None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(mutated)
    return mutated


def test_mutations_are_caught():
    ali = catalog.load("alibaba")
    tc = catalog.load("tencent")
    # a request parameter goes missing
    assert missing_request_parameters("alibaba", _drop_property(ali.request_schema, "PageSize")) == ["PageSize"]
    dropped_filter = copy.deepcopy(tc.request_schema)
    del dropped_filter["$defs"]["filters"]["host-id"]
    assert missing_request_parameters("tencent", dropped_filter) == ["host-id"]
    # a response field goes missing (nested ones too)
    assert missing_response_fields("alibaba", _drop_property(ali.response_schema, "ThreadsPerCore")) == ["ThreadsPerCore"]
    assert missing_response_fields("tencent", _drop_property(tc.response_schema, "SubnetId")) == ["SubnetId"]
    # an error code loses its requirement
    without = [r for r in ali.requirements if r.id != "ALI-ERR-007"]
    assert codes_without_requirement("alibaba", without) == ["InvalidTag.Mismatch"]
    # a quote is edited
    edited = [catalog.Requirement(**{**r.__dict__, "quote": r.quote + " (paraphrased)"}) if r.id == "TC-PAGE-002" else r
              for r in tc.requirements]
    assert quotes_not_in_document("tencent", edited) == ["TC-PAGE-002"]
    # a row quote is moved to another row
    moved = [catalog.Requirement(**{**r.__dict__, "row": "ZoneId"}) if r.id == "ALI-FILT-VpcId" else r
             for r in ali.requirements]
    assert quotes_not_in_their_row("alibaba", moved) == ["ALI-FILT-VpcId"]
    # the sample stops validating when a documented list is rendered as null
    sample = documents.sample_json_response("alibaba")
    sample["Instances"]["Instance"][0]["OperationLocks"]["LockReason"] = None
    assert list(jsonschema.Draft202012Validator(ali.response_schema).iter_errors(sample))
