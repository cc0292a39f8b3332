"""The time filters of the 2021-05-17 revision: ``Filter.N.Key`` names a bound, ``Filter.N.Value`` its time.

The document ties each key to an instance field and a side of a range ("the beginning of the
time range in which to query created resources"), gives the value's form
(``yyyy-MM-ddTHH:mmZ``, UTC) and one error for both a key and a time it cannot read:
``InvalidFilterKey.NotFound``, "because the specified start time or end time is invalid".
Bounds are inclusive (the document does not say; see docs/emulator.md). The filters are
scanned, not indexed: a range is not a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from conformance.emulator.models import ScanFilter

#: ``Filter.N.Key``/``Filter.N.Value``, N counted from 1.
PARAMETER = re.compile(r"^Filter\.(\d+)\.(Key|Value)$")
#: The form the document gives a time value: ``2017-12-05T22:40Z``.
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$")
ERROR = "InvalidFilterKey.NotFound"


def _minutes(field: str) -> Callable[[dict[str, Any]], list[str]]:
    """The instance's ``field`` to the minute (``2017-12-05T22:40``), comparable as text."""
    def read(item: dict[str, Any]) -> list[str]:
        value = item.get(field)
        return [value[:16]] if isinstance(value, str) and len(value) >= 16 else []
    return read


def _at_or_after(wanted: str, carried: str) -> bool:
    return carried >= wanted


def _at_or_before(wanted: str, carried: str) -> bool:
    return carried <= wanted


#: Key -> the scanned filter it stands for.
FILTERS: dict[str, ScanFilter] = {
    "CreationStartTime": ScanFilter("CreationStartTime", _minutes("CreationTime"), _at_or_after),
    "CreationEndTime": ScanFilter("CreationEndTime", _minutes("CreationTime"), _at_or_before),
    "ExpiredStartTime": ScanFilter("ExpiredStartTime", _minutes("ExpiredTime"), _at_or_after),
    "ExpiredEndTime": ScanFilter("ExpiredEndTime", _minutes("ExpiredTime"), _at_or_before),
}


def pairs(params: dict[str, str]) -> tuple[dict[int, str], dict[int, str]]:
    """The keys and the values given, by N."""
    keys: dict[int, str] = {}
    values: dict[int, str] = {}
    for name, value in params.items():
        match = PARAMETER.match(name)
        if match:
            (keys if match.group(2) == "Key" else values)[int(match.group(1))] = value
    return keys, values


def wire_value(value: str) -> str | None:
    """A value in the document's form, to the minute (``2017-12-05T22:40``); None for any other form."""
    return value[:16] if TIME.match(value) else None
