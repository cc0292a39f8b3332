"""Spec coverage (issue 13): every statement of both documents is a requirement or an exclusion with a reason.

``conformance.spec.statements`` splits each document into statements with
stable keys; ``schemas/<vendor>/coverage.yaml`` accounts for each. The tests
below fail on a statement with no entry, an entry naming an unknown
requirement, an entry neither covered nor excluded (or excluded with no
reason, or still ``TODO``), and a stale entry; ``test_each_failure_is_caught``
proves each on a mutated copy. That every requirement's quote is in its
document is ``test_traceability.test_every_quote_occurs_verbatim``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from conformance import providers
from conformance.commands.main import main
from conformance.reports.coverage import coverage_html
from conformance.spec import catalog, documents, statements

VENDORS = providers.names()
README = Path(__file__).resolve().parents[1] / "README.md"


def _ids(vendor: str) -> set[str]:
    """The requirements traced to the document (an SDK-sourced one cites its package, not a statement)."""
    return {r.id for r in catalog.load(vendor).requirements if not r.package}


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_statement_is_accounted_for(vendor):
    coverage = statements.load_coverage(vendor)
    found = statements.statements(vendor, coverage)
    assert statements.problems(found, coverage, _ids(vendor)) == []
    figure = statements.figure(vendor)
    assert figure.complete and figure.accounted == figure.total == len(found)


#: Every later revision of every provider's document, each with a coverage file of its own.
REVISIONS = [(vendor, revision) for vendor in VENDORS for revision in providers.get(vendor).revisions]


@pytest.fixture
def selected_revision(request):
    """Judge the vendor against the given later revision for the test; the seed is selected again after it."""
    vendor, revision = request.param
    catalog.select_revision(vendor, revision)
    try:
        yield vendor, revision
    finally:
        catalog.select_revision(vendor, None)


@pytest.mark.parametrize("selected_revision", REVISIONS, indirect=True, ids=[f"{v}-{r}" for v, r in REVISIONS])
def test_every_statement_of_a_later_revision_is_accounted_for(selected_revision):
    vendor, revision = selected_revision
    assert catalog.revision_of(vendor) == revision
    coverage = statements.load_coverage(vendor)
    assert statements.coverage_path(vendor).parent == catalog.revision_directory(vendor, revision)
    found = statements.statements(vendor, coverage)
    assert statements.problems(found, coverage, _ids(vendor)) == []
    figure = statements.figure(vendor)
    assert figure.complete and figure.accounted == figure.total == len(found)


@pytest.mark.parametrize("vendor", VENDORS)
def test_split_is_deterministic_and_keys_are_unique(vendor):
    first = statements.statements(vendor)
    assert first == statements.statements(vendor)
    keys = [s.key for s in first]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_table_row_and_sample_is_a_statement(vendor):
    found = statements.statements(vendor)
    rows = sum(1 for t in documents.tables(vendor) for r in t.rows if any(c.strip() for c in r))
    assert sum(1 for s in found if s.kind == "row") == rows
    assert sum(1 for s in found if s.kind == "sample") == len(documents.code_blocks(vendor))
    assert any(s.kind == "item" for s in found) and any(s.kind == "sentence" for s in found)


@pytest.mark.parametrize("vendor", VENDORS)
def test_statement_texts_are_plain_text(vendor):
    for s in statements.statements(vendor):
        if s.kind != "sample":
            assert not any(mark in s.text for mark in ("|", "**", "](", "\\(", "<br>", "<li>", "`")), s


def test_splitting_examples():
    text = "\n".join([
        "# Op", "", "## Description", "", "-   First one. Second one has `code`.", "-   Third one, wrapped",
        "    over two lines.", "",
        "## Request parameters", "", "|Parameter|Type|Required|Example|Description|",
        "|---|---|---|---|---|",
        "|VpcId|String|No|v-1|The ID of the VPC. |",
        "|Kind|String|No|a|The kind. Valid values:", "", "-   a: the first", "-   b: the second |",
        "| zone| String| 否| 取值范围：<br><li>PREPAID：预付费<br><li>POSTPAID：后付费|",
        "", "## Error codes", "", "|HTTP status|Error code|Message|Description|", "|---|---|---|---|",
        "|400|InvalidTagCount|Too many.|The tags exceed the limit.|", "",
        "Sample", "", "```", "{\"a\": 1}", "```",
    ])
    found = statements.split(text, {"Request parameters": "request", "Error codes": "errors"})
    by_key = {s.key: s for s in found}
    assert list(by_key) == [
        "description/first-one", "description/second-one-has-code", "description/third-one-wrapped-over-two-lines",
        "request/VpcId", "request/Kind", "request/Kind/a", "request/Kind/b",
        "request/zone", "request/zone/PREPAID", "request/zone/POSTPAID",
        "errors/InvalidTagCount", "errors/sample", "errors/json"]
    assert by_key["description/third-one-wrapped-over-two-lines"].text == "Third one, wrapped over two lines."
    assert by_key["request/VpcId"].text == "VpcId (String, No): The ID of the VPC."
    assert by_key["request/Kind/a"].kind == "item" and by_key["request/Kind/a"].text == "a: the first"
    assert by_key["request/zone/PREPAID"].text == "PREPAID：预付费"
    assert by_key["errors/InvalidTagCount"].text == "InvalidTagCount (400, Too many.): The tags exceed the limit."
    assert by_key["errors/json"].kind == "sample"


@pytest.mark.parametrize("vendor", VENDORS)
def test_editing_one_sentence_renames_no_other(vendor):
    found = statements.statements(vendor)
    sentence = next(s for s in found if s.kind == "sentence")
    coverage = statements.load_coverage(vendor)
    original = documents.document_text(vendor)
    first_words = sentence.text.split()[0] if " " in sentence.text else sentence.text[:3]
    edited = original.replace(first_words, "Edited " + first_words, 1)
    assert edited != original
    after = statements.split(edited, coverage.sections)
    before_keys = [s.key for s in found]
    after_keys = [s.key for s in after]
    assert len(before_keys) == len(after_keys)
    assert [k for k in before_keys if k not in after_keys] == [sentence.key]


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_row_requirement_is_cited_by_its_row(vendor):
    """A requirement that names its table row (``row: VpcId``) is among what that row's statement cites."""
    coverage = statements.load_coverage(vendor)
    cited: dict[str, set[str]] = {}
    for s in statements.statements(vendor, coverage):
        if s.kind == "row":
            name = s.key.split("/", 1)[1].split("@")[0]
            cited.setdefault(name, set()).update(statements.covered_by(coverage.entries[s.key]))
    row_requirements = [r for r in catalog.load(vendor).requirements if r.row]
    assert row_requirements
    assert [r.id for r in row_requirements if r.id not in cited.get(r.row, set())] == []


