"""Generated requests that combine the dimensions, judged by the document model.

Each ``model_agrees`` requirement names a *rule* where paths meet: paging a
filtered listing, ids beside other conditions, exact values, repeated names, an
invalid value in any position, every list past its limit. Its requests are
explicit cases that try every instance of the rule once, then draws of
hypothesis that mix the rule with the other dimensions (paging, region, format,
signing mode). The model (:mod:`conformance.checks.model`) judges each answer.

A disagreement is shrunk to a minimal request: greedily, one dimension at a
time, keeping each smaller request that still disagrees, within
:data:`SHRINK_REQUESTS`. What the minimal request still holds tells the rule it
isolates. When that is this requirement's rule it fails, showing the minimal
request as one a person can send again; when it is another rule, or a single
rule of its own requirement (one filter, plain paging), this requirement does
not claim it: it is inconclusive and names where the fault belongs. Shrinking
sends the same requests for the same answers, so a recording replays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st

from conformance.checks import check
from conformance.checks.context import CheckContext, Failed, Inconclusive, Skip
from conformance.checks.generated import run_examples
from conformance.checks.model import Disagreement, DocumentModel, Prediction, Request
from conformance.checks.strategies import Pools, formats, id_set, modes, pools, variants, window, with_required
from conformance.vendors.base import Capabilities, Query
from conformance.vendors.transport import Exchange

#: Requests the shrinker may send for one disagreement.
SHRINK_REQUESTS = 30
#: Pages a walk of a filtered listing reads at most (the strategies draw page sizes to fit).
WALK_PAGES = 6


class Found(Exception):
    """An answer the model does not allow (raised out of the examples, to be shrunk)."""

    def __init__(self, request: Request, disagreement: Disagreement, exchanges: list[Exchange]):
        super().__init__(disagreement.message)
        self.request, self.disagreement, self.exchanges = request, disagreement, exchanges


@dataclass(frozen=True)
class Rule:
    """One place where paths meet: its explicit cases and its draws."""

    explicit: Callable[[DocumentModel, Pools, Capabilities], list[Request]]
    drawn: Callable[[DocumentModel, Pools, Capabilities], st.SearchStrategy[Request] | None]
    #: why the listing cannot exercise the rule, when it has no case
    needs: str
    #: fetch ids of another region for the draws (one request)
    foreign: bool = False


def _path(caps: Capabilities, draw: st.DrawFn, request: Request) -> Request:
    """``request`` in a drawn format and signing mode."""
    return replace(request, format=draw(formats(caps)), mode=draw(modes(caps)))


def _every_path(caps: Capabilities, request: Request) -> list[Request]:
    """``request`` once in each format the adapter reads and each signing mode it sends."""
    out = [replace(request, format=fmt) for fmt in caps.formats]
    out += [replace(request, mode=mode) for mode in caps.signing_modes[1:]]
    return out


# ----------------------------------------------------------------- filtered paging

def _paged_cases(model: DocumentModel, p: Pools, caps: Capabilities) -> list[Request]:
    out = []
    for pair in _one_per_filter(p.pageable)[:4]:
        conditions = with_required(model, [pair])
        total = len(model.select(Request(conditions=conditions)))
        limit = max(1, math.ceil(total / 3))
        out.append(Request(conditions=conditions, limit=limit, walk=True))
        last = (math.ceil(total / limit) - 1) * limit
        out.append(Request(conditions=conditions, limit=limit, offset=last, format=caps.formats[-1],
                           mode=caps.signing_modes[-1]))
    return out


def _paged_draws(model: DocumentModel, p: Pools, caps: Capabilities) -> st.SearchStrategy[Request] | None:
    if not p.pageable:
        return None

    @st.composite
    def draw(draw_: st.DrawFn) -> Request:
        pair = draw_(st.sampled_from(p.pageable))
        conditions = with_required(model, [pair])
        total = len(model.select(Request(conditions=conditions)))
        offset, limit = draw_(window(caps, total, WALK_PAGES))
        walk = draw_(st.booleans())
        return _path(caps, draw_, Request(conditions=conditions, limit=limit, offset=None if walk else offset,
                                          walk=walk))

    return draw()


# ----------------------------------------------------------------- ids with other conditions

def _ids_cases(model: DocumentModel, p: Pools, caps: Capabilities) -> list[Request]:
    if not p.ids:
        return []
    some = p.ids[:3]
    foreign_region = _foreign_region(model)
    out = [Request(ids=(some[0], some[0])), Request(ids=tuple(some), region=foreign_region)]
    if p.foreign_ids:
        out.append(Request(ids=(some[0], p.foreign_ids[0])))
    for pair in p.pairs[:1]:
        conditions = with_required(model, [pair])
        carriers = [model.listing.ids[n] for n in model.select(Request(conditions=conditions))]
        others = [i for i in p.ids if i not in carriers]
        chosen = tuple(carriers[:1] + others[:2])
        out.append(Request(ids=chosen, conditions=conditions))
    if p.tags:
        out.append(Request(ids=tuple(some), tags=(p.tags[0],)))
    if len(some) >= 2:
        out.append(Request(ids=tuple(some), limit=1, offset=1))
    return out


def _ids_draws(model: DocumentModel, p: Pools, caps: Capabilities) -> st.SearchStrategy[Request] | None:
    if not p.ids:
        return None
    foreign_region = _foreign_region(model)

    @st.composite
    def draw(draw_: st.DrawFn) -> Request:
        ids = draw_(id_set(p))
        request = Request(ids=ids)
        if len(p.pairs) > 0 and draw_(st.booleans()):
            request = replace(request, conditions=with_required(model, [draw_(st.sampled_from(p.pairs))]))
        if len(p.tags) > 0 and draw_(st.booleans()):
            request = replace(request, tags=(draw_(st.sampled_from(p.tags)),))
        if draw_(st.integers(0, 3)) == 0:
            request = replace(request, region=foreign_region, ids=tuple(i for i in ids if i in p.ids) or ids)
        if draw_(st.booleans()):
            limit = draw_(st.integers(1, 3))
            request = replace(request, limit=limit, offset=draw_(st.integers(0, 2)) * limit)
        return _path(caps, draw_, request)

    return draw()


def _foreign_region(model: DocumentModel) -> str | None:
    return model.foreign_zone.rsplit("-", 1)[0] if model.foreign_zone else None


# ----------------------------------------------------------------- exact values

def _variant_pool(model: DocumentModel, p: Pools) -> list[tuple[str, str, str]]:
    """(filter, carried value, variant) for every exact filter, its rarest value first."""
    out = []
    for name, value in _one_per_filter([pair for pair in p.pairs if pair[0] in p.exact]):
        out += [(name, value, variant) for variant in variants(value)]
    return out


def _exact_cases(model: DocumentModel, p: Pools, caps: Capabilities) -> list[Request]:
    out, seen = [], set()
    for name, _value, variant in _variant_pool(model, p):
        if name in seen:
            continue
        seen.add(name)
        out.append(Request(conditions=with_required(model, [(name, variant)]), variants=((variant, _value),)))
    for name, value in _one_per_filter([pair for pair in p.pairs if pair[0] in p.exact]):
        case = variants(value)[0] if variants(value) else None
        if case and model.enum(name):  # an enumerated value in another case, on every path
            out += _every_path(caps, Request(conditions=with_required(model, [(name, case)]),
                                             variants=((case, value),)))
    return out


def _exact_draws(model: DocumentModel, p: Pools, caps: Capabilities) -> st.SearchStrategy[Request] | None:
    pool = _variant_pool(model, p)
    if not pool:
        return None

    @st.composite
    def draw(draw_: st.DrawFn) -> Request:
        name, original, variant = draw_(st.sampled_from(pool))
        pairs = [(name, variant)]
        others = [pair for pair in p.pairs if pair[0] != name]
        if len(others) > 0 and draw_(st.booleans()):
            pairs.append(draw_(st.sampled_from(others)))
        request = Request(conditions=with_required(model, pairs), variants=((variant, original),))
        if draw_(st.booleans()):
            request = replace(request, limit=draw_(st.integers(1, 10)))
        return _path(caps, draw_, request)

    return draw()


# ----------------------------------------------------------------- repeated names

def _repeat_pool(model: DocumentModel, p: Pools, caps: Capabilities) -> list[Request]:
    """Requests naming one filter (or tag key) twice: two carried values, then the same value twice."""
    out = []
    if caps.filters_repeat:
        by_name: dict[str, list[str]] = {}
        for name, value in p.pairs:
            if not model.catalog.filters[name].requires:
                by_name.setdefault(name, []).append(value)
        for name, values in by_name.items():
            second = values[1] if len(values) > 1 else values[0]
            out.append(Request(conditions=((name, (values[0],)), (name, (second,)))))
            out.append(Request(conditions=((name, (values[0], second)), (name, (values[0],)))))
    keys: dict[str, list[str]] = {}
    for key, value in p.tags:
        keys.setdefault(key, []).append(value)
    for key, values in keys.items():
        second = values[1] if len(values) > 1 else values[0]
        out.append(Request(tags=((key, values[0]), (key, second))))
    return out


def _repeat_cases(model: DocumentModel, p: Pools, caps: Capabilities) -> list[Request]:
    pool = _repeat_pool(model, p, caps)
    firsts: dict[str, Request] = {}
    for request in pool:
        name = request.conditions[0][0] if request.conditions else "tag:" + request.tags[0][0]
        firsts.setdefault(name, request)
    return list(firsts.values())[:6]


def _repeat_draws(model: DocumentModel, p: Pools, caps: Capabilities) -> st.SearchStrategy[Request] | None:
    pool = _repeat_pool(model, p, caps)
    if not pool:
        return None

    @st.composite
    def draw(draw_: st.DrawFn) -> Request:
        request = draw_(st.sampled_from(pool))
        if draw_(st.booleans()):
            request = replace(request, limit=draw_(st.integers(1, 5)))
        return _path(caps, draw_, request)

    return draw()


# ----------------------------------------------------------------- an invalid value in any position

def _invalid_value(model: DocumentModel, name: str) -> str | None:
    rules = model.rules.get("values", {}).get(name, {})
    if "enum" in rules and model.enum(name):
        return "NO_SUCH_" + model.enum(name)[0]
    if "pattern" in rules:
        carried = sorted(model.carried(name))
        return carried[0].split("-", 1)[0] + "-1122" if carried else None
    if "unknown_value" in rules and model.foreign_zone:
        return model.foreign_zone
    return None


def _valid_values(model: DocumentModel, name: str) -> list[str]:
    return sorted(model.carried(name)) or model.enum(name)


def _position_pool(model: DocumentModel, p: Pools, caps: Capabilities) -> list[Request]:
    """Lists of valid values with one invalid value after the first, for every parameter that validates."""
    most = model.rules.get("limits", {}).get("values", {}).get("max", 1)
    out = []
    for name in model.rules.get("values", {}):
        bad, good = _invalid_value(model, name), _valid_values(model, name)
        if name not in model.catalog.filters or bad is None or not good or most < 2 or \
                model.catalog.filters[name].requires:
            continue
        for position in range(1, min(most, len(good) + 1)):
            values = tuple(good[:position]) + (bad,)
            out.append(Request(conditions=((name, values),)))
    pattern = model.rules.get("ids_pattern")
    if pattern and len(p.ids) >= 1:
        bad_id = p.ids[0].split("-", 1)[0] + "-1122"
        out.append(Request(ids=(p.ids[0], bad_id)))
        out.append(Request(ids=tuple(p.ids[:2]) + (bad_id,)))
    return out


def _position_cases(model: DocumentModel, p: Pools, caps: Capabilities) -> list[Request]:
    pool = _position_pool(model, p, caps)
    out, seen = [], set()
    for request in pool:
        name = request.conditions[0][0] if request.conditions else "InstanceIds"
        if name not in seen:
            seen.add(name)
            out += _every_path(caps, request)[:1] + [replace(request, mode=m) for m in caps.signing_modes[1:]]
    return out


def _pool_on_drawn_paths(pool_of: Callable[[DocumentModel, Pools, Capabilities], list[Request]]) -> \
        Callable[[DocumentModel, Pools, Capabilities], st.SearchStrategy[Request] | None]:
    """Draws of a rule whose requests are a fixed pool: one of them, in a drawn format and signing mode."""

    def drawn(model: DocumentModel, p: Pools, caps: Capabilities) -> st.SearchStrategy[Request] | None:
        pool = pool_of(model, p, caps)
        if not pool:
            return None
        return st.builds(lambda request, fmt, mode: replace(request, format=fmt, mode=mode),
                         st.sampled_from(pool), formats(caps), modes(caps))

    return drawn


# ----------------------------------------------------------------- every list past its limit

def _limit_pool(model: DocumentModel, p: Pools, caps: Capabilities) -> list[Request]:
    """Every list parameter one past its limit, filled with values of the valid form."""
    limits = model.rules.get("limits", {})
    out = []
    if "ids" in limits:
        count = limits["ids"]["max"] + 1
        out.append(Request(ids=tuple(dict.fromkeys([*p.ids, *p.unknown_ids]))[:count]))
    values = limits.get("values")
    if values:
        for name, spec in model.catalog.filters.items():
            if name == "InstanceIds" or (values.get("json_array_only") and spec.match != "json-array"):
                continue
            good = _valid_values(model, name)
            if not good:
                continue
            filled = tuple((good * (values["max"] + 1))[: values["max"] + 1])
            out.append(Request(conditions=((name, filled),) + with_required(model, [(name, good[0])])[1:]))
    if "filters" in limits and p.pairs:
        name, value = next((pair for pair in p.pairs if not model.catalog.filters[pair[0]].requires), p.pairs[0])
        out.append(Request(conditions=((name, (value,)),) * (limits["filters"]["max"] + 1)))
    if "tags" in limits and p.tags:
        out.append(Request(tags=tuple(p.tags[n % len(p.tags)] for n in range(limits["tags"]["max"] + 1))))
    return [r for r in out if r.ids is not None or r.conditions or r.tags]


# ----------------------------------------------------------------- the bounds of a page

def _bounds_cases(model: DocumentModel, p: Pools, caps: Capabilities) -> list[Request]:
    """The page size one below and one above its documented range, on every path."""
    size = model.rules.get("limits", {}).get("page_size", {})
    out: list[Request] = []
    bounds = [] if not size else [size.get("max", 100) + 1] if size.get("below_min") == "open" else \
        [size.get("min", 1) - 1, size.get("max", 100) + 1]
    for limit in bounds:
        out += _every_path(caps, Request(limit=limit))
    return out


RULES: dict[str, Rule] = {
    "page-bounds": Rule(_bounds_cases, lambda model, p, caps: None, "no documented page size range"),
    "filtered-paging": Rule(_paged_cases, _paged_draws, "no filter value selects three instances or more"),
    "ids-combined": Rule(_ids_cases, _ids_draws, "the listing is empty", foreign=True),
    "values-exact": Rule(_exact_cases, _exact_draws, "no exact-match filter value to vary"),
    "repeated-names": Rule(_repeat_cases, _repeat_draws, "neither a repeatable filter nor a tag to name twice"),
    "invalid-any-position": Rule(_position_cases, _pool_on_drawn_paths(_position_pool),
                                 "no parameter takes several values that the document validates"),
    "lists-past-limit": Rule(_limit_pool, _pool_on_drawn_paths(_limit_pool), "no list parameter with a documented limit"),
}


def _one_per_filter(pairs: Any) -> list[tuple[str, str]]:
    seen: dict[str, tuple[str, str]] = {}
    for pair in pairs:
        seen.setdefault(pair[0], pair)
    return list(seen.values())


# ----------------------------------------------------------------- sending, judging, shrinking

def document_model(ctx: CheckContext) -> DocumentModel:
    """The model over the discovered listing, built once per listing."""
    listing = ctx.oracle_listing()
    if "model" not in listing.memo:
        listing.memo["model"] = DocumentModel(ctx.catalog, ctx.adapter.capabilities, listing, ctx.client.region,
                                              ctx.adapter.foreign_zone(ctx.client.region))
    model: DocumentModel = listing.memo["model"]
    return model


def attempt(ctx: CheckContext, model: DocumentModel, request: Request) -> tuple[Disagreement | None, list[Exchange],
                                                                                  Prediction]:
    """Send ``request`` (every page of it for a walk) and judge the answers; nothing is sent when the outcome is open."""
    prediction = model.predict(request)
    if prediction.open:
        return None, [], prediction
    pages = needed = 1
    if request.walk and prediction.listing is not None:
        needed = max(1, math.ceil(prediction.listing.total / max(1, prediction.listing.limit)))
        pages = min(WALK_PAGES, needed)
    answers, exchanges = [], []
    limit = request.limit if request.limit is not None else ctx.adapter.default_limit
    for page in range(pages):
        offset = page * limit if request.walk else request.offset
        answer, exchange = ctx.client.send(request.query(offset=offset), signing_mode=request.mode,
                                           note=request.describe(ctx.adapter.signing_modes[0]))
        exchanges.append(exchange)
        answers.append((answer, [ctx.target.id_of(i) for i in answer.items]))
        if not answer.ok:
            break
    return model.judge(prediction, answers, complete=pages == needed), exchanges, prediction


def shrink(ctx: CheckContext, model: DocumentModel, found: Found) -> tuple[Found, int]:
    """The smallest request found that still disagrees (greedy, one dimension at a time), and the requests spent."""
    current, spent, progress = found, 0, True
    default_mode = ctx.adapter.signing_modes[0]
    while progress and spent < SHRINK_REQUESTS:
        progress = False
        for candidate in current.request.smaller(default_mode):
            if spent >= SHRINK_REQUESTS:
                break
            disagreement, exchanges, _ = attempt(ctx, model, candidate)
            spent += len(exchanges)
            if disagreement is not None:
                current, progress = Found(candidate, disagreement, exchanges), True
                break
    return current, spent


def isolate(model: DocumentModel, request: Request, known_ids: frozenset[str], default_mode: str = "",
            kind: str = "selection") -> str:
    """The rule a minimal request isolates: a key of :data:`RULES`, or "" for a single rule of its own.

    A refusal belongs to the requirement ``model.yaml`` names for it; one that requirement checks on
    the default path only, broken here only off that path (another format or signing mode), is the
    model's to claim.
    """
    off_path = request.format != model.capabilities.formats[0] or request.mode not in (None, default_mode)
    prediction = model.predict(request)
    size = model.rules.get("limits", {}).get("page_size", {})
    if size and request.limit is not None and not size.get("min", 1) <= request.limit <= size.get("max", 100):
        owner = next((_rule_of(model, r.requirement) for r in prediction.refusals if r.kind == "page"), "")
        return owner or ("page-bounds" if off_path else "")
    values = {v for _, vs in request.conditions for v in vs} | {v for pair in request.tags for v in pair}
    if {variant for variant, _ in request.variants} & values:
        return "values-exact"
    names, keys = [n for n, _ in request.conditions], [k for k, _ in request.tags]
    if len(set(names)) < len(names) or len(set(keys)) < len(keys):
        return "repeated-names"
    if prediction.refused:
        if "value" in {r.kind for r in prediction.refusals} and _invalid_after_first(model, request):
            return "invalid-any-position"
        owner = next((rule for rule in (_rule_of(model, r.requirement) for r in prediction.refusals) if rule), "")
        if not owner and off_path and {r.kind for r in prediction.refusals} & {"limit"}:
            return "lists-past-limit"
        return owner
    if request.ids is not None and (request.conditions or request.tags or request.region is not None
                                    or len(set(request.ids)) < len(request.ids)
                                    or any(i not in known_ids for i in request.ids)):
        return "ids-combined"
    conditioned = bool(request.conditions or request.tags or request.ids is not None)
    if conditioned and (request.offset or request.walk or request.limit is not None or kind == "paging"):
        # the right instances, but not held by the pages as they should be: paging of a filtered listing
        return "filtered-paging" if kind == "paging" or request.offset or request.walk else ""
    return ""


def _rule_of(model: DocumentModel, requirement: str) -> str:
    """The model rule of ``requirement`` ("" when it is not a ``model_agrees`` requirement)."""
    for entry in model.catalog.requirements:
        if entry.id == requirement and entry.check == "model_agrees":
            return str(entry.args.get("rule", ""))
    return ""


def _invalid_after_first(model: DocumentModel, request: Request) -> bool:
    """Whether the request's only invalid values stand after a valid first one."""
    for name, values in request.conditions:
        flags = [model.predict(Request(conditions=((name, (v,)),))).refused for v in values]
        if any(flags[1:]) and not flags[0]:
            return True
    if request.ids and len(request.ids) > 1:
        flags = [model.predict(Request(ids=(i,))).refused for i in request.ids]
        return any(flags[1:]) and not flags[0]
    return False


