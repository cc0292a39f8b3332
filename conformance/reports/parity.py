"""What a parity run says: its verdict, the JSON ``parity`` section, the console's lines and the Markdown summary.

The matrix itself is :mod:`conformance.parity.matrix`; this module only words it. With a reference,
the cells that differ from it come first everywhere a person reads, because they are what a mock's
CI job is about; accepted differences are listed apart, with the reason the baseline gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from conformance.errors import ExitCode
from conformance.parity.matrix import Row, counts
from conformance.results import CONFORMS, FAILS, INTERNAL_ERROR, INTERRUPTED, UNDECIDED, Verdict

#: The longest a normalized observation is shown on the console or in Markdown; the JSON holds it whole.
SHOWN = 160


@dataclass
class Parity:
    """The parity of one run: its targets (in the order they ran), the reference, the matrix."""

    #: name -> what the target is, its vendor, verdict, exit status and report folder
    targets: dict[str, dict[str, Any]]
    reference: str | None
    rows: list[Row] = field(default_factory=list)
    fail_on_difference: bool = False

    def differences(self) -> list[str]:
        """One line per cell that differs from the reference and is not accepted: what the gate fails on."""
        return [f"{name} {row.vendor}:{row.requirement} differs from {self.reference}"
                for row in self.rows for name in row.gating()]

    def section(self) -> dict[str, Any]:
        """The JSON report's ``parity`` section."""
        return {"targets": self.targets, "reference": self.reference, "fail_on_difference": self.fail_on_difference,
                "summary": counts(self.rows), "differences": self.differences(),
                "rows": [row.to_dict() for row in self.rows]}


def combine(verdicts: dict[str, Verdict], differences: list[str]) -> Verdict:
    """The verdict of a parity run: each target's own, then the differences the gate counts, as failures.

    A target that broke, did not finish or failed decides as it would alone; an accepted difference
    or one not gated (no ``--fail-on-difference``) is reported and changes nothing.
    """
    failed = tuple(f"{name} {n}" for name, v in verdicts.items() for n in v.failed) + tuple(differences)
    undecided = tuple((f"{name} {n}", reason) for name, v in verdicts.items() for n, reason in v.undecided)
    not_run = tuple(f"{name} {n}" for name, v in verdicts.items() for n in v.not_run)
    interrupted = any(v.interrupted for v in verdicts.values())
    broken = "; ".join(f"{name}: {v.internal_error}" for name, v in verdicts.items() if v.internal_error)
    facts: dict[str, Any] = {"failed": failed, "undecided": undecided, "not_run": not_run, "interrupted": interrupted}
    if broken:
        return Verdict(ExitCode.INTERNAL, INTERNAL_ERROR, internal_error=broken, **facts)
    if interrupted or not_run:
        return Verdict(ExitCode.UNDECIDED, INTERRUPTED, **facts)
    if failed:
        # a requirement a target fails and differs on is one requirement of that target, counted once
        distinct = {" ".join(line.split()[:2]) for line in failed}
        return Verdict(ExitCode.FAILED, f"{FAILS}: {len(distinct)} requirements", **facts)
    if any(v.code != ExitCode.OK for v in verdicts.values()):
        return Verdict(ExitCode.UNDECIDED, f"{UNDECIDED}: {len(undecided)} requirements", **facts)
    return Verdict(ExitCode.OK, CONFORMS, **facts)


def shown(cell: Any) -> str:
    """A cell as one short line: the outcome, and the observation when there is one."""
    text = cell.outcome + ("" if cell.observation is None
                           else " " + json.dumps(cell.observation, ensure_ascii=False, sort_keys=True))
    return text if len(text) <= SHOWN else text[:SHOWN] + " …"


def console_lines(parity: Parity) -> list[str]:
    """The parity section of the console: differences from the reference first, then every row that differs."""
    tally = counts(parity.rows)
    reference = f", reference {parity.reference}" if parity.reference else ""
    lines = [f"parity: {len(parity.rows)} requirement(s) × {len(parity.targets)} target(s) "
             f"({', '.join(parity.targets)}{reference}): "
             + ", ".join(f"{n} {mark}" for mark, n in tally.items())]
    if parity.reference:
        for row in parity.rows:
            expected = shown(row.cells[parity.reference])
            for name, cell in row.cells.items():
                if cell.differs_from_reference:
                    label = "ACCEPTED" if cell.accepted else "DIFFERS"
                    lines.append(f"{label} {name} {row.vendor}:{row.requirement}: {shown(cell)} — "
                                 f"{parity.reference}: {expected}" + (f" ({cell.accepted})" if cell.accepted else ""))
                if cell.baseline_note:
                    lines.append(f"BASELINE {name} {row.vendor}:{row.requirement} — {cell.baseline_note}")
    for row in parity.rows:
        if row.differs:
            who = f" ({row.only})" if row.only else ""
            lines.append(f"{row.mark}{who}: {row.vendor}:{row.requirement} — "
                         + "; ".join(f"{name}: {shown(cell)}" for name, cell in row.cells.items()))
    return lines


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown(parity: Parity, verdict: Verdict) -> str:
    """A short Markdown parity section: the verdict, the marks counted, and each row that differs."""
    tally = counts(parity.rows)
    described = ", ".join(f"**{n}** ({t.get('spec')})" for n, t in parity.targets.items())
    lines = [f"## Parity of DescribeInstances: {verdict.line}", "",
             f"Targets: {described}"
             + (f" · reference **{parity.reference}**" if parity.reference else ""), "",
             " · ".join(f"{n} {mark}" for mark, n in tally.items()), ""]
    differing = [row for row in parity.rows if row.differs]
    if differing:
        names = list(parity.targets)
        lines += ["| requirement | mark | " + " | ".join(names) + " |",
                  "| --- | --- | " + " | ".join("---" for _ in names) + " |"]
        for row in differing:
            cells = []
            for name in names:
                cell = row.cells.get(name)
                text = "—" if cell is None else shown(cell)
                flag = "**" if cell is not None and cell.differs_from_reference and not cell.accepted else ""
                cells.append(f"{flag}{_cell(text)}{flag}")
            lines.append(f"| {row.vendor}:{row.requirement} | {row.mark}{f' ({row.only})' if row.only else ''} | "
                         + " | ".join(cells) + " |")
    return "\n".join(lines).rstrip() + "\n"
