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
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from conformance.spec.catalog import VendorCatalog

Item = dict[str, Any]


@dataclass(frozen=True)
class Condition:
    """One filter of a query: the instance must carry one of ``values`` (or all, with ``every``)."""

    name: str
    values: tuple[str, ...]
    match: str = "exact"  # exact | json-array | wildcard | fuzzy | tag
    every: bool = False
    #: Select the instances that do *not* meet the condition (only the ``inverted-<filter>`` deviations ask).
    inverted: bool = False
    #: ``test(pattern, value)`` for a scanned match instead of the match's own (a deviation's broken matching).
    test: Callable[[str, str], bool] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DerivedFilter:
    """A filter whose values an instance yields through a function rather than a JSONPath."""

    name: str
    derive: Callable[[dict[str, Any]], list[str]]
    match: str = "exact"

    def values(self, item: dict[str, Any]) -> list[str]:
        return self.derive(item)


@dataclass(frozen=True)
class ScanFilter:
    """A filter tested instance by instance (a range, not a value): ``test(wanted, carried)``."""

    name: str
    derive: Callable[[dict[str, Any]], list[str]]
    test: Callable[[str, str], bool]
    match: str = "scan"

    def values(self, item: dict[str, Any]) -> list[str]:
        return self.derive(item)


class Selection:
    """The positions a query selects, in listing order, without materializing them.

    Dense results are bitmasks (bit ``p`` set: position ``p`` selected); a
    window of them is read by scanning the mask's binary digits from a chunk
    index, so neither a count nor a page costs a sort.
    """

    __slots__ = ("mask", "_sorted", "_len", "_digits", "_prefix")
    CHUNK = 512

    def __init__(self, mask: int = 0, positions: list[int] | None = None):
        self.mask = mask
        self._sorted = positions  # already in order, when the result is sparse
        self._len = len(positions) if positions is not None else mask.bit_count()
        self._digits: str | None = None
        self._prefix: list[int] | None = None

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def __iter__(self) -> Iterator[int]:
        return iter(self[0:self._len])

    def _chunk_of(self, rank: int) -> int:
        """The chunk of the digit string in which scanning for the ``rank``-th set bit starts."""
        if self._digits is None:
            self._digits = bin(self.mask)[:1:-1]
        if rank == 0:
            return 0
        if self._prefix is None:
            counts = [self._digits.count("1", i, i + self.CHUNK) for i in range(0, len(self._digits), self.CHUNK)]
            self._prefix = list(accumulate(counts, initial=0))
        return bisect_right(self._prefix, rank) - 1

    def __getitem__(self, key: slice) -> list[int]:
        start, stop, _ = key.indices(self._len)
        if stop <= start:
            return []
        if self._sorted is not None:
            return self._sorted[start:stop]
        chunk = self._chunk_of(start)
        digits, prefix = self._digits, self._prefix
        assert digits is not None and (prefix is not None or not chunk)  # filled in by _chunk_of
        rank = prefix[chunk] if chunk and prefix is not None else 0
        position = digits.find("1", chunk * self.CHUNK)
        out: list[int] = []
        while position != -1 and rank < stop:
            if rank >= start:
                out.append(position)
            rank += 1
            position = digits.find("1", position + 1)
        return out


def _mask_of(positions: Iterable[int], size: int) -> int:
    digits = bytearray(b"0" * size)
    for position in positions:
        digits[position] = 49  # "1"
    return int(digits[::-1].decode() or "0", 2)


class _Postings:
    """The positions carrying one value: a set while few, a bitmask once dense."""

    __slots__ = ("positions", "mask", "digits")

    def __init__(self, positions: set[int], size: int, dense: bool):
        self.positions = positions
        self.mask: int | None = None
        self.digits: str | None = None
        if dense:
            self.rebuild(size)

    def rebuild(self, size: int) -> None:
        """Recompute the bitmask after ``positions`` changed."""
        self.mask = _mask_of(self.positions, size)
        self.digits = bin(self.mask)[:1:-1]

    def __len__(self) -> int:
        return len(self.positions)

    def __contains__(self, position: int) -> bool:
        if self.digits is not None:
            return position < len(self.digits) and self.digits[position] == "1"
        return position in self.positions