def _owner(ctx: CheckContext, rule: str) -> str:
    for requirement in ctx.catalog.requirements:
        if requirement.check == "model_agrees" and requirement.args.get("rule") == rule:
            return requirement.id
    return rule


def _wire(ctx: CheckContext, request: Request) -> dict[str, Any]:
    """What a person sends to ask the minimal request again: the business parameters, the format, the signing."""
    return {"parameters": ctx.adapter.params(request.query(), ctx.client.region),
            "signing": request.mode or ctx.adapter.signing_modes[0], "format": request.format,
            "every page": request.walk}


@check("model_agrees", required={"rule": str})
def model_agrees(ctx: CheckContext, args: dict[str, Any]) -> None:
    """The document model agrees with every answer to the rule's generated requests (see the module's docstring)."""
    rule = RULES.get(args["rule"])
    if rule is None:
        raise Skip(f"unknown model rule {args['rule']!r}; known: {', '.join(RULES)}")
    model = document_model(ctx)
    caps = ctx.adapter.capabilities
    foreign: tuple[str, ...] = ()
    if rule.foreign and _foreign_region(model):
        answer = ctx.send(Query(region=_foreign_region(model), limit=100), note="ids of another region")
        foreign = tuple(i for i in ctx.ids(answer) if i not in set(model.listing.ids)) if answer.ok else ()
    most_ids = model.rules.get("limits", {}).get("ids", {}).get("max", 0) + 1
    unknown = tuple(ctx.adapter.synthetic_ids(max(1, most_ids)))
    key = ("pools", unknown, foreign)  # every rule over one listing draws from the same pools: read them once
    if key not in model.listing.memo:
        model.listing.memo[key] = pools(model, unknown, foreign)
    p: Pools = model.listing.memo[key]
    explicit = rule.explicit(model, p, caps)
    drawn = rule.drawn(model, p, caps)
    if not explicit and drawn is None:
        raise Inconclusive(f"the listing cannot exercise this rule: {rule.needs}")
    judged = {"sent": 0, "open": 0}

    def example(data: dict[str, Any]) -> None:
        request = Request.from_json(data)
        disagreement, exchanges, prediction = attempt(ctx, model, request)
        judged["open" if prediction.open else "sent"] += 1
        if disagreement is not None:
            raise Found(request, disagreement, exchanges)

    strategy = drawn.map(Request.to_json) if drawn is not None else None
    try:
        count = run_examples(strategy, example, ctx, explicit=[r.to_json() for r in explicit])
    except Found as found:
        minimal, spent = shrink(ctx, model, found)
        _fail_or_defer(ctx, model, args["rule"], found, minimal, spent, p)
        return
    ctx.passed_message = (f"{count} requests ({len(explicit)} explicit cases, the rest drawn across formats, signing "
                          f"modes and paging) each answered as the document model predicts from the "
                          f"{len(model.listing.ids)}-instance listing"
                          + (f"; {judged['open']} left open by the document were not sent" if judged["open"] else ""))


