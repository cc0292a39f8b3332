"""One run of the suite: its targets, and how a requirement is evaluated.

Shared by the pytest plugin, ``conformance run`` and ``conformance audit``.
Targets are created on first use, starting the embedded emulator when no
endpoint is given. With ``--record`` or ``--replay`` each requirement is
evaluated inside its own cassette.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.checks import Target, validate
from conformance.checks.evaluate import evaluate
from conformance.checks.generated import ExampleLog
from conformance.emulator import deviations as deviation_catalogue
from conformance.emulator.server import Emulator, EmulatorConfig
from conformance.reports import baseline
from conformance.results import Result
from conformance.run import recording
from conformance.run.settings import Settings
from conformance.spec import catalog
from conformance.spec.catalog import CATEGORIES, Requirement
from conformance.vendors import adapter
from conformance.vendors.transport import Client


class SuiteSession:
    """The targets of one run (one per vendor), created on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._targets: dict[str, Target] = {}
        self._emulators: list[Emulator] = []
        self._recorders: dict[str, tuple[Any, recording.BusinessMatcher]] = {}
        self._baseline: list[baseline.Entry] | None = None

    def selected_requirements(self) -> list[Requirement]:
        chosen = []
        for vendor in self.settings.vendors:
            for requirement in validate(catalog.load(vendor).requirements):
                if not self.settings.categories or requirement.category in self.settings.categories:
                    chosen.append(requirement)
        order = {c: n for n, c in enumerate(CATEGORIES)}
        return sorted(chosen, key=lambda r: (self.settings.vendors.index(r.vendor), order[r.category]))

    def region(self, vendor: str) -> str:
        return self.settings.region or adapter(vendor).default_region

    def target_name(self, vendor: str) -> str:
        if self.settings.target_name:
            return self.settings.target_name
        if self.settings.endpoint:
            return urlsplit(self.settings.endpoint).hostname or self.settings.endpoint
        return "emulator"

    def describe_targets(self) -> dict[str, dict[str, Any]]:
        out = {}
        for vendor in self.settings.vendors:
            names = {d.name for d in deviation_catalogue.for_vendor(vendor)}
            out[vendor] = {
                "name": self.target_name(vendor),
                "endpoint": self.settings.endpoint or "embedded emulator",
                "region": self.region(vendor),
                "signing": self.settings.signing or adapter(vendor).signing_modes[0],
                "deviations": [d for d in self.settings.deviations if d in names],
                "credentials": "given" if self.settings.credentials(vendor).known and self.settings.endpoint
                else ("emulator test credentials" if not self.settings.endpoint else "none given"),
            }
        return out

    def target(self, vendor: str) -> Target:
        if vendor not in self._targets:
            credentials = self.settings.credentials(vendor)
            endpoint = self.settings.endpoint
            if self.settings.replay:
                endpoint = endpoint or "http://replay.invalid"  # never contacted: vcrpy answers, or refuses
            elif endpoint is None:
                names = {d.name for d in deviation_catalogue.for_vendor(vendor)}
                emulator = Emulator(EmulatorConfig(
                    vendor, instances=self.settings.instances,
                    key_id=credentials.key_id, key_secret=credentials.secret,
                    deviations=tuple(d for d in self.settings.deviations if d in names))).start()
                self._emulators.append(emulator)
                endpoint = emulator.url
            client = Client(adapter(vendor), endpoint, self.region(vendor), credentials,
                            signing=self.settings.signing, max_requests=self._budget())
            self._targets[vendor] = Target(adapter(vendor), client, self.target_name(vendor))
        return self._targets[vendor]

    def _budget(self) -> int | None:
        """This process's share of ``--max-requests``: pytest-xdist workers split it evenly."""
        if self.settings.max_requests is None:
            return None
        workers = int(self.settings.env.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
        return max(1, self.settings.max_requests // max(1, workers))

    def evaluate(self, requirement: Requirement) -> Result:
        if not (self.settings.record or self.settings.replay):
            result = evaluate(requirement, self.target(requirement.vendor))
        else:
            result = self._evaluate_with_cassette(requirement)
        if self.settings.baseline:
            if self._baseline is None:
                self._baseline = baseline.load(self.settings.baseline)
            baseline.apply(result, self._baseline)
        return result

    def cassette_path(self, requirement: Requirement) -> Path:
        return recording.cassette_path(self.settings.cassette_dir, requirement.vendor, self.target_name(requirement.vendor),
                             requirement.id)

    def _evaluate_with_cassette(self, requirement: Requirement) -> Result:
        """One cassette per requirement, self-contained: the discovery walk is recorded in each."""
        vendor = requirement.vendor
        target = self.target(vendor)
        target.forget_listing()
        path = self.cassette_path(requirement)
        test = f"{vendor}:{requirement.id}"
        if self.settings.record:
            path.unlink(missing_ok=True)
        elif not path.is_file():
            return self._replay_miss(requirement, f"replay: no cassette for {test} at {path}")
        if vendor not in self._recorders:
            credentials = self.settings.credentials(vendor)
            matcher = recording.BusinessMatcher(adapter(vendor))
            self._recorders[vendor] = (recording.make_vcr("record" if self.settings.record else "replay",
                                                          (credentials.key_id, credentials.secret), matcher), matcher)
        recorder, matcher = self._recorders[vendor]
        try:
            with recorder.use_cassette(str(path)) as cassette:
                stored = None if self.settings.record else json.loads(cassette.get_metadata("examples", "[]"))
                target.examples = ExampleLog(stored)
                result = evaluate(requirement, target)
                if self.settings.record:
                    cassette.get_metadata("examples", json.dumps(target.examples.drawn, default=list))
                    cassette.get_metadata("conformance", {
                        "vendor": vendor, "requirement": requirement.id, "category": requirement.category,
                        "outcome": result.outcome, "message": result.message, "target": self.target_name(vendor)})
        except recording.ReplayMiss as miss:
            return self._replay_miss(requirement, recording.describe_miss(miss, test, matcher))
        finally:
            target.examples = None
        return result

    @staticmethod
    def _replay_miss(requirement: Requirement, message: str) -> Result:
        return Result(vendor=requirement.vendor, requirement=requirement.id, category=requirement.category,
                      outcome="inconclusive", documented=requirement.documented, quote=requirement.quote,
                      summary=requirement.summary, check=requirement.check, message=message, replay_miss=True)

    def run_all(self) -> list[Result]:
        """Every selected requirement, in order, without pytest: for library use and the project's tests."""
        try:
            return [self.evaluate(r) for r in self.selected_requirements()]
        finally:
            self.close()

    def close(self) -> None:
        for target in self._targets.values():
            target.client.close()
        for emulator in self._emulators:
            emulator.stop()
        self._emulators.clear()
