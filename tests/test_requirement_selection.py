"""``--requirement ID`` selects requirements without pytest syntax; ``conformance requirements`` lists them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import providers
from conformance.commands.main import main
from conformance.run import options
from conformance.run.session import SuiteSession
from conformance.run.settings import Settings
from conformance.spec import catalog

CLI = [sys.executable, "-m", "conformance"]
PACKAGE = Path(__file__).resolve().parents[1] / "conformance"


def settings(*argv: str) -> Settings:
    """Settings as ``conformance run`` makes them from ``argv``."""
    from conformance.commands.main import build_parser

    args = build_parser("run").parse_args(["run", *argv])
    return Settings.from_options(lambda o: getattr(args, o.dest), "run", {})


def test_the_option_is_declared_once_in_the_option_table():
    declared = [o for o in options.OPTIONS if o.flag == "--requirement"]
    assert len(declared) == 1 and declared[0].commands == frozenset({"run"})
    assert declared[0].conformance_flag == "--conformance-requirement"  # the pytest entry point takes it too
    mentions = [p for p in PACKAGE.rglob("*.py") if '"--requirement"' in p.read_text(encoding="utf-8")]
    assert mentions == [PACKAGE / "run" / "options.py"]


def test_it_selects_exactly_the_ids_given():
    chosen = SuiteSession(settings("--requirement", "TC-PAGE-001", "--requirement", "ALI-FILT-VpcId"))
    assert [f"{r.vendor}:{r.id}" for r in chosen.selected_requirements()] == ["alibaba:ALI-FILT-VpcId",
                                                                             "tencent:TC-PAGE-001"]
    both = SuiteSession(settings("--vendor", "tencent", "--category", "auth", "--requirement", "TC-AUTH-001"))
    assert [r.id for r in both.selected_requirements()] == ["TC-AUTH-001"]


@pytest.mark.parametrize("argv, message", [
    (["--requirement", "ALI-NOPE-001"], "unknown requirement 'ALI-NOPE-001' for alibaba, tencent"),
    (["--vendor", "alibaba", "--requirement", "TC-PAGE-001"],
     "--requirement TC-PAGE-001 is a tencent requirement; --vendor alibaba does not check it"),
    (["--vendor", "tencent", "--requirement", "TC-PAGE-001", "--requirement", "tc-page-002"],
     "unknown requirement 'tc-page-002' for tencent"),
])
def test_ids_are_validated_against_the_selected_vendors_catalogues(argv, message):
    with pytest.raises(ValueError) as raised:
        settings(*argv)
    assert str(raised.value).startswith(message)


def test_a_run_of_two_requirements(tmp_path):
    result = subprocess.run([*CLI, "run", "--requirement", "TC-AUTH-001", "--requirement", "TC-PAGE-004",
                             "--report-dir", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "CONFORMS (exit 0)"
    report = json.loads((tmp_path / "conformance.json").read_text())
    assert sorted(r["requirement"] for r in report["results"]) == ["TC-AUTH-001", "TC-PAGE-004"]


def test_an_unknown_id_is_one_line_and_exit_2(tmp_path):
    result = subprocess.run([*CLI, "run", "--vendor", "alibaba", "--requirement", "ALI-PAGE-999",
                             "--report-dir", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "conformance run: unknown requirement 'ALI-PAGE-999' for alibaba; see conformance requirements"]
    assert result.stdout == ""


# ----------------------------------------------------------------- conformance requirements


def test_the_text_listing_has_one_block_per_requirement(capsys):
    assert main(["requirements"]) == 0
    out = capsys.readouterr().out
    everything = [r for v in providers.names() for r in catalog.load(v).requirements]
    blocks = out.strip().split("\n\n")
    assert len(blocks) == len(everything) + 1 and blocks[-1].startswith(f"{len(everything)} requirement(s): ")
    by_id = {b.split()[0]: b for b in blocks[:-1]}
    page = by_id["ALI-PAGE-001"]
    assert page.splitlines()[0] == "ALI-PAGE-001  alibaba · pagination · documented"
    assert "quote:" in page and "check:" in page and "source:    alibaba-ecs-2014-05-26-DescribeInstances.md" in page
    assert "judged by: the official SDK tencentcloud-sdk-python-cvm" in by_id["TC-CLIENT-001"]
    observed = next(r for r in everything if r.status == "observed")
    assert by_id[observed.id].splitlines()[0].endswith("· observed")


def test_the_json_listing_filters_by_vendor_and_category(capsys):
    assert main(["requirements", "--vendor", "tencent", "--category", "auth", "--category", "client",
                 "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    expected = [r for r in catalog.load("tencent").requirements if r.category in ("auth", "client")]
    assert [item["id"] for item in listed] == [r.id for r in expected]
    for item in listed:
        assert set(item) == {"id", "vendor", "category", "status", "check", "quote", "summary", "source"}
        assert item["vendor"] == "tencent" and item["status"] in ("documented", "observed")
    auth = next(i for i in listed if i["id"] == "TC-AUTH-001")
    assert auth["quote"] and auth["source"] == {"document": "tencent-cvm-2017-03-12-DescribeInstances.md"}
    client = next(i for i in listed if i["id"] == "TC-CLIENT-001")
    assert client["quote"] == "" and client["source"]["package"] == "tencentcloud-sdk-python-cvm"


def test_bad_arguments_exit_2(capsys):
    assert main(["requirements", "--vendor", "aws"]) == 2
    assert main(["requirements", "--format", "yaml"]) == 2
    assert "invalid choice" in capsys.readouterr().err