def _fail_or_defer(ctx: CheckContext, model: DocumentModel, rule: str, found: Found, minimal: Found, spent: int,
                   p: Pools) -> None:
    default_mode = ctx.adapter.signing_modes[0]
    ctx.evidence[:0] = minimal.exchanges[:4]
    del ctx.evidence[8:]
    isolated = isolate(model, minimal.request, frozenset(p.ids), default_mode, minimal.disagreement.kind)
    if isolated == "values-exact":
        isolated = _exactness_control(ctx, model, minimal.request) or isolated
    shown = minimal.request.describe(default_mode)
    shrunk = (f"shrunk in {spent} request(s) from: {found.request.describe(default_mode)}"
              if minimal.request != found.request else "already minimal")
    if isolated == rule:
        raise Failed(f"{minimal.disagreement.message}; minimal request: {shown} ({shrunk})",
                     expected=minimal.disagreement.expected,
                     observed={**_as_dict(minimal.disagreement.observed), "minimal request": _wire(ctx, minimal.request)})
    where = (f"the requirement {_owner(ctx, isolated)} ({isolated})" if isolated in RULES
             else "a rule with a requirement of its own (a single filter, plain paging, ids alone or a documented error)")
    raise Inconclusive(f"an answer disagrees with the document model, but its minimal request ({shown}: "
                       f"{minimal.disagreement.message}) isolates {where}, not this rule; see that result")


