"""One run of the suite: its settings, its targets, and how a requirement is evaluated.

Shared by the pytest plugin and ``conformance run``. Settings are resolved
once (flags, then the vendors' usual environment variables, then the
emulator's test credentials); targets are created on first use, starting the
embedded emulator when no endpoint is given.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance import catalog
from conformance.catalog import Requirement
from conformance.client import Client, Credentials
from conformance.results import Result

#: The vendors' usual credential variables, as their SDKs read them.
CREDENTIAL_ENV = {
    "alibaba": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
    "tencent": ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
}
SECRET_ENV = "CONFORMANCE_KEY_SECRET"


@dataclass
class Settings:
    vendors: list[str]
    endpoint: str | None = None
    region: str | None = None
    key_id: str | None = None
    key_secret: str | None = None
    signing: str | None = None
    categories: list[str] = field(default_factory=list)
    json_report: str | None = None
    max_requests: int | None = None
    deviations: list[str] = field(default_factory=list)
    instances: int = 150
    seed: int = 0
    target_name: str | None = None
    progress: bool = True
    record: bool = False
    replay: bool = False
    cassette_dir: str = "cassettes"
    baseline: str | None = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    def validate(self) -> None:
        from conformance.emulator import deviations as catalogue

        if self.endpoint and len(self.vendors) != 1:
            raise ValueError("--endpoint needs a single --vendor (alibaba or tencent)")
        if self.endpoint and self.deviations:
            raise ValueError("--deviation applies to the embedded emulator, not to an --endpoint")
        if self.record and self.replay:
            raise ValueError("--record and --replay exclude each other")
        if self.replay and self.deviations:
            raise ValueError("--deviation shapes a recording; a replay answers what was recorded")
        if (self.key_id is None) != (self.key_secret is None):
            raise ValueError("--key-id and --key-secret go together")
        for name in self.deviations:
            if not any(d.name == name for v in self.vendors for d in catalogue.for_vendor(v)):
                raise ValueError(f"unknown deviation {name!r} for {', '.join(self.vendors)}; "
                                 f"see conformance emulator --list-deviations")
        unknown = sorted(set(self.categories) - set(catalog.CATEGORIES))
        if unknown:
            raise ValueError(f"unknown category {unknown[0]!r}; one of {', '.join(catalog.CATEGORIES)}")
        if self.baseline:
            from conformance import baseline

            try:
                baseline.load(self.baseline)
            except baseline.BaselineError as exc:
                raise ValueError(str(exc)) from None
        if self.max_requests is not None and self.max_requests < 1:
            raise ValueError("--max-requests must be at least 1")
        if self.signing:
            from conformance.vendors import adapter

            for vendor in self.vendors:
                if self.signing not in adapter(vendor).signing_modes:
                    raise ValueError(f"--signing {self.signing} is not a {vendor} signing mode "
                                     f"({', '.join(adapter(vendor).signing_modes)})")

    def credentials(self, vendor: str) -> Credentials:
        from conformance.emulator.auth import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET

        if self.key_id and self.key_secret:
            return Credentials(self.key_id, self.key_secret)
        id_var, secret_var = CREDENTIAL_ENV[vendor]
        if self.env.get(id_var) and self.env.get(secret_var):
            return Credentials(self.env[id_var], self.env[secret_var])
        return Credentials(DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, known=self.endpoint is None)


def settings_from_options(getoption: Callable[[str], Any], env: Mapping[str, str]) -> Settings:
    vendor = getoption("--conformance-vendor")
    key_id = getoption("--conformance-key-id")
    settings = Settings(
        vendors=list(catalog.VENDORS) if vendor == "all" else [vendor],
        endpoint=getoption("--conformance-endpoint"),
        region=getoption("--conformance-region"),
        key_id=key_id,
        key_secret=env.get(SECRET_ENV) if key_id else None,
        signing=getoption("--conformance-signing"),
        categories=list(getoption("--conformance-category") or []),
        json_report=getoption("--conformance-json"),
        max_requests=getoption("--conformance-max-requests"),
        deviations=list(getoption("--conformance-deviation") or []),
        instances=getoption("--conformance-instances"),
        target_name=getoption("--conformance-target-name"),
        record=getoption("--conformance-record"),
        replay=getoption("--conformance-replay"),
        cassette_dir=getoption("--conformance-cassette-dir"),
        baseline=getoption("--conformance-baseline"),
        env=dict(env),
    )
    settings.validate()
    return settings


class SuiteSession:
    """The targets of one run (one per vendor), created on first use."""

    RESULT_KEY = pytest.StashKey[Result]()

    def __init__(self, settings: Settings):
        self.settings = settings
        self._targets: dict[str, Any] = {}
        self._emulators: list[Any] = []
        self._recorders: dict[str, Any] = {}
        self._baseline: list[Any] | None = None

    def selected_requirements(self) -> list[Requirement]:
        chosen = []
        for vendor in self.settings.vendors:
            for requirement in catalog.load(vendor).requirements:
                if not self.settings.categories or requirement.category in self.settings.categories:
                    chosen.append(requirement)
        order = {c: n for n, c in enumerate(catalog.CATEGORIES)}
        return sorted(chosen, key=lambda r: (self.settings.vendors.index(r.vendor), order[r.category]))

    def region(self, vendor: str) -> str:
        from conformance.vendors import adapter

        return self.settings.region or adapter(vendor).default_region

    def target_name(self, vendor: str) -> str:
        if self.settings.target_name:
            return self.settings.target_name
        if self.settings.endpoint:
            from urllib.parse import urlsplit

            return urlsplit(self.settings.endpoint).hostname or self.settings.endpoint
        return "emulator"

    def describe_targets(self) -> dict[str, dict[str, Any]]:
        from conformance.emulator import deviations as catalogue

        out = {}
        for vendor in self.settings.vendors:
            names = {d.name for d in catalogue.for_vendor(vendor)}
            out[vendor] = {
                "name": self.target_name(vendor),
                "endpoint": self.settings.endpoint or "embedded emulator",
                "region": self.region(vendor),
                "signing": self.settings.signing or self._adapter(vendor).signing_modes[0],
                "deviations": [d for d in self.settings.deviations if d in names],
                "credentials": "given" if self.settings.credentials(vendor).known and self.settings.endpoint
                else ("emulator test credentials" if not self.settings.endpoint else "unknown"),
            }
        return out

    @staticmethod
    def _adapter(vendor: str):
        from conformance.vendors import adapter

        return adapter(vendor)

    def target(self, vendor: str):
        if vendor not in self._targets:
            from conformance.checks import Target
            from conformance.emulator import deviations as catalogue
            from conformance.emulator.server import Emulator, EmulatorConfig

            credentials = self.settings.credentials(vendor)
            endpoint = self.settings.endpoint
            if self.settings.replay:
                endpoint = endpoint or "http://replay.invalid"  # never contacted: vcrpy answers, or refuses
            elif endpoint is None:
                names = {d.name for d in catalogue.for_vendor(vendor)}
                emulator = Emulator(EmulatorConfig(
                    vendor, instances=self.settings.instances, seed=self.settings.seed,
                    key_id=credentials.key_id, key_secret=credentials.secret,
                    deviations=tuple(d for d in self.settings.deviations if d in names))).start()
                self._emulators.append(emulator)
                endpoint = emulator.url
            adapter = self._adapter(vendor)
            client = Client(adapter, endpoint, self.region(vendor), credentials, signing=self.settings.signing,
                            max_requests=self._budget())
            self._targets[vendor] = Target(adapter, client, self.target_name(vendor))
        return self._targets[vendor]

    def _budget(self) -> int | None:
        """This process's share of ``--max-requests``: pytest-xdist workers split it evenly."""
        if self.settings.max_requests is None:
            return None
        workers = int(self.settings.env.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
        return max(1, self.settings.max_requests // max(1, workers))

    def evaluate(self, requirement: Requirement) -> Result:
        from conformance.checks import evaluate

        if not (self.settings.record or self.settings.replay):
            result = evaluate(requirement, self.target(requirement.vendor))
        else:
            result = self._evaluate_with_cassette(requirement)
        if self.settings.baseline:
            from conformance import baseline

            if self._baseline is None:
                self._baseline = baseline.load(self.settings.baseline)
            baseline.apply(result, self._baseline)
        return result

    def cassette_path(self, requirement: Requirement):
        from conformance.cassettes import cassette_path

        return cassette_path(self.settings.cassette_dir, requirement.vendor, self.target_name(requirement.vendor),
                             requirement.id)

    def _evaluate_with_cassette(self, requirement: Requirement) -> Result:
        """One cassette per requirement, self-contained: the discovery walk is recorded in each."""
        from conformance.cassettes import ReplayMiss, describe_miss, make_vcr
        from conformance.checks import evaluate
        from conformance.checks.generated import ExampleLog

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
            self._recorders[vendor] = make_vcr("record" if self.settings.record else "replay",
                                               (credentials.key_id, credentials.secret))
        try:
            with self._recorders[vendor].use_cassette(str(path)) as cassette:
                stored = None if self.settings.record else json.loads(cassette.get_metadata("examples", "[]"))
                target.examples = ExampleLog(stored)
                result = evaluate(requirement, target)
                if self.settings.record:
                    cassette.get_metadata("examples", json.dumps(target.examples.drawn, default=list))
                    cassette.get_metadata("conformance", {
                        "vendor": vendor, "requirement": requirement.id, "category": requirement.category,
                        "outcome": result.outcome, "message": result.message, "target": self.target_name(vendor)})
        except ReplayMiss as miss:
            return self._replay_miss(requirement, describe_miss(miss, test))
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
