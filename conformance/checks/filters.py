"""Filters: single filters, AND across them, OR within values, patterns, tags, ids, regions.

Oracles come from the discovered listing: the instances that carry a value,
read through the vendor's JSONPath map. The matching rules below are the
documents' own (exact value; ``*`` wildcard; "模糊过滤" as containment),
written here independently of the emulator's implementation.

Size: the discovery walk tells how many instances carry each value, so the
checks draw the values carried by fewer instances than a page holds (a filter
none of whose values is that rare still gets its rarest value). Each filtered
answer is read on one page of 100 (:data:`~conformance.checks.context.COLLECT_PAGES`):
an answer larger than that is compared on what was read (every instance
expected, once) and on its ``TotalCount``; the rest is reported as not seen,
never failed. A check's requests therefore do not grow with the listing.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from conformance.checks import check
from conformance.checks.context import (
    DISCOVERY_LIMIT,
    CheckContext,
    Collected,
    Failed,
    Inconclusive,
    Observation,
    Skip,
    Walk,
)
from conformance.checks.generated import run_examples
from conformance.spec.catalog import FilterSpec
from conformance.vendors.base import Query
from conformance.wire.values import wire_string

Condition = tuple[str, str]  # (filter name, value)


@functools.lru_cache(maxsize=256)
def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", pattern)) + r"\Z",
                      re.S)


def carries(spec: FilterSpec, value: str, item: dict[str, Any]) -> bool:
    """Whether ``item`` is selected by ``spec`` = ``value`` under the documents' matching rules."""
    return matches(spec, value, spec.values(item))


def matches(spec: FilterSpec, value: str, values: list[str]) -> bool:
    """Whether an instance carrying ``values`` for ``spec`` is selected by ``value``."""
    if spec.match == "wildcard":
        return any(_wildcard(value).match(v) for v in values)
    if spec.match == "fuzzy":
        return any(value in v for v in values)
    return value in values


def item_values(ctx: CheckContext, listing: Walk, name: str) -> list[list[str]]:
    """Every instance's values for filter ``name``, read once per listing (JSONPath is not cheap)."""
    key = ("values", name)
    if key not in listing.memo:
        spec = ctx.catalog.filters[name]
        listing.memo[key] = [spec.values(item) for item in listing.items]
    return listing.memo[key]


def carriers(ctx: CheckContext, listing: Walk, name: str) -> dict[str, set[int]]:
    """For an exact-match filter: each value and the positions in the listing of the instances carrying it."""
    key = ("carriers", name)
    if key not in listing.memo:
        index: dict[str, set[int]] = {}
        for position, values in enumerate(item_values(ctx, listing, name)):
            for value in values:
                index.setdefault(value, set()).add(position)
        listing.memo[key] = index
    return listing.memo[key]


def expected_ids(ctx: CheckContext, listing: Walk, conditions: list[Condition]) -> list[str]:
    """The ids of the listing that every condition (and what it requires) selects, in the listing's order."""
    wanted = [(ctx.catalog.filters[n], v) for name, value in conditions
              for n, v in [(name, value), *ctx.catalog.filters[name].requires.items()]]
    positions: set[int] | None = None
    scanned = []
    for spec, value in wanted:
        if spec.match in ("wildcard", "fuzzy"):
            scanned.append((spec, value, item_values(ctx, listing, spec.name)))
            continue
        found = carriers(ctx, listing, spec.name).get(value, set())
        positions = found if positions is None else positions & found
    candidates = sorted(positions) if positions is not None else range(len(listing.items))
    return [listing.ids[n] for n in candidates if all(matches(spec, value, values[n]) for spec, value, values in scanned)]


def counts(ctx: CheckContext, listing: Walk, name: str) -> Counter[str]:
    """How many instances of the listing carry each value of filter ``name``."""
    key = ("counts", name)
    if key not in listing.memo:
        listing.memo[key] = Counter(v for values in item_values(ctx, listing, name) for v in set(values))
    return listing.memo[key]


def query_for(ctx: CheckContext, conditions: list[Condition]) -> Query:
    filters: dict[str, list[str]] = {}
    for name, value in conditions:
        filters.setdefault(name, []).append(value)
        for key, required in ctx.catalog.filters[name].requires.items():
            filters.setdefault(key, [required])
    return Query(filters=filters)


