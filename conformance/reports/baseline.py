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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.files import load_yaml
from conformance.results import Result


@dataclass(frozen=True)
class Entry:
    requirement: str
    vendor: str
    reason: str
    expires: dt.date | None = None


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
        if not isinstance(item, dict) or not {"requirement", "vendor", "reason"} <= item.keys():
            raise BaselineError(f"baseline {path}: entry {n} needs requirement, vendor and reason")
        expires = item.get("expires")
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise BaselineError(f"baseline {path}: entry {n}: expires {expires!r} is not YYYY-MM-DD") from None
        if expires is not None and not isinstance(expires, dt.date):
            raise BaselineError(f"baseline {path}: entry {n}: expires must be a date")
        entries.append(Entry(str(item["requirement"]), str(item["vendor"]), str(item["reason"]), expires))
    return entries


def check_entries(path: str | Path, entries: list[Entry], known: dict[str, set[str]]) -> None:
    """Raise :class:`BaselineError` for an entry naming an unknown vendor or requirement, or the wrong vendor.

    ``known`` maps every vendor to the ids of its catalogue.
    """
    for n, entry in enumerate(entries, start=1):
        where = f"baseline {path}: entry {n} ({entry.requirement})"
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
    entry = next((e for e in entries if e.vendor == result.vendor and e.requirement == result.requirement), None)
    if entry is None:
        return result
    if entry.expires is not None and entry.expires <= today:
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
