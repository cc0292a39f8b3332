"""The installed package is the product: the wheel, installed in a fresh virtualenv, does the README's jobs.

Everything else in ``tests/`` runs the checkout (an editable install, ``PYTHONPATH``), where a file
the wheel forgot is still found beside the sources. Here the wheel is built from this checkout,
installed with its dependencies (and the ``client`` extra, as ``make report`` installs it) into a new
virtualenv, and run in an empty folder far from the checkout with no ``CONFORMANCE_*`` variable: the
main job, ``conformance coverage``, ``conformance emulator`` and a user's own pytest file with the
emulator fixtures. Dependencies come from the package index pip is configured with (PyPI in CI).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _clean_env() -> dict[str, str]:
    """This process's environment without anything that would point the product back at the checkout or a run."""
    dropped = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    prefixes = ("CONFORMANCE_", "PYTEST_", "ALIBABA_CLOUD_", "TENCENTCLOUD_", "COV_CORE_")
    return {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith(prefixes)}


def _run(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout)


def _user_test_file() -> str:
    """A user's test file: the README's fixture example, and the other fixture and ``fake_cloud`` beside it."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    example = next(b for b in blocks if "alibaba_cloud" in b)
    return example + '''

def test_tencent_cloud_lists_through_the_official_sdk(tencent_cloud):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cvm.v20170312 import cvm_client, models

    profile = ClientProfile(httpProfile=HttpProfile(endpoint=tencent_cloud.endpoint, protocol=tencent_cloud.protocol))
    client = cvm_client.CvmClient(credential.Credential(tencent_cloud.key_id, tencent_cloud.key_secret),
                                  tencent_cloud.region, profile)
    request = models.DescribeInstancesRequest()
    request.Limit = 100
    answer = client.DescribeInstances(request)
    assert answer.TotalCount == len(tencent_cloud.listed()) > 0


def test_fake_cloud_outside_a_fixture():
    from conformance.emulator.fixtures import fake_cloud

    with fake_cloud("tencent", instances=5) as cloud:
        assert len(cloud.instances) == 5 and cloud.url.startswith("http://127.0.0.1:")
'''


@pytest.mark.slow
def test_the_installed_wheel_does_the_readme_s_jobs(tmp_path):
    started = time.monotonic()
    build = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"),
                  str(ROOT)], cwd=tmp_path, timeout=300)
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = next((tmp_path / "dist").glob("conformance-*.whl"))
    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, timeout=120)
    assert made.returncode == 0, made.stderr
    python, conformance = venv / "bin" / "python", venv / "bin" / "conformance"
    installed = _run([str(python), "-m", "pip", "install", "--quiet", f"conformance[client] @ {wheel.as_uri()}"],
                     cwd=tmp_path, timeout=600)
    assert installed.returncode == 0, installed.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([str(python), "-c", "import conformance.spec.documents as d, conformance.spec.catalog as c; "
                  "print(d.__file__, d.spec_dir(), c.schemas_root(), sep='\\n')"], cwd=elsewhere, timeout=60)
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(venv)) for line in where.stdout.split()), where.stdout  # not the checkout
    assert where.stdout.split()[1].endswith("documents_data")

    # (a) the main job: both vendors against the embedded emulator, the three reports
    main = _run([str(conformance), "run", "--report-dir", "reports"], cwd=elsewhere, timeout=300)
    assert main.returncode == 0, main.stdout[-3000:] + main.stderr[-3000:]
    assert main.stdout.strip().splitlines()[-1].startswith("CONFORMS"), main.stdout[-1000:]
    assert "Traceback" not in main.stderr
    reports = elsewhere / "reports"
    assert {p.name for p in reports.iterdir()} >= {"conformance.html", "conformance.json", "junit.xml"}
    report = json.loads((reports / "conformance.json").read_text(encoding="utf-8"))
    assert report["exit_code"] == main.returncode and report["verdict"] == "CONFORMS" and report["complete"] is True
    assert {r["vendor"] for r in report["results"]} == {"alibaba", "tencent"}
    page = (reports / "conformance.html").read_text(encoding="utf-8")
    assert "CONFORMS" in page and "id='spec-coverage'" in page

    # (b) the spec coverage, from the documents inside the wheel
    coverage = _run([str(conformance), "coverage"], cwd=elsewhere, timeout=120)
    assert coverage.returncode == 0, coverage.stdout[-2000:] + coverage.stderr[-2000:]
    assert "100.0% accounted for" in coverage.stdout
    rewrite = _run([str(conformance), "coverage", "--write-skeleton"], cwd=elsewhere, timeout=120)
    assert rewrite.returncode == 2 and "installed package" in rewrite.stderr, rewrite.stderr  # never edits the wheel

    # (c) the emulator: it starts, answers (an unsigned request is refused as the vendor would), stops cleanly
    emulator = subprocess.Popen([str(conformance), "emulator", "--vendor", "tencent", "--port", "0"], cwd=elsewhere,
                                env=_clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert emulator.stdout is not None
        line = emulator.stdout.readline()
        assert line.startswith("listening on http://"), line + (emulator.stderr.read() if emulator.stderr else "")
        with urllib.request.urlopen(line.split()[-1] + "/", timeout=30) as answer:
            assert "AuthFailure" in answer.read().decode()
    finally:
        emulator.send_signal(signal.SIGINT)
        assert emulator.wait(timeout=30) == 0

    # (d) a user's own tests with the emulator's pytest fixtures, found through the installed plugin
    (elsewhere / "test_mine.py").write_text(_user_test_file(), encoding="utf-8")
    mine = _run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mine.py"], cwd=elsewhere,
                timeout=300)
    assert mine.returncode == 0, mine.stdout[-3000:] + mine.stderr[-3000:]
    assert re.search(r"\b[1-9]\d* passed\b", mine.stdout) and "failed" not in mine.stdout and \
        "error" not in mine.stdout.lower(), mine.stdout[-3000:]
    # (e) a later document revision and a parity run, from the wheel's own schemas and documents
    later = _run([str(conformance), "run", "--vendor", "alibaba", "--document-revision", "2021-05-17",
                  "--requirement", "ALI-PAGE-020", "--requirement", "ALI-FILT-020", "--report-dir", "r21"],
                 cwd=elsewhere, timeout=300)
    assert later.returncode == 0, later.stdout[-2000:] + later.stderr[-2000:]
    assert json.loads((elsewhere / "r21" / "conformance.json").read_text())["document_revision"] == {
        "alibaba": "2021-05-17"}
    parity = _run([str(conformance), "run", "--vendor", "alibaba", "--target", "plain=emulator",
                   "--target", "capped=emulator:page-size-cap-50", "--reference", "plain", "--fail-on-difference",
                   "--requirement", "ALI-PAGE-004", "--report-dir", "rp"], cwd=elsewhere, timeout=300)
    assert parity.returncode == 1, parity.stdout[-2000:] + parity.stderr[-2000:]
    rows = json.loads((elsewhere / "rp" / "conformance.json").read_text())["parity"]["rows"]
    assert [(r["requirement"], r["mark"]) for r in rows] == [("ALI-PAGE-004", "only this target fails")]
    print(f"installed-package test: {time.monotonic() - started:.1f} s")
