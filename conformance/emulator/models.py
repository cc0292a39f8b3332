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
    """Instances of one vendor, indexed on every filter of its JSONPath map.

    Indexes are kept per region (and for all regions together, ``None``), so a
    query intersects only the sets of its own region.
    """

    def __init__(self, items: Sequence[Item], cat: VendorCatalog, region_of: Callable[[Item], str]):
        self.items: list[Item] = list(items)
        self.catalog = cat
        self._all = list(range(len(self.items)))
        self._by_region: dict[str, list[int]] = {}
        self._index: dict[str | None, dict[str, dict[str, set[int]]]] = {}
        self._region_of = region_of
        for position, item in enumerate(self.items):
            self._by_region.setdefault(region_of(item), []).append(position)
            self._add(position, item)

    def _add(self, position: int, item: Item) -> None:
        cat = self.catalog
        keys: list[tuple[str, str]] = []
        for name, spec in cat.filters.items():
            if spec.match not in ("wildcard", "fuzzy"):
                keys += [(name, value) for value in spec.values(item)]
        if "tags" in cat.item:
            for tag in cat.item.all("tags", item):
                key = str(tag.get(cat.item.expr("tag_key"), ""))
                value = str(tag.get(cat.item.expr("tag_value"), ""))
                keys += [("tag", f"{key}\0{value}"), ("tag", f"{key}\0")]
        for scope in (self._region_of(item), None):
            index = self._index.setdefault(scope, {})
            for name, value in keys:
                index.setdefault(name, {}).setdefault(value, set()).add(position)

    @property
    def regions(self) -> set[str]:
        return set(self._by_region)

    def values(self, name: str) -> set[str]:
        """Every value any instance carries for an indexed filter (e.g. the known HPC clusters)."""
        return set(self._index.get(None, {}).get(name, {}))

    def reindex_value(self, name: str, position: int, old: str, new: str) -> None:
        """Move one instance from ``old`` to ``new`` in a filter's index after its item changed."""
        for scope in (self._region_of(self.items[position]), None):
            index = self._index[scope].setdefault(name, {})
            index.get(old, set()).discard(position)
            index.setdefault(new, set()).add(position)

    def _indexed(self, condition: Condition, region: str | None) -> set[int]:
        index = self._index.get(region, {}).get(condition.name, {})
        sets = [index.get(v, _EMPTY) for v in condition.values]
        if len(sets) == 1:
            return sets[0]  # the index's own set: callers never mutate it
        return set.intersection(*sets) if condition.every else set().union(*sets)

    def _scan(self, condition: Condition, positions: Iterable[int]) -> set[int]:
        spec = self.catalog.filters[condition.name]
        test = wildcard_matches if condition.match == "wildcard" else _contains
        return {
            position for position in positions
            if any(test(pattern, value) for pattern in condition.values for value in spec.values(self.items[position]))
        }

    def select(self, region: str | None, conditions: Sequence[Condition], any_condition: bool = False) -> list[int]:
        """Positions of the instances of ``region`` that meet every condition, in listing order.

        ``any_condition`` combines the conditions with OR instead: only the
        ``filters-or`` deviation asks for it.
        """
        scope = self._by_region.get(region, []) if region is not None else self._all
        if not conditions:
            return scope
        indexed = [c for c in conditions if c.match not in ("wildcard", "fuzzy")]
        scanned = [c for c in conditions if c.match in ("wildcard", "fuzzy")]
        if any_condition:
            hits = [self._indexed(c, region) for c in indexed] + [self._scan(c, scope) for c in scanned]
            return sorted(set().union(*hits))
        sets = sorted((self._indexed(c, region) for c in indexed), key=len)
        result: set[int] | None = None
        for found in sets:
            result = found if result is None else result & found
            if not result:
                return []
        for condition in scanned:
            result = self._scan(condition, scope if result is None else result)
        return sorted(result) if result is not None else scope


_EMPTY: frozenset[int] = frozenset()


def _contains(pattern: str, value: str) -> bool:
    return pattern in value


def wildcard_matches(pattern: str, value: str) -> bool:
    """``*`` stands for any run of characters; everything else is literal."""
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]").replace("?", "[?]"))


__all__ = ["Backend", "Condition", "Item", "wildcard_matches", "wire_string"]
