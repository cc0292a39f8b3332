"""``make bench`` writes docs/figures.md: each benchmark replaces its own section between marker comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import figures
from conformance.suite import bench

PAGE = Path(__file__).resolve().parents[1] / "docs" / "figures.md"


def _page(*sections: tuple[str, str]) -> str:
    text = "# Figures\n\nProse before.\n\n"
    for name, body in sections:
        start, end = figures.markers(name)
        text += f"{start}\n{body}\n{end}\n\nProse after {name}.\n\n"
    return text


def test_a_section_is_replaced_between_its_markers_and_nothing_else_moves():
    text = _page(("suite-scale", "| old | table |"), ("emulator", "old emulator figures"))
    new = figures.replace_section(text, "suite-scale", "| new | table |\n")
    assert "| new | table |" in new and "| old | table |" not in new
    assert new.replace("| new | table |", "| old | table |") == text
    assert figures.replace_section(new, "suite-scale", "| new | table |") == new  # idempotent


def test_a_missing_section_is_appended_and_a_broken_one_refused():
    text = _page(("emulator", "x"))
    new = figures.replace_section(text, "replay", "Median 3.2 s")
    assert new.startswith(text.rstrip()) and new.endswith("<!-- figures:replay -->\nMedian 3.2 s\n"
                                                          "<!-- /figures:replay -->\n")
    start, end = figures.markers("replay")
    with pytest.raises(ValueError):
        figures.replace_section(f"{end}\nx\n{start}\n", "replay", "y")
    with pytest.raises(ValueError):
        figures.replace_section(f"{start}\nx\n", "replay", "y")
    with pytest.raises(ValueError):
        figures.replace_section(f"{start}\n{end}\n{start}\n{end}\n", "replay", "y")


def test_write_section_names_the_machine(tmp_path, monkeypatch):
    page = tmp_path / "figures.md"
    page.write_text(_page(("machine", "Last measured on: elsewhere."), ("default-run", "old")), encoding="utf-8")
    monkeypatch.setattr(figures, "cpu_model", lambda: "Test CPU 3000")
    figures.write_section(page, "default-run", bench.run_sentence(
        {"median_s": 5.04, "min_s": 4.96, "max_s": 5.2, "requests": 499, "discovery": 4, "checks": 495,
         "codes": [0]}, 3))
    text = page.read_text(encoding="utf-8")
    assert "Median **5.0 s** of 3 runs (min 5.0 s, max 5.2 s), **499 requests** (4 discovery, 495 checks), " \
           "exit 0 every time." in text
    assert "elsewhere" not in text and "Test CPU 3000" in text and "Python" in text
    assert text.count("<!-- figures:machine -->") == 1 and "Prose after default-run." in text


def test_cpu_model_reads_proc_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Some  CPU @ 2.00GHz\n", encoding="utf-8")
    assert figures.cpu_model(info) == "Some CPU @ 2.00GHz"


def test_the_scale_table_has_the_page_s_columns():
    table = bench.scale_table([("tencent", 2000, {"median_s": 3.31, "requests": 230, "discovery": 14, "checks": 216,
                                                  "codes": [0]})], 3)
    assert "| tencent | 2,000 | 3.3 | 230 | 14 | 216 | pass |" in table


def test_the_page_has_every_section_make_bench_writes():
    text = PAGE.read_text(encoding="utf-8")
    for name in ("machine", "suite-scale", "default-run", "replay", "fixture-startup", "emulator"):
        start, end = figures.markers(name)
        assert text.count(start) == text.count(end) == 1, name
        assert text.index(start) < text.index(end), name
