"""What one table row's description says, read from its sentences: values, limits, defaults.

A vendor document states a parameter's rules in prose ("Valid values: 1 to 100",
"Default value: 10.", a bulleted "Valid values:" list, "Set the value to
DescribeInstances."). These readers turn those sentences into JSON Schema
keywords, so that a revision which adds or rewords a rule changes the derived
schema without a code change. Each reader returns nothing when the row does not
say, never a guess.
"""

from __future__ import annotations

import re
from typing import Any

from conformance.spec.documents import clean_name

_VALID_LIST = re.compile(r"Valid values:\s*$")
_BULLET = re.compile(r"^\s*-\s+(.*)$")
_RANGE = re.compile(r"Valid values:\s*(\d+)\s+to\s+(\d+)")
_MAXIMUM = re.compile(r"Maximum value:\s*(\d+)")
_MINIMUM = re.compile(r"Minimum value:\s*(\d+)")
_STARTS_FROM = re.compile(r"start from page (\d+)")
_DEFAULT = re.compile(r"Default value:\s*([^\s|]+?)\.?(?:\s|$)")
_CONST = re.compile(r"Set the value to `?([A-Za-z][\w.-]*)`?\.(?:\s|$)")
_JSON_ARRAY = re.compile(r"JSON array that consists of up to (\d+)")
_N_RANGE = re.compile(r"Valid values of N:\s*(\d+)\s+to\s+(\d+)")
_TIME_FORMAT = re.compile(r"in the `([yMdHms:T\-Z]+)` format")

#: The date-format letters the documents use ("yyyy-MM-ddTHH:mmZ") and the digits each stands for.
_FORMAT_LETTERS = {"yyyy": r"\d{4}", "MM": r"\d{2}", "dd": r"\d{2}", "HH": r"\d{2}", "mm": r"\d{2}", "ss": r"\d{2}"}


def listed_values(description: str) -> list[str]:
    """The values of a bulleted ``Valid values:`` list (``- classic: classic network`` gives ``classic``)."""
    lines = description.splitlines()
    for i, line in enumerate(lines):
        if not _VALID_LIST.search(line):
            continue
        values: list[str] = []
        for item in lines[i + 1:]:
            if not item.strip():
                if values:
                    break
                continue
            bullet = _BULLET.match(item)
            if not bullet:
                break
            values.append(clean_name(bullet.group(1).split(":", 1)[0].strip()))
        return values
    return []


def limits(description: str) -> dict[str, int]:
    """``minimum``/``maximum`` as the row states them ("Valid values: 1 to 100", "Maximum value: 100")."""
    out: dict[str, int] = {}
    if match := _RANGE.search(description):
        out["minimum"], out["maximum"] = int(match.group(1)), int(match.group(2))
    if match := _STARTS_FROM.search(description):
        out.setdefault("minimum", int(match.group(1)))
    if match := _MINIMUM.search(description):
        out["minimum"] = int(match.group(1))
    if match := _MAXIMUM.search(description):
        out["maximum"] = int(match.group(1))
    return {k: out[k] for k in ("minimum", "maximum") if k in out}


def default(description: str, kind: dict[str, Any]) -> Any:
    """The stated default, in the row's type; None when the row states none."""
    match = _DEFAULT.search(description)
    if not match:
        return None
    text = clean_name(match.group(1))
    if kind.get("type") == "integer":
        return int(text) if text.isdigit() else None
    if kind.get("type") == "boolean":
        return {"true": True, "false": False}.get(text)
    return text


def const(description: str) -> str | None:
    """The one value a row allows ("Set the value to DescribeInstances.")."""
    match = _CONST.search(description)
    return match.group(1) if match else None


def json_array_limit(description: str) -> int | None:
    """A String parameter whose value is a JSON array of at most N strings."""
    match = _JSON_ARRAY.search(description)
    return int(match.group(1)) if match else None


def n_range(description: str) -> tuple[int, int] | None:
    """The ``N`` of a numbered parameter (``Tag.N.Key``: "Valid values of N: 1 to 20")."""
    match = _N_RANGE.search(description)
    return (int(match.group(1)), int(match.group(2))) if match else None


def time_pattern(description: str) -> str | None:
    """A regular expression for a stated time format ("Specify the time in the `yyyy-MM-ddTHH:mmZ` format")."""
    match = _TIME_FORMAT.search(description)
    if not match:
        return None
    pattern = match.group(1)
    for letters, digits in _FORMAT_LETTERS.items():
        pattern = pattern.replace(letters, digits)
    return f"^{pattern}$"


def number_pattern(low: int, high: int) -> str:
    """A regular-expression group matching the integers ``low``..``high`` (``1..20``: ``([1-9]|1[0-9]|20)``)."""
    parts = [str(n) for n in range(low, min(high, 9) + 1)]
    if low <= 1 and high >= 9:
        parts = [f"[{max(low, 1)}-9]"]
    for tens in range(1, high // 10 + 1):
        top = min(high - tens * 10, 9)
        bottom = max(low - tens * 10, 0)
        if top < bottom:
            continue
        parts.append(f"{tens}{bottom}" if top == bottom else f"{tens}[{bottom}-{top}]")
    return "(" + "|".join(parts) + ")"
