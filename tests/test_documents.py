"""The vendor documents are part of the project: ``documents/`` holds them byte for byte, and the suite reads them there.

The recorded digests are those of the vendor's text as the project was built from it; a copy that
drifts (an editor's newline, a "fix" of the vendor's typo) changes what every quote is checked
against, so it fails here, with or without the original beside the checkout.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conformance import providers
from conformance.spec import documents

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ROOT / "documents"

#: sha256 of every file under ``documents/``, as the vendors published them.
DIGESTS = {
    "alibaba-ecs-2014-05-26-DescribeInstances.md": "e33e46fcc5f8baa3b119bade0f518ca102805774b189ea261eeb39181a225442",
    "tencent-cvm-2017-03-12-DescribeInstances.md": "8483559e794fbe9b1c92ee1f872e23f834dce8e381a9966282cbba8b382f8503",
    "revisions/README.md": "f9e614c98ca1f49ba19af4329f9a86bcb6a47974bc20dc4c93e1432f9e05b736",
    "revisions/alibaba-ecs-2014-05-26/2020-12-14.md":
        "e33e46fcc5f8baa3b119bade0f518ca102805774b189ea261eeb39181a225442",
    "revisions/alibaba-ecs-2014-05-26/2021-05-17.md":
        "03362f05fb2b86634d59354290d6af800dab7c64a669d781382e13c3293cb5c1",
}


@pytest.mark.parametrize("name", sorted(DIGESTS))
def test_each_document_is_the_vendors_text_byte_for_byte(name):
    assert hashlib.sha256((DOCUMENTS / name).read_bytes()).hexdigest() == DIGESTS[name]


def test_the_folder_holds_the_recorded_documents_and_nothing_else():
    assert sorted(str(p.relative_to(DOCUMENTS)) for p in DOCUMENTS.rglob("*") if p.is_file()) == sorted(DIGESTS)


def test_every_provider_document_is_recorded():
    assert {p.document for p in providers.PROVIDERS.values()} <= set(DIGESTS)


def test_the_suite_reads_the_checkout_s_documents(monkeypatch):
    monkeypatch.delenv(documents.SPEC_DIR_ENV, raising=False)
    assert documents.spec_dir() == DOCUMENTS
    for vendor in providers.names():
        assert documents.document_path(vendor) == DOCUMENTS / providers.get(vendor).document


def test_the_override_wins_then_the_wheel_s_copy(monkeypatch, tmp_path):
    monkeypatch.setenv(documents.SPEC_DIR_ENV, str(tmp_path))
    assert documents.spec_dir() == tmp_path
    with pytest.raises(documents.DocumentNotFound, match=documents.SPEC_DIR_ENV):
        documents.document_path("tencent")
    monkeypatch.delenv(documents.SPEC_DIR_ENV)
    bundled = Path(documents.__file__).resolve().parents[1] / documents.BUNDLED_DIR
    assert not bundled.exists()  # a checkout has no wheel copy; an installed wheel has (tests/test_installed_package.py)
    real_is_dir = Path.is_dir
    monkeypatch.setattr(Path, "is_dir", lambda self: self == bundled or real_is_dir(self))
    assert documents.spec_dir() == bundled


def test_the_wheel_carries_the_documents_beside_the_schemas():
    import tomllib

    included = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"][
        "force-include"]
    assert included["documents"] == f"conformance/{documents.BUNDLED_DIR}"
    assert included["schemas"] == "conformance/schemas_data"


def test_nothing_needs_a_folder_beside_the_checkout():
    """The contract lives in the repository: no code, test or make target reaches for ``../shared``."""
    needles = ("../shared", "shared/spec", '"shared"')
    paths = [ROOT / "Makefile", ROOT / "pyproject.toml", *(ROOT / "conformance").rglob("*.py"),
             *(ROOT / "tests").rglob("*.py"), *(ROOT / "tests" / "data").rglob("*.yaml")]
    found = [f"{p.relative_to(ROOT)}: {n}" for p in paths if p != Path(__file__)
             for n in needles if n in p.read_text(encoding="utf-8")]
    assert found == []
