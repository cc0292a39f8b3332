"""Baselines: known deviations that are reported but do not fail a run, until they expire.

A baseline is YAML, a list of entries::

    - requirement: ALI-PAGE-003
      vendor: alibaba
      reason: "the vendor answers 20 by default; ticket 4711"
      expires: 2027-03-01        # optional; from that day on the deviation gates again

A failing requirement with an entry becomes ``expected`` (a known deviation):
reported, not failing the run. A requirement with an entry that now passes is
``fixed``: the deviation disappeared and the entry can go. An expired entry
changes nothing: the failure gates as any other.

An entry with a ``target`` accepts a *difference* of that target from a parity run's reference
instead (``vendor`` is then optional)::

    - target: mock
      requirement: ALI-REGION-unknown
      reason: "our mock lists nothing for an unknown region; ticket 12"
      expires: 2027-06-30

It never makes a failure a known deviation: the difference is reported as accepted and does not
make ``--fail-on-difference`` fail, until it expires; one that is gone is reported so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.files import load_yaml
from conformance.parity.matrix import Row
from conformance.results import Result


@dataclass(frozen=True)
class Entry:
    requirement: str
    vendor: str
    reason: str
    expires: dt.date | None = None
    #: a parity run's target whose difference from the reference this entry accepts (None: a known deviation)
    target: str | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires <= today


class BaselineError(ValueError):
    """A baseline file that cannot be used."""


def load(path: str | Path) -> list[Entry]:
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise BaselineError(f"baseline {path} is not valid YAML: {' '.join(str(exc).split())}") from None
    except ValueError as exc:  # YAML reads 2027-13-45 as a date, and the calendar refuses it
        raise BaselineError(f"baseline {path}: a bad date: {exc}") from None
    if data is None:
        return []
    if isinstance(data, dict):
        data = data.get("deviations", data.get("baseline"))
    if not isinstance(data, list):
        raise BaselineError(f"baseline {path}: expected a list of entries")
    entries = []
    for n, item in enumerate(data, start=1):
        needed = {"requirement", "reason"} | (set() if "target" in item else {"vendor"}) \
            if isinstance(item, dict) else set()
        if not isinstance(item, dict) or not needed <= item.keys():
            raise BaselineError(f"baseline {path}: entry {n} needs requirement, vendor and reason "
                                f"(or target, requirement and reason)")
        expires = item.get("expires")
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise BaselineError(f"baseline {path}: entry {n}: expires {expires!r} is not YYYY-MM-DD") from None
        if expires is not None and not isinstance(expires, dt.date):
            raise BaselineError(f"baseline {path}: entry {n}: expires must be a date")
        target = item.get("target")
        entries.append(Entry(str(item["requirement"]), str(item.get("vendor") or ""), str(item["reason"]), expires,
                             None if target is None else str(target)))
    return entries


def check_entries(path: str | Path, entries: list[Entry], known: dict[str, set[str]]) -> None:
    """Raise :class:`BaselineError` for an entry naming an unknown vendor or requirement, or the wrong vendor.

    ``known`` maps every vendor to the ids of its catalogue.
    """
    for n, entry in enumerate(entries, start=1):
        where = f"baseline {path}: entry {n} ({entry.requirement})"
        if entry.target is not None and not entry.vendor:
            if not any(entry.requirement in ids for ids in known.values()):
                raise BaselineError(f"{where}: no requirement is called {entry.requirement}")
            continue
        if entry.vendor not in known:
            raise BaselineError(f"{where}: unknown vendor {entry.vendor!r}; one of {', '.join(known)}")
        if entry.requirement not in known[entry.vendor]:
            owner = next((v for v, ids in known.items() if entry.requirement in ids), None)
            if owner is not None:
                raise BaselineError(f"{where}: {entry.requirement} is a {owner} requirement, not {entry.vendor}")
            raise BaselineError(f"{where}: no {entry.vendor} requirement is called {entry.requirement}")


def apply(result: Result, entries: list[Entry], today: dt.date | None = None) -> Result:
    """Annotate ``result`` with what the baseline says of it (in place; returned for convenience)."""
    today = today or dt.date.today()
    entry = next((e for e in entries if e.target is None and e.vendor == result.vendor
                  and e.requirement == result.requirement), None)
    if entry is None:
        return result
    if entry.expired(today):
        result.baseline_reason = f"the baseline entry expired on {entry.expires}; the deviation gates again " \
                                 f"(reason given: {entry.reason})"
    elif result.outcome == "failed":
        result.baseline = "expected"
        until = f" until {entry.expires}" if entry.expires else ""
        result.baseline_reason = f"known deviation{until}: {entry.reason}"
    elif result.outcome == "passed":
        result.baseline = "fixed"
        result.baseline_reason = f"the baselined deviation is gone (reason given: {entry.reason}); remove the entry"
    return result


def from_report(report: dict[str, Any], reason: str, expires: dt.date | None) -> list[dict[str, Any]]:
    """Entries for every failed documented requirement of a JSON report."""
    out = []
    for r in report["results"]:
        data = r if isinstance(r, dict) else r.to_dict()
        if data["outcome"] == "failed" and data.get("documented", True):
            entry: dict[str, Any] = {"requirement": data["requirement"], "vendor": data["vendor"],
                                     "reason": f"{reason}: {data['message'][:200]}"}
            if expires:
                entry["expires"] = expires.isoformat()
            out.append(entry)
    return out


def accept_differences(rows: list[Row], entries: list[Entry], today: dt.date | None = None) -> None:
    """Mark the cells of a parity matrix whose difference from the reference an unexpired entry accepts (in place).

    An expired entry accepts nothing and says so; an entry whose difference is gone says that too.
    """
    today = today or dt.date.today()
    for entry in entries:
        if entry.target is None:
            continue
        for row in rows:
            cell = row.cells.get(entry.target)
            if cell is None or row.requirement != entry.requirement or entry.vendor not in ("", row.vendor):
                continue
            if entry.expired(today):
                cell.baseline_note = (f"the accepted difference expired on {entry.expires}; it gates again "
                                      f"(reason given: {entry.reason})")
            elif cell.differs_from_reference:
                until = f" until {entry.expires}" if entry.expires else ""
                cell.accepted = f"known difference{until}: {entry.reason}"
            else:
                cell.baseline_note = f"the accepted difference is gone (reason given: {entry.reason}); remove the entry"


def differences_from_report(report: dict[str, Any], reason: str, expires: dt.date | None) -> list[dict[str, Any]]:
    """Entries accepting every difference from the reference that a parity report's gate counted."""
    out = []
    for row in (report.get("parity") or {}).get("rows", []):
        for name, cell in row["cells"].items():
            if cell.get("differs_from_reference") and not cell.get("accepted"):
                entry: dict[str, Any] = {"target": name, "requirement": row["requirement"], "vendor": row["vendor"],
                                         "reason": reason}
                if expires:
                    entry["expires"] = expires.isoformat()
                out.append(entry)
    return out