def candidates(ctx: CheckContext, listing: Walk, exclude: tuple[str, ...] = ("InstanceIds",)) -> list[Condition]:
    """(filter, value) pairs of the listing, most informative first: values some but not all instances carry.

    Only values whose answer fits on one page are drawn (so that it is read whole), except for a
    filter none of whose values is that rare, which keeps its rarest value.
    """
    out: list[tuple[int, Condition]] = []
    for name, spec in ctx.catalog.filters.items():
        if name in exclude or spec.match in ("wildcard", "fuzzy"):
            continue
        found = counts(ctx, listing, name)
        fitting = {v: c for v, c in found.items() if c < DISCOVERY_LIMIT}
        if not fitting and found:
            rarest = min(found.items(), key=lambda pair: (pair[1], pair[0]))
            fitting = {rarest[0]: rarest[1]}
        for value, count in fitting.items():
            rank = 0 if count < len(listing.items) else 1
            out.append((rank, (name, value)))
    out.sort(key=lambda pair: (pair[0], pair[1]))
    return [condition for _, condition in out]


def one_per_filter(pool: list[Condition]) -> list[Condition]:
    """The first (most informative) value of every filter in ``pool``: each filter is tried at least once."""
    seen: dict[str, Condition] = {}
    for condition in pool:
        seen.setdefault(condition[0], condition)
    return list(seen.values())


def nomatch(ctx: CheckContext) -> list[Condition]:
    return [(name, spec.nomatch) for name, spec in ctx.catalog.filters.items() if spec.nomatch]


def read_whole(ctx: CheckContext, what: str, *answers: Collected) -> bool:
    """Whether every answer was read whole; if not, the example that relates them is noted as not seen."""
    if all(a.complete for a in answers):
        return True
    ctx.unseen.append(f"{what}: an answer larger than a page")
    ctx.undecided += 1
    return False


def decided(ctx: CheckContext, count: int) -> None:
    """Inconclusive when not one of ``count`` examples could be read whole."""
    if count and ctx.undecided >= count:
        raise Inconclusive(f"every one of {count} answers was larger than what the check reads "
                           f"({DISCOVERY_LIMIT} instances): nothing could be compared whole")


@check("filter_single", optional={"filter": str})
def filter_single(ctx: CheckContext, args: dict[str, Any]) -> None:
    """Single filters give exactly the instances carrying the value.

    With ``filter`` it decides that one filter (its own requirement, its own verdict): the value
    the fewest-but-not-all instances carry, the most common one, and a value nobody carries; a
    filter whose values every instance shares could be ignored unseen, so that is inconclusive.
    Without it, hypothesis draws across all of them, after trying once each filter that has no
    requirement of its own (one that has is decided there, on its telling values: asking it
    here again would only spend requests).
    """
    listing = ctx.oracle_listing()
    only = args.get("filter")
    if only is not None:
        _single_filter(ctx, listing, only)
        return
    pool = candidates(ctx, listing) + nomatch(ctx)
    ctx.need(len(listing.items) >= 2 and bool(pool), "the listing is too small to draw filters from")
    decided_elsewhere = {r.args.get("filter") for r in ctx.catalog.requirements if r.check == "filter_single"}

    def example(condition: Condition) -> None:
        name, value = condition
        expected = expected_ids(ctx, listing, [condition])
        observed = ctx.collect(query_for(ctx, [condition]), note=f"{name}={value}")
        ctx.compare_ids(f"{name}={value}", expected, observed)

    explicit = [c for c in one_per_filter(pool) if c[0] not in decided_elsewhere]
    count = run_examples(st.sampled_from(pool), example, ctx, explicit=explicit)
    ctx.passed_message = (f"{count} single filters ({len(explicit)} for the filters without a requirement of their own, "
                          f"the rest drawn from {len(pool)} (filter, value) pairs) each returned exactly the instances "
                          f"carrying the value")