class Backend:
    """Instances of one vendor, indexed on every filter of its JSONPath map.

    Indexes are kept per region (and for all regions together, ``None``).
    Values many instances carry are bitmasks, so a query over them is a few
    big-integer ANDs; rare values (ids, addresses) are sets, and a query that
    holds one walks only that set.
    """

    #: A value carried by at least 1/DENSITY of the instances is kept as a bitmask.
    DENSITY = 64

    def __init__(self, items: Sequence[Item], cat: VendorCatalog, region_of: Callable[[Item], str],
                 extra_filters: Mapping[str, Any] | None = None):
        self.items: list[Item] = list(items)
        self.catalog = cat
        #: the document's filters, then the vendor's undocumented ones (anything with ``match`` and ``values``)
        self.filters: dict[str, Any] = {**cat.filters, **(extra_filters or {})}
        self._region_of = region_of
        size = len(self.items)
        by_region: dict[str, list[int]] = {}
        raw: dict[str | None, dict[str, dict[str, set[int]]]] = {}
        for position, item in enumerate(self.items):
            region = region_of(item)
            by_region.setdefault(region, []).append(position)
            for name, value in self._keys(item):
                for scope in (region, None):
                    raw.setdefault(scope, {}).setdefault(name, {}).setdefault(value, set()).add(position)
        threshold = max(1, size // self.DENSITY)
        self._index: dict[str | None, dict[str, dict[str, _Postings]]] = {
            scope: {name: {value: _Postings(ps, size, len(ps) >= threshold) for value, ps in values.items()}
                    for name, values in names.items()}
            for scope, names in raw.items()
        }
        self._scopes: dict[str | None, int] = {r: _mask_of(ps, size) for r, ps in by_region.items()}
        self._scopes[None] = (1 << size) - 1
        self._whole: dict[str | None, Selection] = {}
        self._size = size

    def _keys(self, item: Item) -> list[tuple[str, str]]:
        cat = self.catalog
        keys = [(name, value) for name, spec in self.filters.items() if spec.match not in SCANNED
                for value in spec.values(item)]
        if "tags" in cat.item:
            for tag in cat.item.all("tags", item):
                key = str(tag.get(cat.item.expr("tag_key"), ""))
                value = str(tag.get(cat.item.expr("tag_value"), ""))
                keys += [("tag", f"{key}\0{value}"), ("tag", f"{key}\0")]
        return keys

    @property
    def regions(self) -> set[str]:
        return {r for r in self._scopes if r is not None}

    def values(self, name: str) -> set[str]:
        """Every value any instance carries for an indexed filter (e.g. the known HPC clusters)."""
        return set(self._index.get(None, {}).get(name, {}))

    def reindex(self, position: int) -> None:
        """Rebuild the index entries of one instance after its item changed (a deviation's side effect)."""
        size = self._size
        for scope in (self._region_of(self.items[position]), None):
            for values in self._index.get(scope, {}).values():
                for postings in values.values():
                    if position in postings.positions:
                        postings.positions.discard(position)
                        if postings.mask is not None:
                            postings.rebuild(size)
            for name, value in self._keys(self.items[position]):
                postings = self._index[scope].setdefault(name, {}).setdefault(value, _Postings(set(), size, False))
                postings.positions.add(position)
                if postings.mask is not None:
                    postings.rebuild(size)

    def _postings(self, condition: Condition, region: str | None) -> list[_Postings]:
        index = self._index.get(region, {}).get(condition.name, {})
        return [index.get(v, _NOTHING) for v in condition.values]

    def _scan(self, condition: Condition, positions: Iterable[int]) -> set[int]:
        spec = self.filters[condition.name]
        test = condition.test or {"wildcard": wildcard_matches,
                                  "scan": getattr(spec, "test", _contains)}.get(condition.match, _contains)
        return {
            position for position in positions
            if any(test(pattern, value) for pattern in condition.values for value in spec.values(self.items[position]))
        }

    def _condition_mask(self, condition: Condition, region: str | None, scope_mask: int) -> int:
        mask = self._met_mask(condition, region, scope_mask)
        return scope_mask & ~mask if condition.inverted else mask

    def _met_mask(self, condition: Condition, region: str | None, scope_mask: int) -> int:
        if condition.match in SCANNED:
            return _mask_of(self._scan(condition, Selection(scope_mask)), self._size)
        masks = [p.mask if p.mask is not None else _mask_of(p.positions, self._size)
                 for p in self._postings(condition, region)]
        if not masks:  # a condition without values selects nothing
            return 0
        combined = masks[0]
        for mask in masks[1:]:
            combined = combined & mask if condition.every else combined | mask
        return combined

    def select(self, region: str | None, conditions: Sequence[Condition], any_condition: bool = False) -> Selection:
        """The instances of ``region`` that meet every condition, in listing order.

        ``any_condition`` combines the conditions with OR instead: only the
        ``filters-or`` deviation asks for it.
        """
        scope_mask = self._scopes.get(region, 0)
        if not conditions:
            # a region's whole listing is asked for again and again: keep its scanned digits
            if region not in self._whole:
                self._whole[region] = Selection(scope_mask)
            return self._whole[region]
        if any_condition:
            combined = 0
            for condition in conditions:
                combined |= self._condition_mask(condition, region, scope_mask)
            return Selection(combined & scope_mask)
        # A condition that can only hold for a few instances drives: test each of them against the rest.
        sparse = [c for c in conditions if c.match not in SCANNED and not c.every and not c.inverted
                  and all(p.mask is None for p in self._postings(c, region))]
        if sparse:
            driver = min(sparse, key=lambda c: sum(len(p) for p in self._postings(c, region)))
            candidates = sorted(set().union(*(p.positions for p in self._postings(driver, region))))
            for condition in conditions:
                if condition is driver:
                    continue
                if condition.match in SCANNED:
                    kept = self._scan(condition, candidates)
                    candidates = [p for p in candidates if (p in kept) != condition.inverted]
                    continue
                postings = self._postings(condition, region)
                combine = all if condition.every else any
                candidates = [p for p in candidates if combine(p in ps for ps in postings) != condition.inverted]
            return Selection(positions=candidates)
        combined = scope_mask
        for condition in sorted(conditions, key=lambda c: c.match in SCANNED):
            combined &= self._condition_mask(condition, region, combined)
            if not combined:
                break
        return Selection(combined)


_NOTHING = _Postings(set(), 0, False)
#: Matches answered by testing each candidate instead of from the index; ``scan`` filters bring their own test.
SCANNED = ("wildcard", "fuzzy", "scan")


def _contains(pattern: str, value: str) -> bool:
    return pattern in value


def wildcard_matches(pattern: str, value: str) -> bool:
    """``*`` stands for any run of characters; everything else is literal."""
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]").replace("?", "[?]"))


__all__ = ["Backend", "Condition", "Item", "Selection", "wildcard_matches"]
