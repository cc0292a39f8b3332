"""The emulator's backend state: instances, their indexes and the query over them.

Wire formats live in :mod:`conformance.emulator.alibaba` and
:mod:`conformance.emulator.tencent`; this module knows nothing of HTTP,
parameters or error codes. It is vendor-neutral: which attributes are
filterable, and where an instance carries them, is the vendor's JSONPath map.
Every filter is answered from an index (value -> positions), so a filtered
query over 100,000 instances costs set intersections, not a scan.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.catalog import VendorCatalog, wire_string

Item = dict[str, Any]


@dataclass(frozen=True)
class Condition:
    """One filter of a query: the instance must carry one of ``values`` (or all, with ``every``)."""

    name: str
    values: tuple[str, ...]
    match: str = "exact"  # exact | json-array | wildcard | fuzzy | tag
    every: bool = False


class Backend:
    """Instances of one vendor, indexed on every filter of its JSONPath map."""

    def __init__(self, items: Sequence[Item], cat: VendorCatalog, region_of: Callable[[Item], str]):
        self.items: list[Item] = list(items)
        self.catalog = cat
        self._by_region: dict[str, list[int]] = {}
        self._index: dict[str, dict[str, set[int]]] = {name: {} for name in cat.filters}
        self._tags: dict[str, set[int]] = {}
        tag_paths = "tags" in cat.item
        for position, item in enumerate(self.items):
            self._by_region.setdefault(region_of(item), []).append(position)
            for name, spec in cat.filters.items():
                if spec.match in ("wildcard", "fuzzy"):
                    continue
                for value in spec.values(item):
                    self._index[name].setdefault(value, set()).add(position)
            if tag_paths:
                for tag in cat.item.all("tags", item):
                    key = str(tag.get(cat.item.expr("tag_key"), ""))
                    value = str(tag.get(cat.item.expr("tag_value"), ""))
                    self._tags.setdefault(f"{key}\0{value}", set()).add(position)
                    self._tags.setdefault(f"{key}\0", set()).add(position)

    @property
    def regions(self) -> set[str]:
        return set(self._by_region)

    def values(self, name: str) -> set[str]:
        """Every value any instance carries for an indexed filter (e.g. the known HPC clusters)."""
        return set(self._index.get(name, {}))

    def reindex_value(self, name: str, position: int, old: str, new: str) -> None:
        """Move one instance from ``old`` to ``new`` in a filter's index after its item changed."""
        index = self._index[name]
        index.get(old, set()).discard(position)
        index.setdefault(new, set()).add(position)

    def _matching(self, condition: Condition, scope: Iterable[int]) -> set[int]:
        if condition.match == "tag":
            sets = [self._tags.get(v, set()) for v in condition.values]
        elif condition.match in ("wildcard", "fuzzy"):
            spec = self.catalog.filters[condition.name]
            test = wildcard_matches if condition.match == "wildcard" else _contains
            return {
                position for position in scope
                if any(test(pattern, value) for pattern in condition.values for value in spec.values(self.items[position]))
            }
        else:
            index = self._index[condition.name]
            sets = [index.get(v, set()) for v in condition.values]
        if not sets:
            return set()
        if condition.every:
            return set.intersection(*sets)
        return set().union(*sets)

    def select(self, region: str | None, conditions: Sequence[Condition], any_condition: bool = False) -> list[int]:
        """Positions of the instances of ``region`` that meet every condition, in listing order.

        ``any_condition`` combines the conditions with OR instead: only the
        ``filters-or`` deviation asks for it.
        """
        scope = self._by_region.get(region, []) if region is not None else range(len(self.items))
        if not conditions:
            return list(scope)
        scope_set = set(scope)
        result: set[int] | None = None
        # cheap index lookups first, so that pattern scans run over the fewest positions
        for condition in sorted(conditions, key=lambda c: c.match in ("wildcard", "fuzzy")):
            candidates = scope_set if result is None or any_condition else result
            matched = self._matching(condition, candidates) & scope_set
            if result is None:
                result = matched
            else:
                result = result | matched if any_condition else result & matched
        return sorted(result or ())


def _contains(pattern: str, value: str) -> bool:
    return pattern in value


def wildcard_matches(pattern: str, value: str) -> bool:
    """``*`` stands for any run of characters; everything else is literal."""
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]").replace("?", "[?]"))


__all__ = ["Backend", "Condition", "Item", "wildcard_matches", "wire_string"]