# --------------------------------------------------------------- proof the test can fail

def _mutated(vendor: str) -> tuple[list[statements.Statement], statements.Coverage, set[str]]:
    coverage = statements.load_coverage(vendor)
    return statements.statements(vendor, coverage), copy.deepcopy(coverage), _ids(vendor)


@pytest.mark.parametrize("vendor", VENDORS)
def test_each_failure_is_caught(vendor):
    found, coverage, ids = _mutated(vendor)
    covered = next(s.key for s in found if statements.covered_by(coverage.entries[s.key]))
    excluded = next(s.key for s in found if statements.reason(coverage.entries[s.key]))

    def problems_after(change) -> list[str]:
        mutated = copy.deepcopy(coverage)
        change(mutated.entries)
        return statements.problems(found, mutated, ids)

    # a statement with no entry
    missing = [p for p in problems_after(lambda e: e.pop(covered)) if p.startswith(f"{covered}:")]
    assert len(missing) == 1 and missing[0].startswith(f"{covered}: no entry")
    # an entry naming a requirement the catalogue does not have
    assert f"{covered}: unknown requirement NO-SUCH-001 ({next(s.text for s in found if s.key == covered)[:70]})" \
        in problems_after(lambda e: e[covered].update(requirements=["NO-SUCH-001"]))
    # a requirement no statement cites
    cited_once = next(rid for rid in sorted(ids)
                      if sum(rid in statements.covered_by(e) for e in coverage.entries.values()) == 1)
    citing = next(k for k, e in coverage.entries.items() if cited_once in statements.covered_by(e))
    assert f"{cited_once}: a requirement no statement cites" in problems_after(
        lambda e: e[citing].update(requirements=[r for r in e[citing]["requirements"] if r != cited_once]
                                   or ["NO-SUCH-001"]))
    # an entry neither covered nor excluded, an empty reason, a TODO
    for entry in ({}, {"excluded": ""}, {"excluded": "  "}, {"excluded": statements.TODO}, {"requirements": []}):
        found_problems = problems_after(lambda e, entry=entry: e.update({excluded: dict(entry)}))
        assert len(found_problems) == 1 and "neither requirements nor an excluded reason" in found_problems[0]
    # both at once
    assert "both covered and excluded" in problems_after(lambda e: e[covered].update(excluded="why"))[0]
    # a stale entry: a key the document no longer has
    assert problems_after(lambda e: e.update({"request/NoSuchParameter": {"excluded": "gone"}})) == [
        "request/NoSuchParameter: stale entry, the document has no such statement"]
    # a requirement removed from the catalogue leaves its statements unaccounted for
    removed = statements.covered_by(coverage.entries[covered])[0]
    assert any(f"unknown requirement {removed}" in p for p in statements.problems(found, coverage, ids - {removed}))
    # a statement the document gains is unaccounted for
    text = documents.document_text(vendor) + "\n\nA new sentence about nothing.\n"
    grown = statements.split(text, coverage.sections)
    new_key = next(s.key for s in grown if s.text == "A new sentence about nothing.")
    assert statements.problems(grown, coverage, ids) == [f"{new_key}: no entry (A new sentence about nothing.)"]


