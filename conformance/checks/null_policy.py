"""Nulls in answers, decided from evidence: which schema errors a null may waive, and which still fail.

Real answers carry ``null`` in documented scalar fields (Tencent's
``ExpiredTime`` and ``RenewFlag`` of pay-as-you-go instances, ``Placement.HostId``,
``InternetAccessible.InternetChargeType``), some marked "may return null" in the
vendor's SDK model, some not; neither document mentions null. A schema gate
that failed them would fail every real account, so such nulls are observed and
listed, and everything that matters still fails.
Evidence: ``tests/data/real_answers/null_evidence.yaml`` (SDK models and
recorded answers, with their provenance in ``PROVENANCE.md``).

Policy
------
Input: an answer document (JSON, or an Alibaba XML answer already decoded to
the JSON shape), the vendor's response schema, and where the instances are:
``answer.items`` of ``schemas/<vendor>/jsonpath.yaml`` (``$.Response.InstanceSet[*]``,
``$.Instances.Instance[*]``); the list itself is that path without ``[*]``,
which is ``lists[0]`` of the same file.

Output: ``NullPolicyResult``
  ``errors``    the schema errors that still fail the gate;
  ``waived``    the schema errors that were waived: each is a null the policy
                observes instead of failing (the absolute path, for the report);
  ``observed``  every null inside an instance, as an instance-relative field
                path (``Placement.HostId``, ``DataDisks[].KmsKeyId``) with the
                number of instances that carry it, documented or not and
                whether or not the schema already allows it.

A schema error is waived, and only then, when all of these hold:
  1. the value is JSON null;
  2. it sits inside one instance: below ``<list>[i]``, not the list itself,
     nor anything outside the list (``InstanceSet: null``,
     ``Instances: null``, ``Instances.Instance: null``, ``TotalCount: null``
     still fail: the documents give those empty-list / count semantics);
  3. it is the value of a named field, not an element of a list
     (``PrivateIpAddresses: [null]`` still fails);
  4. the schema describes that field as a scalar or a list, not a structure
     (``Placement: null``, ``InternetAccessible: null`` still fail: nothing
     real has been seen doing that, and a null structure hides every field
     below it);
  5. the field is not one the instance schema requires at its top level
     (``InstanceId``, ``Placement`` for Tencent; ``InstanceId``, ``RegionId``,
     ``ZoneId``, ``Status``, ``InstanceType`` for Alibaba): a null there is
     as bad as a missing field.
Every other error still fails, notably a documented field with a wrong
non-null type (``"CPU": "1"``, ``"HostId": 123``).

Fields beyond the document are not schema errors today (the schemas leave
``additionalProperties`` open); nulls in them are still listed in ``observed``.

Evidence for the choice: tests/data/real_answers/null_evidence.yaml.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from conformance.wire.refs import resolve_ref

Path = tuple[Any, ...]


@dataclass(frozen=True)
class NullPolicyResult:
    errors: list[ValidationError] = field(default_factory=list)
    waived: list[str] = field(default_factory=list)
    observed: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.errors


def list_path(items_path: str) -> Path:
    """``$.Response.InstanceSet[*]`` (or without ``[*]``) -> ``("Response", "InstanceSet")``."""
    expr = items_path.strip()
    if expr.endswith("[*]"):
        expr = expr[:-3]
    if not expr.startswith("$"):
        raise ValueError(f"not a JSONPath: {items_path!r}")
    parts = [p for p in expr[1:].split(".") if p]
    if not parts or any(not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p) for p in parts):
        raise ValueError(f"only $.a.b[*] paths are supported: {items_path!r}")
    return tuple(parts)


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        node = resolve_ref(node, root)
    return node


def _instance_schema(schema: dict[str, Any], where: Path) -> dict[str, Any]:
    node = _resolve(schema, schema)
    for part in where:
        node = _resolve(node.get("properties", {}).get(part, {}), schema)
    return _resolve(node.get("items", {}), schema)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _relative(path: Path) -> str:
    out = ""
    for part in path:
        out += "[]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


def _nulls(value: Any, path: Path) -> list[Path]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, path + (k,))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, path + (i,))]
    return []


def apply_null_policy(answer: Any, schema: dict[str, Any], items_path: str,
                      validator: Draft202012Validator | None = None) -> NullPolicyResult:
    """Validate ``answer`` against ``schema`` and apply the null policy (module docstring)."""
    where = list_path(items_path)
    depth = len(where)
    required = set(_instance_schema(schema, where).get("required", []))

    errors: list[ValidationError] = []
    waived: list[str] = []
    for error in (validator or Draft202012Validator(schema)).iter_errors(answer):
        path = tuple(error.absolute_path)
        inside = (
            len(path) > depth + 1
            and path[:depth] == where
            and isinstance(path[depth], int)
        )
        if (
            error.instance is None
            and inside
            and isinstance(path[-1], str)
            and "object" not in _types(error.schema if isinstance(error.schema, dict) else {})
            and not (len(path) == depth + 2 and path[-1] in required)
        ):
            waived.append("$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path))
            continue
        errors.append(error)

    observed: Counter[str] = Counter()
    instances: Any = answer
    for part in where:
        instances = instances.get(part) if isinstance(instances, dict) else None
    for instance in instances if isinstance(instances, list) else []:
        for field_path in {_relative(p) for p in _nulls(instance, ()) if p}:
            observed[field_path] += 1
    return NullPolicyResult(errors=errors, waived=sorted(set(waived)), observed=dict(sorted(observed.items())))
