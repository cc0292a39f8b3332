"""Parity runs (``--target``, ``--reference``, ``--fail-on-difference``): the matrix, the gate, the baseline.

Each "done when" of the parity issue is one test here: the emulator against itself with one
deviation, the emulator against an independent server that lists nothing for an unknown region,
a mock held to a replayed recording (failing, then baselined), and the same verdicts for a target
alone and in a parity run. Selections are small (one category, or a few requirements, 30
instances) so that the whole file stays within seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conformance.commands.main import main
from conformance.parity import matrix
from conformance.parity.normalize import normalized
from conformance.results import Result

sys.path.insert(0, str(Path(__file__).resolve().parent))
from independent_alibaba import KEY_ID, KEY_SECRET, IndependentAlibaba  # noqa: E402

CLI = [sys.executable, "-m", "conformance", "run"]
#: One deviation that breaks exactly one pagination requirement (ALI-PAGE-011).
DEVIATION, BROKEN = "page-number-echo-past-end", "ALI-PAGE-011"
#: Documented requirements the independent Alibaba server passes, and observed ones it answers like the emulator
#: but for the unknown region (ALI-DOC-001 is left out: that server does not read lower-case tag keys at all).
AGAINST_INDEPENDENT = ("ALI-PAGE-001", "ALI-PAGE-003", "ALI-FILT-006", "ALI-FILT-Status", "ALI-FILT-ZoneId",
                       "ALI-REGION-unknown", "ALI-ENUM-HttpEndpoint-unlisted", "ALI-ENUM-HttpTokens-unlisted",
                       "ALI-DEF-HttpEndpoint", "ALI-DEF-HttpTokens")
INDEPENDENT_ENV = {"CONFORMANCE_MOCK_KEY_ID": KEY_ID, "CONFORMANCE_MOCK_KEY_SECRET": KEY_SECRET}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "400", **(env or {})})  # lines unbroken


def rows(report: dict) -> dict[str, dict]:
    return {row["requirement"]: row for row in report["parity"]["rows"]}


def requirement_args(ids: tuple[str, ...]) -> list[str]:
    return [arg for rid in ids for arg in ("--requirement", rid)]


@pytest.fixture(scope="module")
def deviation_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    """The emulator against itself with one deviation: pagination, 30 instances, plain as the reference."""
    out = tmp_path_factory.mktemp("deviation")
    result = run("--vendor", "alibaba", "--category", "pagination", "--instances", "30", "--report-dir", str(out),
                 "--markdown", str(out / "summary.md"),
                 "--target", "plain=emulator", "--target", f"dev=emulator:{DEVIATION}", "--reference", "plain")
    return result, out


def test_the_deviating_requirement_differs_and_nothing_else(deviation_run):
    result, out = deviation_run
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    report = json.loads((out / "conformance.json").read_text())
    found = rows(report)
    assert len(found) == 15
    assert {rid for rid, row in found.items() if row["differs"]} == {BROKEN}
    assert found[BROKEN]["mark"] == "only this target fails" and found[BROKEN]["only"] == "dev"
    assert found[BROKEN]["cells"]["dev"]["differs_from_reference"] is True
    assert found[BROKEN]["cells"]["plain"] == {"outcome": "passed", "observation": None,
                                               "differs_from_reference": None}
    assert {row["mark"] for rid, row in found.items() if rid != BROKEN} == {"same everywhere"}
    assert report["parity"]["summary"] == {"same everywhere": 14, "differs": 0, "only this target fails": 1}
    assert report["verdict"] == "FAILS: 1 requirements" and report["failed"] == [f"dev alibaba:{BROKEN}"]
    assert {r["parity_target"] for r in report["results"]} == {"plain", "dev"}
    # each target's own reports, as a run of it alone writes them
    for name in ("plain", "dev"):
        alone = json.loads((out / name / "conformance.json").read_text())
        assert "parity" not in alone and alone["targets"]["alibaba"]["name"] == name
    # the console: the parity section lists the difference from the reference first, then the verdict last
    tail = result.stdout[result.stdout.index("parity: 15 requirement(s)"):].splitlines()
    assert tail[1].startswith(f"DIFFERS dev alibaba:{BROKEN}: failed — plain: passed")
    assert tail[2].startswith(f"only this target fails (dev): alibaba:{BROKEN}")
    assert result.stdout.rstrip().endswith("FAILS: 1 requirements (exit 1)")
    assert f"| alibaba:{BROKEN} | only this target fails (dev) |" in (out / "summary.md").read_text()


def test_the_html_matrix_highlights_the_differing_cell_and_junit_names_stay_unique(deviation_run):
    _, out = deviation_run
    page = (out / "conformance.html").read_text()
    assert page.count("<tr class='m-same'") == 14 and page.count("<tr class='m-only'") == 1
    assert page.count("data-differs='true'") == 1
    assert f"data-requirement='{BROKEN}' data-mark='only this target fails'" in page
    assert "class='cell o-failed differs' data-target='dev'" in page
    assert "href='dev/conformance.html'" in page
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    names = [(c.get("classname"), c.get("name")) for c in suite.iter("testcase")]
    assert len(names) == len(set(names)) == 30
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == [f"{BROKEN} [dev]"]


def test_a_target_gets_the_same_verdicts_alone_and_in_a_parity_run(deviation_run, tmp_path):
    # the second target of the parity run, after another in the same process: what would leak from one to the next
    _, out = deviation_run
    alone = run("--vendor", "alibaba", "--category", "pagination", "--instances", "30", "--deviation", DEVIATION,
                "--target-name", "dev", "--report-dir", str(tmp_path))
    assert alone.returncode == 1, alone.stdout[-2000:]

    def verdicts(path: Path) -> list[tuple]:
        data = json.loads(path.read_text())
        return [(r["requirement"], r["outcome"], r["message"], json.dumps(r["observed"]), r["requests"])
                for r in data["results"]]

    assert len(verdicts(tmp_path / "conformance.json")) == 15
    assert verdicts(tmp_path / "conformance.json") == verdicts(out / "dev" / "conformance.json")


def independent_parity(out: Path, unknown_region: str, ids: tuple[str, ...]) -> tuple[int, dict]:
    with IndependentAlibaba(unknown_region=unknown_region) as server:
        result = run("--vendor", "alibaba", "--instances", "30", "--report-dir", str(out), *requirement_args(ids),
                     "--target", "emu=emulator", "--target", f"mock={server.url}", "--reference", "emu",
                     env=INDEPENDENT_ENV)
    assert (out / "conformance.json").is_file(), result.stdout[-3000:] + result.stderr[-2000:]
    return result.returncode, json.loads((out / "conformance.json").read_text())


def test_an_independent_server_differs_from_the_emulator_on_the_unknown_region_only(tmp_path):
    code, report = independent_parity(tmp_path / "empty", "empty", AGAINST_INDEPENDENT)
    assert code == 0, report["verdict"]
    found = rows(report)
    assert {rid for rid, row in found.items() if row["differs"]} == {"ALI-REGION-unknown"}
    region = found["ALI-REGION-unknown"]
    assert region["mark"] == "differs" and not region["documented"]
    assert region["cells"]["emu"]["observation"] == {"status": 404, "code": "InvalidRegionId.NotFound"}
    assert region["cells"]["mock"]["observation"] == {"status": 200, "items": "none"}
    assert region["cells"]["mock"]["differs_from_reference"] is True
    documented = [row for row in found.values() if row["documented"]]
    assert len(documented) == 5
    assert {cell["outcome"] for row in documented for cell in row["cells"].values()} == {"passed"}
    # the same observation for the default filters, although the two inventories differ in size and values
    assert found["ALI-DEF-HttpEndpoint"]["mark"] == "same everywhere"
    # a server that refuses an unknown region as the emulator does: the row is the same everywhere
    code, report = independent_parity(tmp_path / "error", "error", ("ALI-PAGE-001", "ALI-REGION-unknown"))
    assert code == 0 and rows(report)["ALI-REGION-unknown"]["mark"] == "same everywhere"


def test_a_mock_held_to_a_recording_fails_on_a_difference_until_it_is_baselined(tmp_path):
    ids = ("ALI-PAGE-001", "ALI-ENUM-HttpEndpoint-unlisted", "ALI-REGION-unknown")
    cassettes = tmp_path / "cassettes"
    recorded = run("--record", "--vendor", "alibaba", "--instances", "30", *requirement_args(ids),
                   "--cassette-dir", str(cassettes), "--target-name", "cloud", "--report-dir", str(tmp_path / "rec"))
    assert recorded.returncode == 0, recorded.stdout[-2000:]
    reports = tmp_path / "reports"
    with IndependentAlibaba() as server:
        def parity(*extra: str) -> subprocess.CompletedProcess:
            return run("--vendor", "alibaba", *requirement_args(ids), "--report-dir", str(reports),
                       "--target", f"cloud=replay:{cassettes / 'alibaba' / 'cloud'}", "--target", f"mock={server.url}",
                       "--reference", "cloud", *extra, env=INDEPENDENT_ENV)

        reported = parity()  # without the gate a difference is reported, not failed
        assert reported.returncode == 0 and "DIFFERS mock alibaba:ALI-REGION-unknown" in reported.stdout
        gated = parity("--fail-on-difference")
        assert gated.returncode == 1, gated.stdout[-3000:] + gated.stderr[-2000:]
        report = json.loads((reports / "conformance.json").read_text())
        assert report["parity"]["differences"] == ["mock alibaba:ALI-REGION-unknown differs from cloud"]
        cloud = report["parity"]["targets"]["cloud"]
        assert (cloud["kind"], cloud["spec"]) == ("replay", f"replay:{cassettes / 'alibaba' / 'cloud'}")
        assert cloud["endpoint"] == f"replay of {cassettes / 'alibaba' / 'cloud'}"  # not the embedded emulator
        assert (reports / cloud["json"]).is_file() and (reports / cloud["html"]).is_file()
        assert gated.stdout.rstrip().endswith("FAILS: 1 requirements (exit 1)")
        suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
        assert [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None] == [
            "parity: mock alibaba:ALI-REGION-unknown differs from cloud"]
        accepted = tmp_path / "baseline.yaml"
        assert main(["baseline", "--from", str(reports / "conformance.json"), "-o", str(accepted),
                     "--reason", "our mock lists nothing there", "--expires", "2099-01-01"]) == 0
        entries = yaml.safe_load(accepted.read_text())
        assert entries == [{"target": "mock", "requirement": "ALI-REGION-unknown", "vendor": "alibaba",
                            "reason": "our mock lists nothing there", "expires": "2099-01-01"}]
        passing = parity("--fail-on-difference", "--baseline", str(accepted))
        assert passing.returncode == 0, passing.stdout[-3000:]
        cell = rows(json.loads((reports / "conformance.json").read_text()))["ALI-REGION-unknown"]["cells"]["mock"]
        assert cell["accepted"] == "known difference until 2099-01-01: our mock lists nothing there"
        assert "ACCEPTED mock alibaba:ALI-REGION-unknown" in passing.stdout
        accepted.write_text(accepted.read_text().replace("2099-01-01", "2020-01-01"))
        expired = parity("--fail-on-difference", "--baseline", str(accepted))
        assert expired.returncode == 1 and "expired on 2020-01-01" in expired.stdout


@pytest.mark.parametrize(("args", "says"), [
    (["--target", "nonsense"], "expected NAME=URL, NAME=replay:DIR or NAME=emulator"),
    (["--target", "a=ftp://host"], "expected NAME=URL"),
    (["--target", "../up=emulator"], "must be letters, digits"),
    (["--target", "a=emulator", "--target", "A=emulator"], "two targets have that name"),
    (["--target", "a=emulator", "--target", "b=emulator", "--reference", "c"], "--reference c names no target"),
    (["--target", "a=emulator", "--target", "b=emulator", "--fail-on-difference"], "--fail-on-difference needs"),
    (["--target", "a=emulator", "--reference", "a", "--fail-on-difference"], "--fail-on-difference needs"),
    (["--target", "a=emulator", "--endpoint", "http://127.0.0.1:9"], "--endpoint and --target exclude each other"),
    (["--target", "a=emulator", "--replay"], "--replay and --target exclude each other"),
    (["--target", "a=emulator:no-such-deviation"], "unknown deviation 'no-such-deviation'"),
    (["--target", "a=replay:/nowhere/alibaba/x"], "no recording there"),
    (["--reference", "a"], "give them with --target"),
    (["--fail-on-difference"], "give them with --target"),
])
def test_bad_parity_flags_are_a_usage_error(args, says, tmp_path, capsys):
    assert main(["run", "--vendor", "alibaba", "--report-dir", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert json.loads((tmp_path / "conformance.json").read_text())["not_started"]


def test_a_parity_run_needs_one_vendor_and_baseline_targets_it_has(tmp_path, capsys):
    assert main(["run", "--report-dir", str(tmp_path), "--target", "a=emulator"]) == 2
    assert "--target needs a single --vendor" in capsys.readouterr().err
    baseline = tmp_path / "b.yaml"
    baseline.write_text("- {target: ghost, requirement: ALI-PAGE-001, reason: r}\n")
    assert main(["run", "--vendor", "alibaba", "--report-dir", str(tmp_path), "--baseline", str(baseline),
                 "--target", "a=emulator", "--target", "b=emulator"]) == 2
    assert "target 'ghost', which is no --target of this run" in capsys.readouterr().err


def test_a_target_with_half_its_credentials_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_MY_MOCK_KEY_ID", "id-only")
    monkeypatch.delenv("CONFORMANCE_MY_MOCK_KEY_SECRET", raising=False)
    assert main(["run", "--vendor", "alibaba", "--report-dir", str(tmp_path),
                 "--target", "my-mock=http://127.0.0.1:9", "--target", "b=emulator"]) == 2
    assert "CONFORMANCE_MY_MOCK_KEY_ID and CONFORMANCE_MY_MOCK_KEY_SECRET go together" in capsys.readouterr().err


def test_each_target_records_its_own_cassettes_and_no_secret_is_written(tmp_path):
    from hostile_servers import EchoServer, signature_values
    from secret_scan import scan

    key_id, secret = "AKIDparityKey0123456789", "paritySecret/0123456789+abcdef"
    with EchoServer("alibaba", key_id=key_id) as server:  # it echoes every parameter, header and body back
        done = run("--record", "--vendor", "alibaba", "--category", "empty-arrays", "--instances", "30",
                   "--cassette-dir", str(tmp_path / "cassettes"), "--report-dir", str(tmp_path / "reports"),
                   "--markdown", str(tmp_path / "summary.md"), "--target", "emu=emulator",
                   "--target", f"echo={server.url}", "--reference", "emu",
                   env={"CONFORMANCE_ECHO_KEY_ID": key_id, "CONFORMANCE_ECHO_KEY_SECRET": secret})
        sent = signature_values(server.received)
    assert sent and (tmp_path / "reports" / "conformance.json").is_file(), done.stdout[-2000:] + done.stderr[-2000:]
    for name in ("emu", "echo"):  # each its own discovery walk and cassettes
        assert (tmp_path / "cassettes" / "alibaba" / name / "_discovery.yaml").is_file()
        assert (tmp_path / "cassettes" / "alibaba" / name / "ALI-EMPTY-001.yaml").is_file()
    assert scan([tmp_path], [done.stdout, done.stderr], [key_id, secret, *sent]) == []


BREAK = """
import sys
import conformance.commands.run as run_module
from conformance.commands.main import main

