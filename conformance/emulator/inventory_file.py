"""Inventories from files: a saved real answer of either vendor, or a plain list of instances.

People have real answers at hand: ``tccli cvm DescribeInstances`` output, a
recorded ``{"Response": ...}``, an ECS answer in JSON or XML. Those carry
fields the 2017/2014 documents never listed and null in many scalar fields
(``RenewFlag``, ``ExpiredTime`` of a pay-as-you-go instance). Both are kept
as they are: undocumented fields are served, nulls are served as null. What
is checked is only what the documents fix: a documented field that is
present and not null must have its documented type. Anything refused is
refused with the file's path and the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema
import yaml

from conformance.spec import catalog
from conformance.wire import xmlcodec


class InventoryError(ValueError):
    """A user's inventory file that cannot be used."""


def _without_nulls(value: Any) -> Any:
    """``value`` with every null dropped, for validation only: null means 'not known' in real answers."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def _parse(vendor: str, path: Path, text: str) -> Any:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        if vendor != "alibaba":
            raise InventoryError(f"inventory {path}: XML answers are Alibaba's; Tencent answers are JSON")
        try:
            root = ElementTree.fromstring(stripped)
        except ElementTree.ParseError as exc:
            raise InventoryError(f"inventory {path} is not valid XML: {exc}") from None
        if root.tag == "Error":
            code = root.findtext("Code") or "?"
            raise InventoryError(f"inventory {path}: an error answer ({code}), not a listing")
        return xmlcodec.decode(stripped, catalog.load(vendor).response_schema)
    try:
        if path.suffix == ".json":
            return json.loads(stripped)
        return yaml.safe_load(stripped)  # YAML reads JSON too, and saved answers often lack a .json suffix
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InventoryError(f"inventory {path} is not valid JSON/YAML: {exc}") from None


def _items(vendor: str, path: Path, data: Any) -> list[Any]:
    """The instances of a plain list, or of a whole answer in any form people save."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise InventoryError(f"inventory {path}: expected a list of instances or a DescribeInstances answer")
    cat = catalog.load(vendor)
    if vendor == "tencent":
        response = data.get("Response", data)  # tccli and the SDK's to_json_string() print it unwrapped
        if isinstance(response, dict) and isinstance(response.get("Error"), dict):
            raise InventoryError(f"inventory {path}: an error answer ({response['Error'].get('Code')}), not a listing")
        if not isinstance(response, dict) or "InstanceSet" not in response:
            raise InventoryError(f"inventory {path}: no InstanceSet; expected a CVM DescribeInstances answer "
                                 "(with or without its Response wrapper) or a list of instances")
        return response["InstanceSet"] or []
    if "Code" in data and "Instances" not in data:
        raise InventoryError(f"inventory {path}: an error answer ({data['Code']}), not a listing")
    if "Instances" not in data:
        raise InventoryError(f"inventory {path}: no Instances; expected an ECS DescribeInstances answer "
                             "or a list of instances")
    return cat.answer.all("items", data)


def load_file(vendor: str, path: str | Path) -> list[dict[str, Any]]:
    """Instances from a JSON, YAML or (Alibaba) XML file: a list of instances or a whole saved answer."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InventoryError(f"cannot read inventory {path}: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise InventoryError(f"inventory {path} is not UTF-8 text") from None
    return instances_from(vendor, _parse(vendor, path, text), str(path))


def instances_from(vendor: str, data: Any, source: str) -> list[dict[str, Any]]:
    """The validated instances of parsed JSON: a list of instances or a whole answer (a file, the control API)."""
    items = _items(vendor, Path(source), data)
    if not all(isinstance(i, dict) for i in items):
        raise InventoryError(f"inventory {source}: every instance must be an object")
    cat = catalog.load(vendor)
    instance_schema = {**cat.response_schema["$defs"]["Instance"], "$defs": cat.response_schema["$defs"]}
    validator = jsonschema.Draft202012Validator(instance_schema)
    for n, item in enumerate(items):
        error = jsonschema.exceptions.best_match(validator.iter_errors(_without_nulls(item)))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(item)"
            raise InventoryError(f"inventory {source}: instance {n} at {where}: {error.message}")
    return items


__all__ = ["InventoryError", "instances_from", "load_file"]
