"""What keeps a run's requests few: pairs that cover every filter once, single answers asked once,
and a JSON report that is not rewritten after every result."""

from __future__ import annotations

import json
import time

from conformance.checks.filters import Answers, disjoint_pairs
from conformance.reports import json_report
from conformance.reports.json_report import Report
from conformance.results import Result
from conformance.vendors.base import Query


def test_disjoint_pairs_put_every_filter_in_a_pair_at_half_the_requests():
    firsts = [(f"F{n}", "v") for n in range(7)]
    pairs = disjoint_pairs(firsts, lambda a, b: a[0] != b[0])
    assert len(pairs) == 4  # 7 filters: three pairs and the one left over with an earlier partner
    assert {c for pair in pairs for c in pair} == set(firsts)


def test_disjoint_pairs_respect_compatibility():
    firsts = [("A", "1"), ("B", "1"), ("C", "1")]
    never_with_b = lambda a, b: a[0] != b[0] and "B" not in (a[0], b[0]) or {a[0], b[0]} == {"B", "C"}  # noqa: E731
    pairs = disjoint_pairs(firsts, never_with_b)
    assert all(never_with_b(a, b) for a, b in pairs)
    assert {c for pair in pairs for c in pair} == set(firsts)
    assert disjoint_pairs([("A", "1")], lambda a, b: True) == []  # nothing to pair with: nothing sent


class _Context:
    def __init__(self):
        self.asked: list[Query] = []

    def collect(self, query, note=""):
        self.asked.append(query)
        return f"answer {len(self.asked)}"


def test_answers_asks_each_single_query_once():
    ctx = _Context()
    answers = Answers(ctx)  # type: ignore[arg-type]
    first = answers(Query(filters={"ZoneId": ["z1"]}), note="A")
    again = answers(Query(filters={"ZoneId": ["z1"]}), note="A again")
    other = answers(Query(filters={"ZoneId": ["z2"]}), note="B")
    assert first == again != other and len(ctx.asked) == 2


def _result(n: int) -> Result:
    return Result(vendor="alibaba", requirement=f"ALI-X-{n:03}", category="filters", outcome="passed",
                  documented=True, quote="q", summary="s", check="c", message="m")


def test_the_json_report_is_saved_at_most_every_half_second_and_whole_at_the_end(tmp_path, monkeypatch):
    writes: list[str] = []
    real = json_report.write_atomic
    monkeypatch.setattr(json_report, "write_atomic", lambda path, text: (writes.append(text), real(path, text)))
    report = Report(path=tmp_path / "r.json")
    for n in range(50):
        report.add(_result(n))
    assert 1 <= len(writes) < 50  # the first result at once, then not after each one
    assert json.loads(writes[0])["results"]  # what was saved is a whole report
    time.sleep(json_report.SAVE_EVERY_S)
    report.add(_result(50))
    assert len(json.loads((tmp_path / "r.json").read_text())["results"]) == 51  # due again: saved
    report.finish()
    saved = json.loads((tmp_path / "r.json").read_text())
    assert len(saved["results"]) == 51 and saved["complete"] is True


def _generated_requests(vendor: str, instances: int, examples: int | None = None) -> int:
    from conformance.run.session import SuiteSession
    from conformance.run.settings import Settings
    from conformance.spec import catalog

    generated = {r.id for r in catalog.load(vendor).requirements
                 if r.check in ("model_agrees", "request_ids_unique", "time_format")}
    session = SuiteSession(Settings(vendors=[vendor], instances=instances, examples=examples))
    try:
        results = [session.evaluate(r) for r in session.selected_requirements() if r.id in generated]
    finally:
        session.close()
    assert {r.outcome for r in results} <= {"passed", "observed"}, [(r.requirement, r.message) for r in results]
    return sum(r.requests - r.discovery_requests for r in results)


def test_the_generated_part_costs_a_fixed_number_of_requests_whatever_the_listing():
    for vendor in ("alibaba", "tencent"):
        small, large = _generated_requests(vendor, 150), _generated_requests(vendor, 600)
        assert small <= 300 and large <= 300, (vendor, small, large)
        assert abs(large - small) <= 0.25 * small, (vendor, small, large)  # the draws differ, the count barely


def test_examples_raise_the_draws_of_the_generated_part():
    assert _generated_requests("tencent", 150, examples=20) > _generated_requests("tencent", 150, examples=2)
