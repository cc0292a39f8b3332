"""Hypothesis strategies for the model's requests, one small piece per dimension.

Each piece draws one dimension of a request from what the discovered listing
carries: a carried filter value, a variant of one (another letter case, a
prefix, a part), a window, an id set with duplicates and ids of another
region, a format, a signing mode. The rules of :mod:`conformance.checks.combined`
compose them into requests; every piece draws from lists built in a fixed
order, so derandomized runs draw the same requests from the same listing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from conformance.checks.model import DocumentModel, case_variant
from conformance.vendors.base import Capabilities

Pair = tuple[str, str]  # (filter name, a value some instance carries)


@dataclass(frozen=True)
class Pools:
    """What the strategies draw from, read once from the listing through the model."""

    #: (filter, value) pairs some but not every instance carries, rarest first; with what each needs
    pairs: tuple[Pair, ...]
    #: the pairs of ``pairs`` that select at least three instances (a filtered listing worth paging)
    pageable: tuple[Pair, ...]
    #: filters whose values are matched exactly (a variant of a value is another value)
    exact: tuple[str, ...]
    ids: tuple[str, ...]
    foreign_ids: tuple[str, ...]
    unknown_ids: tuple[str, ...]
    #: (tag key, tag value) pairs some instance is bound with
    tags: tuple[Pair, ...]


def pools(model: DocumentModel, unknown_ids: Sequence[str], foreign_ids: Sequence[str] = ()) -> Pools:
    """The pools of ``model``'s listing: values worth filtering on, ids, tags."""
    from conformance.checks.model import Request

    listing = model.listing
    everyone = len(listing.items)
    pairs: list[tuple[int, Pair]] = []
    carriers: dict[Pair, int] = {}
    exact = []
    for name, spec in model.catalog.filters.items():
        if name == "InstanceIds":
            continue
        if spec.match in ("exact", "json-array") and _case_matters(model, name):
            exact.append(name)
        counts: dict[str, int] = {}
        for values in model.item_values[name]:
            for value in set(values):
                counts[value] = counts.get(value, 0) + 1
        for value, count in sorted(counts.items()):
            if count < everyone or len(counts) == 1:
                pairs.append((count, (name, value)))
                carriers[(name, value)] = count
    pairs.sort()
    ordered = tuple(pair for _, pair in pairs)
    # counted, not selected: a scan of the listing per value is quadratic in a large account
    pageable = tuple(p for p in ordered if carriers[p] >= 3 and (
        not model.catalog.filters[p[0]].requires
        or len(model.select(Request(conditions=with_required(model, [p])))) >= 3))
    tags = sorted({pair for bound in model.item_tags for pair in bound})
    return Pools(pairs=ordered, pageable=pageable, exact=tuple(exact), ids=tuple(listing.ids),
                 foreign_ids=tuple(foreign_ids), unknown_ids=tuple(unknown_ids), tags=tuple(tags))


def _case_matters(model: DocumentModel, name: str) -> bool:
    """Whether a value of ``name`` in another letter case is another value the model can judge.

    Booleans and enums without a documented error are left out: what they get is open.
    """
    schema = model.catalog.request_schema.get("properties", {}).get(name, {})
    if schema.get("type") == "boolean":
        return False
    if model.enum(name) and "enum" not in model.rules.get("values", {}).get(name, {}):
        return False
    return True


def with_required(model: DocumentModel, pairs: Sequence[Pair]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Conditions for ``pairs``, with the parameters each needs to take effect ("takes effect when ...")."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for name, value in pairs:
        out.append((name, (value,)))
        for other, required in model.catalog.filters[name].requires.items():
            if not any(n == other for n, _ in out):
                out.append((other, (required,)))
    return tuple(out)


def variants(value: str) -> list[str]:
    """Values made from a carried one that an exact match must not take for it: case, prefix, part."""
    made = [case_variant(value), value[:-1], value[1:], value[: max(1, len(value) // 2)]]
    return [v for v in dict.fromkeys(made) if v and v != value]


def formats(capabilities: Capabilities) -> st.SearchStrategy[str]:
    return st.sampled_from(capabilities.formats)


def modes(capabilities: Capabilities) -> st.SearchStrategy[str]:
    return st.sampled_from(capabilities.signing_modes)


def window(capabilities: Capabilities, total: int, max_pages: int = 5) -> st.SearchStrategy[tuple[int, int]]:
    """An (offset, limit) of a listing of ``total``: small pages, the last page, one past the end."""

    @st.composite
    def draw(draw_: st.DrawFn) -> tuple[int, int]:
        smallest = max(1, math.ceil(total / max_pages))
        limit = draw_(st.integers(smallest, max(smallest, total - 1)))
        pages = math.ceil(total / limit)
        page = draw_(st.integers(0, pages))
        return page * limit if capabilities.paged else page * limit - draw_(st.integers(0, min(1, page * limit))), limit

    return draw()


def id_set(pools_: Pools, max_size: int = 5) -> st.SearchStrategy[tuple[str, ...]]:
    """Ids of the listing, maybe with one repeated, one of another region, one nobody has."""

    @st.composite
    def draw(draw_: st.DrawFn) -> tuple[str, ...]:
        chosen = list(draw_(st.lists(st.sampled_from(pools_.ids), min_size=1, max_size=min(max_size, len(pools_.ids)),
                                     unique=True)))
        if draw_(st.booleans()):
            chosen.append(chosen[0])
        if len(pools_.foreign_ids) > 0 and draw_(st.booleans()):
            chosen.append(draw_(st.sampled_from(pools_.foreign_ids)))
        if len(pools_.unknown_ids) > 0 and draw_(st.booleans()):
            chosen.append(pools_.unknown_ids[0])
        return tuple(chosen)

    return draw()