# --------------------------------------------------------------- the coverage file, the command, the report

@pytest.mark.parametrize("vendor", VENDORS)
def test_committed_file_is_in_the_skeleton_form(vendor):
    """``--write-skeleton`` on a complete file changes nothing: the file is what the writer writes."""
    text, dropped = statements.skeleton(vendor)
    assert dropped == []
    assert text == statements.coverage_path(vendor).read_text(encoding="utf-8")


def _point_at(monkeypatch, tmp_path: Path, vendor: str, change) -> Path:
    data = yaml.safe_load(statements.coverage_path(vendor).read_text(encoding="utf-8"))
    change(data["statements"])
    path = tmp_path / f"{vendor}-coverage.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    real = statements.coverage_path
    monkeypatch.setattr(statements, "coverage_path", lambda v: path if v == vendor else real(v))
    return path


def test_skeleton_adds_todo_and_drops_stale(monkeypatch, tmp_path, capsys):
    key = statements.statements("alibaba")[0].key
    path = _point_at(monkeypatch, tmp_path, "alibaba",
                     lambda s: (s.pop(key), s.update({"request/Gone": {"excluded": "gone"}})))
    text, dropped = statements.skeleton("alibaba")
    assert dropped == ["request/Gone"]
    assert main(["coverage", "--vendor", "alibaba", "--write-skeleton"]) == 1  # the TODO is not a decision
    assert "dropped stale entries: request/Gone" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == text
    assert statements.load_coverage("alibaba").entries[key] == {"excluded": statements.TODO}
    assert statements.figure("alibaba").problems == (
        f"{key}: neither requirements nor an excluded reason ({statements.statements('alibaba')[0].text[:70]})",)


def test_command_prints_the_figure_and_exclusions(capsys):
    assert main(["coverage"]) == 0
    out = capsys.readouterr().out
    for vendor in VENDORS:
        assert f"{vendor}: {statements.figure(vendor).line()}" in out
    assert "excluded (2): describes a RAM permission this suite cannot set up" in out
    assert "description/if-you-are-using-a-ram" in out
    assert main(["coverage", "--vendor", "tencent"]) == 0
    assert "alibaba" not in capsys.readouterr().out.split("\n")[0]


def test_command_exit_statuses(monkeypatch, tmp_path, capsys):
    assert main(["coverage", "--vendor", "nobody"]) == 2
    assert "unknown vendor" in capsys.readouterr().err
    key = statements.statements("tencent")[-1].key
    _point_at(monkeypatch, tmp_path, "tencent", lambda s: s.pop(key))
    assert main(["coverage", "--vendor", "tencent"]) == 1
    assert f"UNACCOUNTED {key}: no entry" in capsys.readouterr().out
    assert main(["coverage", "--vendor", "alibaba"]) == 0


def test_coverage_html(monkeypatch, tmp_path):
    html = coverage_html(list(VENDORS))
    assert html.startswith("<section id='spec-coverage'>") and html.endswith("</section>")
    for vendor in VENDORS:
        assert statements.figure(vendor).line() in html
    assert "describes a RAM permission this suite cannot set up" in html
    assert "o-failed" not in html
    key = statements.statements("alibaba")[0].key
    _point_at(monkeypatch, tmp_path, "alibaba", lambda s: s.update({key: {"excluded": "<script>x</script>"}}))
    html = coverage_html(["alibaba"])
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_readme_shows_the_current_figure():
    readme = README.read_text(encoding="utf-8")
    for vendor in VENDORS:
        assert f"{vendor}: {statements.figure(vendor).line()}" in readme


def test_the_run_report_shows_the_coverage(tmp_path):
    """``conformance run``'s HTML report carries the coverage figure of the vendors it checked."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "conformance", "run", "--vendor", "tencent", "--category", "auth",
                           "--report-dir", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "conformance.html").read_text(encoding="utf-8")
    assert "id='spec-coverage'" in page and "tencent" in page.split("id='spec-coverage'")[1]
