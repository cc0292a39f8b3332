"""What a check works with: the target, its discovered listing, and verdict helpers.

The suite does not know a live endpoint's inventory. :meth:`Target.listing`
discovers it once (walks every page) and the checks derive their oracles from
it. A walk that does not add up (duplicates, or a count that disagrees with
``TotalCount``) cannot serve as an oracle: checks that need one become
``inconclusive`` and leave the verdict to the pagination checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from conformance.spec.catalog import Requirement, VendorCatalog
from conformance.vendors.base import Adapter, Answer, Credentials, Query
from conformance.vendors.transport import Client, Exchange

MAX_EVIDENCE = 8
MAX_WALK_PAGES = 200


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
    """Every page of one query, walked from the first with a fixed size."""

    limit: int
    ids: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    totals: list[Any] = field(default_factory=list)
    page_sizes: list[int] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)

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
        if self.duplicates:
            out.append(f"{len(self.duplicates)} instance(s) listed twice, e.g. {self.duplicates[0]}")
        distinct = len(set(self.ids))
        if any(t != distinct for t in self.totals):
            out.append(f"TotalCount {sorted(set(map(str, self.totals)))} but {distinct} instance(s) walked")
        return out

    @property
    def consistent(self) -> bool:
        return not self.problems


class Target:
    """One vendor's endpoint as the checks see it, with the discovered listing cached."""

    def __init__(self, adapter: Adapter, client: Client, name: str = ""):
        self.adapter = adapter
        self.client = client
        self.name = name or client.endpoint
        self._listing: Walk | None = None
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

    def walk(self, query: Query, limit: int, note: str = "") -> Walk:
        """Send ``query`` page after page until a page comes back short."""
        walk = Walk(limit=limit)
        pages = 0
        while pages < MAX_WALK_PAGES:
            page = Query(**{**query.__dict__, "offset": pages * limit, "limit": limit})
            answer, exchange = self.client.send(page, note=note or f"walk, page {pages + 1} of size {limit}")
            walk.exchanges.append(exchange)
            if not answer.ok:
                raise Inconclusive(f"the listing was refused: HTTP {answer.status} {answer.error_code or ''} "
                                   f"{answer.parse_error or ''}".strip())
            new_ids = [self.id_of(i) for i in answer.items]
            fresh = [i for i in new_ids if i not in set(walk.ids)]
            walk.ids.extend(new_ids)
            walk.items.extend(answer.items)
            walk.totals.append(answer.total_count)
            walk.page_sizes.append(len(new_ids))
            pages += 1
            if len(new_ids) < limit or not fresh:
                break
            if isinstance(answer.total_count, int) and pages * limit >= answer.total_count + limit:
                break
        return walk

    def forget_listing(self) -> None:
        """Discover again on next use: each cassette must hold the walk its check relies on."""
        self._listing = None

    def listing(self) -> Walk:
        """The whole listing of the region, walked once per run with the largest page."""
        if self._listing is None:
            self._listing = self.walk(Query(), 100, note="discovery")
        return self._listing

    def id_of(self, item: dict[str, Any]) -> str:
        return str(self.catalog.item.get("id", item))


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
        if not walk.consistent:
            raise Inconclusive("the listing does not page consistently (" + "; ".join(walk.problems)
                               + "), so it cannot serve as an oracle; see the pagination results")
        return walk

    def collect(self, query: Query, note: str = "") -> list[str]:
        """Every id the endpoint answers to ``query`` (all pages); inconclusive if paging does not add up."""
        walk = self.target.walk(query, 100, note=note)
        self.cite(walk.exchanges[0])
        if not walk.consistent:
            raise Inconclusive("the filtered answer does not page consistently: " + "; ".join(walk.problems))
        return walk.ids

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

    def compare_ids(self, what: str, expected: list[str], observed: list[str]) -> None:
        missing = [i for i in expected if i not in set(observed)]
        extra = [i for i in observed if i not in set(expected)]
        if missing or extra or len(observed) != len(set(observed)):
            parts = []
            if missing:
                parts.append(f"{len(missing)} missing (e.g. {missing[0]})")
            if extra:
                parts.append(f"{len(extra)} unexpected (e.g. {extra[0]})")
            if len(observed) != len(set(observed)):
                parts.append("duplicates in the answer")
            raise Failed(f"{what}: " + ", ".join(parts),
                         expected={"instances": len(set(expected)), "ids": sorted(expected)[:20]},
                         observed={"instances": len(set(observed)), "missing": missing[:20], "unexpected": extra[:20]})
