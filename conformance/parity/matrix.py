"""The parity matrix: requirements by targets, each cell an outcome and a normalized observation.

Each row is marked ``same everywhere`` (every target's normalized form is equal), ``only this target
fails`` (one target failed it and no other did), or ``differs``. With a reference target, each other
cell says whether it differs from the reference's; a baseline may then accept a known difference
(:func:`conformance.reports.baseline.accept_differences`), and what is left is what
``--fail-on-difference`` gates on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.parity.normalize import normalized
from conformance.results import Result

SAME, DIFFERS, ONLY_FAILS = "same everywhere", "differs", "only this target fails"
MARKS = (SAME, DIFFERS, ONLY_FAILS)
#: The outcome of a cell whose target has no result for the requirement (its run stopped before it).
NOT_RUN = "not run"


@dataclass
class Cell:
    outcome: str
    observation: Any = None
    #: a known deviation of the target's own baseline (the outcome is still ``failed``)
    known_deviation: bool = False
    #: None for the reference's own cell, or when there is no reference
    differs_from_reference: bool | None = None
    #: why the baseline accepts this cell's difference from the reference ("" when it does not)
    accepted: str = ""
    #: what the baseline says of this cell otherwise: an expired entry, or a difference that is gone
    baseline_note: str = ""

    def key(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "observation": self.observation}

    def to_dict(self) -> dict[str, Any]:
        out = {"outcome": self.outcome, "observation": self.observation,
               "differs_from_reference": self.differs_from_reference}
        if self.known_deviation:
            out["known_deviation"] = True
        if self.accepted:
            out["accepted"] = self.accepted
        if self.baseline_note:
            out["baseline_note"] = self.baseline_note
        return out


@dataclass
class Row:
    vendor: str
    requirement: str
    category: str
    documented: bool
    summary: str
    cells: dict[str, Cell] = field(default_factory=dict)
    mark: str = SAME
    #: the one target that fails, for ``only this target fails``
    only: str | None = None

    @property
    def differs(self) -> bool:
        return self.mark != SAME

    def gating(self) -> list[str]:
        """The targets whose cell differs from the reference and is not accepted by the baseline."""
        return [name for name, cell in self.cells.items() if cell.differs_from_reference and not cell.accepted]

    def to_dict(self) -> dict[str, Any]:
        return {"vendor": self.vendor, "requirement": self.requirement, "category": self.category,
                "documented": self.documented, "mark": self.mark, "only": self.only, "differs": self.differs,
                "cells": {name: cell.to_dict() for name, cell in self.cells.items()}}


def cell_of(result: Result | None) -> Cell:
    if result is None:
        return Cell(NOT_RUN)
    form = normalized(result)
    return Cell(form["outcome"], form["observation"], known_deviation=result.baseline == "expected")


def mark(cells: dict[str, Cell]) -> tuple[str, str | None]:
    """The row's mark, and the one failing target for ``only this target fails``."""
    keys = [cell.key() for cell in cells.values()]
    if all(k == keys[0] for k in keys):
        return SAME, None
    failing = [name for name, cell in cells.items() if cell.outcome == "failed"]
    if len(failing) == 1 and len(cells) > 1:
        return ONLY_FAILS, failing[0]
    return DIFFERS, None


def build(results: dict[str, list[Result]], reference: str | None = None) -> list[Row]:
    """The matrix of ``results`` (target name -> its results), rows in the order the targets ran them."""
    by_target = {name: {(r.vendor, r.requirement): r for r in chosen} for name, chosen in results.items()}
    order: dict[tuple[str, str], Result] = {}
    for chosen in results.values():
        for r in chosen:
            order.setdefault((r.vendor, r.requirement), r)
    rows = []
    for key, first in order.items():
        row = Row(first.vendor, first.requirement, first.category, first.documented, first.summary)
        row.cells = {name: cell_of(found.get(key)) for name, found in by_target.items()}
        row.mark, row.only = mark(row.cells)
        if reference is not None:
            expected = row.cells[reference].key()
            for name, cell in row.cells.items():
                cell.differs_from_reference = None if name == reference else cell.key() != expected
        rows.append(row)
    return rows


def counts(rows: list[Row]) -> dict[str, int]:
    return {m: sum(row.mark == m for row in rows) for m in MARKS}
