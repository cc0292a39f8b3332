"""The emulator's indexed query equals a brute-force scan of the inventory."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.emulator import alibaba, inventory
from conformance.emulator.models import Backend, Condition, Selection
from conformance.spec import catalog

ITEMS = inventory.generate("alibaba", 700, seed=5)
CAT = catalog.load("alibaba")
BACKEND = Backend(ITEMS, CAT, alibaba.region_of)
NAMES = [n for n, s in CAT.filters.items() if s.match == "exact" or s.match == "json-array"]
VALUES = {n: sorted({v for i in ITEMS for v in CAT.filters[n].values(i)}) for n in NAMES}


def brute(region, conditions, any_condition=False):
    def holds(item, c):
        carried = set(CAT.filters[c.name].values(item))
        met = all(v in carried for v in c.values) if c.every else any(v in carried for v in c.values)
        return met != c.inverted  # an inverted condition (a deviation's) selects the others

    scope = [p for p, item in enumerate(ITEMS) if region is None or item["RegionId"] == region]
    combine = any if any_condition else all
    return [p for p in scope if combine(holds(ITEMS[p], c) for c in conditions)] if conditions else scope


conditions = st.lists(
    st.sampled_from([n for n in NAMES if VALUES[n]]).flatmap(
        lambda n: st.builds(Condition, st.just(n), st.lists(st.sampled_from(VALUES[n]), min_size=1, max_size=3)
                            .map(tuple), st.just("exact"), st.booleans(), st.booleans())),
    max_size=3)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.sampled_from(["cn-hangzhou", "cn-shanghai", None]), conditions, st.booleans(),
       st.integers(0, 700), st.integers(1, 120))
def test_select_equals_brute_force(region, chosen, any_condition, start, size):
    selection = BACKEND.select(region, chosen, any_condition=any_condition)
    expected = brute(region, chosen, any_condition)
    assert len(selection) == len(expected)
    assert selection[start:start + size] == expected[start:start + size]
    assert selection[-size:] == expected[-size:]


def test_selection_windows_over_chunk_boundaries():
    positions = [p for p in range(5000) if p % 7 in (0, 3)]
    mask = sum(1 << p for p in positions)
    selection = Selection(mask)
    assert len(selection) == len(positions)
    for start in (0, 1, 145, 146, 700, len(positions) - 3):
        assert selection[start:start + 50] == positions[start:start + 50]
    assert list(Selection(0)) == [] and not Selection(0)
