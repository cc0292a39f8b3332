"""What a check works with: the target, its discovered listing, and verdict helpers.

The suite does not know a live endpoint's inventory. :meth:`Target.listing`
discovers it once per target and process (one walk at the largest page size,
:data:`DISCOVERY_LIMIT`) and every check derives its oracles from it. A walk
that does not add up (duplicates, or a count that disagrees with
``TotalCount``) is walked once more: if the second walk adds up it is the
oracle; if the two walks disagree with each other, the listing changed while
it was walked (instances created or deleted meanwhile) and the walk is marked
as churned; if they agree, the paging contract is broken. A churned, broken
or capped walk cannot serve as an oracle: checks that need one become
``inconclusive`` with the reason, and the pagination checks decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from conformance.spec.catalog import Requirement, VendorCatalog
from conformance.vendors.base import Adapter, Answer, Credentials, Query
from conformance.vendors.transport import Client, Exchange

MAX_EVIDENCE = 8
#: The page size of the discovery walk and of filtered answers: the largest both documents allow.
DISCOVERY_LIMIT = 100
#: The most pages a discovery walk sends (100,000 instances at 100). What lies past it is not
#: seen: a capped walk makes the checks that need the listing inconclusive, never failed.
DISCOVERY_PAGE_CAP = 1000
#: The pages of one filtered answer a check reads. A larger answer is compared on what was
#: read and on its ``TotalCount``; the rest is reported as not seen (see :meth:`CheckContext.compare_ids`).
COLLECT_PAGES = 1


class Failed(Exception):
    def __init__(self, message: str, expected: Any = None, observed: Any = None):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.observed = observed


class Inconclusive(Exception):
    """The check could not decide (inventory too small, paging unusable, budget spent)."""


class Skip(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Observation:
    message: str
    observed: Any = None


@dataclass
class Walk:
    """The pages of one query, walked from the first with a fixed size."""

    limit: int
    ids: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    totals: list[Any] = field(default_factory=list)
    page_sizes: list[int] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    #: Why the walk stopped before the end (a page cap): what lies past it was not seen.
    truncated: str = ""
    #: Why the listing is taken to have changed while it was walked (two walks disagree).
    churn: str = ""
    #: Why the walk was repeated (the problems of the first walk), if it was.
    rewalked: str = ""
    #: Values derived from the items, computed once per walk (filter values per item, counts).
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def duplicates(self) -> list[str]:
        seen: set[str] = set()
        twice = []
        for i in self.ids:
            if i in seen:
                twice.append(i)
            seen.add(i)
        return twice

    @property
    def problems(self) -> list[str]:
        out = []
        if self.churn:
            out.append(self.churn)
        if self.truncated:
            out.append(self.truncated)
        if self.duplicates:
            out.append(f"{len(self.duplicates)} instance(s) listed twice, e.g. {self.duplicates[0]}")
        distinct = len(set(self.ids))
        if not self.truncated and any(t != distinct for t in self.totals):
            out.append(f"TotalCount {sorted(set(map(str, self.totals)))} but {distinct} instance(s) walked")
        return out

    @property
    def consistent(self) -> bool:
        return not self.problems

    @property
    def broken(self) -> bool:
        """It does not add up, and neither churn nor a cap explains it: the paging contract is broken."""
        return not self.consistent and not self.churn and not self.truncated


def churn_between(first: Walk, second: Walk) -> str:
    """Why two walks of the same listing disagree in a way only a changing listing explains; "" if they agree.

    A deterministic endpoint answers the same pages twice; one whose paging is broken does too.
    Two walks that differ (other instances, other counts) saw a listing that changed.
    """
    if first.ids == second.ids and first.totals == second.totals:
        return ""
    counts = sorted({str(t) for t in first.totals + second.totals})
    return (f"the listing changed while it was walked (instances created or deleted meanwhile): two walks "
            f"disagree ({len(set(first.ids))} then {len(set(second.ids))} instances, TotalCount {', '.join(counts)})")


class WalkObserver(Protocol):
    """Told about a long walk as it goes (a progress line), and about the discovered listing."""

    def page(self, target: Target, note: str, pages: int, expected_pages: int | None) -> None: ...

    def discovered(self, target: Target, walk: Walk, requests: int) -> None: ...


class Target:
    """One vendor's endpoint as the checks see it, with the discovered listing cached."""

    def __init__(self, adapter: Adapter, client: Client, name: str = ""):
        self.adapter = adapter
        self.client = client
        self.name = name or client.endpoint
        self._listing: Walk | None = None
        #: Requests sent by discovery walks (the rest were sent by checks).
        self.discovery_requests = 0
        #: Told about walks as they go (progress lines); None for none.
        self.observer: WalkObserver | None = None
        #: The examples of the check under way, when recording or replaying (checks.generated.ExampleLog).
        self.examples: Any = None

    @property
    def vendor(self) -> str:
        return self.adapter.vendor

    @property
    def catalog(self) -> VendorCatalog:
        return self.adapter.catalog

    def describe(self) -> str:
        return f"{self.name} ({self.client.region})"

    def walk(self, query: Query, limit: int, note: str = "", max_pages: int | None = None) -> Walk:
        """Send ``query`` page after page until a page comes back short, or ``max_pages`` are sent.

        A walk stopped by ``max_pages`` (default :data:`DISCOVERY_PAGE_CAP`) before its end says so
        in :attr:`Walk.truncated`.
        """
        max_pages = max_pages or DISCOVERY_PAGE_CAP
        walk = Walk(limit=limit)
        seen: set[str] = set()
        pages = 0
        expected_pages: int | None = None
        while True:
            page = Query(**{**query.__dict__, "offset": pages * limit, "limit": limit})
            answer, exchange = self.client.send(page, note=note or f"walk, page {pages + 1} of size {limit}")
            walk.exchanges.append(exchange)
            if not answer.ok:
                raise Inconclusive(f"the listing was refused: HTTP {answer.status} {answer.error_code or ''} "
                                   f"{answer.parse_error or ''}".strip())
            new_ids = [self.id_of(i) for i in answer.items]
            fresh = [i for i in new_ids if i not in seen]
            seen.update(new_ids)
            walk.ids.extend(new_ids)
            walk.items.extend(answer.items)
            walk.totals.append(answer.total_count)
            walk.page_sizes.append(len(new_ids))
            pages += 1
            known_total = isinstance(answer.total_count, int) and not isinstance(answer.total_count, bool)
            if known_total:
                expected_pages = min(max_pages, max(1, math.ceil(answer.total_count / limit)))
            if self.observer is not None:
                self.observer.page(self, note, pages, expected_pages)
            if len(new_ids) < limit or not fresh:
                break
            if known_total and pages * limit >= answer.total_count + limit:
                break
            if pages >= max_pages:
                if not (known_total and pages * limit >= answer.total_count):
                    total = answer.total_count if known_total else "?"
                    walk.truncated = (f"the walk was stopped after {pages} page(s) of {limit} ({len(seen)} of {total} "
                                      f"instances seen): the rest was not seen")
                break
        return walk

    def listing(self) -> Walk:
        """The whole listing of the region, walked once per target (and process) with the largest page.

        A walk that does not add up is walked once more (see the module's docstring).
        """
        if self._listing is None:
            before = self.client.requests_sent
            try:
                # the fields the document ties to a parameter are asked for, so that their filters have an oracle
                everything = Query(extra=dict(self.catalog.reveal))
                walk = self.walk(everything, DISCOVERY_LIMIT, note="discovery")
                if not walk.consistent and not walk.truncated:
                    second = self.walk(everything, DISCOVERY_LIMIT,
                                       note="discovery, again: the first walk did not add up")
                    second.rewalked = "; ".join(walk.problems)
                    if not second.consistent:
                        second.churn = churn_between(walk, second)
                    walk = second
            finally:
                self.discovery_requests += self.client.requests_sent - before
            self._listing = walk
            if self.observer is not None:
                self.observer.discovered(self, walk, self.client.requests_sent - before)
        return self._listing

    @property
    def discovered(self) -> bool:
        return self._listing is not None

    def changed_since_discovery(self) -> str:
        """Why the listing is no longer the one discovered (one request: its first page); "" if it is the same.

        Asked only when an answer disagrees with the discovered listing, so that a listing that changed
        meanwhile is told apart from a broken contract.
        """
        listing = self.listing()
        answer, _ = self.client.send(Query(offset=0, limit=DISCOVERY_LIMIT),
                                     note="is the listing still the one discovered?")
        if not answer.ok:
            return ""
        first = [self.id_of(i) for i in answer.items]
        before = listing.totals[0] if listing.totals else None
        if answer.total_count != before or first != listing.ids[:listing.page_sizes[0] if listing.page_sizes else 0]:
            return (f"the listing changed since it was discovered (TotalCount {before!r}, now {answer.total_count!r}, "
                    f"or other instances on its first page)")
        return ""

    def id_of(self, item: dict[str, Any]) -> str:
        return str(self.catalog.item.get("id", item))