def _exactness_control(ctx: CheckContext, model: DocumentModel, request: Request) -> str:
    """Whether a variant's disagreement is about exactness at all ("" if so), asked with control requests.

    The same request with the carried value itself, and (where the variant is to be refused) with a
    plainly invalid value: if either disagrees too, the filter or the refusal is broken whatever the
    value, which is its own requirement's rule, not this one.
    """
    for variant, original in request.variants:
        name = _name_of(request, variant)
        carried = _control_value(model, name, original)
        for replacement in (carried, _invalid_value(model, name)):
            if replacement is None:
                continue
            if replacement != carried and not model.predict(request).refused:
                continue
            control = replace(request, variants=(), conditions=tuple(
                (name, tuple(replacement if v == variant else v for v in values)) for name, values in request.conditions))
            disagreement, exchanges, _ = attempt(ctx, model, control)
            if disagreement is not None:
                return "other"
    return ""


def _control_value(model: DocumentModel, name: str, original: str) -> str | None:
    """A carried value of ``name`` that a broken exact match cannot mistake: ``original`` if it is one."""
    if not _ambiguous(model, name, original):
        return original
    return next((v for v in sorted(model.carried(name)) if not _ambiguous(model, name, v)), None)


def _ambiguous(model: DocumentModel, name: str, value: str) -> bool:
    """Whether another carried value begins with ``value`` or equals it but for case: a broken exact match
    shows on ``value`` itself then, so it cannot serve as a control."""
    folded = value.casefold()
    return any(other != value and (other.startswith(value) or other.casefold() == folded or value in other)
               for other in model.carried(name))


def _name_of(request: Request, value: str) -> str:
    return next((name for name, values in request.conditions if value in values), "")


def _as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {"observed": value}
