"""Schema: answers validate against ``schemas/``; schemathesis fuzzes the endpoint.

Real vendors return more fields than the documents list: an undocumented
field is an observation (``undocumented_fields``), never a failure, because
every schema allows additional properties. A documented field of the wrong
type or shape fails.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from typing import Any

import jsonschema
from hypothesis import strategies as st

from conformance.checks import check
from conformance.checks.context import CheckContext, Failed, Observation
from conformance.checks.errors import PROVOKING_ARGS, provoking_query
from conformance.checks.generated import run_examples
from conformance.checks.null_policy import apply_null_policy
from conformance.spec.catalog import VendorCatalog
from conformance.vendors.base import Answer, Query
from conformance.wire.refs import resolve_ref
from conformance.wire.values import wire_string


@lru_cache(maxsize=None)
def _validator(cat: VendorCatalog, which: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(cat.response_schema if which == "response" else cat.error_schema)


def schema_errors(ctx: CheckContext, answer: Answer, which: str, nulls: Counter[str] | None = None) -> list[str]:
    """The answer's violations of the response or error schema.

    Nulls inside an instance that the null policy waives (:mod:`conformance.checks.null_policy`)
    are not violations; they are counted in ``nulls`` by field.
    """
    if answer.parse_error:
        return [answer.parse_error]
    validator = _validator(ctx.catalog, which)
    if which == "response":
        verdict = apply_null_policy(answer.document, ctx.catalog.response_schema, ctx.catalog.answer.expr("items"),
                                    validator)
        errors = verdict.errors
        if nulls is not None:
            nulls.update(verdict.observed)
    else:
        errors = list(validator.iter_errors(answer.document))
    errors.sort(key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}" for e in errors]


@check("response_schema", optional={"format": str})
def response_schema(ctx: CheckContext, args: dict[str, Any]) -> None:
    fmt = args.get("format", "JSON")
    listing = ctx.target.listing()
    queries = [("the first page of 100", Query(offset=0, limit=100)),
               ("the default page", Query()),
               ("an empty answer", Query(ids=ctx.adapter.synthetic_ids(1)))]
    if listing.ids:
        queries.append(("a lookup by id", Query(ids=listing.ids[:3])))
    problems = []
    nulls: Counter[str] = Counter()
    for what, query in queries:
        query.format = fmt
        answer = ctx.send(query, note=what)
        ctx.expect_ok(answer, what)
        problems += [f"{what}: {e}" for e in schema_errors(ctx, answer, "response", nulls)]
    if problems:
        raise Failed(f"{len(problems)} schema violation(s); first: {problems[0]}",
                     expected="answers valid against response.schema.json", observed=problems[:20])
    ctx.passed_message = (f"{len(queries)} {fmt} answers (full page, default page, empty, lookup) valid against the "
                          f"response schema")
    if nulls:
        ctx.passed_message += ("; null observed (not failed) in " +
                               ", ".join(f"{field} ×{count}" for field, count in sorted(nulls.items())))


@check("error_schema", optional=PROVOKING_ARGS)
def error_schema(ctx: CheckContext, args: dict[str, Any]) -> None:
    formats = list(ctx.adapter.capabilities.formats)
    problems = []
    for fmt in formats:
        query = provoking_query(ctx, args)
        query.format = fmt
        answer = ctx.send(query, note=f"an error answer ({fmt})")
        if answer.error_code is None:
            problems.append(f"{fmt}: the invalid request was not refused (HTTP {answer.status})")
            continue
        problems += [f"{fmt}: {e}" for e in schema_errors(ctx, answer, "error")]
    if problems:
        raise Failed(f"error answers do not conform; first: {problems[0]}",
                     expected="answers valid against error.schema.json", observed=problems)
    ctx.passed_message = f"error answers in {' and '.join(formats)} valid against the error schema"


PAGING_PARAMETERS = frozenset({"PageNumber", "PageSize", "Offset", "Limit"})


def _query_of(case: Any) -> dict[str, Any]:
    """The generated query of a schemathesis case: the example a recording stores."""
    return dict(case.query or {})


def _paging_document(path: Any) -> dict[str, Any]:
    """The OpenAPI document cut down to its required and paging parameters, the paging ones required.

    Cases generated from the whole document rarely carry the optional paging parameters at all;
    these carry them always, across and (negative cases) outside their documented ranges.
    """
    document = json.loads(path.read_text(encoding="utf-8"))
    operation = document["paths"]["/"]["get"]
    operation["parameters"] = [
        {**p, "required": True} if p["name"] in PAGING_PARAMETERS else p
        for p in operation["parameters"] if p.get("required") or p["name"] in PAGING_PARAMETERS
    ]
    return document


def _fuzz_strategy(ctx: CheckContext, fixed: dict[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    import schemathesis
    from schemathesis.generation.feedback import NO_FEEDBACK
    from schemathesis.generation.modes import GenerationMode

    strategies = []
    for schema in (schemathesis.openapi.from_path(str(ctx.catalog.openapi_path)),
                   schemathesis.openapi.from_dict(_paging_document(ctx.catalog.openapi_path))):
        operation = next(result.ok() for result in schema.get_all_operations())  # type: ignore[union-attr]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # No feedback: schemathesis would otherwise harvest string constants from loaded modules.
            strategies.append(operation.as_strategy(mode, query=fixed or None, feedback=NO_FEEDBACK).map(_query_of))
    return st.one_of(*strategies)


#: schemathesis cases per run (positive and negative, from two documents): each is a request against
#: somebody's account, and 16 already reach every parameter's wrong types and out-of-range values.
FUZZ_EXAMPLES = 16


@check("fuzz", optional={"examples": int})
def fuzz(ctx: CheckContext, args: dict[str, Any]) -> None:
    capabilities = ctx.adapter.capabilities
    # The region is the target's: a random one would only ever be refused, hiding every other parameter.
    fixed = {name: value.format(region=ctx.client.region) for name, value in capabilities.fuzz_fixed.items()}
    replaying = getattr(ctx.target.examples, "replaying", False)
    # a replay runs the recorded cases: schemathesis (slow to import and to load) is not needed
    strategy = st.nothing() if replaying else _fuzz_strategy(ctx, fixed)
    seen: dict[str, int] = {}

    def example(generated: dict[str, Any]) -> None:
        params = {str(k): wire_string(v) for k, v in generated.items() if v is not None}
        # The generated parameters are the business parameters; the client adds signing only.
        query = Query(extra=params, drop=tuple(name for name in fixed if name not in params))
        answer = ctx.send(query, note="schemathesis case", signing_mode=capabilities.form_mode)
        seen[str(answer.status)] = seen.get(str(answer.status), 0) + 1
        if answer.status >= 500:
            raise Failed(f"HTTP {answer.status} for generated parameters {params}", expected="no 5xx",
                         observed={"status": answer.status, "body": answer.text[:500]})
        which = "error" if answer.error_code is not None else "response"
        problems = schema_errors(ctx, answer, which)
        if problems:
            raise Failed(f"the answer to generated parameters does not conform: {problems[0]}",
                         expected=f"valid against {which}.schema.json",
                         observed={"params": params, "problems": problems[:10]})

    count = run_examples(strategy, example, ctx, max_examples=int(args.get("examples", FUZZ_EXAMPLES)))
    ctx.passed_message = f"{count} schemathesis cases (positive and negative): no 5xx, every answer conforms; statuses {seen}"


def undocumented(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str, out: set[str]) -> None:
    schema = resolve_ref(schema, root)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key, sub in value.items():
            if key not in props:
                out.add(f"{path}.{key}")
            else:
                undocumented(sub, props[key], root, f"{path}.{key}", out)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for sub in value:
            undocumented(sub, schema["items"], root, f"{path}[]", out)


@check("undocumented_fields")
def undocumented_fields(ctx: CheckContext, args: dict[str, Any]) -> Observation:
    answer = ctx.send(Query(offset=0, limit=100), note="a full page")
    ctx.expect_ok(answer, "the listing")
    found: set[str] = set()
    schema = ctx.catalog.response_schema
    undocumented(answer.document, schema, schema, "$", found)
    if not found:
        return Observation("every field of the answer is documented", [])
    return Observation(f"{len(found)} undocumented field(s): {', '.join(sorted(found)[:15])}", sorted(found))


@check("observe_field_types", required={"paths": list})
def observe_field_types(ctx: CheckContext, args: dict[str, Any]) -> Observation:
    from jsonpath_ng.ext import parse

    answer = ctx.send(Query(offset=0, limit=100), note="a full page")
    ctx.expect_ok(answer, "the listing")
    seen = {}
    for path in args["paths"]:
        kinds = sorted({type(m.value).__name__ + (f" {m.value!r}" if isinstance(m.value, (str, bool)) else "")
                        for m in parse(path).find(answer.document)})
        seen[path] = kinds
    return Observation("; ".join(f"{p.rsplit('.', 1)[-1]}: {', '.join(k) or 'absent'}" for p, k in seen.items()), seen)