@dataclass
class Collected:
    """What a check read of one filtered answer: its ids, its ``TotalCount``, and whether that was all of it."""

    ids: list[str]
    total: Any
    complete: bool


class CheckContext:
    """A check's view of one target for one requirement; collects its evidence."""

    def __init__(self, target: Target, requirement: Requirement):
        self.target = target
        self.requirement = requirement
        self.adapter = target.adapter
        self.catalog = target.catalog
        self.client = target.client
        self.evidence: list[Exchange] = []
        self.passed_message = ""
        #: Answers larger than what the check read (see :data:`COLLECT_PAGES`): what was not seen.
        self.unseen: list[str] = []
        #: Examples that could not be decided because an answer they relate was not read whole.
        self.undecided = 0

    # ----------------------------------------------------------------- sending

    def send(self, query: Query, note: str = "", credentials: Credentials | None = None,
             signing_mode: str | None = None) -> Answer:
        answer, exchange = self.client.send(query, credentials=credentials, signing_mode=signing_mode, note=note)
        self.cite(exchange)
        return answer

    def cite(self, *exchanges: Exchange) -> None:
        for exchange in exchanges:
            if len(self.evidence) < MAX_EVIDENCE:
                self.evidence.append(exchange)

    def oracle_listing(self) -> Walk:
        """The discovered listing, if it can serve as an oracle; else this check is inconclusive."""
        walk = self.target.listing()
        self.cite(walk.exchanges[0])
        if walk.churn or walk.truncated:
            raise Inconclusive("; ".join(walk.problems) + "; the listing cannot serve as an oracle")
        if not walk.consistent:
            raise Inconclusive("the listing does not page consistently (" + "; ".join(walk.problems)
                               + "), so it cannot serve as an oracle; see the pagination results")
        return walk

    def collect(self, query: Query, note: str = "", max_pages: int = COLLECT_PAGES) -> Collected:
        """The ids the endpoint answers to ``query``, read on at most ``max_pages`` pages of 100.

        Inconclusive if what was read does not page consistently.
        """
        walk = self.target.walk(query, DISCOVERY_LIMIT, note=note, max_pages=max_pages)
        self.cite(walk.exchanges[0])
        if not walk.consistent and not (walk.truncated and walk.problems == [walk.truncated]):
            raise Inconclusive("the filtered answer does not page consistently: " + "; ".join(walk.problems))
        total = walk.totals[-1] if walk.totals else None
        return Collected(walk.ids, total, complete=not walk.truncated)

    def need(self, condition: bool, reason: str) -> None:
        if not condition:
            raise Inconclusive(reason)

    def expect_ok(self, answer: Answer, what: str) -> None:
        if not answer.ok:
            raise Failed(f"{what} was refused: HTTP {answer.status} {answer.error_code or ''} "
                         f"{answer.error_message or answer.parse_error or ''}".strip(),
                         expected="a 2XX listing", observed={"status": answer.status, "code": answer.error_code})

    def ids(self, answer: Answer) -> list[str]:
        return [self.target.id_of(i) for i in answer.items]

    @staticmethod
    def pages(total: int, size: int) -> int:
        return max(1, math.ceil(total / size))

    def page_size_for(self, total: int) -> int:
        """A page size that gives at least three pages of the listing."""
        return max(1, min(self.adapter.default_limit, total // 3))

    def first_total(self) -> int:
        answer = self.send(Query(offset=0, limit=self.adapter.default_limit), note="how many instances")
        self.expect_ok(answer, "the listing")
        if not isinstance(answer.total_count, int) or isinstance(answer.total_count, bool):
            raise Failed("TotalCount is not an integer", expected="an integer", observed=answer.total_count)
        return answer.total_count

    def fail_unless_changed(self, failure: Failed) -> None:
        """Raise ``failure``, or :class:`Inconclusive` if the listing changed since discovery (which explains it)."""
        changed = self.target.changed_since_discovery() if self.target.discovered else ""
        if changed:
            raise Inconclusive(f"{failure.message}; but {changed}, which explains it")
        raise failure

    def compare_ids(self, what: str, expected: list[str], observed: list[str] | Collected) -> None:
        """``observed`` must be exactly ``expected``.

        Of an answer read only in part (larger than :data:`COLLECT_PAGES` pages), what was read must
        all be expected, once, and its ``TotalCount`` must be the expected count; the rest is noted as
        not seen (:attr:`unseen`), never failed.
        """
        if isinstance(observed, Collected) and not observed.complete:
            wanted = set(expected)
            extra = [i for i in observed.ids if i not in wanted]
            if extra or len(observed.ids) != len(set(observed.ids)) or observed.total != len(wanted):
                parts = [f"TotalCount {observed.total!r} for {len(wanted)} expected"] if observed.total != len(wanted) else []
                if extra:
                    parts.append(f"{len(extra)} unexpected (e.g. {extra[0]})")
                if len(observed.ids) != len(set(observed.ids)):
                    parts.append("duplicates in the answer")
                self.fail_unless_changed(Failed(
                    f"{what}: " + ", ".join(parts),
                    expected={"instances": len(wanted), "ids": sorted(expected)[:20]},
                    observed={"TotalCount": observed.total, "read": len(observed.ids), "unexpected": extra[:20]}))
            self.unseen.append(f"{what}: {len(wanted) - len(set(observed.ids))} of {len(wanted)}")
            return
        got = observed.ids if isinstance(observed, Collected) else observed
        got_set, wanted = set(got), set(expected)
        missing = [i for i in expected if i not in got_set]
        extra = [i for i in got if i not in wanted]
        if missing or extra or len(got) != len(got_set):
            parts = []
            if missing:
                parts.append(f"{len(missing)} missing (e.g. {missing[0]})")
            if extra:
                parts.append(f"{len(extra)} unexpected (e.g. {extra[0]})")
            if len(got) != len(got_set):
                parts.append("duplicates in the answer")
            self.fail_unless_changed(Failed(
                f"{what}: " + ", ".join(parts),
                expected={"instances": len(wanted), "ids": sorted(expected)[:20]},
                observed={"instances": len(got_set), "missing": missing[:20], "unexpected": extra[:20]}))