def _single_filter(ctx: CheckContext, listing: Walk, name: str) -> None:
    spec = ctx.catalog.filters.get(name)
    if spec is None:
        raise Skip(f"{name} is not in this vendor's filter map (jsonpath.yaml)")
    carried = counts(ctx, listing, name)
    telling = sorted((count, value) for value, count in carried.items() if count < len(listing.items))
    chosen = [telling[0][1]] if telling else []
    if len(telling) > 1:
        chosen.append(telling[-1][1])
    if spec.nomatch:
        chosen.append(spec.nomatch)
    ctx.need(bool(telling) or bool(spec.nomatch),
             f"no value of {name} tells instances apart in this listing ({len(carried)} value(s) shared by all "
             f"{len(listing.items)}): an endpoint ignoring {name} would answer the same")
    for value in chosen:
        condition = (name, value)
        expected = expected_ids(ctx, listing, [condition])
        observed = ctx.collect(query_for(ctx, [condition]), note=f"{name}={value}")
        ctx.compare_ids(f"{name}={value}", expected, observed)
    ctx.passed_message = (f"{name} with {len(chosen)} value(s) ({', '.join(chosen)}) returned exactly the "
                          f"instances carrying each")


class Answers:
    """One check's answers to single conditions, each asked once: pairs that share a condition reuse it.

    A AND B is compared with A's and B's own answers, so the check needs them, but not twice:
    an endpoint's answer to the same query a moment later is the same answer (a listing that
    changes meanwhile is caught by the comparison, not hidden by it).
    """

    def __init__(self, ctx: CheckContext):
        self.ctx = ctx
        self._asked: dict[tuple[tuple[str, tuple[str, ...]], ...], Collected] = {}

    def __call__(self, query: Query, note: str) -> Collected:
        key = tuple(sorted((name, tuple(values)) for name, values in query.filters.items()))
        if key not in self._asked:
            self._asked[key] = self.ctx.collect(query, note=note)
        return self._asked[key]


def disjoint_pairs(firsts: list[Condition], compatible: Callable[[Condition, Condition], bool],
                   ) -> list[tuple[Condition, Condition]]:
    """Pairs in which every filter of ``firsts`` stands at least once, each pair costing one AND request.

    Filters are paired in order with the next compatible one not yet paired; a filter left over
    is paired with the first compatible one already paired.
    """
    pairs: list[tuple[Condition, Condition]] = []
    unpaired = list(firsts)
    while unpaired:
        a = unpaired.pop(0)
        partner = next((b for b in unpaired if compatible(a, b)), None)
        if partner is not None:
            unpaired.remove(partner)
        else:
            partner = next((b for pair in pairs for b in pair if compatible(a, b)), None)
        if partner is not None:
            pairs.append((a, partner))
    return pairs


@check("filter_and")
def filter_and(ctx: CheckContext, args: dict[str, Any]) -> None:
    """A AND B equals the intersection of A's and B's own answers (not the oracle's: AND logic alone).

    Every filter stands in at least one pair, then hypothesis draws more. Values fitting on one
    page are drawn, so that A and B are read whole; a pair where one is not is not decided (named
    in the result), and a check none of whose pairs could be is inconclusive. Each single answer
    is asked once (:class:`Answers`).
    """
    listing = ctx.oracle_listing()
    pool = candidates(ctx, listing)
    names = {name for name, _ in pool}
    ctx.need(len(names) >= 2, "needs values of at least two filters in the listing")
    answers = Answers(ctx)

    def compatible(a: Condition, b: Condition) -> bool:
        requires = set(ctx.catalog.filters[a[0]].requires) | set(ctx.catalog.filters[b[0]].requires)
        return a[0] != b[0] and a[0] not in requires and b[0] not in requires

    pairs = st.tuples(st.sampled_from(pool), st.sampled_from(pool)).filter(lambda p: compatible(*p))

    def example(pair: tuple[Condition, Condition]) -> None:
        a, b = pair
        what = f"{a[0]}={a[1]} AND {b[0]}={b[1]} against the intersection of their answers"
        ids_a = answers(query_for(ctx, [a]), note=f"A: {a[0]}={a[1]}")
        ids_b = answers(query_for(ctx, [b]), note=f"B: {b[0]}={b[1]}")
        if not read_whole(ctx, what, ids_a, ids_b):
            return
        both = ctx.collect(query_for(ctx, [a, b]), note="A AND B")
        ctx.compare_ids(what, [i for i in ids_a.ids if i in set(ids_b.ids)], both)

    count = run_examples(pairs, example, ctx, explicit=disjoint_pairs(one_per_filter(pool), compatible))
    decided(ctx, count)
    ctx.passed_message = (f"{count} filter pairs, every filter in one and more drawn by hypothesis: each A AND B "
                          f"answer equals the intersection of A's and B's")