def broken(*args, **kwargs):
    raise RuntimeError("injected failure")

setattr(run_module, sys.argv[1], broken)
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("hook", ["mark_junit", "preflight"])
def test_a_target_whose_run_breaks_is_an_internal_error_of_the_parity_run(hook, tmp_path):
    done = subprocess.run([sys.executable, "-c", BREAK, hook, "run", "--vendor", "alibaba", "--category", "dry-run",
                           "--instances", "30", "--report-dir", str(tmp_path), "--target", "a=emulator",
                           "--target", "b=emulator", "--reference", "a"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 4, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "INTERNAL ERROR (exit 4)" and "== target b" not in done.stdout
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert report["exit_code"] == 4 and report["verdict"] == "INTERNAL ERROR" and report["internal_error"]
    assert "INTERNAL ERROR" in (tmp_path / "conformance.html").read_text()
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert "verdict" in [c.get("name") for c in suite.iter("testcase")]


def result(check: str, outcome: str, observed: object, message: str = "m") -> Result:
    return Result(vendor="alibaba", requirement="R", category="filters", outcome=outcome,  # type: ignore[arg-type]
                  documented=False, quote="q", summary="s", check=check, message=message, observed=observed)


def test_normalized_observations_leave_out_what_the_inventory_decides():
    # counts that grow with the inventory, and request ids, never count as a difference
    big = result("observe_default_filter", "observed", {"without": 150, "carrying_default": 90, "with_default": 90})
    small = result("observe_default_filter", "observed", {"without": 12, "carrying_default": 5, "with_default": 5})
    assert normalized(big) == normalized(small)
    assert normalized(result("request_ids_unique", "observed", ["A-1", "B-2"])) == \
        normalized(result("request_ids_unique", "observed", ["C-3"]))
    lists = {"$.a[*].x": {"[]": 40, "non-empty": 3}, "$.a[*].y": {"[]": 2}}
    assert normalized(result("observe_empty_lists", "observed", lists))["observation"] == ["[]"]
    # what the endpoint answered does count: an error beside an empty listing, or another error code
    refused = result("observe_request", "observed", {"status": 404, "code": "InvalidRegionId.NotFound"})
    listed = result("observe_request", "observed", {"status": 200, "items": 0})
    other = result("observe_request", "observed", {"status": 400, "code": "InvalidRegionId.Malformed"})
    assert len({json.dumps(normalized(r), sort_keys=True) for r in (refused, listed, other)}) == 3
    # a check with no rule keeps only error codes and statuses, wherever they are
    failed = result("ids_lookup", "failed", {"ids": ["i-1", "i-2"], "answer": {"status": 400, "code": "Bad"}})
    assert normalized(failed)["observation"] == {"status": 400, "code": "Bad"}
    # a pass keeps nothing but its outcome; an observed requirement says whether it went as documented
    assert normalized(result("ids_lookup", "passed", {"ids": [1]})) == {"outcome": "passed", "observation": None}
    documented_like = result("region_scopes", "observed", None, "as the document suggests: all of them")
    assert normalized(documented_like)["observation"] == {"reading": "as the document suggests"}


def test_marks_of_the_matrix():
    ok, bad = result("x", "passed", None), result("x", "failed", {"status": 400, "code": "A"})
    other = result("x", "failed", {"status": 400, "code": "B"})
    built = matrix.build({"a": [ok], "b": [bad], "c": [ok]}, reference="a")[0]
    assert (built.mark, built.only, built.gating()) == ("only this target fails", "b", ["b"])
    built = matrix.build({"a": [bad], "b": [other]}, reference="a")[0]
    assert (built.mark, built.only) == ("differs", None)
    built = matrix.build({"a": [ok], "b": [ok]})[0]
    assert built.mark == "same everywhere" and built.cells["b"].differs_from_reference is None
    assert matrix.build({"a": [ok], "b": []})[0].cells["b"].outcome == "not run"


def test_one_baseline_from_a_parity_report_makes_its_gate_green(tmp_path, capsys):
    """A target that fails and differs is one requirement of that target; the baseline written from the
    parity report accepts both its failure (a known deviation) and its difference, in one file."""
    common = ["run", "--vendor", "alibaba", "--target", "plain=emulator", "--target", "capped=emulator:page-size-cap-50",
              "--reference", "plain", "--fail-on-difference", "--requirement", "ALI-PAGE-004", "--instances", "300"]
    assert main([*common, "--report-dir", str(tmp_path / "a")]) == 1
    assert capsys.readouterr().out.rstrip().endswith("FAILS: 1 requirements (exit 1)")
    baseline = tmp_path / "baseline.yaml"
    assert main(["baseline", "--from", str(tmp_path / "a" / "conformance.json"), "-o", str(baseline),
                 "--expires", "2099-12-31"]) == 0
    entries = yaml.safe_load(baseline.read_text())
    assert [(e.get("target"), e["requirement"]) for e in entries] == [(None, "ALI-PAGE-004"), ("capped", "ALI-PAGE-004")]
    assert main([*common, "--report-dir", str(tmp_path / "b"), "--baseline", str(baseline)]) == 0
    assert main(["baseline", "--from", str(tmp_path / "a" / "conformance.json"), "-o", str(baseline),
                 "--expires", "2027-02-30"]) == 2
    assert "--expires '2027-02-30'" in capsys.readouterr().err


def test_a_parity_runs_reports_state_the_document_revision(tmp_path):
    assert main(["run", "--vendor", "alibaba", "--document-revision", "2021-05-17", "--target", "a=emulator",
                 "--target", "b=emulator:token-walk-skips-one", "--reference", "a", "--requirement", "ALI-PAGE-020",
                 "--instances", "30", "--report-dir", str(tmp_path)]) == 1
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert {t["document_revision"] for t in report["parity"]["targets"].values()} == {"2021-05-17"}
    assert [(r["requirement"], r["mark"]) for r in report["parity"]["rows"]] == [("ALI-PAGE-020",
                                                                                 "only this target fails")]
    assert "document revision 2021-05-17" in (tmp_path / "conformance.html").read_text()
    assert 'name="document_revision" value="alibaba 2021-05-17"' in (tmp_path / "junit.xml").read_text()


def test_a_target_that_cannot_start_stops_the_parity_run_saying_why(tmp_path, capsys):
    assert main(["run", "--vendor", "tencent", "--target", "a=emulator", "--target", "b=http://127.0.0.1:1",
                 "--requirement", "TC-PAGE-001", "--report-dir", str(tmp_path)]) == 3
    assert "target b did not run (exit 3): endpoint http://127.0.0.1:1 cannot be reached" in capsys.readouterr().err
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert report["not_started"].startswith("target b did not run (exit 3): endpoint http://127.0.0.1:1")


def test_a_target_whose_credentials_are_refused_names_its_own_variables(tmp_path, capsys, monkeypatch):
    from conformance.emulator.fixtures import fake_cloud

    monkeypatch.setenv("CONFORMANCE_MOCK_KEY_ID", "mock-key-id")
    monkeypatch.setenv("CONFORMANCE_MOCK_KEY_SECRET", "not-the-mock-secret")
    with fake_cloud("alibaba", key_id="mock-key-id", key_secret="the-mock-secret") as cloud:
        assert main(["run", "--vendor", "alibaba", "--requirement", "ALI-PAGE-001", "--report-dir", str(tmp_path),
                     "--target", "emu=emulator", "--target", f"mock={cloud.url}"]) == 2
    err = capsys.readouterr().err
    assert "target mock did not run (exit 2): alibaba: the endpoint refused the credentials" in err
    assert "(a target's own credentials: CONFORMANCE_MOCK_KEY_ID and CONFORMANCE_MOCK_KEY_SECRET)" in err
    assert "not-the-mock-secret" not in err + (tmp_path / "conformance.json").read_text()