@check("filter_or_values")
def filter_or_values(ctx: CheckContext, args: dict[str, Any]) -> None:
    """Two values of one filter answer the union of each value's answer; read like :func:`filter_and`."""
    listing = ctx.oracle_listing()
    by_name: dict[str, list[str]] = {}
    for name, value in candidates(ctx, listing, exclude=()):
        by_name.setdefault(name, []).append(value)
    multi = {name: values for name, values in by_name.items() if len(values) >= 2}
    ctx.need(bool(multi), "no filter has two values in the listing")
    answers = Answers(ctx)

    @st.composite
    def value_pairs(draw):
        name = draw(st.sampled_from(sorted(multi)))
        first = draw(st.sampled_from(multi[name]))
        second = draw(st.sampled_from([v for v in multi[name] if v != first]))
        return name, first, second

    def example(triple: tuple[str, str, str]) -> None:
        name, first, second = triple
        what = f"{name} with values {first} and {second} against the union of their answers"
        one = answers(Query(filters={name: [first]}), note=f"{name}={first}")
        two = answers(Query(filters={name: [second]}), note=f"{name}={second}")
        if not read_whole(ctx, what, one, two):
            return
        either = ctx.collect(Query(filters={name: [first, second]}), note=f"{name}={first} or {second}")
        ctx.compare_ids(what, one.ids + [i for i in two.ids if i not in set(one.ids)], either)

    count = run_examples(value_pairs(), example, ctx)
    decided(ctx, count)
    ctx.passed_message = f"{count} two-value filters: each answer is the union of the single-value answers"


def pattern_at_each_end(full: str, mode: str) -> list[str]:
    """Patterns that need the match honoured at both ends of a name: each is tried, not left to the draws.

    ``wildcard``: ``*`` trailing (``web-*``) and leading (``*-01``); ``fuzzy``: the name's beginning and a
    part from its middle. An endpoint that honours only one end fails one of them whatever hypothesis draws.
    """
    cut = max(1, len(full) // 2)
    if mode == "fuzzy":
        return [full[:cut], full[1:cut + 1]] if len(full) >= 3 else [full]
    return [full[:cut] + "*", "*" + full[cut:]]


@check("name_pattern", required={"filter": str, "mode": str})
def name_pattern(ctx: CheckContext, args: dict[str, Any]) -> None:
    """Patterns of part of a name select exactly the instances whose name matches (the document's rule).

    One name's patterns at each end (:func:`pattern_at_each_end`) first, then hypothesis draws.
    """
    name, mode = args["filter"], args["mode"]
    listing = ctx.oracle_listing()
    names = sorted(counts(ctx, listing, name))
    ctx.need(len(names) >= 2, "needs at least two named instances")

    @st.composite
    def patterns(draw):
        full = draw(st.sampled_from(names))
        cut = draw(st.integers(1, max(1, len(full) - 1)))
        if mode == "fuzzy":
            start = draw(st.integers(0, cut - 1))
            return full[start:cut]
        return draw(st.sampled_from([full[:cut] + "*", "*" + full[cut:], full[:cut] + "*" + full[-1:]]))

    def example(pattern: str) -> None:
        expected = expected_ids(ctx, listing, [(name, pattern)])
        observed = ctx.collect(Query(filters={name: [pattern]}), note=f"{name}={pattern}")
        ctx.compare_ids(f"{name}={pattern!r}", expected, observed)

    count = run_examples(patterns(), example, ctx, explicit=pattern_at_each_end(names[len(names) // 2], mode))
    ctx.passed_message = f"{count} {mode} patterns on {name} each returned exactly the matching instances"


def _tag_pairs(ctx: CheckContext, listing: Walk) -> dict[str, list[tuple[str, str]]]:
    paths = ctx.catalog.item
    out = {}
    for item in listing.items:
        out[ctx.target.id_of(item)] = [(str(t.get(paths.expr("tag_key"))), str(t.get(paths.expr("tag_value"))))
                                       for t in paths.all("tags", item)]
    return out


@check("tags_all_pairs", optional={"variant": str})
def tags_all_pairs(ctx: CheckContext, args: dict[str, Any]) -> None:
    if "tags" not in ctx.catalog.item:
        raise Skip("this vendor's document defines no tag filter")
    listing = ctx.oracle_listing()
    tags = _tag_pairs(ctx, listing)
    pairs = sorted({p for ps in tags.values() for p in ps})
    ctx.need(len({k for k, _ in pairs}) >= 2, "needs instances with tags of at least two keys")
    variant = args.get("variant")
    if variant is not None and variant not in ctx.adapter.capabilities.variants:
        raise Skip(f"the {ctx.adapter.vendor} adapter has no wire spelling {variant!r}")

    @st.composite
    def tag_sets(draw):
        first = draw(st.sampled_from(pairs))
        others = [p for p in pairs if p[0] != first[0]]
        return [first, draw(st.sampled_from(others))] if draw(st.booleans()) else [first]

    def example(chosen: list[tuple[str, str]]) -> None:
        expected = [i for i, ps in tags.items() if all(p in ps for p in chosen)]
        observed = ctx.collect(Query(tags=list(chosen), variant=variant),
                               note=" and ".join(f"{k}={v}" for k, v in chosen))
        ctx.compare_ids("tags " + ", ".join(f"{k}={v}" for k, v in chosen), expected, observed)

    count = run_examples(tag_sets(), example, ctx)
    ctx.passed_message = f"{count} tag sets: each returned exactly the instances bound with all of them"


@check("ids_lookup")
def ids_lookup(ctx: CheckContext, args: dict[str, Any]) -> None:
    listing = ctx.oracle_listing()
    ctx.need(len(listing.ids) >= 1, "the listing is empty")
    unknown = ctx.adapter.synthetic_ids(1)

    @st.composite
    def id_sets(draw):
        chosen = draw(st.lists(st.sampled_from(listing.ids), min_size=1, max_size=min(5, len(listing.ids)), unique=True))
        return chosen + (unknown if draw(st.booleans()) else [])

    def example(chosen: list[str]) -> None:
        observed = ctx.collect(Query(ids=chosen), note=f"{len(chosen)} ids")
        ctx.compare_ids(f"InstanceIds {chosen}", [i for i in chosen if i in set(listing.ids)], observed)

    count = run_examples(id_sets(), example, ctx)
    ctx.passed_message = f"{count} id sets (some with an unknown id) each returned exactly the known instances"


@check("region_scopes")
def region_scopes(ctx: CheckContext, args: dict[str, Any]) -> None:
    listing = ctx.oracle_listing()
    ctx.need(len(listing.items) >= 1, "the listing is empty")
    region = ctx.client.region
    zones = ctx.catalog.item
    outside = [ctx.target.id_of(i) for i in listing.items
               if not str(zones.get("zone", i, "")).startswith(region + "-")
               or ("region" in zones and zones.get("region", i) != region)]
    if outside:
        raise Failed(f"{len(outside)} instance(s) of the {region} listing are in another region (e.g. {outside[0]})",
                     expected=f"only instances of {region}", observed=outside[:20])
    other_region = ctx.adapter.foreign_zone(region).rsplit("-", 1)[0]
    other = ctx.send(Query(region=other_region, limit=100), note=f"the listing of {other_region}")
    if other.ok:
        shared = set(ctx.ids(other)) & set(listing.ids)
        if shared:
            raise Failed(f"{len(shared)} instance(s) are listed in both {region} and {other_region}",
                         expected="disjoint listings", observed=sorted(shared)[:20])
    ctx.passed_message = f"all {len(listing.items)} instances of {region} are in {region}; {other_region} lists none of them"


@check("wire_variant", required={"variant": str})
def wire_variant(ctx: CheckContext, args: dict[str, Any]) -> Observation:
    """How the endpoint reads the form spellings of the document's example, beside the form the SDK sends."""
    listing = ctx.oracle_listing()
    pool = [c for c in candidates(ctx, listing) if c[0] == "zone"] or candidates(ctx, listing)
    ctx.need(bool(pool), "no filter value in the listing")
    name, value = pool[0]
    variant = args["variant"]
    if variant not in ctx.adapter.capabilities.variants:
        raise Skip(f"the {ctx.adapter.vendor} adapter has no wire spelling {variant!r}")
    form = ctx.adapter.capabilities.form_mode
    reference = ctx.send(Query(filters={name: [value]}, limit=100), note="the SDK's form", signing_mode=form)
    answer = ctx.send(Query(filters={name: [value]}, limit=100, variant=variant),
                      note=f"the document's form ({variant})", signing_mode=form)
    if not answer.ok:
        return Observation(f"{variant}: refused with {answer.error_code}", {"code": answer.error_code})
    same = sorted(ctx.ids(answer)) == sorted(ctx.ids(reference))
    return Observation(f"{variant}: accepted; {'filters like' if same else 'answers differently from'} the SDK's form "
                       f"({len(answer.items)} vs {len(reference.items)} instances)",
                       {"same": same, "variant": len(answer.items), "sdk": len(reference.items)})


def documented_values(ctx: CheckContext, name: str) -> list[str]:
    """The values the request schema (derived from the document) enumerates for filter ``name``; [] if none.

    A filter is a top-level request property or an entry of the schema's filter definitions
    (``$defs.filters``), whichever form the document's request takes.
    """
    schema = ctx.catalog.request_schema
    for where in (schema.get("properties", {}), schema.get("$defs", {}).get("filters", {})):
        enum = where.get(name, {}).get("enum")
        if enum:
            return [wire_string(v) for v in enum]
    return []


@check("enum_values", required={"filter": str})
def enum_values(ctx: CheckContext, args: dict[str, Any]) -> None:
    """Every value the document lists for an enumerated filter is accepted and selects exactly its carriers.

    One request per documented value (a page of 100): a refusal fails at once, whatever the
    listing holds; the answer must be exactly the instances carrying the value (none, for a value
    no instance carries). A value carried by more than a page is compared on what was read and on
    its ``TotalCount``. That an undocumented value is refused is the error requirements' business.
    """
    name = args["filter"]
    if name not in ctx.catalog.filters:
        raise Skip(f"{name} is not in this vendor's filter map (jsonpath.yaml)")
    values = documented_values(ctx, name)
    if not values:
        raise Skip(f"the request schema enumerates no values for {name}")
    listing = ctx.oracle_listing()
    found = counts(ctx, listing, name)
    for value in values:
        query = query_for(ctx, [(name, value)])
        query.offset, query.limit = 0, DISCOVERY_LIMIT
        answer = ctx.send(query, note=f"{name}={value}, a documented value")
        if not answer.ok:
            raise Failed(f"{name}={value}, a value the document lists, was refused: HTTP {answer.status} "
                         f"{answer.error_code or ''} {answer.error_message or answer.parse_error or ''}".strip(),
                         expected=f"a listing of the instances whose {name} is {value}",
                         observed={"status": answer.status, "code": answer.error_code})
        ids = ctx.ids(answer)
        complete = len(ids) < DISCOVERY_LIMIT or answer.total_count == len(ids)
        ctx.compare_ids(f"{name}={value}", expected_ids(ctx, listing, [(name, value)]),
                        Collected(ids, answer.total_count, complete))
    carried = [v for v in values if found.get(v)]
    ctx.passed_message = (f"all {len(values)} documented values of {name} ({', '.join(values)}) accepted; each "
                          f"selected exactly its carriers ({len(carried)} of them carried in this listing)")


@check("observe_default_filter", required={"filter": str})
def observe_default_filter(ctx: CheckContext, args: dict[str, Any]) -> Observation:
    """Whether a filter's documented "default value" filters a request that leaves the filter out.

    The discovered listing (no filter) holds the instances whose value is not the default, or it
    does not; the answer for the default value is shown beside it.
    """
    name = args["filter"]
    schema = ctx.catalog.request_schema.get("properties", {}).get(name, {})
    if "default" not in schema:
        raise Skip(f"the request schema gives {name} no default")
    default = wire_string(schema["default"])
    listing = ctx.oracle_listing()
    answer = ctx.send(Query(filters={name: [default]}, offset=0, limit=DISCOVERY_LIMIT),
                      note=f"{name}={default}, its documented default")
    with_default = answer.total_count if answer.ok else f"refused ({answer.error_code})"
    carrying = counts(ctx, listing, name).get(default, 0)
    total = len(listing.items)
    observed = {"without": total, "carrying_default": carrying, "with_default": with_default}
    if carrying == total:
        return Observation(f"every one of {total} instances carries {name}={default}: whether the default filters "
                           f"cannot be told", observed)
    return Observation(f"without {name} the listing holds {total - carrying} instance(s) whose {name} is not "
                       f"{default} ({total} in all; {name}={default} selects {with_default}): the default does not "
                       f"filter a request that leaves {name} out", observed)
